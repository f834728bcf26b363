/*
 * The system calls of the kernel backend, made with raw syscall() so that
 * exactly the named call runs (see kernel_calls.h). Shared by the worker
 * threads of the main process and the call servers of forked children.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "kernel_calls.h"
#include "kernel_mpx.h"
#include "kernel_tcp.h"

#define EP_MAX_EVENTS ((int)(INT_MAX / sizeof(struct epoll_event)))
#define MAX_SLEEP_MS (1000LL * 1000 * 1000 * 1000)

static struct timespec ms_from_now(long long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

/* -------------------------------------------------------- wait buffers */

/*
 * The events buffer of an epoll_wait: `slots` writable slots that end on a
 * page boundary, followed by PROT_NONE pages up to maxevents slots.
 */
struct wait_buf {
	void *map;
	size_t maplen;
	struct epoll_event *start;
	int slots;
};

size_t kernel_round_page(size_t n, size_t page)
{
	return (n + page - 1) / page * page;
}

static int wait_buf_map(struct wait_buf *w, const struct sys_call *c)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t esz = sizeof(struct epoll_event);
	bool sane = c->maxevents > 0 && c->maxevents <= EP_MAX_EVENTS;
	int limit = sane && c->maxevents < SYS_MAX_EVENTS_COPY ? c->maxevents
							       : SYS_MAX_EVENTS_COPY;
	int total;
	size_t valid_len;

	memset(w, 0, sizeof(*w));
	if (c->buf == SYS_BUF_NULL)
		return 0;
	w->slots = c->buf_slots < 0 ? 0 : c->buf_slots > limit ? limit : c->buf_slots;
	total = sane ? c->maxevents : w->slots;	/* insane: the kernel says EINVAL */
	valid_len = kernel_round_page((size_t)w->slots * esz, page);
	w->maplen = valid_len + kernel_round_page((size_t)(total - w->slots) * esz, page);
	if (w->maplen == 0)
		w->maplen = page;
	w->map = mmap(NULL, w->maplen, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (w->map == MAP_FAILED) {
		w->map = NULL;
		return -errno;
	}
	if (valid_len && mprotect(w->map, valid_len, PROT_READ | PROT_WRITE) != 0) {
		int err = errno;

		munmap(w->map, w->maplen);
		w->map = NULL;
		return -err;
	}
	w->start = (struct epoll_event *)((char *)w->map + valid_len -
					  (size_t)w->slots * esz);
	return 0;
}

static void wait_buf_unmap(struct wait_buf *w)
{
	if (w->map)
		munmap(w->map, w->maplen);
}

/*
 * The length of a read/write buffer for a count: the kernel moves at most
 * MAX_RW_COUNT bytes in one call (rw_verify_area's clamp), so a longer buffer
 * is never touched; access_ok still sees the full count, so a count past the
 * end of user space fails with EFAULT as with any real buffer.
 */
static size_t io_buf_len(long long num)
{
	return (unsigned long long)num > (unsigned long long)SYS_MAX_RW_COUNT ? (size_t)SYS_MAX_RW_COUNT
									      : (size_t)num;
}

/* A data buffer for read/write: anonymous pages, zero filled. */
static void *io_buf_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* ---------------------------------------------------------- the calls */

static long sys_ret(long r)
{
	return r < 0 ? -errno : r;
}

static long do_epoll_wait(const struct sys_call *c, struct sys_result *res)
{
	struct wait_buf w;
	long r = wait_buf_map(&w, c);

	if (r < 0)
		return r;
	r = sys_ret(syscall(SYS_epoll_wait, c->fd, w.start, c->maxevents,
			    (int)c->timeout_ms));
	if (r > 0 && w.start) {
		res->nevents = r < w.slots ? (int)r : w.slots;
		memcpy(res->events, w.start,
		       (size_t)res->nevents * sizeof(struct epoll_event));
	}
	wait_buf_unmap(&w);
	return r;
}

/* epoll_pwait / epoll_pwait2 into the same kind of buffer as epoll_wait. */
static long do_epoll_pwait(const struct sys_call *c, struct sys_result *res)
{
	struct timespec ts = { (time_t)c->ts_sec, (long)c->ts_nsec };
	uint64_t mask = c->sigmask;
	struct wait_buf w;
	long r = wait_buf_map(&w, c);

	if (r < 0)
		return r;
	if (c->nr == SYS_EPOLL_PWAIT)
		r = syscall(SYS_epoll_pwait, c->fd, w.start, c->maxevents, (int)c->timeout_ms,
			    c->has_sigmask ? &mask : NULL, (size_t)c->sigsetsize);
	else
		r = syscall(SYS_epoll_pwait2, c->fd, w.start, c->maxevents, c->ts_null ? NULL : &ts,
			    c->has_sigmask ? &mask : NULL, (size_t)c->sigsetsize);
	r = sys_ret(r);
	if (r > 0 && w.start) {
		res->nevents = r < w.slots ? (int)r : w.slots;
		memcpy(res->events, w.start, (size_t)res->nevents * sizeof(struct epoll_event));
	}
	wait_buf_unmap(&w);
	return r;
}

/* timerfd_settime with relative times in ms. */
static long do_timerfd_settime(const struct sys_call *c)
{
	struct itimerspec its = {
		.it_interval = { (time_t)(c->interval_ms / 1000), (long)(c->interval_ms % 1000) * 1000000 },
		.it_value = { (time_t)(c->num / 1000), (long)(c->num % 1000) * 1000000 },
	};

	return sys_ret(syscall(SYS_timerfd_settime, c->fd, 0, &its, NULL));
}

/* The signal calls of the calling thread (the mask is the kernel's 8-byte sigset). */
static long do_signal_call(const struct sys_call *c, struct sys_result *res)
{
	uint64_t set = c->sigmask, pending = 0;
	long r;

	switch (c->nr) {
	case SYS_TGKILL:
		return sys_ret(syscall(SYS_tgkill, (pid_t)c->num, (pid_t)c->fd2, c->op));
	case SYS_KILL:
		return sys_ret(syscall(SYS_kill, (pid_t)c->num, c->op));
	case SYS_SIGPROCMASK:
		return sys_ret(syscall(SYS_rt_sigprocmask, c->op, &set, NULL, sizeof(set)));
	default:
		r = sys_ret(syscall(SYS_rt_sigpending, &pending, sizeof(pending)));
		res->value = pending;
		return r;
	}
}

/* The wait system call of c (epoll_wait, epoll_pwait or epoll_pwait2) into buf. */
long kernel_wait_syscall(const struct sys_call *c, struct epoll_event *buf)
{
	struct timespec ts = { (time_t)c->ts_sec, (long)c->ts_nsec };
	uint64_t mask = c->sigmask;

	if (c->nr == SYS_EPOLL_WAIT)
		return sys_ret(syscall(SYS_epoll_wait, c->fd, buf, c->maxevents, (int)c->timeout_ms));
	if (c->nr == SYS_EPOLL_PWAIT)
		return sys_ret(syscall(SYS_epoll_pwait, c->fd, buf, c->maxevents, (int)c->timeout_ms,
				       c->has_sigmask ? &mask : NULL, (size_t)c->sigsetsize));
	return sys_ret(syscall(SYS_epoll_pwait2, c->fd, buf, c->maxevents, c->ts_null ? NULL : &ts,
			       c->has_sigmask ? &mask : NULL, (size_t)c->sigsetsize));
}

/*
 * A wait whose copy into slot k stalls: slots [0, k) lie on ordinary pages
 * ending at a page boundary, slot k and on lie on pages registered with
 * userfaultfd, so the kernel's copy stops in a fault until the runner
 * releases the pages (SYS_UNSTALL).
 */
static long do_read(const struct sys_call *c, struct sys_result *res)
{
	uint64_t v = 0;
	char dummy[1];
	void *buf;
	long r;

	if (c->fd_is_counter) {
		r = sys_ret(syscall(SYS_read, c->fd, &v, sizeof(v)));
		if (r == (long)sizeof(v))
			res->value = v;
		return r;
	}
	if (c->fd_is_siginfo) {
		struct signalfd_siginfo si;
		r = sys_ret(syscall(SYS_read, c->fd, &si, sizeof(si)));
		if (r == (long)sizeof(si))
			res->value = si.ssi_signo;
		return r;
	}
	if (c->num <= 0)	/* nothing to map: the kernel sees count 0 or huge */
		return sys_ret(syscall(SYS_read, c->fd, dummy, (size_t)c->num));
	buf = io_buf_map(io_buf_len(c->num));
	if (!buf)
		return -ENOMEM;
	r = sys_ret(syscall(SYS_read, c->fd, buf, (size_t)c->num));
	munmap(buf, io_buf_len(c->num));
	return r;
}

static long do_write(const struct sys_call *c)
{
	uint64_t v = (uint64_t)c->num;
	char dummy[1] = { 0 };
	void *buf;
	long r;

	if (c->fd_is_counter)
		return sys_ret(syscall(SYS_write, c->fd, &v, sizeof(v)));
	if (c->num <= 0)
		return sys_ret(syscall(SYS_write, c->fd, dummy, (size_t)c->num));
	buf = io_buf_map(io_buf_len(c->num));	/* zero filler, one single write */
	if (!buf)
		return -ENOMEM;
	r = sys_ret(syscall(SYS_write, c->fd, buf, (size_t)c->num));
	munmap(buf, io_buf_len(c->num));
	return r;
}

static long do_sleep(long long ms, atomic_bool *cancel)
{
	struct timespec until;

	if (ms < 0)
		ms = 0;
	if (ms > MAX_SLEEP_MS)
		ms = MAX_SLEEP_MS;
	until = ms_from_now(ms);
	for (;;) {
		long r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC,
				 TIMER_ABSTIME, &until, NULL);

		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
		if (atomic_load(cancel))
			return -EINTR;
	}
}

long kernel_run_syscall(const struct sys_call *c, struct sys_result *res,
			atomic_bool *cancel)
{
	struct epoll_event ev = c->ev;
	int fds[2] = { -1, -1 };
	long r;

	switch (c->nr) {
	case SYS_EPOLL_CREATE:
		return sys_ret(syscall(SYS_epoll_create, (int)c->num));
	case SYS_EPOLL_CREATE1:
		return sys_ret(syscall(SYS_epoll_create1, c->flags));
	case SYS_EPOLL_CTL:
		return sys_ret(syscall(SYS_epoll_ctl, c->fd, c->op, c->fd2,
				       c->ev_null ? NULL : &ev));
	case SYS_EPOLL_WAIT:
		return do_epoll_wait(c, res);
	case SYS_PIPE2:
		r = sys_ret(syscall(SYS_pipe2, fds, c->flags));
		break;
	case SYS_EVENTFD2:
		return sys_ret(syscall(SYS_eventfd2, (unsigned int)c->num, c->flags));
	case SYS_SOCKETPAIR:
		r = sys_ret(syscall(SYS_socketpair, AF_UNIX, c->op | c->flags, 0, fds));
		break;
	case SYS_READ:
		return do_read(c, res);
	case SYS_WRITE:
		return do_write(c);
	case SYS_CLOSE:
		return sys_ret(syscall(SYS_close, c->fd));
	case SYS_DUP:
		return sys_ret(syscall(SYS_dup, c->fd));
	case SYS_DUP2:
		return sys_ret(syscall(SYS_dup2, c->fd, c->fd2));
	case SYS_SHUTDOWN:
		return sys_ret(syscall(SYS_shutdown, c->fd, c->op));
	case SYS_NANOSLEEP:
		return do_sleep(c->num, cancel);
	case SYS_EPOLL_PWAIT:
	case SYS_EPOLL_PWAIT2:
		return do_epoll_pwait(c, res);
	case SYS_TGKILL:
	case SYS_KILL:
	case SYS_SIGPROCMASK:
	case SYS_SIGPENDING:
		return do_signal_call(c, res);
	case SYS_SIGNALFD: {
		uint64_t mask = c->sigmask;
		return sys_ret(syscall(SYS_signalfd4, -1, &mask, sizeof(mask), c->flags));
	}
	case SYS_TIMERFD_CREATE:
		return sys_ret(syscall(SYS_timerfd_create, CLOCK_MONOTONIC, c->flags));
	case SYS_TIMERFD_SETTIME:
		return do_timerfd_settime(c);
	default:
		if (kernel_mpx_is_call(c->nr))
			return kernel_mpx_call(c);	/* poll, select, fcntl: kernel_mpx.c */
		return kernel_tcp_is_call(c->nr) ? kernel_tcp_call(c, res) : -ENOSYS;
	}
	if (r == 0) {
		res->fds[0] = fds[0];
		res->fds[1] = fds[1];
	}
	return r;
}

/* The fd a call must not be allowed to close (close, dup2's target), or -1. */
