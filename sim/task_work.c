/* task_work: deferred callbacks run on the way back to user space (kernel/task_work.c). */
#include "task_work.h"
#include "world.h"

void task_work_add(struct world *w, struct callback_head *work)
{
	if (!task_work_pending(work))
		list_add_tail(&work->node, &w->task_works);
}

void task_work_cancel(struct callback_head *work)
{
	list_del_init(&work->node);
}

void task_work_run(struct world *w)
{
	while (!list_empty(&w->task_works)) {
		struct callback_head *work = list_first_entry(&w->task_works, struct callback_head, node);

		list_del_init(&work->node);
		work->func(work);
	}
}
