/*
 * Known kernel variants: reviewed differences between a kernel build and the
 * golden logs of its kernel family (traces/variants.tsv). A variant names a
 * trace, a log step, a pattern of kernel releases, the value the golden log
 * holds there, the value such a kernel answers instead, and why. A check that
 * differs from its golden only where a variant says so reports a known
 * variant; any other difference still fails.
 */
#ifndef EPSIM_VARIANTS_H
#define EPSIM_VARIANTS_H

#include <stddef.h>
#include "logdiff.h"

struct variant {
	char *trace;		/* trace name without directory and ".trace" */
	int step;		/* the log step whose result differs */
	char *kernel;		/* fnmatch(3) pattern of `uname -r` releases */
	char *golden;		/* the result the golden log holds: "0" */
	char *observed;		/* the result such a kernel gives: "EINVAL" */
	char *why;		/* the explanation */
	int line;		/* line in the variants file */
};

struct variants {
	char *path;
	struct variant *v;
	size_t n;
};

/*
 * Read a variants file (tab-separated; '#' lines and blank lines ignored). A
 * missing file is an empty set. 0 on success; on a malformed line -1 with
 * "file:line:col: error: ..." in err.
 */
int variants_load(const char *path, struct variants *out, char *err, size_t errlen);
void variants_free(struct variants *vs);

/* The variants file next to a trace: DIR/variants.tsv for DIR/NAME.trace (malloc'd). */
char *variants_path_for(const char *trace_path);

/* A trace path's name: "traces/a.trace" -> "a" (malloc'd). */
char *trace_name_of(const char *trace_path);

/*
 * The variant that explains golden line g against observed line o of trace
 * `name` on kernel `release`: same step, same text, golden result and
 * observed result as the variant says. NULL if none does.
 */
const struct variant *variants_match(const struct variants *vs, const char *name,
				     const char *release, const char *g, const char *o);

/* The variant that explains an expectation failure (expected, got) at step. */
const struct variant *variants_match_expect(const struct variants *vs, const char *name,
					    const char *release, int step, const char *expected,
					    const char *got);

/*
 * Replace every golden line a variant explains with the observed line, so
 * a plain diff then shows only unknown differences. Returns how many lines
 * were replaced; the first variant used in *first (if not NULL).
 */
size_t variants_apply(const struct variants *vs, const char *name, const char *release,
		      struct log_lines *golden, const struct log_lines *got,
		      const struct variant **first);

#endif
