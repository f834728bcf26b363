/* Run a parsed trace on one backend and produce its result log. */
#ifndef EPSIM_RUNNER_H
#define EPSIM_RUNNER_H

#include <stdio.h>
#include "backend.h"
#include "runlog.h"
#include "trace.h"

/* What an observer of a run sees after each step. */
struct run_view {
	const struct trace *t;
	size_t step;			/* index of the step just run */
	const int *fds;			/* per name: its fd number, or -1 */
	const struct run_log *log;	/* the log so far */
	size_t log_from;		/* first log entry this step added */
	const struct reg_table *regs;	/* registration tokens (run_token_lookup) */
};

struct reg_table;
/* What a registration token given to epoll stands for: the name index and data; false if unknown. */
bool run_token_lookup(const struct reg_table *regs, uint64_t token, int *name, uint64_t *data);

struct run_options {
	struct backend_config cfg;
	/* Called after every step with the backend (for simulator state dumps); may be NULL. */
	void (*after_step)(void *ctx, struct backend *b, const struct run_view *v);
	void *after_step_ctx;	/* passed to on_open and after_step */
	/* Called once the backend is open, before the first step (e.g. to attach probes); may be NULL. */
	void (*on_open)(void *ctx, struct backend *b);
};

/*
 * A failed inline expectation: the call gave `got`; or it never completed
 * and `why` (else NULL) says how: still blocked at the end, cut by the
 * watchdog, never run because the run stopped (run_expect.c); got is then
 * the same text.
 */
struct run_mismatch {
	int step;		/* 1-based index of the step whose expectation failed */
	struct trace_loc loc;
	char *expected;
	char *got;
	char *why;
};

/* Print one failed expectation as "path:line:col: expectation failed: ...", then suffix. */
void run_mismatch_print(const char *path, const struct run_mismatch *m, const char *suffix,
			FILE *f);

struct run_result {
	struct run_log log;
	struct run_mismatch *mismatches;
	size_t nmismatches;
};

/*
 * Run trace t on backend ops. 0 on success (expectation failures are in
 * res->mismatches, in step order); -1 when the run could not be done or
 * stopped at a step, with a message in err ("path:line:col: error: ..." when
 * a step stopped it). res->log then holds the log up to that step (res->log.trace
 * is NULL if the backend never opened) and res->mismatches the expectations
 * failed so far, those never checked included.
 */
int run_trace(const struct trace *t, const struct backend_ops *ops, const struct run_options *o,
	      struct run_result *res, char *err, size_t errlen);
void run_result_free(struct run_result *res);

#endif
