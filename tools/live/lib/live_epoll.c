/*
 * The program's epoll_create, epoll_create1 and epoll_ctl, answered by the
 * simulator. Each instance's visible fd is the read end of a real pipe, so it
 * can be polled, closed, dup'ed and passed on; the simulated instance sits at
 * the same fd number in the simulated fd table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include "live.h"
#include "live_record.h"
#include "epsim.h"
#include "fdtable.h"
#include "file.h"
#include "task.h"

/* The pipe behind a new instance's visible fd; the visible end is the lowest free fd. */
static long live_instance_pipe(struct live_state *st, struct live_instance *in, int flags)
{
	int p[2];
	long r = live_sys(SYS_pipe2, (long)p, O_CLOEXEC | O_NONBLOCK, 0, 0, 0, 0);

	if (r < 0)
		return r;
	if (!(flags & EPOLL_CLOEXEC))
		live_sys(SYS_fcntl, p[0], F_SETFD, 0, 0, 0, 0);
	in->wfd = live_private_fd(st, p[1]);
	r = live_sys(SYS_fcntl, p[0], F_DUPFD_CLOEXEC, 0, 0, 0, 0);
	in->rfd = r < 0 ? -1 : live_private_fd(st, (int)r);
	if (in->wfd < 0 || in->rfd < 0) {
		live_sys(SYS_close, p[0], 0, 0, 0, 0, 0);
		if (in->wfd >= 0)
			live_sys(SYS_close, in->wfd, 0, 0, 0, 0, 0);
		if (in->rfd >= 0)
			live_sys(SYS_close, in->rfd, 0, 0, 0, 0, 0);
		return -EMFILE;
	}
	return p[0];
}

/* Move the simulated fd sfd to the program's number fd. */
static long live_move_fd(struct live_state *st, int sfd, int fd)
{
	struct fdtable *files = live_files(st);
	long r = 0;

	if (sfd != fd) {
		r = fd_dup2(files, sfd, fd);
		fd_close(files, sfd);
	}
	return r < 0 ? r : fd;
}

/* Models epoll_create1() for the program: a simulated instance behind a real fd. */
static long live_epoll_create(struct live_state *st, int flags)
{
	struct live_thread *th = live_self(st);
	struct live_instance *in;
	long sfd, fd;

	if (!th)
		return -ENOMEM;
	sfd = epsim_epoll_create1(st->w, th->sim_tid, flags);
	if (sfd < 0)
		return sfd;
	in = calloc(1, sizeof(*in));
	fd = in ? live_instance_pipe(st, in, flags) : -ENOMEM;
	if (fd >= 0)
		fd = live_move_fd(st, (int)sfd, (int)fd);
	else
		epsim_close(st->w, th->sim_tid, (int)sfd);
	if (fd < 0) {
		free(in);
		return fd;
	}
	in->file = get_file(fd_lookup(live_files(st), (int)fd));
	in->nfds = 1;
	list_add_tail(&in->node, &st->instances);
	live_set_kind(st, (int)fd, LIVE_FD_EPOLL);
	st->count.creates++;
	return fd;
}

int epoll_create1(int flags)
{
	struct live_state *st = live_get();
	long r;

	if (!st)
		return live_sys_ret(live_sys(SYS_epoll_create1, flags, 0, 0, 0, 0, 0));
	r = live_epoll_create(st, flags);
	live_logf(st, "epoll_create1(%#x) = %ld", flags, r);
	live_record_create(st, flags, r);
	live_shadow_create(st, (int)r);
	live_put(st);
	return live_sys_ret(r);
}

int epoll_create(int size)
{
	if (size <= 0) {
		errno = EINVAL;
		return -1;
	}
	return epoll_create1(0);
}

/* Make sure the simulated table has the program's fd as the file it is now. */
static void live_prepare_target(struct live_state *st, struct live_thread *th, int epfd, int fd)
{
	enum live_fdkind k = live_kind(fd);

	if (k == LIVE_FD_HOST && host_file_stale(st, fd)) {
		live_sim_close(st, fd);
		k = LIVE_FD_NONE;
	}
	if (k == LIVE_FD_NONE && fd != epfd && fd >= 0 && fd < st->nofile)
		host_file_install(st, world_find_task(st->w, th->sim_tid), fd);
}

static bool ep_op_has_event(int op)
{
	return op != EPOLL_CTL_DEL;
}

/* Models epoll_ctl() for the program. */
static long live_epoll_ctl(struct live_state *st, int epfd, int op, int fd,
			   const struct epoll_event *uev, struct epoll_event *kev)
{
	struct live_thread *th = live_self(st);
	struct epoll_event *evp = kev;

	if (!th)
		return -ENOMEM;
	if (ep_op_has_event(op) && live_copy_in(kev, uev, sizeof(*kev)))
		evp = NULL;
	live_prepare_target(st, th, epfd, fd);
	st->count.ctls++;
	return epsim_epoll_ctl(st->w, th->sim_tid, epfd, op, fd, evp);
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
	struct epoll_event kev = { 0 };
	struct live_state *st;
	long r;

	if (live_kind(epfd) != LIVE_FD_EPOLL || !(st = live_get()))
		return live_sys_ret(live_sys(SYS_epoll_ctl, epfd, op, fd, (long)event, 0, 0));
	r = live_epoll_ctl(st, epfd, op, fd, event, &kev);
	live_logf(st, "epoll_ctl(%d, %d, %d, {%#x, %#llx}) = %ld", epfd, op, fd, kev.events,
		  (unsigned long long)kev.data.u64, r);
	live_record_ctl(st, epfd, op, fd, &kev, r);
	live_shadow_ctl(st, epfd, op, fd, &kev, r);
	live_put(st);
	return live_sys_ret(r);
}
