/*
 * poll() and select() on an epoll fd. The visible fd is a pipe read end kept
 * readable while the instance's ready list is not empty; a poll or select that
 * names an instance first asks the simulator's ep_eventpoll_poll (which, as in
 * the kernel, drops ready items that have no events left), so the kernel's
 * answer about the pipe is the simulated instance's answer.
 */
#include <errno.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include "live.h"
#include "file.h"

/* Set the pipe's byte from ep_eventpoll_poll() of the instance behind fd. */
static void live_poll_instance(struct live_state *st, int fd)
{
	struct live_instance *in = live_find_instance(st, fd);
	poll_table pt;
	bool want;
	char b = 0;

	if (!in)
		return;
	host_kernel_drain(st);
	init_poll_funcptr(&pt, NULL);
	want = vfs_poll(in->file, &pt) & EPOLLIN;
	if (want == in->readable)
		return;
	if (want)
		live_sys(SYS_write, in->wfd, (long)&b, 1, 0, 0, 0);
	else
		live_sys(SYS_read, in->rfd, (long)&b, 1, 0, 0, 0);
	in->readable = want;
}

/* Refresh every instance among fds; false when none is one (nothing to do). */
static bool live_poll_refresh_fds(const struct pollfd *fds, nfds_t n)
{
	struct live_state *st;
	bool any = false;

	for (nfds_t i = 0; i < n && !any; i++)
		any = live_kind(fds[i].fd) == LIVE_FD_EPOLL;
	if (!any || !(st = live_get()))
		return false;
	for (nfds_t i = 0; i < n; i++)
		if (live_kind(fds[i].fd) == LIVE_FD_EPOLL)
			live_poll_instance(st, fds[i].fd);
	live_logf(st, "poll on %lu fds with an epoll instance", (unsigned long)n);
	live_put(st);
	return true;
}

/*
 * glibc declares poll's and ppoll's array write-only (__attr_access), so gcc
 * takes the caller's pollfds for uninitialised when we read them here; they
 * are the program's input, read through live_copy_in.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct timespec ts = { timeout / 1000, (long)(timeout % 1000) * 1000000 };
	struct pollfd local[64] = { { 0 } };

	if (nfds <= 64 && !live_copy_in(local, fds, nfds * sizeof(*fds)))
		live_poll_refresh_fds(local, nfds);
	return live_sys_ret(live_sys(SYS_ppoll, (long)fds, (long)nfds,
				     timeout < 0 ? 0 : (long)&ts, 0, 8, 0));
}

int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo, const sigset_t *sigmask)
{
	struct pollfd local[64] = { { 0 } };
	struct timespec ts;

	if (nfds <= 64 && !live_copy_in(local, fds, nfds * sizeof(*fds)))
		live_poll_refresh_fds(local, nfds);
	if (tmo) {	/* the kernel writes the time left back; the caller's copy stays */
		if (live_copy_in(&ts, tmo, sizeof(ts))) {
			errno = EFAULT;
			return -1;
		}
		tmo = &ts;
	}
	return live_sys_ret(live_sys(SYS_ppoll, (long)fds, (long)nfds, (long)tmo, (long)sigmask, 8,
				     0));
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* The instances among select's read set. */
static void live_select_refresh(int nfds, const fd_set *rfds)
{
	struct live_state *st = NULL;
	fd_set r;

	if (!rfds || nfds <= 0 || nfds > FD_SETSIZE || live_copy_in(&r, rfds, sizeof(r)))
		return;
	for (int fd = 0; fd < nfds; fd++) {
		if (!FD_ISSET(fd, &r) || live_kind(fd) != LIVE_FD_EPOLL)
			continue;
		if (!st && !(st = live_get()))
			return;
		live_poll_instance(st, fd);
	}
	if (st)
		live_put(st);
}

int select(int nfds, fd_set *rfds, fd_set *wfds, fd_set *efds, struct timeval *tv)
{
	live_select_refresh(nfds, rfds);
	return live_sys_ret(live_sys(SYS_select, nfds, (long)rfds, (long)wfds, (long)efds, (long)tv,
				     0));
}
