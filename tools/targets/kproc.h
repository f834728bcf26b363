/*
 * Child processes for the kernel backend: `fork NAME` makes a real child
 * that shares the parent's open files (a copy of its fd table) and runs the
 * system calls the runner sends it, one at a time, over a private channel.
 */
#ifndef EPSIM_KPROC_H
#define EPSIM_KPROC_H

#include <sys/types.h>
#include "backend.h"

struct kproc {
	pid_t pid;
	int chan;	/* the parent's end of the channel, above the fds traces use */
};

/* How the child runs one call. */
typedef long (*kproc_run_fn)(const struct sys_call *c, struct sys_result *res);

/* Fork a child that serves calls with run(). 0 with p filled in the parent, or -errno. */
int kproc_fork(struct kproc *p, kproc_run_fn run);
/*
 * Send one call and wait for its result. When the wait is interrupted by
 * the watchdog's signal (SIGUSR2), the signal is passed on to the child and the
 * wait goes on. 0, or -errno when the child is gone.
 */
int kproc_call(struct kproc *p, const struct sys_call *c, struct sys_result *res);
/* End the child (SIGKILL), reap it, close the channel. */
void kproc_kill(struct kproc *p);

#endif
