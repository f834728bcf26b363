/*
 * The one interface both backends implement: issue system calls on named
 * threads, then settle. The runner turns trace steps into these calls, so
 * nothing about a step is decided twice.
 */
#ifndef EPSIM_BACKEND_H
#define EPSIM_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <sys/epoll.h>

enum sys_nr {
	SYS_EPOLL_CREATE,	/* epoll_create(num) */
	SYS_EPOLL_CREATE1,	/* epoll_create1(flags) */
	SYS_EPOLL_CTL,		/* epoll_ctl(fd, op, fd2, ev_null ? NULL : &ev) */
	SYS_EPOLL_WAIT,		/* epoll_wait(fd, buffer, maxevents, timeout_ms) */
	SYS_PIPE2,		/* pipe2(fds, flags) */
	SYS_EVENTFD2,		/* eventfd2(num, flags) */
	SYS_SOCKETPAIR,		/* socketpair(AF_UNIX, op | flags, 0, fds) */
	SYS_READ,		/* read(fd, buf, num) */
	SYS_WRITE,		/* write(fd, buf, num); for an eventfd the 8-byte value num */
	SYS_CLOSE,		/* close(fd) */
	SYS_DUP,		/* dup(fd) */
	SYS_DUP2,		/* dup2(fd, fd2) */
	SYS_SHUTDOWN,		/* shutdown(fd, op) */
	SYS_NANOSLEEP,		/* sleep num milliseconds (the virtual clock in the simulator) */
	SYS_EPOLL_PWAIT,	/* epoll_pwait(fd, buffer, maxevents, timeout_ms, sigmask, sigsetsize) */
	SYS_EPOLL_PWAIT2,	/* epoll_pwait2(fd, buffer, maxevents, ts, sigmask, sigsetsize) */
	SYS_TGKILL,		/* tgkill(tgid, tid of thread fd2, op): fd2's own process, whichever it is */
	SYS_SIGPROCMASK,	/* rt_sigprocmask(op, &sigmask, NULL, 8) of the calling thread */
	SYS_SIGPENDING,		/* rt_sigpending of the calling thread: the set in value */
	SYS_TIMERFD_CREATE,	/* timerfd_create(CLOCK_MONOTONIC, flags) */
	SYS_TIMERFD_SETTIME,	/* timerfd_settime(fd, 0, {interval_ms, num ms}, NULL) */
	SYS_UNSTALL,		/* release the stalled copy of thread fd2's wait (not a system call) */
	SYS_FORK,		/* fork() of the calling thread's process: its child's thread becomes thread fd2 */
	SYS_EXIT,		/* the child process of thread fd2 ends (SIGKILL in the kernel) */
	SYS_SIGNALFD,		/* signalfd4(-1, &sigmask, 8, flags) */
	SYS_SOCKET,		/* socket(AF_INET, SOCK_STREAM | flags, 0) */
	SYS_BIND,		/* bind(fd, 127.0.0.1 port 0) */
	SYS_LISTEN,		/* listen(fd, num) */
	SYS_CONNECT,		/* connect(fd, 127.0.0.1 and the port of getsockname(fd2)) */
	SYS_ACCEPT4,		/* accept4(fd, NULL, NULL, flags) */
	SYS_SO_LINGER,		/* setsockopt(fd, SOL_SOCKET, SO_LINGER, {1, num}) */
	SYS_SO_ERROR,		/* getsockopt(fd, SOL_SOCKET, SO_ERROR): the error in value */
	SYS_FILL,		/* write(fd, 64 KiB) until a write fails: that failure */
	SYS_DRAIN,		/* read(fd, 64 KiB) until a read fails or is 0: that result */
	SYS_POLL,		/* poll(pfds, nfds, timeout_ms); pfds[npfds..nfds) faults */
	SYS_SELECT,		/* select(nfds, fdsets[0..2], timeout_ms < 0 ? NULL : &tv) */
	SYS_FCNTL,		/* fcntl(fd, op, num); F_SETOWN_EX: {F_OWNER_TID, tid of thread fd2} */
	SYS_URING_SETUP,	/* io_uring_setup(num entries) */
	SYS_URING_POLL,		/* io_uring_enter(fd, 1) of POLL_ADD on fd2, ev.events, user_data ev.data */
	SYS_URING_READ,		/* io_uring_enter(fd, 1) of READ of num bytes from fd2, user_data ev.data */
	SYS_URING_WAIT,		/* io_uring_enter(fd, 0, num, GETEVENTS), then reap the CQ into events[]
				 * (events = res as uint32, data = user_data); ret = CQEs reaped */
	SYS_KILL,		/* kill(pid of the process of thread fd2, op) */
};

/* Which buffer a wait hands the kernel. */
enum sys_buf {
	SYS_BUF_VALID,		/* buf_slots valid slots, and the rest of maxevents faults */
	SYS_BUF_NULL,		/* a NULL pointer */
};

struct sys_call {
	enum sys_nr nr;
	int fd, fd2;
	int op;			/* ctl op, shutdown how, socket type */
	int flags;		/* O_NONBLOCK, O_CLOEXEC, EFD_SEMAPHORE, EPOLL_CLOEXEC ... */
	long long num;
	bool fd_is_counter;	/* eventfd or timerfd: read/write an 8-byte value */
	bool fd_is_siginfo;	/* signalfd: read one 128-byte siginfo; the signal number in value */
	struct epoll_event ev;
	bool ev_null;
	int maxevents;
	long long timeout_ms;
	enum sys_buf buf;
	int buf_slots;		/* valid slots from the start of the buffer (<= maxevents) */
	bool has_sigmask;	/* pwait/pwait2: pass &sigmask (else NULL); sigprocmask: the set */
	uint64_t sigmask;	/* bit (sig - 1) */
	int sigsetsize;
	bool ts_null;		/* pwait2: NULL timeout */
	long long ts_sec, ts_nsec;
	long long interval_ms;	/* timerfd_settime */
	bool has_stall;		/* waits: the copy into slot stall_slot stalls until SYS_UNSTALL */
	int stall_slot;
	struct pollfd *pfds;	/* poll: the caller's array, revents written back into it */
	unsigned int npfds;	/* poll: valid entries of pfds */
	long long nfds;		/* poll, select: the nfds argument */
	unsigned long *fdsets[3]; /* select: in, out, ex sets of FDS_BYTES(nfds) bytes, or NULL */
};

#define SYS_MAX_EVENTS_COPY 4096
/* Models MAX_RW_COUNT (INT_MAX & PAGE_MASK): the most one read or write moves; the runner's byte cap. */
#define SYS_MAX_RW_COUNT 0x7ffff000LL

struct sys_result {
	long ret;		/* >= 0, or -errno */
	bool watchdog;		/* the call never finished: cut by the watchdog */
	int fds[2];		/* new fds from pipe2/socketpair; fds[0] for single-fd creators */
	uint64_t value;		/* eventfd/timerfd read value; sigpending set */
	int nevents;		/* events copied out (ret when ret > 0) */
	struct epoll_event events[SYS_MAX_EVENTS_COPY];
};

struct backend;

/* What the simulator's allocator saw in one run (filled when the backend closes). */
struct sim_alloc_report {
	long allocs;		/* allocations attempted, from world creation on */
	long failed;		/* allocations failed on purpose (alloc_fail_at) */
	long absorbed;		/* of those, failures the kernel absorbs with no error (alloc.h) */
	long leaked;		/* allocations still live once the world was destroyed */
};

struct backend_config {
	long max_user_watches;	/* simulator only; <= 0: default */
	int watchdog_ms;	/* bound on a call that should not block; <= 0: default 2000 */
	bool check;		/* simulator: the runner checks the world's invariants after every step */
	long alloc_fail_at;	/* simulator: fail allocation number N (1-based, from world creation); 0: never */
	struct sim_alloc_report *alloc_report; /* simulator: filled at close; may be NULL */
	int kernel_release;	/* simulator: the kernel profile (sim/kprofile.h KREL); 0: the default */
};

typedef void (*backend_done_fn)(void *ctx, int thread, const struct sys_result *res);

/* One line of /proc/self/fdinfo/EPFD: a registered fd, its stored mask and data. */
struct sys_fdinfo_item {
	int tfd;
	uint32_t events;
	uint64_t data;
};

struct backend_ops {
	const char *name; /* "sim" or "kernel" */
	/* Create a fresh backend; NULL with a message in err on failure. */
	struct backend *(*open)(const struct backend_config *cfg, char *err, size_t errlen);
	/* Tear everything down: every fd, thread and process it made. */
	void (*close)(struct backend *b);
	/* Kernel release (uname -r) or "epsim". */
	const char *(*version)(struct backend *b);
	/* Make thread number `thread` (1, 2, ...; 0 is the main thread and always exists). */
	int (*thread_new)(struct backend *b, int thread, const char *name);
	/*
	 * Issue a call on a thread. The main thread (0) always finishes its call:
	 * returns 1 with res filled (res->watchdog if it had to be cut). Another
	 * thread may block: returns 1 if it finished at once, 0 if it is asleep in
	 * the call; its completion is reported by a later settle. -1: the thread
	 * is busy or unknown.
	 */
	int (*submit)(struct backend *b, int thread, const struct sys_call *call,
		      struct sys_result *res);
	/*
	 * Wait until every thread is finished or asleep in its call, then report
	 * each call that finished since the last settle through done().
	 */
	int (*settle)(struct backend *b, backend_done_fn done, void *ctx);
	/*
	 * The interest set of epoll fd epfd of the main process, as fdinfo shows it:
	 * fills up to max items, returns how many there are, or -errno.
	 */
	int (*fdinfo)(struct backend *b, int epfd, struct sys_fdinfo_item *items, int max);
	/*
	 * Check the backend's internal invariants (the simulator's world_check):
	 * 0 if they hold, -1 with a reason in why. NULL for a backend with none.
	 */
	int (*check)(struct backend *b, char *why, size_t len);
};

extern const struct backend_ops sim_backend_ops;
extern const struct backend_ops kernel_backend_ops;

#endif
