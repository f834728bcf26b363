/* poll, select and fcntl steps on the kernel backend (raw system calls). */
#ifndef EPSIM_KERNEL_MPX_H
#define EPSIM_KERNEL_MPX_H

#include <stdbool.h>
#include "backend.h"

/* The calls this file runs. */
bool kernel_mpx_is_call(enum sys_nr nr);
/* Run one: the return value or -errno. F_SETOWN_EX's thread must already be a tid in c->fd2. */
long kernel_mpx_call(const struct sys_call *c);
/*
 * Keep poll and select to fds the backend created (own(ctx, fd) says which):
 * another fd in a pollfd becomes one no process can have open (POLLNVAL, as a
 * closed fd), and one in a select set makes the call EBADF, as a closed fd does.
 */
void kernel_mpx_own_fds(struct sys_call *c, bool (*own)(void *ctx, int fd), void *ctx);

#endif
