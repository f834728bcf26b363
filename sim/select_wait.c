/*
 * The poll_wqueues of select() and poll() (fs/select.c): the first scan of a
 * call queues the poller on every file's wait queue through __pollwait, a
 * matching wake-up (pollwake) marks the table triggered and wakes the thread,
 * which scans again; poll_freewait leaves every queue at the end.
 */
#include <errno.h>
#include "select.h"
#include "alloc.h"
#include "task.h"
#include "world.h"

/* Models __pollwake(): remember the wake-up and wake the polling thread. */
static int __pollwake(struct wait_queue_entry *wait, unsigned mode, int sync, void *key)
{
	struct poll_wqueues *pwq = wait->private;

	(void)mode;
	(void)sync;
	(void)key;
	pwq->triggered = 1;
	return task_wake(pwq->polling_task);
}

/* Models pollwake(): a keyed wake-up only counts if it carries an event this entry asked for. */
static int pollwake(struct wait_queue_entry *wait, unsigned mode, int sync, void *key)
{
	struct poll_table_entry *entry = container_of(wait, struct poll_table_entry, wait);

	if (key && !(key_to_poll(key) & entry->key))
		return 0;
	return __pollwake(wait, mode, sync, key);
}

/* Models poll_get_entry(): the next free entry, a new page when the current one is full. */
static struct poll_table_entry *poll_get_entry(struct poll_wqueues *p, struct world *w)
{
	struct poll_table_page *table = p->table;

	if (p->inline_index < N_INLINE_POLL_ENTRIES)
		return &p->inline_entries[p->inline_index++];
	if (!table || table->used == POLL_TABLE_PAGE_ENTRIES) {
		struct poll_table_page *new_table = sim_zalloc(w, sizeof(*new_table));

		if (!new_table) {
			p->error = -ENOMEM;
			return NULL;
		}
		new_table->next = table;
		p->table = new_table;
		table = new_table;
	}
	return &table->entries[table->used++];
}

/* Models __pollwait(): queue the poller (non-exclusive, at the head) on one wait queue. */
static void __pollwait(struct file *filp, struct wait_queue_head *wait_address, poll_table *p)
{
	struct poll_wqueues *pwq = container_of(p, struct poll_wqueues, pt);
	struct world *w = filp->world;
	struct poll_table_entry *entry = poll_get_entry(pwq, w);

	if (!entry)
		return;
	entry->filp = get_file(filp);
	entry->wait_address = wait_address;
	entry->key = p->_key;
	init_waitqueue_func_entry(&entry->wait, pollwake);
	entry->wait.private = pwq;
	add_wait_queue(wait_address, &entry->wait);
	w->stats.wq_added++;
}

void poll_initwait(struct poll_wqueues *pwq, struct sim_task *t)
{
	init_poll_funcptr(&pwq->pt, __pollwait);
	pwq->polling_task = t;
	pwq->triggered = 0;
	pwq->error = 0;
	pwq->table = NULL;
	pwq->inline_index = 0;
}

/* Models free_poll_entry(). */
static void free_poll_entry(struct poll_table_entry *entry)
{
	struct world *w = entry->filp->world;

	remove_wait_queue(entry->wait_address, &entry->wait);
	w->stats.wq_removed++;
	fput(entry->filp);
}

void poll_freewait(struct poll_wqueues *pwq)
{
	struct world *w = pwq->polling_task->world;
	struct poll_table_page *p = pwq->table;

	for (int i = 0; i < pwq->inline_index; i++)
		free_poll_entry(&pwq->inline_entries[i]);
	pwq->inline_index = 0;
	while (p) {
		struct poll_table_page *old = p;

		for (int i = p->used - 1; i >= 0; i--)
			free_poll_entry(&p->entries[i]);
		p = p->next;
		sim_free(w, old);
	}
	pwq->table = NULL;
}

void poll_select_held_files(const struct sim_task *t, void (*fn)(void *ctx, struct file *f),
			    void *ctx)
{
	const struct poll_wqueues *pwq = do_poll_parked_table(t);

	if (!pwq)
		pwq = do_select_parked_table(t);
	for (int i = 0; pwq && i < pwq->inline_index; i++)
		fn(ctx, pwq->inline_entries[i].filp);
	for (const struct poll_table_page *p = pwq ? pwq->table : NULL; p; p = p->next)
		for (int i = 0; i < p->used; i++)
			fn(ctx, p->entries[i].filp);
}

void poll_timeout_init(struct poll_timeout *to, const struct sim_task *t, int64_t timeout_ns)
{
	to->infinite = timeout_ns < 0;
	to->zero = timeout_ns == 0;
	to->end = timeout_ns > 0 ? t->world->now + (uint64_t)timeout_ns : 0;
	to->timed_out = false;
}

bool poll_schedule_prepare(struct sim_task *t, struct poll_wqueues *pwq, struct poll_timeout *to)
{
	if (pwq->triggered) {
		pwq->triggered = 0;
		return false;
	}
	if (!to->infinite && to->end <= t->world->now) {
		to->timed_out = true;	/* an expired hrtimer sleeper returns at once */
		return false;
	}
	t->timer_fired = false;
	if (!to->infinite)
		task_arm_timer(t, to->end);
	return true;
}

void poll_schedule_done(struct sim_task *t, struct poll_wqueues *pwq, struct poll_timeout *to)
{
	if (t->timer_fired)
		to->timed_out = true;
	task_cancel_timer(t);
	pwq->triggered = 0;
}
