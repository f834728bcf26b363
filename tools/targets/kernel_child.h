/*
 * The call server state of a forked child on the kernel backend: the fds it
 * may touch (a copy of the forking process's at fork time, then what its own
 * calls create and close), and how it runs one call with them.
 */
#ifndef EPSIM_KERNEL_CHILD_H
#define EPSIM_KERNEL_CHILD_H

#include <stdint.h>
#include <sys/types.h>
#include "backend.h"
#include "kernel_fds.h"

struct kernel_child {
	struct fdset own;	/* this process's fds that the trace made */
};

/* A call server state whose fds are a copy of own; NULL when out of memory. */
struct kernel_child *kernel_child_new(const struct fdset *own);
void kernel_child_free(struct kernel_child *k);
/*
 * Run one call in the child (a kproc_server's run): kept to the child's own
 * fds as the main process's calls are, the new fds named and recorded.
 */
long kernel_child_run(void *ctx, const struct sys_call *c, struct sys_result *res);
/* The blocked set of thread tid of process pid (SigBlk of /proc): 0, or -1. */
int kernel_thread_sigblk(pid_t pid, pid_t tid, uint64_t *blocked);

#endif
