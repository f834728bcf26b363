/*
 * The simulator's system-call API: one function per system call, each taking
 * the world and the calling thread, returning the kernel's result (>= 0 or
 * -errno). A call that puts its thread to sleep returns -EPSIM_PENDING; its
 * result is collected later with epsim_take_result(). After every call the
 * world runs the threads that call woke, so each call is one atomic step.
 */
#ifndef EPSIM_H
#define EPSIM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include "world.h"

#define EPSIM_MAIN_TID 1

struct world *epsim_world_create(const struct world_config *cfg);
void epsim_world_destroy(struct world *w);
/* A new thread in the process of thread `tid`; returns its tid or -errno. */
int epsim_thread_create(struct world *w, int tid, const char *name);

long epsim_epoll_create(struct world *w, int tid, int size);
long epsim_epoll_create1(struct world *w, int tid, int flags);
long epsim_epoll_ctl(struct world *w, int tid, int epfd, int op, int fd,
		     const struct epoll_event *ev);
/* events[0..nvalid) is writable; slots past nvalid fault. timeout in ms, < 0 infinite. */
long epsim_epoll_wait(struct world *w, int tid, int epfd, struct epoll_event *events, int nvalid,
		      int maxevents, int timeout_ms);
/* epoll_pwait: sigmask NULL for none; sigsetsize must be 8. */
long epsim_epoll_pwait(struct world *w, int tid, int epfd, struct epoll_event *events, int nvalid,
		       int maxevents, int timeout_ms, const uint64_t *sigmask, size_t sigsetsize);
/* epoll_pwait2: ts = {sec, nsec}, NULL for no timeout. */
long epsim_epoll_pwait2(struct world *w, int tid, int epfd, struct epoll_event *events, int nvalid,
			int maxevents, const int64_t *ts, const uint64_t *sigmask, size_t sigsetsize);
/* tgkill to a thread of the caller's process; sigprocmask and sigpending of the caller. */
long epsim_tgkill(struct world *w, int tid, int target_tid, int sig);
long epsim_sigprocmask(struct world *w, int tid, int how, uint64_t set, uint64_t *old);
long epsim_sigpending(struct world *w, int tid, uint64_t *set);
long epsim_pipe2(struct world *w, int tid, int fds[2], int flags);
long epsim_eventfd2(struct world *w, int tid, uint64_t count, int flags);
/* timerfd on CLOCK_MONOTONIC; settime with relative times in ms (initial 0 disarms). */
long epsim_timerfd_create(struct world *w, int tid, int flags);
long epsim_timerfd_settime(struct world *w, int tid, int fd, uint64_t initial_ms,
			   uint64_t interval_ms);
long epsim_socketpair(struct world *w, int tid, int domain, int type, int protocol, int fds[2]);
/* read/write count bytes; for an eventfd, *value / value is the 8-byte counter value. */
long epsim_read(struct world *w, int tid, int fd, size_t count, uint64_t *value);
long epsim_write(struct world *w, int tid, int fd, size_t count, uint64_t value);
long epsim_close(struct world *w, int tid, int fd);
long epsim_dup(struct world *w, int tid, int fd);
long epsim_dup2(struct world *w, int tid, int oldfd, int newfd);
long epsim_shutdown(struct world *w, int tid, int fd, int how);
/* Let virtual time pass: ms milliseconds, firing timers and timeouts on the way. */
void epsim_sleep(struct world *w, uint64_t ms);

/* The result of a thread's parked call, once it finished: true and *ret set. */
bool epsim_take_result(struct world *w, int tid, long *ret);
/* The next thread whose parked call finished (in completion order), or 0. */
int epsim_next_completed(struct world *w);

#endif
