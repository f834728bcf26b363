/* One outcome against its golden log (golden_cmp.h). */
#include "golden_cmp.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "golden.h"
#include "lograce.h"
#include "run_report.h"
#include "trace.h"
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

/*
 * Expectation failures no variant explains; printed to stderr. Where
 * expectations are not enforced (another kernel than the one they state), a
 * failure is still printed, as a note, and not counted.
 */
static int unknown_fails(const struct cmp_input *in, const struct target_outcome *o,
			 const char *name, int *known)
{
	int left = 0;

	for (size_t i = 0; i < o->nfails; i++) {
		const struct target_fail *f = &o->fails[i];

		if (!f->why &&
		    variants_match_expect(in->vs, name, in->release, f->step, f->expected, f->got)) {
			(*known)++;
			continue;
		}
		if (in->out)
			run_fail_print(stderr, in->trace, f->line, f->col,
				       in->enforce_expect ? "expectation failed"
							  : "note: this kernel differs (not enforced)",
				       f->expected, f->got, f->why, NULL);
		left += in->enforce_expect;
	}
	return left;
}

/*
 * Legal races (lograce.h): the completions of a step whose expectation lists
 * alternatives are compared as a set and taken out of want and got; 1 when
 * they differ, the reason in *why (malloc'd).
 */
static int race_set_aside(const struct cmp_input *in, struct log_lines *want,
			  struct log_lines *got, char **why)
{
	struct trace_error err;
	struct trace *t = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	*why = NULL;
	if (trace_parse_file(in->trace, &t, &err) != 0)
		return 0;	/* the run parsed it: only a file changed meanwhile gets here */
	f = open_memstream(why, &len);
	rc = log_race_diff(t, want, "golden (kernel)", got, in->target, f);
	if (f)
		fclose(f);
	trace_free(t);
	return rc;
}

static void copy_lines(const struct log_lines *from, struct log_lines *to)
{
	to->n = from->n;
	to->lines = xcalloc(from->n + 1, sizeof(char *));
	for (size_t i = 0; i < from->n; i++)
		to->lines[i] = xstrdup(from->lines[i]);
}

static void compare_lines(const struct cmp_input *in, const struct target_outcome *o,
			  struct log_lines *want, const char *gp, struct cmp_result *r)
{
	char *name = trace_name_of(in->trace), *why = NULL;
	const struct variant *first = NULL;
	struct log_lines got;
	int known = 0, fails = unknown_fails(in, o, name, &known), raced;
	size_t nvar;

	copy_lines(&o->lines, &got);
	raced = race_set_aside(in, want, &got, &why);
	nvar = variants_apply(in->vs, name, in->release, want, &got, &first);
	r->nlines = o->lines.n;
	if (raced || log_lines_diff(want, "golden (kernel)", &got, in->target, in->context, NULL)) {
		r->verdict = CMP_DIFFERS;
		r->step = first_diff_step(want, &got);
		if (in->out) {
			fprintf(in->out, "%s: DIVERGES from %s\n%s", in->trace, gp, why ? why : "");
			log_lines_diff(want, "golden (kernel)", &got, in->target, in->context, in->out);
		}
	} else if (fails) {
		r->verdict = CMP_DIFFERS;
		r->step = 0;
		if (in->out)
			fprintf(in->out, "%s: %s matches golden (%zu lines), but %d expectation%s failed\n",
				in->trace, in->target, o->lines.n, fails, fails == 1 ? "" : "s");
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
	log_lines_free(&got);
	free(why);
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
	if (run_golden_check(gp, &want, in->out ? stderr : NULL) != 0) {
		r->verdict = CMP_TROUBLE;	/* an empty or non-kernel golden log checks nothing */
		log_lines_free(&want);
		free(gp);
		return;
	}
	compare_lines(in, o, &want, gp, r);
	log_lines_free(&want);
	free(gp);
}
