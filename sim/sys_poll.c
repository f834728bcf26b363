/*
 * poll() (fs/select.c do_sys_poll): copy the pollfds in, scan them, sleep on
 * every file's wait queue until a wake-up, a signal or the timeout, and write
 * each revents back. Written as a continuation so a simulated thread can park.
 */
#include <errno.h>
#include "select.h"
#include "alloc.h"
#include "fdtable.h"
#include "signals.h"
#include "task.h"
#include "world.h"

/* The state of one poll() call, kept while its thread sleeps (do_sys_poll's locals). */
struct poll_call {
	struct poll_wqueues table;
	struct poll_timeout to;
	struct pollfd *ufds;	/* the user's array, for the revents at the end */
	unsigned int nfds;
	struct pollfd *fds;	/* the kernel's copy (the poll_list) */
};

/* Models do_pollfd(): one pollfd's revents; a closed fd is POLLNVAL, a negative one is skipped. */
static __poll_t do_pollfd(struct sim_task *t, const struct pollfd *pollfd, poll_table *pwait)
{
	struct file *f;
	__poll_t filter, mask;

	if (pollfd->fd < 0)
		return 0;
	f = fd_lookup(t->proc->files, pollfd->fd);
	if (!f)
		return EPOLLNVAL;
	filter = (uint16_t)pollfd->events | EPOLLERR | EPOLLHUP;
	pwait->_key = filter;
	mask = file_can_poll(f) ? vfs_poll(f, pwait) : DEFAULT_POLLMASK;
	return mask & filter;
}

/* One pass of do_poll() over every pollfd: the number with events. */
static int do_poll_scan(struct sim_task *t, struct poll_call *c)
{
	poll_table *pt = &c->table.pt;
	int count = 0;

	t->world->stats.passes++;
	t->world->stats.fds_scanned += c->nfds;
	for (unsigned int i = 0; i < c->nfds; i++) {
		__poll_t mask = do_pollfd(t, &c->fds[i], pt);

		c->fds[i].revents = (short)mask;
		if (mask) {
			count++;
			pt->_qproc = NULL;	/* found something: queue on no further file */
		}
	}
	return count;
}

static long do_poll_continue(struct sim_task *t);
static void do_poll_cancel(struct sim_task *t);

/* Models the do_poll() loop: scan, and sleep unless something, a signal or the timeout ended it. */
static long do_poll_loop(struct sim_task *t)
{
	struct poll_call *c = t->call_state;

	for (;;) {
		int count = do_poll_scan(t, c);

		c->table.pt._qproc = NULL;	/* every queueing happened in the first pass */
		if (!count) {
			count = c->table.error;
			if (signal_pending(t))
				count = -EINTR;
		}
		if (count || c->to.timed_out)
			return count;
		if (poll_schedule_prepare(t, &c->table, &c->to))
			return task_sleep(t, do_poll_continue, do_poll_cancel);
	}
}

/* Leave the wait queues, write every revents back (__put_user per pollfd), free the state. */
static long do_poll_finish(struct sim_task *t, long count)
{
	struct poll_call *c = t->call_state;

	if (count == -EPSIM_PENDING)
		return count;
	poll_freewait(&c->table);
	for (unsigned int i = 0; i < c->nfds; i++)
		c->ufds[i].revents = c->fds[i].revents;
	t->world->stats.bytes_out += (uint64_t)c->nfds * sizeof(c->fds[0].revents);
	sim_free(t->world, c->fds);
	sim_free(t->world, c);
	t->call_state = NULL;
	return count;
}

/* Re-enter a parked poll() after a wake-up, a signal or its timeout. */
static long do_poll_continue(struct sim_task *t)
{
	struct poll_call *c = t->call_state;

	poll_schedule_done(t, &c->table, &c->to);
	return do_poll_finish(t, do_poll_loop(t));
}

/* The thread goes away while parked: leave the queues, drop the references. */
static void do_poll_cancel(struct sim_task *t)
{
	struct poll_call *c = t->call_state;

	poll_freewait(&c->table);
	sim_free(t->world, c->fds);
	sim_free(t->world, c);
	t->call_state = NULL;
}

const struct poll_wqueues *do_poll_parked_table(const struct sim_task *t)
{
	if (t->state == TASK_IDLE || t->resume != do_poll_continue)
		return NULL;
	return &((const struct poll_call *)t->call_state)->table;
}

/* Models the copy-in of do_sys_poll(): the limit check, then copy_from_user of every pollfd. */
static long poll_copy_in(struct sim_task *t, struct poll_call *c, struct pollfd *ufds,
			 unsigned int nvalid, unsigned int nfds)
{
	if ((nfds && !ufds) || nvalid < nfds)
		return -EFAULT;
	c->fds = sim_zalloc(t->world, (size_t)(nfds ? nfds : 1) * sizeof(*c->fds));
	if (!c->fds)
		return -ENOMEM;
	for (unsigned int i = 0; i < nfds; i++)
		c->fds[i] = ufds[i];
	t->world->stats.bytes_in += (uint64_t)nfds * sizeof(*ufds);
	c->ufds = ufds;
	c->nfds = nfds;
	return 0;
}

long do_sys_poll(struct sim_task *t, struct pollfd *ufds, unsigned int nvalid, unsigned int nfds,
		 int64_t timeout_ns)
{
	struct poll_call *c;
	long err;

	t->world->stats.syscalls++;
	if (nfds > (unsigned int)t->world->nofile)
		return -EINVAL;	/* nfds > rlimit(RLIMIT_NOFILE), before anything is copied */
	c = sim_zalloc(t->world, sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = poll_copy_in(t, c, ufds, nvalid, nfds);
	if (err) {
		sim_free(t->world, c);
		return err;
	}
	poll_timeout_init(&c->to, t, timeout_ns);
	poll_initwait(&c->table, t);
	if (c->to.zero) {
		c->table.pt._qproc = NULL;	/* the no-wait case: no queueing at all */
		c->to.timed_out = true;
	}
	t->call_state = c;
	return do_poll_finish(t, do_poll_loop(t));
}
