/*
 * The system calls a kernel-backend thread runs for one sys_call, with the
 * buffers they need (wait buffers that fault past their valid slots, zero
 * filled read/write buffers). No state: the same code runs in the main
 * process's worker threads and in the call server of a forked child.
 */
#ifndef EPSIM_KERNEL_CALLS_H
#define EPSIM_KERNEL_CALLS_H

#include <stdatomic.h>
#include <stddef.h>
#include "backend.h"

/* n rounded up to a multiple of page. */
size_t kernel_round_page(size_t n, size_t page);
/* The wait system call of c (epoll_wait, epoll_pwait or epoll_pwait2) into buf: ret or -errno. */
long kernel_wait_syscall(const struct sys_call *c, struct epoll_event *buf);
/*
 * Run the system call of c: its result or -errno; fills res (pipe2 and
 * socketpair's fds, read values, events). A sleep interrupted by a signal
 * goes on unless *cancel is set. tgkill sends to thread group c->num.
 */
long kernel_run_syscall(const struct sys_call *c, struct sys_result *res, atomic_bool *cancel);

#endif
