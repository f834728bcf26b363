/* Comparing one target outcome with its golden log, known variants allowed. */
#ifndef EPSIM_GOLDEN_CMP_H
#define EPSIM_GOLDEN_CMP_H

#include <stdbool.h>
#include <stdio.h>
#include "target.h"
#include "variants.h"

enum cmp_verdict {
	CMP_MATCH,		/* the log equals the golden log */
	CMP_VARIANT,		/* equal once known variants are applied */
	CMP_DIFFERS,		/* differs at `step` (or an expectation failed) */
	CMP_NO_GOLDEN,		/* no golden log for this kernel */
	CMP_TROUBLE,		/* the run failed */
	CMP_UNSUPPORTED,	/* the target cannot run this trace */
	CMP_UNAVAILABLE,	/* the target is not available here */
};

struct cmp_result {
	enum cmp_verdict verdict;
	int step;		/* CMP_DIFFERS: the first differing log step (0: an expectation) */
	int variant_line;	/* CMP_VARIANT: the variants file line used */
	size_t nlines;
};

struct cmp_input {
	const char *trace;	/* path of the trace */
	const char *profile;	/* golden directory: linux-6.18 */
	const char *release;	/* the kernel's release, for variants; NULL: none apply */
	const char *target;	/* the target's name, for messages */
	bool enforce_expect;	/* inline expectations count (they state Linux 6.18 behaviour) */
	const struct variants *vs;
	int context;
	FILE *out;		/* where a divergence is shown; NULL: nowhere */
};

void golden_compare(const struct cmp_input *in, const struct target_outcome *o,
		    struct cmp_result *r);
const char *cmp_verdict_name(enum cmp_verdict v);

#endif
