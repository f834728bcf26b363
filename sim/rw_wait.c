/*
 * Blocking read and write: a round of ->read / ->write that must wait leaves
 * its wait in io (queue, condition, exclusivity); the thread then sleeps in a
 * model of ___wait_event (include/linux/wait.h) with an autoremove entry at
 * the tail of the queue, and calls the method again once the condition holds
 * or a signal came.
 */
#include <errno.h>
#include "rw_wait.h"
#include "alloc.h"
#include "signals.h"
#include "task.h"
#include "world.h"

/* The state of one read or write parked in its wait. */
struct rw_call {
	struct file *file;		/* the reference fdget took for the call */
	struct sim_io io;
	int for_write;
	uint64_t *value;
	struct wait_queue_entry wait;
};

/* Models autoremove_wake_function(): a woken sleeper leaves the queue. */
static int autoremove_wake_function(struct wait_queue_entry *wq_entry, unsigned mode, int sync,
				    void *key)
{
	int ret = default_wake_function(wq_entry, mode, sync, key);

	if (ret)
		list_del_init(&wq_entry->entry);
	return ret;
}

/* One round of the file's method. */
static long rw_round(struct sim_task *t, struct rw_call *c)
{
	c->io.signal_pending = signal_pending(t);
	if (c->for_write)
		return c->file->f_op->write(c->file, &c->io);
	return c->file->f_op->read(c->file, &c->io);
}

/* Models finish_wait(): leave the queue if a wake-up did not already take us off. */
static void finish_wait(struct world *w, struct rw_call *c)
{
	if (list_empty(&c->wait.entry))
		return;
	list_del_init(&c->wait.entry);
	w->stats.wq_removed++;
}

/*
 * Models one turn of ___wait_event() (and of __wait_event_interruptible_locked):
 * the condition wins over a pending signal, which ends the wait with
 * -ERESTARTSYS; otherwise the entry is queued at the tail if a wake-up took it
 * off, and the thread sleeps. True when the wait is over (io.wait_ret set).
 */
static bool rw_wait_turn(struct sim_task *t, struct rw_call *c)
{
	if (c->io.cond(c->file, &c->io)) {
		finish_wait(t->world, c);
		c->io.wait_ret = 0;
		return true;
	}
	if (signal_pending(t)) {
		finish_wait(t->world, c);
		c->io.wait_ret = -EINTR;	/* -ERESTARTSYS: the handler has no SA_RESTART */
		return true;
	}
	if (list_empty(&c->wait.entry)) {
		if (c->io.wait_flags & SIM_WAIT_EXCLUSIVE)
			c->wait.flags |= WQ_FLAG_EXCLUSIVE;
		list_add_tail(&c->wait.entry, &c->io.wq->head);
		t->world->stats.wq_added++;
	}
	return false;
}

static long rw_continue(struct sim_task *t);
static void rw_cancel(struct sim_task *t);

/* Sleep until the wait is over, then run rounds until the call ends or must wait again. */
static long rw_loop(struct sim_task *t)
{
	struct rw_call *c = t->call_state;
	long ret;

	for (;;) {
		if (!rw_wait_turn(t, c))
			return task_sleep(t, rw_continue, rw_cancel);
		c->io.resumed = true;
		ret = rw_round(t, c);
		if (ret != -SIM_EWOULDSLEEP)
			return ret;
		init_waitqueue_func_entry(&c->wait, autoremove_wake_function);
		c->wait.private = t;
	}
}

/* A finished call: hand back the value, drop the reference, free the state. */
static long rw_finish(struct sim_task *t, long ret)
{
	struct rw_call *c = t->call_state;

	if (ret == -EPSIM_PENDING)
		return ret;
	if (c->value)
		*c->value = c->io.value;
	fput(c->file);
	sim_free(t->world, c);
	t->call_state = NULL;
	return ret;
}

static long rw_continue(struct sim_task *t)
{
	return rw_finish(t, rw_loop(t));
}

/* The thread goes away while parked: leave the queue, drop the reference. */
static void rw_cancel(struct sim_task *t)
{
	struct rw_call *c = t->call_state;

	finish_wait(t->world, c);
	fput(c->file);
	sim_free(t->world, c);
	t->call_state = NULL;
}

long do_rw(struct sim_task *t, struct file *f, int for_write, size_t len, uint64_t in_value,
	   uint64_t *value)
{
	struct sim_io io = { .len = len, .value = in_value, .signal_pending = signal_pending(t) };
	struct rw_call *c;
	long ret = for_write ? f->f_op->write(f, &io) : f->f_op->read(f, &io);

	if (ret != -SIM_EWOULDSLEEP) {
		if (value)
			*value = io.value;
		return ret;
	}
	c = sim_zalloc(t->world, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->file = get_file(f);
	c->io = io;
	c->for_write = for_write;
	c->value = value;
	init_waitqueue_func_entry(&c->wait, autoremove_wake_function);
	c->wait.private = t;
	t->call_state = c;
	return rw_finish(t, rw_loop(t));
}

struct file *rw_held_file(const struct sim_task *t)
{
	if (t->state == TASK_IDLE || t->resume != rw_continue)
		return NULL;
	return ((const struct rw_call *)t->call_state)->file;
}
