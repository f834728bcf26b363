/* Expectations that never pass unchecked (run_expect.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "run_expect.h"
#include "run_report.h"
#include "xalloc.h"

static void add_mismatch(const struct trace *t, size_t step, const char *got, const char *why,
			 struct run_result *res)
{
	const struct trace_step *st = &t->steps[step];
	struct run_mismatch *m;

	res->mismatches = xrealloc(res->mismatches, (res->nmismatches + 1) * sizeof(*m));
	m = &res->mismatches[res->nmismatches++];
	m->step = (int)step + 1;
	m->loc = st->expect_loc;
	m->expected = xstrdup(st->expect);
	m->got = xstrdup(got ? got : why);	/* never NULL: callers may print it as is */
	m->why = why ? xstrdup(why) : NULL;
}

void run_expect_check(const struct trace *t, size_t step, const char *got, bool watchdog,
		      struct run_result *res)
{
	const struct trace_step *st = &t->steps[step];

	if (!st->expect)
		return;
	if (watchdog)	/* "watchdog" is no result: the call never finished */
		add_mismatch(t, step, NULL, "the call was cut by the watchdog (it never finished)",
			     res);
	else if (!trace_expect_matches(st->expect, got))
		add_mismatch(t, step, got, NULL, res);
}

/* Why an expectation of a step in state s was never compared. */
static void unmet_reason(const struct trace *t, enum run_expect_state s, bool stopped,
			 size_t stop_step, char *why, size_t len)
{
	int line = stop_step < t->nsteps ? t->steps[stop_step].loc.line : 0;

	if (s == REXP_BLOCKED && !stopped)
		snprintf(why, len, "the call was still blocked at the end");
	else if (s == REXP_BLOCKED)
		snprintf(why, len, "the call was still blocked when the run stopped at step %zu (line %d)",
			 stop_step + 1, line);
	else if (s == REXP_EXITED)
		snprintf(why, len, "the call never completed: its process exited");
	else if (stopped)
		snprintf(why, len, "the step was never run: the run stopped at step %zu (line %d)",
			 stop_step + 1, line);
	else
		snprintf(why, len, "the step was never run");
}

static int cmp_mismatch(const void *a, const void *b)
{
	const struct run_mismatch *x = a, *y = b;

	return (x->step > y->step) - (x->step < y->step);
}

void run_expect_finish(const struct trace *t, const enum run_expect_state *state, bool stopped,
		       size_t stop_step, struct run_result *res)
{
	char why[200];

	for (size_t i = 0; i < t->nsteps; i++) {
		if (!t->steps[i].expect || state[i] == REXP_DONE)
			continue;
		unmet_reason(t, state[i], stopped, stop_step, why, sizeof(why));
		add_mismatch(t, i, NULL, why, res);
	}
	/* in step order: a step has one expectation, so no two mismatches share a step */
	if (res->nmismatches > 1)
		qsort(res->mismatches, res->nmismatches, sizeof(*res->mismatches), cmp_mismatch);
}

void run_mismatch_print(const char *path, const struct run_mismatch *m, const char *suffix,
			FILE *f)
{
	run_fail_print(f, path, m->loc.line, m->loc.col, "expectation failed", m->expected, m->got,
		       m->why, suffix);
}
