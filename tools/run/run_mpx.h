/*
 * The runner's side of poll, select and fcntl steps: the user memory a call
 * gets (pollfds and fd sets, one buffer per thread, alive until the call
 * returns) and the log text of a result.
 */
#ifndef EPSIM_RUN_MPX_H
#define EPSIM_RUN_MPX_H

#include <stddef.h>
#include "backend.h"
#include "trace.h"

/* Select sets are allocated for at most this many fds: no fd table is larger (fs.nr_open). */
#define MPX_MAX_SET_FDS (1LL << 21)

/* One thread's poll and select memory. */
struct mpx_buf {
	struct pollfd *pfds;
	size_t pcap;
	unsigned long *sets[3];
	size_t scap;		/* longs in each set */
};

/* Fill c for a poll, select or fcntl step; fds holds each name's fd (-1: none). */
void mpx_build_call(const struct trace_step *st, const int *fds, struct mpx_buf *b,
		    struct sys_call *c);
/*
 * The log text of a finished poll ("[p.r in] [e out]"), select ("r=p.r w=e")
 * or fcntl getfl ("flags=rdonly|nonblock") into out ("" when nothing to add);
 * *ret may be rewritten (getfl's flags are logged as 0 and the text).
 */
void mpx_render(const struct trace *t, const struct trace_step *st, const int *fds,
		const struct mpx_buf *b, long *ret, char *out, size_t len);
void mpx_buf_free(struct mpx_buf *b);
/*
 * The completions a uring_wait reaped (r->events: res, user_data) as
 * "[NAME res=R data=D] ...": R an event mask for a poll, a count for a read,
 * an errno name when negative. user_data is a registration token << 1 | is_poll.
 */
struct reg_table;
void uring_render(const struct trace *t, const struct reg_table *regs, const struct sys_result *r,
		  char *out, size_t len);

#endif
