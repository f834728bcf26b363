/*
 * select() and poll() (fs/select.c): the poll_wqueues a sleeping poller
 * queues on every file it scans, the scans themselves, and the system calls.
 * A caller parks its thread like epoll_wait does: the scan loop is a
 * continuation that a wake-up (pollwake) or the timeout re-enters.
 */
#ifndef EPSIM_SELECT_H
#define EPSIM_SELECT_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include "file.h"

struct sim_task;

/* The mask sets of select (fs/select.c): which poll bits make an fd readable, writable, exceptional. */
#define POLLIN_SET (EPOLLRDNORM | EPOLLRDBAND | EPOLLIN | EPOLLHUP | EPOLLERR)
#define POLLOUT_SET (EPOLLWRBAND | EPOLLWRNORM | EPOLLOUT | EPOLLERR)
#define POLLEX_SET (EPOLLPRI)
/* <sys/epoll.h> has no EPOLLNVAL: poll's POLLNVAL, which epoll never reports. */
#ifndef EPOLLNVAL
#define EPOLLNVAL 0x20
#endif
/* Models DEFAULT_POLLMASK: what a file without ->poll reports. */
#define DEFAULT_POLLMASK (EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM)

/* Models FDS_BITPERLONG / FDS_LONGS() / FDS_BYTES(): fd sets are arrays of longs. */
#define FDS_BITPERLONG (8 * sizeof(unsigned long))
#define FDS_LONGS(nr) (((nr) + FDS_BITPERLONG - 1) / FDS_BITPERLONG)
#define FDS_BYTES(nr) (FDS_LONGS(nr) * sizeof(unsigned long))

/* Models struct poll_table_entry: one queueing of the poller on one wait queue. */
struct poll_table_entry {
	struct file *filp;			/* the reference __pollwait takes */
	__poll_t key;				/* the events the poller asked this file for */
	struct wait_queue_entry wait;		/* func = pollwake, private = the poll_wqueues */
	struct wait_queue_head *wait_address;
};

/* Entries per page: (PAGE_SIZE - the page header) / sizeof(struct poll_table_entry), on x86_64. */
#define POLL_TABLE_PAGE_ENTRIES 63
/* Models N_INLINE_POLL_ENTRIES: entries kept in poll_wqueues itself (on the stack), no allocation. */
#define N_INLINE_POLL_ENTRIES 8

/* Models struct poll_table_page: entries never move once they are queued. */
struct poll_table_page {
	struct poll_table_page *next;
	int used;
	struct poll_table_entry entries[POLL_TABLE_PAGE_ENTRIES];
};

/* Models struct poll_wqueues: the poll_table handed to ->poll plus the entries it made. */
struct poll_wqueues {
	poll_table pt;
	struct poll_table_page *table;
	struct sim_task *polling_task;
	int triggered;		/* a pollwake came since the last sleep */
	int error;		/* -ENOMEM from poll_get_entry */
	int inline_index;
	struct poll_table_entry inline_entries[N_INLINE_POLL_ENTRIES];
};

/* The deadline of one select/poll call on the virtual clock (poll_select_set_timeout). */
struct poll_timeout {
	bool infinite;		/* no timeout pointer: sleep until woken */
	bool zero;		/* a zero timeout: one scan, no queueing */
	uint64_t end;		/* absolute virtual time, ns */
	bool timed_out;
};

/* Models poll_initwait(). */
void poll_initwait(struct poll_wqueues *pwq, struct sim_task *t);
/* Models poll_freewait(): leave every wait queue and drop the file references. */
void poll_freewait(struct poll_wqueues *pwq);
/* Models poll_select_set_timeout() for a timeout in ns (< 0: none). */
void poll_timeout_init(struct poll_timeout *to, const struct sim_task *t, int64_t timeout_ns);
/*
 * Models poll_schedule_timeout() up to the sleep: false if the caller must
 * not sleep (a wake-up already came, or the deadline passed: to->timed_out).
 */
bool poll_schedule_prepare(struct sim_task *t, struct poll_wqueues *pwq, struct poll_timeout *to);
/* Models poll_schedule_timeout() after schedule(): note a timeout, clear triggered. */
void poll_schedule_done(struct sim_task *t, struct poll_wqueues *pwq, struct poll_timeout *to);

/*
 * Models do_sys_poll(): ufds[0..nvalid) is accessible user memory; a longer
 * nfds faults. timeout_ns < 0 is infinite. revents are written back into ufds
 * when the call ends (even while the thread was parked). Returns the count of
 * pollfds with revents, -errno, or -EPSIM_PENDING.
 */
long do_sys_poll(struct sim_task *t, struct pollfd *ufds, unsigned int nvalid, unsigned int nfds,
		 int64_t timeout_ns);
/*
 * Models sys_select(): core_sys_select with the user's timeval (NULL: none),
 * into which the remaining time is written back. Each non-NULL set must hold
 * FDS_BYTES(n) bytes; the ready sets are written back into them.
 */
long do_sys_select(struct sim_task *t, int n, fd_set *inp, fd_set *outp, fd_set *exp,
		   struct timeval *tvp);

/* The poll table of a thread parked in poll() / select(), or NULL. */
const struct poll_wqueues *do_poll_parked_table(const struct sim_task *t);
const struct poll_wqueues *do_select_parked_table(const struct sim_task *t);
/* Call fn for every file a thread parked in poll() or select() holds a reference to. */
void poll_select_held_files(const struct sim_task *t, void (*fn)(void *ctx, struct file *f),
			    void *ctx);

#endif
