/*
 * nanosleep of one thread on the virtual clock (models hrtimer_nanosleep()
 * and do_nanosleep()): the thread parks with its timer armed and its call
 * completes with 0 in the step in which virtual time reaches the deadline,
 * while the trace goes on. A signal that wakes it early does not end the
 * sleep: it goes back to sleep until the deadline, as the kernel backend
 * restarts an interrupted sleep.
 */
#include <errno.h>
#include "epsim.h"
#include "task.h"

/* Models the loop of do_nanosleep(): sleep again until the timer fired. */
static long nanosleep_resume(struct sim_task *t);

/* Models hrtimer_cancel() when the sleeper goes away. */
static void nanosleep_cancel(struct sim_task *t)
{
	task_cancel_timer(t);
}

static long nanosleep_resume(struct sim_task *t)
{
	if (t->timer_fired)
		return 0;
	return task_sleep(t, nanosleep_resume, nanosleep_cancel);
}

/* Models hrtimer_nanosleep() of a relative CLOCK_MONOTONIC sleep. */
long epsim_nanosleep(struct world *w, int tid, uint64_t ms)
{
	struct sim_task *t = world_find_task(w, tid);

	if (!t || t->state != TASK_IDLE)
		return -ESRCH;
	w->current = t;
	if (ms == 0)
		return 0;
	task_arm_timer(t, w->now + ms * 1000000);
	return task_sleep(t, nanosleep_resume, nanosleep_cancel);
}
