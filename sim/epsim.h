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
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include "world.h"

#define EPSIM_MAIN_TID 1

struct world *epsim_world_create(const struct world_config *cfg);
void epsim_world_destroy(struct world *w);
/* A new thread in the process of thread `tid`; returns its tid or -errno. */
int epsim_thread_create(struct world *w, int tid, const char *name);
/* Models fork(): a new process with a copy of the caller's fd table and signal mask; returns its main thread's tid. */
int epsim_fork(struct world *w, int tid, const char *name);
/* Models exit_group() of the process of thread `tid`: its threads end, its fds close. */
long epsim_exit(struct world *w, int tid);

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
/*
 * tgkill(tgid, target_tid, sig) and tkill(target_tid, sig): to a thread of any
 * process (tgkill: ESRCH unless it is in thread group tgid); getpid() of a
 * thread; sigprocmask and sigpending of the caller.
 */
long epsim_tgkill(struct world *w, int tid, int tgid, int target_tid, int sig);
long epsim_tkill(struct world *w, int tid, int target_tid, int sig);
/* kill(pid, sig) of one process (pid > 0): shared pending, the kernel's choice of thread. */
long epsim_kill(struct world *w, int tid, int pid, int sig);
int epsim_getpid(const struct world *w, int tid);
long epsim_sigprocmask(struct world *w, int tid, int how, uint64_t set, uint64_t *old);
long epsim_sigpending(struct world *w, int tid, uint64_t *set);
long epsim_pipe2(struct world *w, int tid, int fds[2], int flags);
long epsim_eventfd2(struct world *w, int tid, uint64_t count, int flags);
/* signalfd4(-1, mask, flags): mask bit (sig - 1); reads return 128 with the signal number in value. */
long epsim_signalfd(struct world *w, int tid, uint64_t mask, int flags);
/* timerfd on CLOCK_MONOTONIC; settime with relative times in ms (initial 0 disarms). */
long epsim_timerfd_create(struct world *w, int tid, int flags);
long epsim_timerfd_settime(struct world *w, int tid, int fd, uint64_t initial_ms,
			   uint64_t interval_ms);
long epsim_socketpair(struct world *w, int tid, int domain, int type, int protocol, int fds[2]);
/*
 * read/write count bytes; for an eventfd, *value / value is the 8-byte counter value.
 * On a file without O_NONBLOCK a call may park (-EPSIM_PENDING) until it can go on;
 * *value is then written when it ends.
 */
long epsim_read(struct world *w, int tid, int fd, size_t count, uint64_t *value);
long epsim_write(struct world *w, int tid, int fd, size_t count, uint64_t value);
long epsim_close(struct world *w, int tid, int fd);
long epsim_dup(struct world *w, int tid, int fd);
long epsim_dup2(struct world *w, int tid, int oldfd, int newfd);
long epsim_shutdown(struct world *w, int tid, int fd, int how);
/*
 * TCP over loopback (sim/sys_socket.c, model/tcp.c): socket(AF_INET,
 * SOCK_STREAM [| SOCK_NONBLOCK | SOCK_CLOEXEC]), bind to 127.0.0.1 port 0,
 * listen, connect to 127.0.0.1:port, accept4 (a blocking one may park),
 * getsockname's port (0 when none), SO_LINGER {onoff, secs}, and SO_ERROR
 * (the pending error in *soerr, cleared).
 */
long epsim_socket(struct world *w, int tid, int domain, int type, int protocol);
long epsim_bind_loopback(struct world *w, int tid, int fd);
long epsim_listen(struct world *w, int tid, int fd, int backlog);
long epsim_connect_loopback(struct world *w, int tid, int fd, unsigned int port);
long epsim_accept4(struct world *w, int tid, int fd, int flags);
long epsim_getsockname_port(struct world *w, int tid, int fd);
long epsim_setsockopt_linger(struct world *w, int tid, int fd, int onoff, int secs);
long epsim_getsockopt_error(struct world *w, int tid, int fd, int *soerr);
/*
 * The user buffer of thread tid's next epoll_wait has a page that faults at
 * event slot `slot` until released (as a userfaultfd-registered page): the
 * transfer stalls there with the scan running. epsim_unstall releases it.
 */
long epsim_stall_next_copy(struct world *w, int tid, int slot);
long epsim_unstall(struct world *w, int tid, int target_tid);
/* Let virtual time pass: ms milliseconds, firing timers and timeouts on the way. */
void epsim_sleep(struct world *w, uint64_t ms);
/*
 * nanosleep(ms) of thread tid (sim/nanosleep.c): it parks (-EPSIM_PENDING)
 * and completes with 0 once virtual time reaches its deadline.
 */
long epsim_nanosleep(struct world *w, int tid, uint64_t ms);

/*
 * poll(fds, nfds, timeout_ms) and select(nfds, r, w, e, tv) (sim/select.h).
 * A call that parks writes its results (revents; the ready sets and the time
 * left) into the caller's memory when it ends, so that memory must outlive it.
 * epsim_poll_buf: only fds[0..nvalid) is accessible, a longer nfds faults.
 * select's sets hold FDS_BYTES(nfds) bytes each (more than an fd_set for
 * nfds > FD_SETSIZE, as the kernel reads them); tv NULL waits forever.
 */
long epsim_poll(struct world *w, int tid, struct pollfd *fds, unsigned int nfds, int timeout_ms);
long epsim_poll_buf(struct world *w, int tid, struct pollfd *fds, unsigned int nvalid,
		    unsigned int nfds, int timeout_ms);
long epsim_select(struct world *w, int tid, int nfds, fd_set *rfds, fd_set *wfds, fd_set *efds,
		  struct timeval *tv);
/*
 * fcntl: F_GETFL, F_SETFL (O_NONBLOCK, O_ASYNC, O_APPEND, O_DIRECT, O_NOATIME),
 * F_GETSIG, F_SETSIG; other commands are EINVAL. F_SETOWN_EX with F_OWNER_TID
 * is epsim_fcntl_setown_tid (owner_tid 0 clears the owner). Process owners
 * (F_SETOWN) are not modelled.
 */
long epsim_fcntl(struct world *w, int tid, int fd, unsigned int cmd, unsigned long arg);
long epsim_fcntl_setown_tid(struct world *w, int tid, int fd, int owner_tid);
/*
 * io_uring (model/io_uring.h): setup gives the ring's fd; poll_add and read
 * submit one IORING_OP_POLL_ADD / IORING_OP_READ each (1, or -errno; a bad
 * fd is a completion with -EBADF); wait is io_uring_enter(GETEVENTS,
 * min_complete) and then reaps up to max completions into cqes (which must
 * outlive a parked call), returning how many, or -errno.
 */
struct io_uring_cqe;
long epsim_io_uring_setup(struct world *w, int tid, unsigned int entries);
long epsim_io_uring_poll_add(struct world *w, int tid, int ringfd, int fd, uint32_t events,
			     uint64_t user_data);
long epsim_io_uring_read(struct world *w, int tid, int ringfd, int fd, size_t len,
			 uint64_t user_data);
long epsim_io_uring_wait(struct world *w, int tid, int ringfd, unsigned int min_complete,
			 struct io_uring_cqe *cqes, unsigned int max);
/* The world's cost counters, cumulative since creation or the last reset (sim/stats.h). */
const struct sim_stats *epsim_stats(const struct world *w);
void epsim_stats_reset(struct world *w);

/* The result of a thread's parked call, once it finished: true and *ret set. */
bool epsim_take_result(struct world *w, int tid, long *ret);
/* The next thread whose parked call finished (in completion order), or 0. */
int epsim_next_completed(struct world *w);

#endif
