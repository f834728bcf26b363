/*
 * Simulated processes and threads. A blocking call parks its thread on a wait
 * queue and leaves a continuation; a wake-up puts the thread on the world's run
 * queue and world_run() re-enters the call (models schedule() / try_to_wake_up()).
 */
#ifndef EPSIM_TASK_H
#define EPSIM_TASK_H

#include <stdbool.h>
#include "list.h"
#include "wait.h"
#include "world.h"

struct fdtable;

/* Models struct task_struct's process part: an fd table shared by its threads. */
struct sim_process {
	int pid;
	struct fdtable *files;
	struct list_head node;		/* world.processes */
	struct list_head tasks;		/* sim_task.node */
	struct world *world;
	struct wait_queue_head signalfd_wqh; /* models sighand->signalfd_wqh */
	uint64_t shared_pending;	/* models signal->shared_pending: bit (sig - 1) */
	struct sim_task *curr_target;	/* models signal->curr_target; NULL: the first thread */
};

enum task_state {
	TASK_IDLE,		/* no call in progress */
	TASK_SLEEPING,		/* parked in a call */
	TASK_WOKEN,		/* on the run queue, about to re-enter its call */
};

/* Models struct task_struct's thread part. */
struct sim_task {
	int tid;
	char name[32];
	struct sim_process *proc;
	struct world *world;
	enum task_state state;
	struct list_head node;		/* sim_process.tasks */
	struct list_head run_node;	/* world.runq when TASK_WOKEN */
	struct list_head done_node;	/* world.completed when a parked call finished */
	long (*resume)(struct sim_task *t); /* continuation of the parked call */
	void (*cancel)(struct sim_task *t); /* undo a parked call when the thread goes away */
	void *call_state;		/* the parked call's own state */
	long result;			/* a finished parked call's result */
	bool has_result;
	struct sim_timer timer;		/* models the hrtimer sleeper of a timed sleep */
	bool timer_fired;
	uint64_t pending;		/* models task->pending: signal bit (sig - 1) */
	uint64_t blocked;		/* models task->blocked */
	uint64_t saved_sigmask;		/* models task->saved_sigmask */
	bool restore_sigmask;		/* models TIF_RESTORE_SIGMASK */
	uint64_t handled;		/* signals whose handler ran since the last look */
	bool uninterruptible;		/* asleep in a fault: only an explicit release wakes it */
	int stall_slot;			/* the next epoll_wait's copy into this slot stalls; -1: none */
};

struct sim_process *process_create(struct world *w);
/* Models do_fork() for the fd table: a new process whose table is a copy of parent's. */
struct sim_process *process_fork(struct sim_process *parent);
void process_destroy(struct sim_process *p);
struct sim_task *task_create(struct sim_process *p, const char *name);
struct sim_task *world_find_task(const struct world *w, int tid);

/* Models set_current_state() + schedule(): park t with a continuation. Returns -EPSIM_PENDING. */
long task_sleep(struct sim_task *t, long (*resume)(struct sim_task *t),
		void (*cancel)(struct sim_task *t));
/* Models try_to_wake_up(): a sleeping task becomes runnable. 1 if it was woken. */
int task_wake(struct sim_task *t);
/* Arm / cancel the thread's timed-sleep timer (models schedule_hrtimeout_range). */
void task_arm_timer(struct sim_task *t, uint64_t expires);
void task_cancel_timer(struct sim_task *t);
/* Models default_wake_function(): a wait entry whose private is a sim_task. */
int default_wake_function(struct wait_queue_entry *wq_entry, unsigned mode, int flags, void *key);
/* Models exit_to_user_mode(): restore a temporary signal mask, run handlers of pending signals. */
void task_syscall_exit(struct sim_task *t, long ret);
/* Take a finished parked call's result. false if the thread is still in its call. */
bool task_take_result(struct sim_task *t, long *ret);

#endif
