/*
 * The fds a kernel-backend process may touch: a set of fd numbers, and the
 * rules that keep every call to the fds the trace created (see
 * backend_kernel.c, "fd tracking"). The main process and every forked child
 * keep one set each; none of these functions lock.
 */
#ifndef EPSIM_KERNEL_FDS_H
#define EPSIM_KERNEL_FDS_H

#include <stdbool.h>
#include <stddef.h>
#include "backend.h"

struct fdset {
	unsigned char *has;
	size_t len;
};

/* Add fd (negative fds are ignored): 0, or -1 when out of memory. */
int fdset_add(struct fdset *s, int fd);
bool fdset_has(const struct fdset *s, int fd);
void fdset_del(struct fdset *s, int fd);
/* Add every fd open in this process (from /proc/self/fd): 0, or -1. */
int fdset_scan_open(struct fdset *s);
/* A copy of src into dst (empty before): 0, or -1 when out of memory. */
int fdset_copy(struct fdset *dst, const struct fdset *src);
void fdset_free(struct fdset *s);

/* The fd a call must not be allowed to close or change (close, dup2's target, fcntl), or -1. */
int kfds_closing_fd(const struct sys_call *c);
/*
 * Keep the call to fds in own: any other fd becomes -1, which every system
 * call refuses with EBADF as it does a closed fd (dup2's target may also be
 * a number free in this process). fd2 is an fd for epoll_ctl, dup2, connect
 * and the io_uring submissions only.
 */
void kfds_own_only(const struct fdset *own, struct sys_call *c);
/*
 * After the call ran: record in own what it did to the fd table, and name a
 * single new fd in res->fds[0] (pipe2 and socketpair fill both already).
 * 0, or -1 when out of memory.
 */
int kfds_track(struct fdset *own, const struct sys_call *c, struct sys_result *res);

#endif
