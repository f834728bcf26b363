/*
 * fork(): the child gets a copy of the world as it was at the fork (fork
 * copies the library's memory, so the copy is exact), not a share of it: in
 * the kernel the child shares the parent's instances, here an epoll_ctl in
 * one process is not seen by the other. The kernel side is remade in the
 * child on its first call: a kernel epoll of its own, new pipes behind the
 * visible epoll fds (same numbers), new wake fds; the parent's other threads
 * do not exist in the child, so their parked calls end.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "live.h"
#include "fdtable.h"
#include "epsim.h"
#include "signals.h"
#include "task.h"

static __thread bool live_fork_locked;

static void live_fork_prepare(void)
{
	struct live_state *st = live_state_peek();

	live_fork_locked = st && st->pid == getpid();
	if (live_fork_locked)
		pthread_mutex_lock(&st->lock);
}

static void live_fork_parent(void)
{
	if (live_fork_locked)
		pthread_mutex_unlock(&live_state_peek()->lock);
}

static void live_fork_child(void)
{
	struct live_state *st = live_state_peek();

	if (!live_fork_locked)
		return;
	st->pid = getpid();
	st->forked = true;
	st->helper_running = false;
	pthread_mutex_unlock(&st->lock);
}

void live_fork_init(struct live_state *st)
{
	(void)st;
	pthread_atfork(live_fork_prepare, live_fork_parent, live_fork_child);
}

/* Replace the private fd `fd` by a new file of the same number. */
static void live_renew(int fd, long nfd)
{
	if (nfd < 0 || nfd == fd)
		return;
	live_sys(SYS_dup3, nfd, fd, O_CLOEXEC, 0, 0, 0);
	live_sys(SYS_close, nfd, 0, 0, 0, 0, 0);
}

struct live_renew_ctx {
	struct live_instance *in;
	int rfd;
};

/* Point every program fd of an instance at the new pipe's read end, keeping FD_CLOEXEC. */
static void live_renew_visible(void *arg, int fd, struct file *f)
{
	struct live_renew_ctx *c = arg;
	long fl;

	if (f != c->in->file)
		return;
	fl = live_sys(SYS_fcntl, fd, F_GETFD, 0, 0, 0, 0);
	live_sys(SYS_dup3, c->rfd, fd, fl > 0 && (fl & FD_CLOEXEC) ? O_CLOEXEC : 0, 0, 0, 0);
}

static void live_renew_instance(struct live_state *st, struct live_instance *in)
{
	int p[2];
	struct live_renew_ctx c = { in, -1 };

	if (live_sys(SYS_pipe2, (long)p, O_CLOEXEC | O_NONBLOCK, 0, 0, 0, 0) < 0)
		return;
	c.rfd = p[0];
	fdtable_for_each(live_files(st), live_renew_visible, &c);
	live_renew(in->rfd, p[0]);
	live_renew(in->wfd, p[1]);
	in->readable = false;
}

/* End the parked calls of threads that did not come along. */
static void live_fork_threads(struct live_state *st, struct live_thread *self)
{
	for (int tid = 0; tid < st->ntids; tid++) {
		struct live_thread *th = st->by_tid[tid];
		struct sim_task *t;
		long ret;

		if (!th)
			continue;
		live_renew(th->wakefd, live_sys(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK, 0, 0, 0,
						0));
		if (th == self)
			continue;
		t = world_find_task(st->w, tid);
		if (t && t->state != TASK_IDLE)
			do_tkill(t, SIGURG);
		world_run(st->w);
		epsim_take_result(st->w, tid, &ret);
	}
	st->free_threads = NULL;
	for (int tid = 0; tid < st->ntids; tid++) {
		struct live_thread *th = st->by_tid[tid];
		if (th && th != self) {
			th->next = st->free_threads;
			st->free_threads = th;
		}
	}
}

void live_fork_fixup(struct live_state *st)
{
	struct list_head *pos;

	st->forked = false;
	live_fork_threads(st, live_self_peek());
	list_for_each(pos, &st->instances)
		live_renew_instance(st, list_entry(pos, struct live_instance, node));
	host_kernel_after_fork(st);
	live_logf(st, "fork: this process has a copy of the parent's instances, not a share");
}
