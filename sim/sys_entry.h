/* The entry and exit of a simulated system call, for calls defined outside syscalls.c. */
#ifndef EPSIM_SYS_ENTRY_H
#define EPSIM_SYS_ENTRY_H

struct sim_task;
struct world;

/* The calling thread: known and not inside another call, else NULL (the call is -ESRCH). */
struct sim_task *sys_current(struct world *w, int tid);
/* End of a call: signal work on the way out (unless it parked), then run the threads it woke. */
long sys_exit(struct world *w, struct sim_task *t, long ret);

#endif
