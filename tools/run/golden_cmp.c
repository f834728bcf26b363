/* One outcome against its golden log (golden_cmp.h). */
#include "golden_cmp.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "golden.h"
#include "xalloc.h"

const char *cmp_verdict_name(enum cmp_verdict v)
{
	static const char *const names[] = { "match",	      "known variant", "differs",
					     "no golden",     "trouble",       "not supported",
					     "unavailable" };
	return names[v];
}

/* The step number a log line starts with; 0 if none. */
static int line_step(const char *l)
{
	return l ? atoi(l) : 0;
}

/* The first differing step of two logs. */
static int first_diff_step(const struct log_lines *a, const struct log_lines *b)
{
	size_t i = 0;

	while (i < a->n && i < b->n && strcmp(a->lines[i], b->lines[i]) == 0)
		i++;
	if (i < a->n)
		return line_step(a->lines[i]) ? line_step(a->lines[i]) : (int)i + 1;
	return i < b->n && line_step(b->lines[i]) ? line_step(b->lines[i]) : (int)i + 1;
}

/* Expectation failures no variant explains; printed to in->out. */
static int unknown_fails(const struct cmp_input *in, const struct target_outcome *o,
			 const char *name, int *known)
{
	int left = 0;

	for (size_t i = 0; i < o->nfails; i++) {
		const struct target_fail *f = &o->fails[i];

		if (variants_match_expect(in->vs, name, in->release, f->step, f->expected, f->got)) {
			(*known)++;
			continue;
		}
		if (!in->enforce_expect)
			continue;
		left++;
		if (in->out)
			fprintf(stderr, "%s:%d:%d: expectation failed: expected '%s', got '%s'\n",
				in->trace, f->line, f->col, f->expected, f->got);
	}
	return left;
}

static void compare_lines(const struct cmp_input *in, const struct target_outcome *o,
			  struct log_lines *want, const char *gp, struct cmp_result *r)
{
	char *name = trace_name_of(in->trace);
	const struct variant *first = NULL;
	int known = 0, fails = unknown_fails(in, o, name, &known);
	size_t nvar = variants_apply(in->vs, name, in->release, want, &o->lines, &first);

	r->nlines = o->lines.n;
	if (log_lines_diff(want, "golden (kernel)", &o->lines, in->target, in->context, NULL)) {
		r->verdict = CMP_DIFFERS;
		r->step = first_diff_step(want, &o->lines);
		if (in->out) {
			fprintf(in->out, "%s: DIVERGES from %s\n", in->trace, gp);
			log_lines_diff(want, "golden (kernel)", &o->lines, in->target, in->context,
				       in->out);
		}
	} else if (fails) {
		r->verdict = CMP_DIFFERS;
		r->step = 0;
	} else if (nvar || known) {
		r->verdict = CMP_VARIANT;
		r->variant_line = first ? first->line : 0;
		if (in->out)
			fprintf(in->out, "%s: %s matches golden: known variant (%s:%d: step %d %s on %s)\n",
				in->trace, in->target, in->vs->path, first ? first->line : 0,
				first ? first->step : 0, first ? first->observed : "?", in->release);
	} else {
		r->verdict = CMP_MATCH;
		if (in->out)
			fprintf(in->out, "%s: %s matches golden (%zu lines)\n", in->trace, in->target,
				o->lines.n);
	}
	free(name);
}

void golden_compare(const struct cmp_input *in, const struct target_outcome *o,
		    struct cmp_result *r)
{
	char *gp = golden_path(in->trace, in->profile), *legacy;
	struct log_lines want;

	memset(r, 0, sizeof(*r));
	if (o->status != TARGET_RAN) {
		r->verdict = o->status == TARGET_UNSUPPORTED ? CMP_UNSUPPORTED : CMP_TROUBLE;
		if (in->out)
			fprintf(stderr, "%s: %s\n", in->trace, o->error ? o->error : "the run failed");
		free(gp);
		return;
	}
	if (log_lines_from_file(gp, &want) != 0) {
		r->verdict = CMP_NO_GOLDEN;
		legacy = golden_legacy_path(in->trace);
		if (in->out)
			fprintf(stderr, "%s: error: no golden log %s (%s)\n", in->trace, gp,
				access(legacy, R_OK) == 0
					? "there is one in the old layout: git mv it there"
					: "record it with 'epsim record --target ...'");
		free(legacy);
		free(gp);
		return;
	}
	compare_lines(in, o, &want, gp, r);
	log_lines_free(&want);
	free(gp);
}
