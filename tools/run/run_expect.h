/*
 * The bookkeeping that keeps an expectation from passing unchecked: each
 * step's expectation is either compared with the call's result, or, once the
 * run is over, reported as failed with the reason it was never compared.
 */
#ifndef EPSIM_RUN_EXPECT_H
#define EPSIM_RUN_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include "runner.h"

/* Where a step's call stands, as far as its expectation goes. */
enum run_expect_state {
	REXP_UNRUN,	/* the step was not run (yet) */
	REXP_BLOCKED,	/* its call blocked and has not completed */
	REXP_DONE,	/* its call completed and the expectation was compared */
	REXP_EXITED,	/* its call was blocked when its process exited */
};

/* Compare step's expectation (if any) with the rendered result of its completed call. */
void run_expect_check(const struct trace *t, size_t step, const char *got, bool watchdog,
		      struct run_result *res);
/*
 * After the run: a failed expectation for every step whose call never
 * completed. stopped: the run was stopped by an error at step stop_step
 * (index); then the mismatches are sorted into step order.
 */
void run_expect_finish(const struct trace *t, const enum run_expect_state *state, bool stopped,
		       size_t stop_step, struct run_result *res);

#endif
