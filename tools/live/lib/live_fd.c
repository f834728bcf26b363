/*
 * The fd lifetime calls the simulated fd table must follow: close, dup, dup2,
 * dup3 and fcntl(F_DUPFD, F_DUPFD_CLOEXEC). The kernel does the real call;
 * when the fd is one the simulator knows, its table does the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include "live.h"
#include "live_record.h"
#include "epsim.h"
#include "fdtable.h"
#include "file.h"

/* An instance has lost one of the program's fds; the last one lets the file go. */
static void live_instance_unref(struct live_state *st, struct live_instance *in)
{
	if (--in->nfds > 0)
		return;
	list_del_init(&in->node);
	live_shadow_forget(st, in->file);
	live_set_kind(st, in->rfd, LIVE_FD_NONE);
	live_set_kind(st, in->wfd, LIVE_FD_NONE);
	live_sys(SYS_close, in->rfd, 0, 0, 0, 0, 0);
	live_sys(SYS_close, in->wfd, 0, 0, 0, 0, 0);
	fput(in->file);
	world_run(st->w);
	free(in);
}

void live_sim_close(struct live_state *st, int fd)
{
	enum live_fdkind k = live_kind(fd);
	struct live_instance *in = k == LIVE_FD_EPOLL ? live_find_instance(st, fd) : NULL;
	struct live_thread *th = live_self(st);

	if (k != LIVE_FD_HOST && k != LIVE_FD_EPOLL)
		return;
	live_record_close(st, fd);
	live_set_kind(st, fd, LIVE_FD_NONE);
	if (k == LIVE_FD_HOST)
		host_file_renumber(st, fd);
	if (th)
		epsim_close(st->w, th->sim_tid, fd);
	else
		fd_close(live_files(st), fd);
	if (in)
		live_instance_unref(st, in);
}

void live_sim_dup(struct live_state *st, int oldfd, int newfd)
{
	enum live_fdkind k = live_kind(oldfd);
	struct live_instance *in;

	if (oldfd == newfd)
		return;
	if (k == LIVE_FD_HOST && host_file_stale(st, oldfd)) {
		live_sim_close(st, oldfd);
		k = LIVE_FD_NONE;
	}
	live_sim_close(st, newfd);
	if (k != LIVE_FD_HOST && k != LIVE_FD_EPOLL)
		return;
	if (fd_dup2(live_files(st), oldfd, newfd) < 0)
		return;
	live_record_dup(st, oldfd, newfd);
	live_set_kind(st, newfd, k);
	in = k == LIVE_FD_EPOLL ? live_find_instance(st, newfd) : NULL;
	if (in)
		in->nfds++;
}

int close(int fd)
{
	enum live_fdkind k = live_kind(fd);
	struct live_state *st;

	if (k == LIVE_FD_PRIVATE) {
		errno = EBADF;	/* the library's own fds are not the program's to close */
		return -1;
	}
	if ((k == LIVE_FD_HOST || k == LIVE_FD_EPOLL) && (st = live_get())) {
		live_sim_close(st, fd);
		live_logf(st, "close(%d)", fd);
		live_put(st);
	}
	return live_sys_ret(live_sys(SYS_close, fd, 0, 0, 0, 0, 0));
}

/* After the kernel made newfd a copy of oldfd: the simulated table follows. */
static int live_dup_done(int oldfd, long newfd, const char *what)
{
	struct live_state *st;

	if (newfd >= 0 && (live_kind(oldfd) >= LIVE_FD_HOST || live_kind((int)newfd) >= LIVE_FD_HOST)
	    && (st = live_get())) {
		live_sim_dup(st, oldfd, (int)newfd);
		live_logf(st, "%s(%d) = %ld", what, oldfd, newfd);
		live_put(st);
	}
	return live_sys_ret(newfd);
}

static bool live_guarded(int fd)
{
	if (live_kind(fd) != LIVE_FD_PRIVATE)
		return false;
	errno = EBADF;
	return true;
}

int dup(int oldfd)
{
	if (live_guarded(oldfd))
		return -1;
	return live_dup_done(oldfd, live_sys(SYS_dup, oldfd, 0, 0, 0, 0, 0), "dup");
}

int dup2(int oldfd, int newfd)
{
	if (live_guarded(oldfd) || live_guarded(newfd))
		return -1;
	return live_dup_done(oldfd, live_sys(SYS_dup2, oldfd, newfd, 0, 0, 0, 0), "dup2");
}

int dup3(int oldfd, int newfd, int flags)
{
	if (live_guarded(oldfd) || live_guarded(newfd))
		return -1;
	return live_dup_done(oldfd, live_sys(SYS_dup3, oldfd, newfd, flags, 0, 0, 0), "dup3");
}

static int live_fcntl(int fd, int cmd, unsigned long arg)
{
	long r;

	if (live_guarded(fd))
		return -1;
	r = live_sys(SYS_fcntl, fd, cmd, (long)arg, 0, 0, 0);
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return live_dup_done(fd, r, "fcntl(F_DUPFD)");
	return live_sys_ret(r);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	unsigned long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	return live_fcntl(fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	unsigned long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	return live_fcntl(fd, cmd, arg);
}
