/* Simulated processes and threads, and the run queue that re-enters parked calls. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "task.h"
#include "alloc.h"
#include "fdtable.h"
#include "poll_table.h"

/* A new process around an fd table (which it takes over), or NULL. */
static struct sim_process *process_alloc(struct world *w, struct fdtable *files)
{
	struct sim_process *p = files ? sim_zalloc(w, sizeof(*p)) : NULL;

	if (!p) {
		fdtable_destroy(files);
		return NULL;
	}
	p->files = files;
	p->pid = ++w->next_pid;
	p->world = w;
	INIT_LIST_HEAD(&p->tasks);
	init_waitqueue_head(&p->signalfd_wqh);
	list_add_tail(&p->node, &w->processes);
	return p;
}

struct sim_process *process_create(struct world *w)
{
	return process_alloc(w, fdtable_create(w));
}

/* Models copy_process() for the parts epsim has: a copied fd table (threads come after). */
struct sim_process *process_fork(struct sim_process *parent)
{
	return process_alloc(parent->world, fdtable_copy(parent->files));
}

static void task_destroy(struct sim_task *t)
{
	if (t->state != TASK_IDLE && t->cancel)
		t->cancel(t);
	task_cancel_timer(t);
	list_del_init(&t->node);
	list_del_init(&t->run_node);
	list_del_init(&t->done_node);
	sim_free(t->world, t);
}

/* Models do_exit(): threads go, then the fd table is closed. */
void process_destroy(struct sim_process *p)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, &p->tasks)
		task_destroy(list_entry(pos, struct sim_task, node));
	fdtable_destroy(p->files);
	/* models __cleanup_sighand(): signalfd watchers are told the queue is going */
	if (waitqueue_active(&p->signalfd_wqh))
		wake_up_pollfree(&p->signalfd_wqh);
	list_del_init(&p->node);
	sim_free(p->world, p);
}

static void task_timer_fn(struct sim_timer *timer)
{
	struct sim_task *t = container_of(timer, struct sim_task, timer);

	t->timer_fired = true;
	task_wake(t);
}

struct sim_task *task_create(struct sim_process *p, const char *name)
{
	struct sim_task *t = sim_zalloc(p->world, sizeof(*t));

	if (!t)
		return NULL;
	t->tid = ++p->world->next_tid;
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "");
	t->proc = p;
	t->world = p->world;
	t->state = TASK_IDLE;
	t->stall_slot = -1;
	INIT_LIST_HEAD(&t->run_node);
	INIT_LIST_HEAD(&t->done_node);
	sim_timer_init(&t->timer, task_timer_fn);
	list_add_tail(&t->node, &p->tasks);
	return t;
}

struct sim_task *world_find_task(const struct world *w, int tid)
{
	struct list_head *pp, *tp;

	list_for_each(pp, &w->processes) {
		struct sim_process *p = list_entry(pp, struct sim_process, node);
		list_for_each(tp, &p->tasks) {
			struct sim_task *t = list_entry(tp, struct sim_task, node);
			if (t->tid == tid)
				return t;
		}
	}
	return NULL;
}

/* Models schedule() for a thread in TASK_INTERRUPTIBLE. */
long task_sleep(struct sim_task *t, long (*resume)(struct sim_task *t),
		void (*cancel)(struct sim_task *t))
{
	struct sim_probe p = { .kind = PROBE_TASK_SLEEP, .task = t };

	t->state = TASK_SLEEPING;
	t->resume = resume;
	t->cancel = cancel;
	world_probe(t->world, &p);
	return -EPSIM_PENDING;
}

/* Models try_to_wake_up(). */
int task_wake(struct sim_task *t)
{
	struct sim_probe p = { .kind = PROBE_TASK_WAKE, .task = t };

	if (t->state != TASK_SLEEPING)
		return 0;
	t->state = TASK_WOKEN;
	world_probe(t->world, &p);
	list_add_tail(&t->run_node, &t->world->runq);
	return 1;
}

/* Models hrtimer_start() of a sleeper's timer. */
void task_arm_timer(struct sim_task *t, uint64_t expires)
{
	t->timer_fired = false;
	sim_timer_start(t->world, &t->timer, expires);
}

/* Models hrtimer_cancel() of a sleeper's timer. */
void task_cancel_timer(struct sim_task *t)
{
	sim_timer_cancel(&t->timer);
}

/* Models default_wake_function(). */
int default_wake_function(struct wait_queue_entry *wq_entry, unsigned mode, int flags, void *key)
{
	(void)mode;
	(void)flags;
	(void)key;
	return task_wake(wq_entry->private);
}

bool task_take_result(struct sim_task *t, long *ret)
{
	if (!t->has_result)
		return false;
	*ret = t->result;
	t->has_result = false;
	list_del_init(&t->done_node);
	return true;
}
