/*
 * epoll_wait (fs/eventpoll.c): the scan of the ready list with the overflow
 * list, the transfer to user space (ep_send_events) and the sleep loop
 * (ep_poll), written as a continuation so a simulated thread can park in it.
 */
#include <errno.h>
#include "ep_internal.h"
#include "alloc.h"
#include "fdtable.h"
#include "kprofile.h"
#include "signals.h"
#include "task.h"
#include "world.h"

/* Models ep_start_scan(): take the whole ready list; callbacks now go to ovflist. */
void ep_start_scan(struct eventpoll *ep, struct list_head *txlist)
{
	list_splice_init(&ep->rdllist, txlist);
	ep->ovflist = NULL;
}

/* Models ep_done_scan(): merge overflow arrivals, then the leftovers, back in front. */
void ep_done_scan(struct eventpoll *ep, struct list_head *txlist)
{
	struct epitem *epi, *nepi;

	for (nepi = ep->ovflist; (epi = nepi) != NULL; nepi = epi->next, epi->next = EP_UNACTIVE_PTR) {
		if (!ep_is_linked(epi))
			list_add(&epi->rdllink, &ep->rdllist);
	}
	ep->ovflist = EP_UNACTIVE_PTR;
	list_splice_init(txlist, &ep->rdllist);
	if (!list_empty(&ep->rdllist) && waitqueue_active(&ep->wq))
		wake_up(&ep->wq);
}

/* The user buffer of one epoll_wait: slots [0, nvalid) are writable. */
struct ep_user_buf {
	struct epoll_event *events;
	int nvalid;
};

/* Models epoll_put_uevent(): false when the slot faults. */
static bool epoll_put_uevent(struct world *w, const struct ep_user_buf *ub, int slot,
			     __poll_t revents, uint64_t data)
{
	if (!ub->events || slot >= ub->nvalid)
		return false;
	ub->events[slot].events = revents;
	ub->events[slot].data.u64 = data;
	w->stats.events_copied++;
	w->stats.bytes_copied += sizeof(struct epoll_event);
	w->stats.bytes_out += sizeof(struct epoll_event);
	return true;
}

static void ep_probe(struct eventpoll *ep, enum probe_kind kind, struct epitem *epi,
		     __poll_t events)
{
	struct sim_probe p = { .kind = kind, .ep = ep, .epi = epi, .key = events };

	world_probe(ep->world, &p);
}

/*
 * ep_send_events()'s locals, kept in the call so that a copy to user space
 * that stalls (a page fault resolved later, as with userfaultfd) can resume
 * the transfer where it stopped, with the scan still running.
 */
struct ep_send_state {
	struct list_head txlist;	/* the batch taken from rdllist */
	int res;			/* events copied so far */
	struct epitem *stalled;		/* the item whose copy is stalled, off the batch */
	__poll_t stalled_revents;
};

/* The state of one epoll_wait call, kept while its thread sleeps (ep_poll's locals). */
struct ep_poll_call {
	struct eventpoll *ep;
	struct file *file;		/* the reference do_epoll_wait holds */
	struct ep_user_buf ub;
	int maxevents;
	bool infinite;
	uint64_t expires;
	bool timed_out;
	bool eavail;
	struct wait_queue_entry wait;
	int stall_slot;			/* the copy into this slot stalls once; -1: never */
	struct ep_send_state send;
};

/* Copy one event out and re-arm the item by its mode; false when the slot faults. */
static bool ep_deliver(struct eventpoll *ep, struct ep_poll_call *c, struct epitem *epi,
		       __poll_t revents)
{
	struct ep_send_state *s = &c->send;

	if (!epoll_put_uevent(ep->world, &c->ub, s->res, revents, epi->event.data.u64)) {
		list_add(&epi->rdllink, &s->txlist);
		if (!s->res)
			s->res = -EFAULT;
		return false;
	}
	ep_probe(ep, PROBE_DELIVER, epi, revents);
	s->res++;
	if (epi->event.events & EPOLLONESHOT)
		epi->event.events &= EP_PRIVATE_BITS;
	else if (!(epi->event.events & EPOLLET))
		list_add_tail(&epi->rdllink, &ep->rdllist);
	return true;
}

/* The loop of ep_send_events() over the batch; -EPSIM_PENDING when a copy stalls. */
static int ep_send_loop(struct eventpoll *ep, struct ep_poll_call *c)
{
	struct ep_send_state *s = &c->send;
	struct list_head *pos, *tmp;
	poll_table pt;

	init_poll_funcptr(&pt, NULL);
	list_for_each_safe(pos, tmp, &s->txlist) {
		struct epitem *epi = list_entry(pos, struct epitem, rdllink);
		__poll_t revents;

		if (s->res >= c->maxevents)
			break;
		list_del_init(&epi->rdllink);
		ep->world->stats.items_scanned++;
		revents = ep_item_poll(epi, &pt, 1);
		if (!revents) {
			ep_probe(ep, PROBE_DROP, epi, 0);
			continue;
		}
		if (s->res == c->stall_slot) {
			c->stall_slot = -1;
			s->stalled = epi;
			s->stalled_revents = revents;
			return -EPSIM_PENDING;
		}
		if (!ep_deliver(ep, c, epi, revents))
			break;
	}
	ep_done_scan(ep, &s->txlist);
	ep->scanning = false;
	return s->res;
}

/* Models ep_send_events(): re-poll each ready item, copy, and re-arm by mode. */
static int ep_send_events(struct eventpoll *ep, struct ep_poll_call *c)
{
	INIT_LIST_HEAD(&c->send.txlist);
	c->send.res = 0;
	ep->scanning = true;
	ep_start_scan(ep, &c->send.txlist);
	return ep_send_loop(ep, c);
}

/* The stalled copy completes: finish that item, then the rest of the batch. */
static int ep_send_resume(struct eventpoll *ep, struct ep_poll_call *c)
{
	struct epitem *epi = c->send.stalled;

	c->send.stalled = NULL;
	if (!ep_deliver(ep, c, epi, c->send.stalled_revents)) {
		ep_done_scan(ep, &c->send.txlist);
		ep->scanning = false;
		return c->send.res;
	}
	return ep_send_loop(ep, c);
}

/* Models ep_autoremove_wake_function(): wake the thread and always leave the queue. */
static int ep_autoremove_wake_function(struct wait_queue_entry *wq_entry, unsigned mode,
				       int sync, void *key)
{
	int ret = default_wake_function(wq_entry, mode, sync, key);

	list_del_init(&wq_entry->entry);
	return ret;
}

static long ep_poll_loop(struct sim_task *t);
static long ep_stall_continue(struct sim_task *t);
static long task_sleep_stalled(struct sim_task *t);
static long ep_poll_continue(struct sim_task *t);
static void ep_poll_cancel(struct sim_task *t);

/* Models the code after schedule_hrtimeout_range() in ep_poll(). */
static long ep_poll_resume(struct sim_task *t)
{
	struct ep_poll_call *c = t->call_state;

	if (t->timer_fired)
		c->timed_out = true;
	task_cancel_timer(t);
	c->eavail = true;
	if (!list_empty(&c->wait.entry)) {
		if (c->timed_out)
			c->eavail = list_empty(&c->wait.entry);
		remove_wait_queue(&c->ep->wq, &c->wait);
	}
	return ep_poll_loop(t);
}

/* Models ep_schedule_timeout(): false once the deadline has passed. */
static bool ep_schedule_timeout(const struct ep_poll_call *c, uint64_t now)
{
	return c->infinite || c->expires > now;
}

/* Models the ep_poll() loop: harvest if anything is there, else sleep at the head of ep->wq. */
static long ep_poll_loop(struct sim_task *t)
{
	struct ep_poll_call *c = t->call_state;

	for (;;) {
		if (c->eavail) {
			int res = ep_send_events(c->ep, c);
			if (res == -EPSIM_PENDING)
				return task_sleep_stalled(t);
			if (res)
				return res;
		}
		if (c->timed_out)
			return 0;
		if (signal_pending(t))
			return -EINTR;
		init_waitqueue_func_entry(&c->wait, ep_autoremove_wake_function);
		c->wait.private = t;
		c->eavail = ep_events_available(c->ep);
		if (c->eavail)
			continue;
		__add_wait_queue_exclusive(&c->ep->wq, &c->wait);
		if (!ep_schedule_timeout(c, t->world->now)) {
			/* the deadline passed: no sleep, and not removed by a wake-up */
			c->timed_out = true;
			remove_wait_queue(&c->ep->wq, &c->wait);
			continue;
		}
		if (!c->infinite)
			task_arm_timer(t, c->expires);
		return task_sleep(t, ep_poll_continue, ep_poll_cancel);
	}
}

/* Finish a call: drop the file reference and free the state. */
static long ep_poll_finish(struct sim_task *t, long res)
{
	struct ep_poll_call *c = t->call_state;

	if (res == -EPSIM_PENDING)
		return res;
	fput(c->file);
	sim_free(t->world, c);
	t->call_state = NULL;
	return res;
}

/* Re-enter a parked epoll_wait after a wake-up or its timeout. */
static long ep_poll_continue(struct sim_task *t)
{
	return ep_poll_finish(t, ep_poll_resume(t));
}

/* A copy to user space stalled: the thread sleeps in the fault, deaf to signals. */
static long task_sleep_stalled(struct sim_task *t)
{
	t->uninterruptible = true;
	return task_sleep(t, ep_stall_continue, ep_poll_cancel);
}

/* The stalled copy was released: finish the transfer and return what it copied. */
static long ep_stall_continue(struct sim_task *t)
{
	struct ep_poll_call *c = t->call_state;
	int res;

	t->uninterruptible = false;
	res = ep_send_resume(c->ep, c);
	if (res == -EPSIM_PENDING)
		return task_sleep_stalled(t);
	if (!res && !c->timed_out)
		res = (int)ep_poll_loop(t);
	return ep_poll_finish(t, res);
}

/* The thread goes away while parked (world teardown): leave ep->wq, drop the reference. */
static void ep_poll_cancel(struct sim_task *t)
{
	struct ep_poll_call *c = t->call_state;

	list_del_init(&c->wait.entry);
	if (c->send.stalled) {	/* the transfer never finished: end the scan */
		list_add(&c->send.stalled->rdllink, &c->send.txlist);
		c->send.stalled = NULL;
		ep_done_scan(c->ep, &c->send.txlist);
		c->ep->scanning = false;
	}
	ep_poll_finish(t, 0);
}

/* Models ep_poll(): a zero timeout never sleeps. */
static long ep_poll(struct sim_task *t, struct ep_poll_call *c, int64_t timeout_ns)
{
	long res;

	c->infinite = timeout_ns < 0;
	c->timed_out = timeout_ns == 0;
	c->expires = timeout_ns > 0 ? t->world->now + (uint64_t)timeout_ns : 0;
	c->eavail = ep_events_available(c->ep);
	INIT_LIST_HEAD(&c->wait.entry);
	t->call_state = c;
	res = ep_poll_loop(t);
	return ep_poll_finish(t, res);
}

/* Models access_ok() on x86_64: the whole range lies below the top of user space. */
static bool access_ok(const void *addr, uint64_t size)
{
	uint64_t start = (uintptr_t)addr, end = start + size;

	return end >= start && end <= EPSIM_USER_PTR_MAX;
}

/* The maxevents range and access_ok checks of ep_check_params() (before 6.15: of do_epoll_wait()). */
static long ep_check_user_args(const struct epoll_event *events, int maxevents)
{
	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	if (!access_ok(events, (uint64_t)maxevents * sizeof(struct epoll_event)))
		return -EFAULT;
	return 0;
}

/* Models ep_check_params(): maxevents range, access_ok, and an epoll file. */
static long ep_check_params(struct file *file, const struct epoll_event *events, int maxevents)
{
	long err = ep_check_user_args(events, maxevents);

	if (err)
		return err;
	if (!is_file_epoll(file))
		return -EINVAL;
	return 0;
}

/* Models epoll_pwait2's timespec check: timespec64_valid(). */
static bool timespec_valid(int64_t sec, int64_t nsec)
{
	return sec >= 0 && nsec >= 0 && nsec < 1000000000;
}

/* Models do_epoll_pwait(): a temporary signal mask around do_epoll_wait(). */
long do_epoll_pwait(struct sim_task *t, int epfd, struct epoll_event *events, int nvalid,
		    int maxevents, int64_t timeout_ns, const uint64_t *sigmask, size_t sigsetsize)
{
	long err = set_user_sigmask(t, sigmask, sigsetsize);

	if (err)
		return err;
	return do_epoll_wait(t, epfd, events, nvalid, maxevents, timeout_ns);
}

/* Models epoll_pwait2(): ts NULL is infinite; an invalid timespec is EINVAL before anything. */
long do_epoll_pwait2(struct sim_task *t, int epfd, struct epoll_event *events, int nvalid,
		     int maxevents, const int64_t *ts, const uint64_t *sigmask, size_t sigsetsize)
{
	int64_t timeout_ns = -1;

	if (ts) {
		if (!timespec_valid(ts[0], ts[1]))
			return -EINVAL;
		timeout_ns = ts[0] > (INT64_MAX - ts[1]) / 1000000000 ? INT64_MAX :
								       ts[0] * 1000000000 + ts[1];
	}
	return do_epoll_pwait(t, epfd, events, nvalid, maxevents, timeout_ns, sigmask, sigsetsize);
}

/* Models do_epoll_wait(). */
long do_epoll_wait(struct sim_task *t, int epfd, struct epoll_event *events, int nvalid,
		   int maxevents, int64_t timeout_ns)
{
	struct file *file = fd_lookup(t->proc->files, epfd);
	struct ep_poll_call *c;
	long err;

	t->world->stats.syscalls++;
	if (kprofile_has(t->world, KP_WAIT_CHECKS_ARGS_FIRST)) {
		err = ep_check_user_args(events, maxevents); /* up to 6.14: before fdget() */
		if (err)
			return err;
	}
	if (!file)
		return -EBADF;
	err = ep_check_params(file, events, maxevents);
	if (err)
		return err;
	c = sim_zalloc(t->world, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ep = file->private_data;
	c->file = get_file(file);
	c->ub.events = events;
	c->ub.nvalid = nvalid;
	c->stall_slot = t->stall_slot;	/* a user page that faults until released */
	t->stall_slot = -1;
	c->maxevents = maxevents;
	return ep_poll(t, c, timeout_ns);
}

/* The epoll file a thread parked in epoll_wait holds a reference to, or NULL (for checks). */
struct file *ep_poll_held_file(const struct sim_task *t)
{
	const struct ep_poll_call *c = t->call_state;

	if (t->state == TASK_IDLE || t->cancel != ep_poll_cancel || !c)
		return NULL;
	return c->file;
}
