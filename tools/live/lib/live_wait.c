/*
 * The program's epoll_wait, epoll_pwait and epoll_pwait2, answered by the
 * simulator's ep_poll. A call that parks leaves its simulated task asleep on
 * the instance's wait queue; the real thread sleeps in ppoll() on its own
 * eventfd (with the call's signal mask, until the call's deadline on
 * CLOCK_MONOTONIC) and is woken when the simulated wake-up path finished the
 * call. A signal that interrupts the real sleep is delivered to the simulated
 * task, which then leaves ep_poll with EINTR as the kernel's would.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include "live.h"
#include "live_record.h"
#include "epsim.h"
#include "eventpoll.h"
#include "fdtable.h"
#include "signals.h"
#include "task.h"

/* The signal a real interruption is delivered to the simulated task as. */
#define LIVE_SIG_INTERRUPT SIGURG

/* One call's arguments as the program gave them. */
struct live_wait_args {
	int epfd;
	struct epoll_event *events;
	int maxevents;
	int64_t timeout_ns;		/* < 0: infinite */
	const sigset_t *sigmask;	/* NULL: the thread's own */
};

/* Models access_ok() on x86_64. */
static bool live_access_ok(const void *p, uint64_t n)
{
	uint64_t start = (uintptr_t)p, end = start + n;

	return end >= start && end <= EPSIM_USER_PTR_MAX;
}

static int live_buf_reserve(struct live_thread *th, int n)
{
	struct epoll_event *b;

	if (th->bufcap >= n)
		return 0;
	b = realloc(th->buf, (size_t)n * sizeof(*b));
	if (!b)
		return -ENOMEM;
	th->buf = b;
	th->bufcap = n;
	return 0;
}

/* Enter the simulated epoll_wait with a bounce buffer as large as the program's valid one. */
static long live_wait_enter(struct live_state *st, struct live_thread *th,
			    const struct live_wait_args *a)
{
	int64_t ts[2] = { a->timeout_ns / 1000000000, a->timeout_ns % 1000000000 };
	int n = a->maxevents, nvalid = 0;
	long bound;

	if (n <= 0 || n > EP_MAX_EVENTS)
		return epsim_epoll_pwait2(st->w, th->sim_tid, a->epfd, NULL, 0, n, ts, NULL, 8);
	if (!live_access_ok(a->events, (uint64_t)n * sizeof(struct epoll_event)))
		return -EFAULT;
	bound = 2 * fdtable_count(live_files(st)) + 64;	/* more items than that are unlikely */
	if (bound < LIVE_MAX_BATCH)
		bound = LIVE_MAX_BATCH;
	if (n > bound)
		n = (int)bound;
	if (live_buf_reserve(th, n))
		return -ENOMEM;
	if (!live_copy_in(th->buf, a->events, (size_t)n * sizeof(struct epoll_event)))
		nvalid = n;
	else if (!live_copy_in(th->buf, a->events, sizeof(struct epoll_event)))
		nvalid = 1;
	th->notified = false;
	host_kernel_drain(st);
	return epsim_epoll_pwait2(st->w, th->sim_tid, a->epfd, th->buf, nvalid, n,
				  a->timeout_ns < 0 ? NULL : ts, NULL, 8);
}

/* Sleep until the parked call finished; the lock is dropped while sleeping. */
static long live_wait_sleep(struct live_state *st, struct live_thread *th,
			    const struct live_wait_args *a, uint64_t deadline)
{
	long ret;

	st->count.sleeps++;
	while (!epsim_take_result(st->w, th->sim_tid, &ret)) {
		struct pollfd p = { .fd = th->wakefd, .events = POLLIN, .revents = 0 };
		struct timespec rel, *relp = NULL;
		uint64_t now, v;
		long r;

		pthread_mutex_unlock(&st->lock);
		if (a->timeout_ns >= 0) {
			now = live_now_ns();
			now = deadline > now ? deadline - now : 0;
			rel.tv_sec = (time_t)(now / 1000000000);
			rel.tv_nsec = (long)(now % 1000000000);
			relp = &rel;
		}
		r = live_sys(SYS_ppoll, (long)&p, 1, (long)relp, (long)a->sigmask, 8, 0);
		if (r > 0)
			live_sys(SYS_read, th->wakefd, (long)&v, sizeof(v), 0, 0, 0);
		pthread_mutex_lock(&st->lock);
		live_advance(st);
		if (r == -EINTR && !world_find_task(st->w, th->sim_tid)->has_result) {
			do_tkill(world_find_task(st->w, th->sim_tid), LIVE_SIG_INTERRUPT);
			world_run(st->w);
		}
	}
	return ret;
}

/* Models do_epoll_pwait2() for the program: enter, sleep if parked, copy out. */
static long live_wait(struct live_state *st, const struct live_wait_args *a)
{
	struct live_thread *th = live_self(st);
	uint64_t deadline;
	long ret;

	if (!th)
		return -ENOMEM;
	st->count.waits++;
	deadline = st->w->now + (a->timeout_ns > 0 ? (uint64_t)a->timeout_ns : 0);
	ret = live_wait_enter(st, th, a);
	if (ret == -EPSIM_PENDING)
		ret = live_wait_sleep(st, th, a, deadline);
	if (ret > 0) {
		st->count.wait_events += (uint64_t)ret;
		if (live_copy_out(a->events, th->buf, (size_t)ret * sizeof(struct epoll_event))) {
			st->count.efault++;
			ret = -EFAULT;
		}
	}
	return ret;
}

/* The common entry of the three calls; the kernel answers for fds it owns. */
static int live_wait_call(struct live_wait_args *a, const struct timespec *uts, bool has_ts)
{
	struct live_state *st;
	struct timespec ts;
	sigset_t mask;
	long r;

	if (live_kind(a->epfd) != LIVE_FD_EPOLL || !(st = live_get()))
		return live_sys_ret(live_sys(SYS_epoll_pwait2, a->epfd, (long)a->events, a->maxevents,
					     (long)uts, (long)a->sigmask, 8));
	r = 0;
	if (a->sigmask && live_copy_in(&mask, a->sigmask, 8))
		r = -EFAULT;
	a->sigmask = a->sigmask ? &mask : NULL;
	if (!r && has_ts && uts && live_copy_in(&ts, uts, sizeof(ts)))
		r = -EFAULT;
	if (!r && has_ts && uts && (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000))
		r = -EINVAL;
	if (!r && has_ts)
		a->timeout_ns = !uts ? -1 : ts.tv_sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX :
				(int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (!r)
		r = live_wait(st, a);
	live_logf(st, "epoll_wait(%d, max=%d, timeout=%lldns) = %ld", a->epfd, a->maxevents,
		  (long long)a->timeout_ns, r);
	live_record_wait(st, a->epfd, a->maxevents, a->timeout_ns, r > 0 ? a->events : NULL, r);
	live_shadow_wait(st, a->epfd, a->maxevents, r > 0 ? a->events : NULL, r);
	live_put(st);
	return live_sys_ret(r);
}

int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	struct live_wait_args a = { epfd, events, maxevents,
				    timeout < 0 ? -1 : (int64_t)timeout * 1000000, NULL };
	struct timespec ts = { timeout / 1000, (long)(timeout % 1000) * 1000000 };

	return live_wait_call(&a, timeout < 0 ? NULL : &ts, false);
}

int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
		const sigset_t *sigmask)
{
	struct live_wait_args a = { epfd, events, maxevents,
				    timeout < 0 ? -1 : (int64_t)timeout * 1000000, sigmask };
	struct timespec ts = { timeout / 1000, (long)(timeout % 1000) * 1000000 };

	return live_wait_call(&a, timeout < 0 ? NULL : &ts, false);
}

int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
		 const struct timespec *timeout, const sigset_t *sigmask)
{
	struct live_wait_args a = { epfd, events, maxevents, -1, sigmask };

	return live_wait_call(&a, timeout, true);
}
