/* Resource caps of a run (see run_limits.h). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include "run_limits.h"
#include "xalloc.h"

static int limit_error(const struct trace *t, const struct trace_step *st, char *err,
		       size_t errlen, const char *what, unsigned long long got, long long max)
{
	snprintf(err, errlen, "%s:%d:%d: error: %s %llu exceeds the cap (max %lld)", t->path,
		 st->loc.line, st->loc.col, what, got, max);
	return -1;
}

/* The first step that uses thread number n (as caller or as a signal's target). */
static const struct trace_step *first_use(const struct trace *t, int n)
{
	for (size_t i = 0; i < t->nsteps; i++)
		if (t->steps[i].thread == n || (t->steps[i].op == TOP_SIGNAL && t->steps[i].target == n))
			return &t->steps[i];
	return &t->steps[0];
}

int run_limits_trace(const struct trace *t, char *err, size_t errlen)
{
	if (t->nsteps > RUN_MAX_STEPS)
		return limit_error(t, &t->steps[RUN_MAX_STEPS], err, errlen, "step number",
				   (unsigned long long)RUN_MAX_STEPS + 1, RUN_MAX_STEPS);
	if (t->nthreads > RUN_MAX_THREADS)
		return limit_error(t, first_use(t, RUN_MAX_THREADS), err, errlen, "thread count",
				   (unsigned long long)RUN_MAX_THREADS + 1, RUN_MAX_THREADS);
	for (size_t i = 0, forks = 0; i < t->nsteps; i++)
		if (t->steps[i].op == TOP_FORK && ++forks > RUN_MAX_PROCESSES)
			return limit_error(t, &t->steps[i], err, errlen, "forked process count",
					   (unsigned long long)forks, RUN_MAX_PROCESSES);
	return 0;
}

/*
 * A signal fcntl(F_SETSIG) asks for must be one a backend can take: SIGIO (0
 * is SIGIO) or SIGUSR1, whose handlers do nothing, or no signal at all (past
 * the last: EINVAL). Any other would kill or stop the tool itself.
 */
static bool setsig_harmless(long long sig)
{
	return sig == 0 || sig == SIGIO || sig == SIGUSR1 || sig > 64 || sig < 0;
}

/* New fds the step creates when it succeeds (dup2: 1 unless the target is open). */
static int step_new_fds(const struct run_fds *fds, const struct trace_step *st,
			const struct sys_call *c)
{
	switch (st->op) {
	case TOP_PIPE:
	case TOP_SOCKETPAIR:
		return 2;
	case TOP_EPOLL:
	case TOP_EPOLL_CREATE:
	case TOP_EVENTFD:
	case TOP_DUP:
	case TOP_TIMERFD:
	case TOP_SOCKET:
	case TOP_ACCEPT:
	case TOP_URING:
		return 1;
	case TOP_DUP2:
		return c->fd2 >= 0 && (size_t)c->fd2 < fds->len && fds->open[c->fd2] ? 0 : 1;
	default:
		return 0;
	}
}

/* The longest the main thread may block in this call, in ms (0: no timed block). */
static unsigned long long block_ms(const struct trace_step *st, const struct sys_call *c)
{
	if (c->nr == SYS_NANOSLEEP)
		return (unsigned long long)(c->num > 0 ? c->num : 0);
	if (st->thread != 0)
		return 0;	/* another thread's wait never holds up the run */
	if ((c->nr == SYS_EPOLL_WAIT || c->nr == SYS_EPOLL_PWAIT) && c->timeout_ms > 0)
		return (unsigned long long)c->timeout_ms;
	if (c->nr == SYS_EPOLL_PWAIT2 && !c->ts_null && c->ts_sec > 0)
		return c->ts_sec > RUN_MAX_BLOCK_MS ? RUN_MAX_BLOCK_MS + 1ULL :
						      (unsigned long long)c->ts_sec * 1000;
	return 0;
}

int run_limits_step(const struct run_fds *fds, const struct trace *t, const struct trace_step *st,
		    const struct sys_call *c, char *err, size_t errlen)
{
	unsigned long long bytes = (unsigned long long)c->num;
	int more = step_new_fds(fds, st, c);

	if ((c->nr == SYS_READ || c->nr == SYS_WRITE) && !c->fd_is_counter &&
	    bytes > (unsigned long long)SYS_MAX_RW_COUNT)
		return limit_error(t, st, err, errlen,
				   c->nr == SYS_READ ? "read byte count" : "write byte count", bytes,
				   SYS_MAX_RW_COUNT);
	if (block_ms(st, c) > RUN_MAX_BLOCK_MS)
		return limit_error(t, st, err, errlen, "blocking time in ms", block_ms(st, c),
				   RUN_MAX_BLOCK_MS);
	if (c->nr == SYS_FCNTL && c->op == F_SETSIG && !setsig_harmless(c->num)) {
		snprintf(err, errlen, "%s:%d:%d: error: fcntl setsig %lld: only io and usr1 may be "
			 "delivered to the tool", t->path, st->loc.line, st->loc.col, c->num);
		return -1;
	}
	if (more && fds->n + more > RUN_MAX_OPEN_FDS)
		return limit_error(t, st, err, errlen, "open fd count",
				   (unsigned long long)(fds->n + more), RUN_MAX_OPEN_FDS);
	return 0;
}

static void fd_mark(struct run_fds *fds, int fd, bool open)
{
	if (fd < 0)
		return;
	if ((size_t)fd >= fds->len) {
		size_t len = fds->len ? fds->len : 64;

		if (!open)
			return;
		while (len <= (size_t)fd)
			len *= 2;
		fds->open = xrealloc(fds->open, len);
		for (size_t i = fds->len; i < len; i++)
			fds->open[i] = 0;
		fds->len = len;
	}
	if (fds->open[fd] != open)
		fds->n += open ? 1 : -1;
	fds->open[fd] = open;
}

void run_fds_note(struct run_fds *fds, const struct trace_step *st, int fd,
		  const struct sys_result *r)
{
	if (r->watchdog)
		return;
	if (st->op == TOP_CLOSE && r->ret == 0) {
		fd_mark(fds, fd, false);
	} else if ((st->op == TOP_PIPE || st->op == TOP_SOCKETPAIR) && r->ret == 0) {
		fd_mark(fds, r->fds[0], true);
		fd_mark(fds, r->fds[1], true);
	} else if (r->ret >= 0 && (st->op == TOP_DUP2 || step_new_fds(fds, st, NULL) > 0)) {
		fd_mark(fds, (int)r->ret, true);
	}
}

void run_fds_free(struct run_fds *fds)
{
	free(fds->open);
	fds->open = NULL;
	fds->len = 0;
	fds->n = 0;
}
