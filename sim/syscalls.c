/*
 * The system-call layer of the simulator: look up the calling thread, run the
 * kernel-side function, then let the threads it woke run (one step = one call).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include "epsim.h"
#include "eventpoll.h"
#include "fdtable.h"
#include "task.h"
#include "signals.h"
#include "sys_entry.h"
#include "rw_wait.h"
#include "registry.h"

struct world *epsim_world_create(const struct world_config *cfg)
{
	return world_create(cfg);
}

void epsim_world_destroy(struct world *w)
{
	world_destroy(w);
}

static struct sim_task *current(struct world *w, int tid)
{
	struct sim_task *t = world_find_task(w, tid);

	if (!t || t->state != TASK_IDLE)
		return NULL;
	w->current = t;
	return t;
}

/* End of every call: signal work on the way out, then run the threads it woke. */
static long syscall_done(struct world *w, struct sim_task *t, long ret)
{
	if (ret != -EPSIM_PENDING)
		task_syscall_exit(t, ret);
	world_run(w);
	return ret;
}

#define step_done(w, ret) syscall_done(w, t, ret)

int epsim_thread_create(struct world *w, int tid, const char *name)
{
	struct sim_task *t = world_find_task(w, tid);
	struct sim_task *n;

	if (!t)
		return -ESRCH;
	n = task_create(t->proc, name);
	return n ? n->tid : -ENOMEM;
}

int epsim_fork(struct world *w, int tid, const char *name)
{
	struct sim_task *t = current(w, tid);
	struct sim_process *p;
	struct sim_task *child;

	if (!t)
		return -ESRCH;
	p = process_fork(t->proc);
	if (!p)
		return -ENOMEM;
	child = task_create(p, name);
	if (!child) {
		process_destroy(p);
		return -ENOMEM;
	}
	child->blocked = t->blocked;	/* models dup_task_struct(): the mask is copied, pending is not */
	world_run(w);
	return child->tid;
}

long epsim_exit(struct world *w, int tid)
{
	struct sim_task *t = world_find_task(w, tid);

	if (!t)
		return -ESRCH;
	if (t->proc->pid == 1)
		return -EPERM; /* the main process lives as long as the world */
	process_destroy(t->proc);
	world_run(w);
	return 0;
}

long epsim_epoll_create(struct world *w, int tid, int size)
{
	struct sim_task *t = current(w, tid);

	if (!t)
		return -ESRCH;
	if (size <= 0)
		return -EINVAL;
	return step_done(w, do_epoll_create(t, 0));
}

long epsim_epoll_create1(struct world *w, int tid, int flags)
{
	struct sim_task *t = current(w, tid);

	return t ? step_done(w, do_epoll_create(t, flags)) : -ESRCH;
}

long epsim_epoll_ctl(struct world *w, int tid, int epfd, int op, int fd,
		     const struct epoll_event *ev)
{
	struct sim_task *t = current(w, tid);

	return t ? step_done(w, do_epoll_ctl(t, epfd, op, fd, ev)) : -ESRCH;
}

long epsim_epoll_wait(struct world *w, int tid, int epfd, struct epoll_event *events, int nvalid,
		      int maxevents, int timeout_ms)
{
	struct sim_task *t = current(w, tid);
	int64_t ns = timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000;

	return t ? step_done(w, do_epoll_wait(t, epfd, events, nvalid, maxevents, ns)) : -ESRCH;
}

/* Install two new files as the two lowest free fds, or undo everything. */
static long install_pair(struct sim_task *t, struct file *files[2], int fds[2], unsigned cloexec)
{
	fds[0] = fd_install_new(t->proc->files, files[0], cloexec);
	if (fds[0] < 0) {
		fput(files[0]);
		fput(files[1]);
		return fds[0];
	}
	fds[1] = fd_install_new(t->proc->files, files[1], cloexec);
	if (fds[1] < 0) {
		fd_close(t->proc->files, fds[0]);
		fput(files[1]);
		return fds[1];
	}
	return 0;
}

/* Install one new file, or drop it. */
static long install_one(struct sim_task *t, struct file *f, unsigned cloexec)
{
	int fd = fd_install_new(t->proc->files, f, cloexec);

	if (fd < 0)
		fput(f);
	return fd;
}

/* Models do_pipe2(). */
long epsim_epoll_pwait(struct world *w, int tid, int epfd, struct epoll_event *events, int nvalid,
		       int maxevents, int timeout_ms, const uint64_t *sigmask, size_t sigsetsize)
{
	struct sim_task *t = current(w, tid);
	int64_t ns = timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000;

	if (!t)
		return -ESRCH;
	return step_done(w, do_epoll_pwait(t, epfd, events, nvalid, maxevents, ns, sigmask,
					   sigsetsize));
}

long epsim_epoll_pwait2(struct world *w, int tid, int epfd, struct epoll_event *events, int nvalid,
			int maxevents, const int64_t *ts, const uint64_t *sigmask, size_t sigsetsize)
{
	struct sim_task *t = current(w, tid);

	if (!t)
		return -ESRCH;
	return step_done(w, do_epoll_pwait2(t, epfd, events, nvalid, maxevents, ts, sigmask,
					    sigsetsize));
}

/* Models tgkill(): the caller sends sig to thread target_tid of thread group tgid, in any process. */
long epsim_tgkill(struct world *w, int tid, int tgid, int target_tid, int sig)
{
	struct sim_task *t = current(w, tid);

	if (!t)
		return -ESRCH;
	if (target_tid <= 0 || tgid <= 0)
		return step_done(w, -EINVAL);
	return step_done(w, do_send_specific(w, tgid, target_tid, sig));
}

/* Models tkill(): sig to thread target_tid, whichever process it is in. */
long epsim_tkill(struct world *w, int tid, int target_tid, int sig)
{
	struct sim_task *t = current(w, tid);

	if (!t)
		return -ESRCH;
	if (target_tid <= 0)
		return step_done(w, -EINVAL);
	return step_done(w, do_send_specific(w, 0, target_tid, sig));
}

/* Models kill() of one process (pid > 0; process groups are not modelled). */
long epsim_kill(struct world *w, int tid, int pid, int sig)
{
	struct sim_task *t = current(w, tid);

	if (!t)
		return -ESRCH;
	if (pid <= 0)
		return step_done(w, -EINVAL);
	return step_done(w, do_kill_process(w, pid, sig));
}

/* Models getpid() of thread tid: its thread group's id (the process's pid). */
int epsim_getpid(const struct world *w, int tid)
{
	struct sim_task *t = world_find_task(w, tid);

	return t ? t->proc->pid : -ESRCH;
}

/* Models rt_sigprocmask() for the calling thread. */
long epsim_sigprocmask(struct world *w, int tid, int how, uint64_t set, uint64_t *old)
{
	struct sim_task *t = current(w, tid);

	return t ? step_done(w, sim_sigprocmask(t, how, set, old)) : -ESRCH;
}

/* Models rt_sigpending(): the calling thread's pending set. */
long epsim_sigpending(struct world *w, int tid, uint64_t *set)
{
	struct sim_task *t = current(w, tid);

	if (!t)
		return -ESRCH;
	*set = sim_sigpending(t);
	return step_done(w, 0);
}

long epsim_pipe2(struct world *w, int tid, int fds[2], int flags)
{
	struct sim_task *t = current(w, tid);
	struct file *files[2];
	long err;

	if (!t)
		return -ESRCH;
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (!sim_registry.fs.pipe_create)
		return -ENOSYS;
	err = sim_registry.fs.pipe_create(w, (unsigned)flags & O_NONBLOCK, files);
	if (err)
		return err;
	return step_done(w, install_pair(t, files, fds, flags & O_CLOEXEC));
}

/* Models do_eventfd(). */
long epsim_eventfd2(struct world *w, int tid, uint64_t count, int flags)
{
	struct sim_task *t = current(w, tid);
	struct file *f;
	long err;

	if (!t)
		return -ESRCH;
	if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	if (!sim_registry.fs.eventfd_create)
		return -ENOSYS;
	err = sim_registry.fs.eventfd_create(w, count, flags & ~EFD_CLOEXEC, &f);
	if (err)
		return err;
	return step_done(w, install_one(t, f, flags & EFD_CLOEXEC));
}

/* Models signalfd4() creating a new fd. */
long epsim_signalfd(struct world *w, int tid, uint64_t mask, int flags)
{
	struct sim_task *t = current(w, tid);
	struct file *f;
	long err;

	if (!t)
		return -ESRCH;
	if (!sim_registry.fs.signalfd_create)
		return -ENOSYS;
	err = sim_registry.fs.signalfd_create(w, mask, flags & ~O_CLOEXEC, &f);
	if (err)
		return err;
	return step_done(w, install_one(t, f, flags & O_CLOEXEC));
}

/* Models timerfd_create(CLOCK_MONOTONIC, flags). */
long epsim_timerfd_create(struct world *w, int tid, int flags)
{
	struct sim_task *t = current(w, tid);
	struct file *f;
	long err;

	if (!t)
		return -ESRCH;
	if (!sim_registry.fs.timerfd_create)
		return -ENOSYS;
	err = sim_registry.fs.timerfd_create(w, flags & ~O_CLOEXEC, &f);
	if (err)
		return err;
	return step_done(w, install_one(t, f, flags & O_CLOEXEC));
}

/* Models timerfd_settime(fd, 0, ...) with relative times in ms. */
long epsim_timerfd_settime(struct world *w, int tid, int fd, uint64_t initial_ms,
			   uint64_t interval_ms)
{
	struct sim_task *t = current(w, tid);
	struct file *f = t ? fd_lookup(t->proc->files, fd) : NULL;

	if (!t)
		return -ESRCH;
	if (!f)
		return -EBADF;
	if (!sim_registry.fs.timerfd_settime)
		return -ENOSYS;
	return step_done(w, sim_registry.fs.timerfd_settime(f, initial_ms * 1000000,
							    interval_ms * 1000000));
}

/* Models __sys_socketpair(): the family's socketpair makes both ends. */
long epsim_socketpair(struct world *w, int tid, int domain, int type, int protocol, int fds[2])
{
	struct sim_task *t = current(w, tid);
	int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	const struct net_proto_family *pf;
	struct file *files[2];
	long err;

	if (!t)
		return -ESRCH;
	pf = sock_family(domain);
	if (!pf || !pf->socketpair)
		return -EAFNOSUPPORT;
	err = pf->socketpair(w, kind, protocol, (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0, files);
	if (err)
		return err;
	return step_done(w, install_pair(t, files, fds, (type & SOCK_CLOEXEC) ? O_CLOEXEC : 0));
}

/* Models ksys_read() and vfs_read()'s mode checks. */
long epsim_read(struct world *w, int tid, int fd, size_t count, uint64_t *value)
{
	struct sim_task *t = current(w, tid);
	struct file *f = t ? fd_lookup(t->proc->files, fd) : NULL;

	if (!t)
		return -ESRCH;
	if (!f || (f->f_flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (!f->f_op->read)
		return -EINVAL;
	return step_done(w, do_rw(t, f, 0, count, 0, value));	/* may sleep: rw_wait.c */
}

/* Models ksys_write() and vfs_write()'s mode checks. */
long epsim_write(struct world *w, int tid, int fd, size_t count, uint64_t value)
{
	struct sim_task *t = current(w, tid);
	struct file *f = t ? fd_lookup(t->proc->files, fd) : NULL;

	if (!t)
		return -ESRCH;
	if (!f || (f->f_flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (!f->f_op->write)
		return -EINVAL;
	return step_done(w, do_rw(t, f, 1, count, value, NULL));	/* may sleep: rw_wait.c */
}

long epsim_close(struct world *w, int tid, int fd)
{
	struct sim_task *t = current(w, tid);

	return t ? step_done(w, fd_close(t->proc->files, fd)) : -ESRCH;
}

long epsim_dup(struct world *w, int tid, int fd)
{
	struct sim_task *t = current(w, tid);

	return t ? step_done(w, fd_dup(t->proc->files, fd)) : -ESRCH;
}

long epsim_dup2(struct world *w, int tid, int oldfd, int newfd)
{
	struct sim_task *t = current(w, tid);

	return t ? step_done(w, fd_dup2(t->proc->files, oldfd, newfd)) : -ESRCH;
}

/* Models __sys_shutdown(). */
long epsim_shutdown(struct world *w, int tid, int fd, int how)
{
	struct sim_task *t = current(w, tid);
	struct file *f = t ? fd_lookup(t->proc->files, fd) : NULL;

	if (!t)
		return -ESRCH;
	if (!f)
		return -EBADF;
	if (!f->f_op->shutdown)
		return -ENOTSOCK;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	return step_done(w, f->f_op->shutdown(f, how));
}

long epsim_stall_next_copy(struct world *w, int tid, int slot)
{
	struct sim_task *t = current(w, tid);

	if (!t)
		return -ESRCH;
	t->stall_slot = slot;
	return 0;
}

/* Resolve the fault a thread is stalled in (models UFFDIO_COPY waking the faulting thread). */
long epsim_unstall(struct world *w, int tid, int target_tid)
{
	struct sim_task *t = current(w, tid);
	struct sim_task *target = world_find_task(w, target_tid);

	if (!t)
		return -ESRCH;
	if (!target || target->state != TASK_SLEEPING || !target->uninterruptible)
		return -EINVAL;
	task_wake(target);
	return step_done(w, 0);
}

void epsim_sleep(struct world *w, uint64_t ms)
{
	world_advance(w, w->now + ms * 1000000);
}

bool epsim_take_result(struct world *w, int tid, long *ret)
{
	struct sim_task *t = world_find_task(w, tid);

	return t && task_take_result(t, ret);
}

int epsim_next_completed(struct world *w)
{
	if (list_empty(&w->completed))
		return 0;
	return list_first_entry(&w->completed, struct sim_task, done_node)->tid;
}

/* For system calls defined in other files (sys_entry.h). */
struct sim_task *sys_current(struct world *w, int tid)
{
	return current(w, tid);
}

long sys_exit(struct world *w, struct sim_task *t, long ret)
{
	return syscall_done(w, t, ret);
}
