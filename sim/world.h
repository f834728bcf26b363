/*
 * A simulated world: clock, processes, threads, users and counters. It is a
 * value: create it, drive it through the epsim.h calls, inspect it, destroy it.
 */
#ifndef EPSIM_WORLD_H
#define EPSIM_WORLD_H

#include <stdint.h>
#include <stdbool.h>
#include "list.h"
#include "probe.h"
#include "stats.h"

struct sim_task;
struct sim_process;

/* Returned (negated) by a call that put its thread to sleep; the result comes later. */
#define EPSIM_PENDING 4096

/* Models struct user_struct: the per-user epoll watch count. */
struct user_struct {
	long epoll_watches;
};

/* Models an hrtimer on the virtual clock. */
struct sim_timer {
	uint64_t expires;	/* absolute virtual time, ns */
	void (*function)(struct sim_timer *timer);
	struct list_head node;	/* on world.timers, sorted by expires; self-linked when idle */
	uint64_t seq;		/* arming order, to order equal expiry times */
};

struct world_config {
	long max_user_watches;	/* <= 0: the kernel's default for this machine's size */
	int nofile;		/* RLIMIT_NOFILE soft limit; <= 0: 1024 */
	bool epollwakeup;	/* keep EPOLLWAKEUP (CAP_BLOCK_SUSPEND and CONFIG_PM_SLEEP); off: dropped */
	long alloc_fail_at;	/* fault injection: fail allocation number N (1-based, creation included); 0: never */
	int kernel_release;	/* the kernel profile (kprofile.h KREL); 0: KPROFILE_DEFAULT */
};

struct world {
	uint64_t now;			/* virtual CLOCK_MONOTONIC, ns */
	struct list_head timers;	/* armed sim_timers, earliest first */
	uint64_t timer_seq;
	struct list_head processes;	/* sim_process.node */
	struct list_head runq;		/* woken tasks in wake order (sim_task.run_node) */
	struct list_head completed;	/* tasks whose blocked call finished (sim_task.done_node) */
	struct list_head task_works;	/* queued task_work callbacks (task_work.h), run by world_run */
	struct sim_task *current;	/* models `current`: the thread whose call is running */
	int next_pid, next_tid;
	uint64_t next_file_id;
	struct user_struct user;	/* every process runs as one user */
	long max_user_watches;		/* models /proc/sys/fs/epoll/max_user_watches */
	int nofile;
	bool cap_block_suspend;		/* models capable(CAP_BLOCK_SUSPEND) with CONFIG_PM_SLEEP */
	int kernel_release;		/* the release modelled (kprofile.h): kprofile_has() asks it */
	unsigned long loop_check_gen;	/* models eventpoll.c loop_check_gen */
	struct list_head tfile_check_list; /* models tfile_check_list */
	int path_count[5];		/* models path_count[] of the reverse path check */
	struct sim_stats stats;		/* cost counters */
	struct sim_probe_sink probe;	/* observer of what happens inside a step */
	long alloc_count;		/* allocations made so far */
	long alloc_fail_at;		/* fail the allocation with this number (1-based); 0: never */
	long alloc_failed;		/* allocations failed by alloc_fail_at */
	long alloc_absorbed;		/* failures absorbed with no error to report, as in the kernel */
	long alloc_live;		/* allocations not yet freed (leak accounting) */
	struct list_head tcp_bind_hash;	/* models the TCP bind hash: sockets holding a port (model/tcp.c) */
	int tcp_port_rover;		/* the next ephemeral port to try (net.ipv4.ip_local_port_range) */
};

/* Create a world with one process (pid 1) and its main thread (tid 1). */
struct world *world_create(const struct world_config *cfg);
/* Destroy a world: close every fd of every process, free everything. */
void world_destroy(struct world *w);
/* world_destroy(), returning how many of the world's allocations were never freed (leaks). */
long world_destroy_leaks(struct world *w);

/* Models hrtimer_start() (absolute) and hrtimer_cancel() on the virtual clock. */
void sim_timer_init(struct sim_timer *t, void (*function)(struct sim_timer *));
void sim_timer_start(struct world *w, struct sim_timer *t, uint64_t expires);
void sim_timer_cancel(struct sim_timer *t);
static inline bool sim_timer_active(const struct sim_timer *t)
{
	return !list_empty(&t->node);
}

/* Report a probe to the world's sink, if one is set. */
static inline void world_probe(struct world *w, const struct sim_probe *p)
{
	if (w->probe.fn)
		w->probe.fn(w->probe.ctx, p);
}

/* Run queued task_work and woken tasks until neither is left. */
void world_run(struct world *w);
/* Advance the clock to `until`, firing timers in order and running woken tasks after each. */
void world_advance(struct world *w, uint64_t until);
/* Time of the earliest armed timer, or UINT64_MAX. */
uint64_t world_next_timer(const struct world *w);

#endif
