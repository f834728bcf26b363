/* Poll tables and poll_wait(), modelled on include/linux/poll.h. */
#ifndef EPSIM_POLL_TABLE_H
#define EPSIM_POLL_TABLE_H

#include <sys/epoll.h>
#include "wait.h"

#define POLLFREE ((__poll_t)0x4000)	/* kernel-internal: the wait queue is being freed */

/* Models wake_up_pollfree(): every waiter is told that the queue goes away. */
#define wake_up_pollfree(x) __wake_up(x, TASK_NORMAL, 0, 0, poll_to_key(EPOLLHUP | POLLFREE))

struct file;
struct poll_table_struct;

typedef void (*poll_queue_proc)(struct file *file, struct wait_queue_head *whead,
				struct poll_table_struct *pt);

/* Models poll_table: a queueing callback (NULL for a plain re-poll) and the events of interest. */
typedef struct poll_table_struct {
	poll_queue_proc _qproc;
	__poll_t _key;
} poll_table;

/* Models init_poll_funcptr(). */
static inline void init_poll_funcptr(poll_table *pt, poll_queue_proc qproc)
{
	pt->_qproc = qproc;
	pt->_key = ~(__poll_t)0;
}

/* Models poll_wait(): let the poller queue itself on whead. */
static inline void poll_wait(struct file *filp, struct wait_queue_head *whead, poll_table *p)
{
	if (p && p->_qproc && whead)
		p->_qproc(filp, whead, p);
}

/* Models poll_requested_events(). */
static inline __poll_t poll_requested_events(const poll_table *p)
{
	return p ? p->_key : ~(__poll_t)0;
}

#endif
