/*
 * The io_uring system calls of the C API (epsim.h): io_uring_setup, one
 * submission per io_uring_enter, and io_uring_enter(IORING_ENTER_GETEVENTS)
 * followed by reaping the completion queue, written as a continuation so the
 * thread can park in io_cqring_wait. The ring itself is the registry's
 * io_uring (sim/registry.h).
 */
#include <errno.h>
#include <linux/io_uring.h>
#include "epsim.h"
#include "alloc.h"
#include "fdtable.h"
#include "registry.h"
#include "signals.h"
#include "sys_entry.h"
#include "sys_uring.h"
#include "task.h"

/* The registered io_uring; only reached once ring_of() found a ring, or by io_uring_setup. */
static const struct io_uring_ops *uring(void)
{
	return sim_registry.io_uring;
}

/* The state of one io_uring_enter(GETEVENTS) parked in io_cqring_wait. */
struct cq_wait_call {
	struct file *ring;		/* the reference fdget took */
	unsigned int min_events;
	struct io_uring_cqe *cqes;	/* where the reaped completions go */
	unsigned int max;
	struct wait_queue_entry wait;
};

/* Models io_wake_function(): wake only once enough completions are there; -1 ends the walk. */
static int io_wake_function(struct wait_queue_entry *curr, unsigned mode, int sync, void *key)
{
	struct sim_task *t = curr->private;
	struct cq_wait_call *c = t->call_state;
	int ret;

	if (uring()->cq_ready(c->ring) < c->min_events)
		return -1;
	ret = default_wake_function(curr, mode, sync, key);
	if (ret)
		list_del_init(&curr->entry);
	return ret;
}

static long cq_wait_continue(struct sim_task *t);
static void cq_wait_cancel(struct sim_task *t);

/* Models the io_cqring_wait() loop: enough completions, a signal, or sleep (exclusive). */
static long cq_wait_loop(struct sim_task *t)
{
	struct cq_wait_call *c = t->call_state;

	list_del_init(&c->wait.entry);
	if (uring()->cq_ready(c->ring) >= c->min_events)
		return uring()->reap(c->ring, c->cqes, c->max);
	if (signal_pending(t))
		return -EINTR;
	init_waitqueue_func_entry(&c->wait, io_wake_function);
	c->wait.private = t;
	add_wait_queue_exclusive(uring()->cq_wait(c->ring), &c->wait);
	return task_sleep(t, cq_wait_continue, cq_wait_cancel);
}

static long cq_wait_finish(struct sim_task *t, long ret)
{
	struct cq_wait_call *c = t->call_state;

	if (ret == -EPSIM_PENDING)
		return ret;
	fput(c->ring);
	sim_free(t->world, c);
	t->call_state = NULL;
	return ret;
}

static long cq_wait_continue(struct sim_task *t)
{
	return cq_wait_finish(t, cq_wait_loop(t));
}

static void cq_wait_cancel(struct sim_task *t)
{
	struct cq_wait_call *c = t->call_state;

	list_del_init(&c->wait.entry);
	cq_wait_finish(t, 0);
}

struct file *cq_wait_held_file(const struct sim_task *t)
{
	if (t->state == TASK_IDLE || t->resume != cq_wait_continue)
		return NULL;
	return ((const struct cq_wait_call *)t->call_state)->ring;
}

/* Models io_uring_setup(): the ring's fd. */
long epsim_io_uring_setup(struct world *w, int tid, unsigned int entries)
{
	struct sim_task *t = sys_current(w, tid);
	struct file *f;
	long err, fd;

	if (!t)
		return -ESRCH;
	if (!uring())
		return sys_exit(w, t, -ENOSYS);
	err = uring()->create(w, entries, &f);
	if (err)
		return sys_exit(w, t, err);
	fd = fd_install_new(t->proc->files, f, 0);
	if (fd < 0)
		fput(f);
	return sys_exit(w, t, fd);
}

/* Models the fdget and the io_uring check of io_uring_enter(). */
static long ring_of(struct sim_task *t, int ringfd, struct file **ring)
{
	*ring = fd_lookup(t->proc->files, ringfd);
	if (!*ring)
		return -EBADF;
	return uring() && uring()->is_ring(*ring) ? 0 : -EOPNOTSUPP;
}

/* Models io_uring_enter(ringfd, 1, 0, 0) of one POLL_ADD or READ SQE. */
static long uring_submit(struct world *w, int tid, int ringfd, int fd, int op, uint32_t events,
			 size_t len, uint64_t user_data)
{
	struct sim_task *t = sys_current(w, tid);
	struct file *ring, *file;
	long err;

	if (!t)
		return -ESRCH;
	err = ring_of(t, ringfd, &ring);
	if (err)
		return sys_exit(w, t, err);
	file = fd_lookup(t->proc->files, fd);
	if (op == IORING_OP_POLL_ADD)
		err = uring()->poll_add(ring, file, events, user_data);
	else
		err = uring()->read(ring, file, len, user_data);
	return sys_exit(w, t, err);
}

long epsim_io_uring_poll_add(struct world *w, int tid, int ringfd, int fd, uint32_t events,
			     uint64_t user_data)
{
	return uring_submit(w, tid, ringfd, fd, IORING_OP_POLL_ADD, events, 0, user_data);
}

long epsim_io_uring_read(struct world *w, int tid, int ringfd, int fd, size_t len,
			 uint64_t user_data)
{
	return uring_submit(w, tid, ringfd, fd, IORING_OP_READ, 0, len, user_data);
}

/* Models io_uring_enter(ringfd, 0, min, IORING_ENTER_GETEVENTS), then reaping the CQ. */
long epsim_io_uring_wait(struct world *w, int tid, int ringfd, unsigned int min_complete,
			 struct io_uring_cqe *cqes, unsigned int max)
{
	struct sim_task *t = sys_current(w, tid);
	struct cq_wait_call *c;
	struct file *ring;
	long err;

	if (!t)
		return -ESRCH;
	err = ring_of(t, ringfd, &ring);
	if (err)
		return sys_exit(w, t, err);
	c = sim_zalloc(w, sizeof(*c));
	if (!c)
		return sys_exit(w, t, -ENOMEM);
	c->ring = get_file(ring);
	c->min_events = min_complete;
	c->cqes = cqes;
	c->max = max;
	INIT_LIST_HEAD(&c->wait.entry);
	t->call_state = c;
	return sys_exit(w, t, cq_wait_finish(t, cq_wait_loop(t)));
}
