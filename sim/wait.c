/* Wait queues: insertion order and the keyed wake-up walk (kernel/sched/wait.c). */
#include "wait.h"

/* Models init_waitqueue_head(). */
void init_waitqueue_head(struct wait_queue_head *wq_head)
{
	INIT_LIST_HEAD(&wq_head->head);
}

/* Models init_waitqueue_func_entry(). */
void init_waitqueue_func_entry(struct wait_queue_entry *wq_entry, wait_queue_func_t func)
{
	wq_entry->flags = 0;
	wq_entry->private = NULL;
	wq_entry->func = func;
	INIT_LIST_HEAD(&wq_entry->entry);
}

/* Models __add_wait_queue(): head insertion, but behind any PRIORITY entries. */
static void add_at_head(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
{
	struct list_head *at = &wq_head->head;
	struct list_head *pos;

	list_for_each(pos, &wq_head->head) {
		struct wait_queue_entry *e = list_entry(pos, struct wait_queue_entry, entry);
		if (!(e->flags & WQ_FLAG_PRIORITY))
			break;
		at = pos;
	}
	list_add(&wq_entry->entry, at);
}

/* Models add_wait_queue(). */
void add_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
{
	wq_entry->flags &= ~WQ_FLAG_EXCLUSIVE;
	add_at_head(wq_head, wq_entry);
}

/* Models add_wait_queue_exclusive(). */
void add_wait_queue_exclusive(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
{
	wq_entry->flags |= WQ_FLAG_EXCLUSIVE;
	list_add_tail(&wq_entry->entry, &wq_head->head);
}

/* Models __add_wait_queue_exclusive(). */
void __add_wait_queue_exclusive(struct wait_queue_head *wq_head,
				struct wait_queue_entry *wq_entry)
{
	wq_entry->flags |= WQ_FLAG_EXCLUSIVE;
	add_at_head(wq_head, wq_entry);
}

/* Models remove_wait_queue(). */
void remove_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
{
	(void)wq_head;
	list_del_init(&wq_entry->entry);
}

/* Models waitqueue_active(). */
int waitqueue_active(const struct wait_queue_head *wq_head)
{
	return !list_empty(&wq_head->head);
}

/* Models __wake_up_common(). */
int __wake_up(struct wait_queue_head *wq_head, unsigned mode, int nr_exclusive, int wake_flags,
	      void *key)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, &wq_head->head) {
		struct wait_queue_entry *curr = list_entry(pos, struct wait_queue_entry, entry);
		unsigned flags = curr->flags;
		int ret = curr->func(curr, mode, wake_flags, key);

		if (ret < 0)
			break;
		if (ret && (flags & WQ_FLAG_EXCLUSIVE) && !--nr_exclusive)
			break;
	}
	return nr_exclusive;
}
