/*
 * Child processes for the kernel backend: `fork NAME` makes a real child
 * that shares the parent's open files (a copy of its fd table) and runs the
 * system calls the runner sends it, one at a time, over a private channel
 * (its "call server"). A child can fork in turn: its call server forks a
 * grandchild, which gets its own channel to the runner.
 */
#ifndef EPSIM_KPROC_H
#define EPSIM_KPROC_H

#include <stdint.h>
#include <sys/types.h>
#include "backend.h"

struct kproc {
	pid_t pid;
	int chan;	/* the runner's end of the channel, above the fds traces use */
	int pidfd;	/* a grandchild's pidfd (it is not ours to reap); -1 for our own child */
};

/*
 * How a call server runs one call. ctx is the child's own copy of what it
 * pointed to at fork time (the call server's state lives in the child).
 */
struct kproc_server {
	long (*run)(void *ctx, const struct sys_call *c, struct sys_result *res);
	void *ctx;
};

/*
 * Fork a child of this process that serves calls with srv, its signal mask
 * set to blocked (the forking thread's: bit sig - 1). 0 with p filled, or -errno.
 */
int kproc_fork(struct kproc *p, const struct kproc_server *srv, uint64_t blocked);
/*
 * Ask child parent's call server to fork: the grandchild has a copy of the
 * child's fd table, call server state and signal mask. 0 with child filled, or -errno.
 */
int kproc_fork_from(struct kproc *parent, struct kproc *child);
/*
 * Send one call and wait for its result. When the wait is interrupted by
 * the watchdog's signal (SIGUSR2), the signal is passed on to the child and the
 * wait goes on. 0, or -errno when the child is gone.
 */
int kproc_call(struct kproc *p, const struct sys_call *c, struct sys_result *res);
/* End the child (SIGKILL), wait until it is gone (reaped, for our own child), close the channel. */
void kproc_kill(struct kproc *p);

#endif
