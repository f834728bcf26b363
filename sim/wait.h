/* Wait queues with callback entries, modelled on include/linux/wait.h and kernel/sched/wait.c. */
#ifndef EPSIM_WAIT_H
#define EPSIM_WAIT_H

#include <stdint.h>
#include "list.h"

#define WQ_FLAG_EXCLUSIVE 0x01
#define WQ_FLAG_WOKEN 0x02
#define WQ_FLAG_PRIORITY 0x10

/* Wake flags passed to callbacks (kernel WF_SYNC). */
#define WF_SYNC 0x10

struct wait_queue_entry;
typedef int (*wait_queue_func_t)(struct wait_queue_entry *wq_entry, unsigned mode, int flags,
				 void *key);

struct wait_queue_entry {
	unsigned int flags;
	void *private;
	wait_queue_func_t func;
	struct list_head entry;
};

struct wait_queue_head {
	struct list_head head;
};

typedef uint32_t __poll_t;

/* Models poll_to_key() / key_to_poll(): a wake key carries an event mask. */
static inline void *poll_to_key(__poll_t m)
{
	return (void *)(uintptr_t)m;
}
static inline __poll_t key_to_poll(const void *key)
{
	return (__poll_t)(uintptr_t)key;
}

/* Models init_waitqueue_head(). */
void init_waitqueue_head(struct wait_queue_head *wq_head);
/* Models init_waitqueue_func_entry(). */
void init_waitqueue_func_entry(struct wait_queue_entry *wq_entry, wait_queue_func_t func);
/* Models add_wait_queue(): clears EXCLUSIVE, inserts at the head (after PRIORITY entries). */
void add_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry);
/* Models add_wait_queue_exclusive(): sets EXCLUSIVE, inserts at the tail. */
void add_wait_queue_exclusive(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry);
/* Models __add_wait_queue_exclusive(): sets EXCLUSIVE, inserts at the head. */
void __add_wait_queue_exclusive(struct wait_queue_head *wq_head,
				struct wait_queue_entry *wq_entry);
/* Models remove_wait_queue() / __remove_wait_queue(). */
void remove_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry);
/* Models waitqueue_active(). */
int waitqueue_active(const struct wait_queue_head *wq_head);

/*
 * Models __wake_up_common(): walk from the head, call each entry's func; stop
 * after an EXCLUSIVE entry returned nonzero and used up nr_exclusive (0 means
 * no limit), or on a negative return. Returns the remaining budget.
 */
int __wake_up(struct wait_queue_head *wq_head, unsigned mode, int nr_exclusive, int wake_flags,
	      void *key);

#define TASK_NORMAL 3u

/* The wake-up forms the file models use (include/linux/wait.h). */
#define wake_up(x) __wake_up(x, TASK_NORMAL, 1, 0, NULL)
#define wake_up_sync(x) __wake_up(x, TASK_NORMAL, 1, WF_SYNC, NULL)
#define wake_up_all(x) __wake_up(x, TASK_NORMAL, 0, 0, NULL)
#define wake_up_poll(x, m) __wake_up(x, TASK_NORMAL, 1, 0, poll_to_key(m))
#define wake_up_sync_poll(x, m) __wake_up(x, TASK_NORMAL, 1, WF_SYNC, poll_to_key(m))
#define wake_up_interruptible_all(x) __wake_up(x, TASK_NORMAL, 0, 0, NULL)
#define wake_up_interruptible_poll(x, m) __wake_up(x, TASK_NORMAL, 1, 0, poll_to_key(m))
#define wake_up_interruptible_sync_poll(x, m) __wake_up(x, TASK_NORMAL, 1, WF_SYNC, poll_to_key(m))

#endif
