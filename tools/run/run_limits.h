/*
 * Resource caps of a run, on top of the parser's limits: what a hostile trace
 * may ask of a backend. A step over a cap stops the run before it is issued,
 * with "FILE:LINE:COL: error: ..." (the CLI exits 2), on both backends alike.
 */
#ifndef EPSIM_RUN_LIMITS_H
#define EPSIM_RUN_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include "backend.h"
#include "trace.h"

#define RUN_MAX_STEPS 1000000		/* steps in one run (a run log costs ~350 bytes a step) */
#define RUN_MAX_OPEN_FDS 512		/* fds the trace holds open at once (the simulator's nofile is 1024) */
#define RUN_MAX_BLOCK_MS 60000		/* the longest sleep or main-thread wait timeout */
#define RUN_MAX_THREADS 256		/* threads, main included (the kernel backend settles in O(threads)) */
#define RUN_MAX_PROCESSES 32		/* processes a trace forks (real processes on the kernel backend) */
/* bytes in one read or write: SYS_MAX_RW_COUNT (backend.h) */

/* The fds a run holds open, by number (main process). */
struct run_fds {
	unsigned char *open;
	size_t len;
	long n;
};

/* The whole trace within the caps that do not depend on results (steps, threads, processes). */
int run_limits_trace(const struct trace *t, char *err, size_t errlen);
/*
 * Step st of t, about to be issued as call c, is within the caps (bytes, time,
 * open fds, signals the backend can take). 0, or -1 with "FILE:LINE:COL: error: ..." in err.
 */
int run_limits_step(const struct run_fds *fds, const struct trace *t, const struct trace_step *st,
		    const struct sys_call *c, char *err, size_t errlen);
/* Account for a finished call of step st (fd: the fd it closed, for close): fds created or closed. */
void run_fds_note(struct run_fds *fds, const struct trace_step *st, int fd,
		  const struct sys_result *r);
void run_fds_free(struct run_fds *fds);

#endif
