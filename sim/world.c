/* The world value: its clock and timers, its run queue, creation and teardown. */
#include <stdlib.h>
#include "world.h"
#include "alloc.h"
#include "kprofile.h"
#include "task.h"
#include "task_work.h"

/* The kernel's default: 4% of low memory divided by EP_ITEM_COST (fs/eventpoll.c eventpoll_init). */
#define EP_ITEM_COST 184
#define DEFAULT_MEMORY_BYTES (24ULL << 30)

struct world *world_create(const struct world_config *cfg)
{
	struct world *w = calloc(1, sizeof(*w));
	struct sim_process *p;

	if (!w)
		return NULL;
	INIT_LIST_HEAD(&w->timers);
	INIT_LIST_HEAD(&w->processes);
	INIT_LIST_HEAD(&w->runq);
	INIT_LIST_HEAD(&w->completed);
	INIT_LIST_HEAD(&w->task_works);
	INIT_LIST_HEAD(&w->tfile_check_list);
	INIT_LIST_HEAD(&w->tcp_bind_hash);
	w->max_user_watches = (long)(DEFAULT_MEMORY_BYTES / 25 / EP_ITEM_COST);
	w->nofile = 1024;
	w->cap_block_suspend = cfg && cfg->epollwakeup; /* the reference kernel drops the bit */
	w->kernel_release = KPROFILE_DEFAULT;
	if (cfg && cfg->kernel_release > 0)
		w->kernel_release = cfg->kernel_release;
	if (cfg && cfg->max_user_watches > 0)
		w->max_user_watches = cfg->max_user_watches;
	if (cfg && cfg->nofile > 0)
		w->nofile = cfg->nofile;
	if (cfg && cfg->alloc_fail_at > 0)
		w->alloc_fail_at = cfg->alloc_fail_at;
	p = process_create(w);
	if (!p || !task_create(p, "main")) {
		world_destroy(w);
		return NULL;
	}
	return w;
}

void world_destroy(struct world *w)
{
	(void)world_destroy_leaks(w);
}

long world_destroy_leaks(struct world *w)
{
	long leaked;

	if (!w)
		return 0;
	while (!list_empty(&w->processes))
		process_destroy(list_first_entry(&w->processes, struct sim_process, node));
	leaked = w->alloc_live;
	free(w);
	return leaked;
}

void sim_timer_init(struct sim_timer *t, void (*function)(struct sim_timer *))
{
	t->expires = 0;
	t->function = function;
	t->seq = 0;
	INIT_LIST_HEAD(&t->node);
}

/* Models hrtimer_start() with an absolute expiry: keep world.timers sorted. */
void sim_timer_start(struct world *w, struct sim_timer *t, uint64_t expires)
{
	struct list_head *pos;

	sim_timer_cancel(t);
	t->expires = expires;
	t->seq = ++w->timer_seq;
	list_for_each(pos, &w->timers) {
		struct sim_timer *o = list_entry(pos, struct sim_timer, node);
		if (o->expires > expires)
			break;
	}
	list_add_tail(&t->node, pos);
}

/* Models hrtimer_cancel(). */
void sim_timer_cancel(struct sim_timer *t)
{
	list_del_init(&t->node);
}

uint64_t world_next_timer(const struct world *w)
{
	if (list_empty(&w->timers))
		return UINT64_MAX;
	return list_first_entry(&w->timers, struct sim_timer, node)->expires;
}

/* Re-enter one woken task's parked call; record the result if it finished. */
static void run_task(struct world *w, struct sim_task *t)
{
	long ret;

	list_del_init(&t->run_node);
	t->state = TASK_IDLE;
	w->current = t;
	ret = t->resume(t);
	if (ret == -EPSIM_PENDING)
		return;
	t->resume = NULL;
	t->cancel = NULL;
	task_syscall_exit(t, ret);
	t->result = ret;
	t->has_result = true;
	list_add_tail(&t->done_node, &w->completed);
}

/* Run queued task_work, then woken tasks (each may queue more of both), until neither is left. */
void world_run(struct world *w)
{
	for (;;) {
		task_work_run(w);
		if (list_empty(&w->runq))
			return;
		run_task(w, list_first_entry(&w->runq, struct sim_task, run_node));
	}
}

void world_advance(struct world *w, uint64_t until)
{
	world_run(w);
	while (world_next_timer(w) <= until) {
		struct sim_timer *t = list_first_entry(&w->timers, struct sim_timer, node);
		if (t->expires > w->now)
			w->now = t->expires;
		sim_timer_cancel(t);
		t->function(t);
		world_run(w);
	}
	if (until > w->now)
		w->now = until;
}
