/*
 * Snapshots: the simulator's state at one moment as a plain value, for
 * diagrams, dumps and checks. Taking one never changes the world: readiness
 * comes from file_operations.peek, never from ->poll (a pipe's poll sets
 * poll_usage, an epoll file's poll prunes its ready list). A snapshot keeps
 * no pointer into the world: objects are named by their creation numbers
 * (file.f_id, eventpoll.id), fds and thread names.
 */
#ifndef EPSIM_SNAPSHOT_H
#define EPSIM_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rbtree.h"
#include "task.h"
#include "wait.h"

#define SNAP_NAME_MAX 32

struct world;

/* What one wait-queue entry stands for. */
enum snap_waiter_kind {
	SNAP_WAITER_EPITEM,	/* an epitem's eppoll_entry (func ep_poll_callback) */
	SNAP_WAITER_TASK,	/* a thread asleep in a call (private is its task) */
	SNAP_WAITER_OTHER,	/* anything else */
};

/* Models one struct wait_queue_entry. */
struct snap_waiter {
	enum snap_waiter_kind kind;
	bool exclusive;			/* WQ_FLAG_EXCLUSIVE */
	uint64_t ep_id;			/* EPITEM: the instance the item belongs to */
	uint64_t file_id;		/* EPITEM: the item's key (file, fd) */
	int fd;
	int tid;			/* TASK: the thread */
	char task[SNAP_NAME_MAX];	/* TASK: its name */
};

/* Models one struct wait_queue_head, entries from the head (wake-up order). */
struct snap_waitq {
	const char *name;		/* "wq", "poll_wait" (epoll); "rd_wait", "wr_wait" (pipe); "wait" */
	struct snap_waiter *waiters;
	size_t nwaiters;
};

/* Models one struct epitem, as a node of its instance's tree. */
struct snap_epitem {
	uint64_t file_id;		/* key: ffd.file */
	int fd;				/* key: ffd.fd */
	enum rb_colour colour;
	int parent, left, right;	/* indices in snap_epoll.items; -1: none (NIL) */
	uint32_t events;		/* event.events, with the private bits */
	uint64_t data;			/* event.data */
	int rdl_pos;			/* position on rdllist (0 first), -1 if not on it */
	int ovf_pos;			/* position on ovflist, -1 if not on it */
	bool txlist;			/* on the list a running transfer took (ep_send_events) */
};

/* Models one struct eventpoll. */
struct snap_epoll {
	uint64_t id;			/* eventpoll.id */
	uint64_t file_id;		/* its [eventpoll] file */
	struct snap_epitem *items;	/* every item in tree (key) order */
	size_t nitems;
	int root;			/* index of rbr's root, -1 if empty */
	int *rdllist;			/* item indices in rdllist order */
	size_t nrdllist;
	bool ovflist_active;		/* ovflist != EP_UNACTIVE_PTR: a transfer runs */
	int *ovflist;			/* item indices from ovflist's head */
	size_t novflist;
	struct snap_waitq wq;		/* threads in epoll_wait */
	struct snap_waitq poll_wait;	/* outer pollers (nested epoll) */
	bool scanning;
};

/* Models one struct file. */
struct snap_file {
	uint64_t id;			/* f_id */
	const char *type;		/* f_op->name (static storage) */
	bool has_peek;			/* false: ready is unknown */
	uint32_t ready;			/* peek(): what ->poll would report */
	long f_count;
	unsigned int f_flags;
	struct snap_waitq *queues;	/* the file's wait queues */
	size_t nqueues;
};

/* One open fd of one process. */
struct snap_fd {
	int pid;
	int fd;
	uint64_t file_id;
};

/* One thread. */
struct snap_task {
	int pid;
	int tid;
	char name[SNAP_NAME_MAX];
	enum task_state state;
};

struct world_snapshot {
	uint64_t now;			/* virtual clock, ns */
	struct snap_task *tasks;	/* by process, then creation */
	size_t ntasks;
	struct snap_fd *fds;		/* by process, then fd */
	size_t nfds;
	struct snap_file *files;	/* every file reachable from an fd or an epitem, by id */
	size_t nfiles;
	struct snap_epoll *eps;		/* every instance among those files, by id */
	size_t neps;
};

/* Capture w's state into *out. 0, or -ENOMEM (with *out empty). */
int world_snapshot_take(const struct world *w, struct world_snapshot *out);
/* Free what world_snapshot_take allocated; *s becomes empty. */
void world_snapshot_free(struct world_snapshot *s);

/* Lookups (NULL / -1 when absent). */
const struct snap_file *snapshot_file(const struct world_snapshot *s, uint64_t file_id);
const struct snap_epoll *snapshot_epoll_by_file(const struct world_snapshot *s, uint64_t file_id);
int snapshot_item_index(const struct snap_epoll *ep, uint64_t file_id, int fd);

#endif
