/*
 * The simulated eventpoll, modelled on fs/eventpoll.c: an eventpoll instance
 * with a red-black tree of epitems keyed by (file, fd), a ready list and the
 * overflow list, fed by ep_poll_callback from the watched files' wait queues.
 */
#ifndef EPSIM_EVENTPOLL_H
#define EPSIM_EVENTPOLL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include "file.h"
#include "list.h"
#include "rbtree.h"
#include "wait.h"

struct sim_task;
struct eventpoll;

#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLINOUT_BITS (EPOLLIN | EPOLLOUT)
#define EPOLLEXCLUSIVE_OK_BITS \
	(EPOLLINOUT_BITS | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EP_MAX_NESTS 4
#define EP_MAX_EVENTS (INT32_MAX / (int)sizeof(struct epoll_event))

/* Models struct epoll_filefd: the tree key. */
struct epoll_filefd {
	struct file *file;
	int fd;
};

/* Models struct eppoll_entry: one (item, wait queue) registration. */
struct eppoll_entry {
	struct eppoll_entry *next;	/* the item's pwqlist */
	struct epitem *base;
	struct wait_queue_entry wait;	/* func = ep_poll_callback */
	struct wait_queue_head *whead;
};

/* Models struct epitem. */
struct epitem {
	struct rb_node rbn;		/* in ep->rbr */
	struct list_head rdllink;	/* on ep->rdllist or a scan batch; self-linked otherwise */
	struct epitem *next;		/* ovflist chain; EP_UNACTIVE_PTR when not on it */
	struct epoll_filefd ffd;
	bool dying;
	struct eppoll_entry *pwqlist;
	struct eventpoll *ep;
	struct list_head fllink;	/* on ffd.file->f_ep */
	struct epoll_event event;	/* mask with ERR|HUP added, and the user data */
};

/* Models struct eventpoll. */
struct eventpoll {
	struct wait_queue_head wq;	/* threads in epoll_wait */
	struct wait_queue_head poll_wait; /* pollers of the epoll file itself */
	struct list_head rdllist;	/* the ready list */
	struct rb_root_cached rbr;	/* every item, keyed by (file, fd) */
	struct epitem *ovflist;		/* EP_UNACTIVE_PTR unless a scan runs */
	struct file *file;		/* the [eventpoll] file */
	struct world *world;
	unsigned long gen;		/* loop-check memo generation */
	int loop_check_depth;
	long refcount;			/* the file's reference plus one per item */
	bool scanning;			/* mtx held by a transfer (for snapshots) */
	uint64_t id;			/* creation number, for logs and snapshots */
};

/* Models USER_PTR_MAX on x86_64: user addresses end below it. */
#define EPSIM_USER_PTR_MAX 0x00007ffffffff000ULL

#define EP_UNACTIVE_PTR ((struct epitem *)(intptr_t)-1)

/* Models is_file_epoll(). */
bool is_file_epoll(const struct file *f);

/* Models do_epoll_create(): a new instance, installed as the lowest free fd. */
long do_epoll_create(struct sim_task *t, int flags);
/* Models do_epoll_ctl(). ev NULL: the event could not be copied from user space. */
long do_epoll_ctl(struct sim_task *t, int epfd, int op, int fd, const struct epoll_event *ev);
/*
 * Models do_epoll_wait(). events: the user buffer, of which the first nvalid
 * slots are writable (copies past them fault); NULL faults at once.
 * timeout_ns < 0: infinite. May return -EPSIM_PENDING: the thread sleeps and
 * the result arrives through world.completed.
 */
long do_epoll_wait(struct sim_task *t, int epfd, struct epoll_event *events, int nvalid,
		   int maxevents, int64_t timeout_ns);

/* Models epoll_pwait(): sigmask NULL means none; sigsetsize must be 8. */
long do_epoll_pwait(struct sim_task *t, int epfd, struct epoll_event *events, int nvalid,
		    int maxevents, int64_t timeout_ns, const uint64_t *sigmask, size_t sigsetsize);
/* Models epoll_pwait2(): ts is {sec, nsec} or NULL for no timeout. */
long do_epoll_pwait2(struct sim_task *t, int epfd, struct epoll_event *events, int nvalid,
		     int maxevents, const int64_t *ts, const uint64_t *sigmask, size_t sigsetsize);

/* Models eventpoll_release(): the watched file's last reference is gone. */
void eventpoll_release(struct file *file);

/* Models ep_cmp_ffd(): order by file, then by fd. */
int ep_cmp_ffd(const struct epoll_filefd *p1, const struct epoll_filefd *p2);

#endif
