/*
 * task_work: callbacks a wake-up leaves for a thread to run on its way back to
 * user space (kernel/task_work.c). The simulator runs them in world_run(),
 * before it runs the threads the current call woke: that is where a woken or
 * returning thread would run them. Only what needs the deferral uses it (the
 * io_uring completions of the 6.1 profile, model/io_uring.c).
 */
#ifndef EPSIM_TASK_WORK_H
#define EPSIM_TASK_WORK_H

#include <stdbool.h>
#include "list.h"

struct world;

/* Models struct callback_head. */
struct callback_head {
	struct list_head node;	/* on world.task_works while queued; self-linked otherwise */
	void (*func)(struct callback_head *work);
};

static inline void init_task_work(struct callback_head *work, void (*func)(struct callback_head *))
{
	INIT_LIST_HEAD(&work->node);
	work->func = func;
}

static inline bool task_work_pending(const struct callback_head *work)
{
	return !list_empty(&work->node);
}

/* Models task_work_add(): queue work (once) to run in queueing order. */
void task_work_add(struct world *w, struct callback_head *work);
/* Models task_work_cancel(): take work off the queue if it is on it. */
void task_work_cancel(struct callback_head *work);
/* Models task_work_run(): run queued work until none is left (work may queue more). */
void task_work_run(struct world *w);

#endif
