/*
 * Live mode: the simulator's eventpoll answering a real program's epoll calls
 * (libepsim_live.so, loaded with LD_PRELOAD). One world per process, guarded by
 * one lock; the program's fd numbers are the simulated process's fd numbers.
 */
#ifndef EPSIM_LIVE_H
#define EPSIM_LIVE_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/types.h>
#include "list.h"

struct world;
struct file;
struct sim_task;

/* What the library knows about one program fd (live_state.fdkind). */
enum live_fdkind {
	LIVE_FD_NONE = 0,	/* unknown to the simulator: the kernel's */
	LIVE_FD_HOST,		/* a host file installed in the simulated fd table */
	LIVE_FD_EPOLL,		/* a simulated epoll instance (the visible fd is a pipe read end) */
	LIVE_FD_PRIVATE,	/* the library's own (kernel epoll, pipe write ends, wake fds) */
};

/* The largest fd the library tracks (RLIMIT_NOFILE is capped to this). */
#define LIVE_MAX_FDS (1 << 20)
/* A bounce buffer of this many events is always enough; larger ones follow the fd count. */
#define LIVE_MAX_BATCH 4096

/* One program thread that called into epoll: its simulated task and its wake-up fd. */
struct live_thread {
	int sim_tid;
	int wakefd;			/* eventfd written when the parked call finished */
	bool notified;			/* wakefd written for the current call */
	uint64_t gen;			/* live_state.gen it belongs to (a fork starts a new one) */
	struct epoll_event *buf;	/* bounce buffer the simulator writes events into */
	int bufcap;
	struct live_thread *next;	/* live_state.threads / free list */
};

/* One simulated epoll instance the program holds. */
struct live_instance {
	int rfd;			/* a private dup of the visible pipe read end, to drain it */
	int wfd;			/* the pipe's write end (private) */
	int nfds;			/* program fds that refer to the instance */
	bool readable;			/* one byte sits in the pipe */
	struct file *file;		/* the simulated [eventpoll] file */
	struct list_head node;		/* live_state.instances */
};

/* Cumulative figures of the run (--stats). */
struct live_counters {
	uint64_t creates, ctls, waits, wait_events, sleeps, kernel_events, host_polls;
	uint64_t passthrough, efault;
};

struct live_log;
struct live_shadow;
struct live_rec;

/* The library's whole state: one per process (see live_state.c). */
struct live_state {
	pthread_mutex_t lock;		/* models ep->mtx and ep->lock together: one per world */
	struct world *w;
	pid_t pid;			/* the process the state belongs to (fork detection) */
	uint64_t gen;
	unsigned char *fdkind;		/* LIVE_MAX_FDS bytes, enum live_fdkind */
	int nofile;
	int kep;			/* private kernel epoll of every host file, EPOLLET */
	pthread_t helper;
	bool helper_running;
	int helper_stop[2];		/* pipe that ends the helper thread */
	struct live_thread **by_tid;	/* sim tid -> thread */
	int ntids;
	struct live_thread *free_threads;
	struct list_head instances;
	struct live_counters count;
	struct live_log *log;
	struct live_shadow *shadow;
	struct live_rec *rec;
	bool print_stats;
	void *host_map;			/* cookie -> host file (host_kernel.c) */
	uint64_t next_cookie;
	bool forked;			/* set in a fork child: redo the kernel side on next entry */
};

/* live_state.c */
struct live_state *live_get(void);		/* lock taken; NULL on ENOMEM */
void live_put(struct live_state *st);		/* settle the world, then unlock */
void live_settle(struct live_state *st);	/* notify finished sleepers, refresh indicators */
struct live_thread *live_self(struct live_state *st);	/* NULL on ENOMEM */
uint64_t live_now_ns(void);
void live_advance(struct live_state *st);	/* the world's clock follows CLOCK_MONOTONIC */
enum live_fdkind live_kind(int fd);		/* lock-free look at fdkind */
void live_set_kind(struct live_state *st, int fd, enum live_fdkind k);
int live_private_fd(struct live_state *st, int fd);	/* move fd up out of the program's way */
struct live_instance *live_find_instance(struct live_state *st, int fd);
struct fdtable *live_files(struct live_state *st);	/* the simulated process's fd table */
struct live_state *live_state_peek(void);
struct live_thread *live_self_peek(void);

/* live_fd.c: keeping the simulated fd table in step */
void live_sim_close(struct live_state *st, int fd);	/* the program closed fd */
void live_sim_dup(struct live_state *st, int oldfd, int newfd);	/* newfd now names oldfd's file */

/* live_fork.c */
void live_fork_init(struct live_state *st);
void live_fork_fixup(struct live_state *st);
/* live_options.c */
void live_options_init(struct live_state *st);

/* live_sys.c: the kernel's calls, bypassing the interposed symbols */
long live_sys(long nr, long a, long b, long c, long d, long e, long f);
int live_sys_ret(long r);			/* -errno -> -1 with errno */
int live_copy_in(void *dst, const void *src, size_t n);	/* 0 or -EFAULT */
int live_copy_out(void *dst, const void *src, size_t n);	/* 0 or -EFAULT */

/* host_file.c */
int host_file_install(struct live_state *st, struct sim_task *t, int fd);
bool host_file_stale(struct live_state *st, int fd);
bool file_is_host(const struct file *f);
void host_file_wake(struct file *f, uint32_t events);
int host_file_realfd(const struct file *f);
void host_file_renumber(struct live_state *st, int closing);	/* before closing a host fd */
/* host_kernel.c */
int host_kernel_register(struct live_state *st, int realfd, struct file *f, uint64_t *cookie);
void host_kernel_unregister(struct live_state *st, uint64_t cookie, int realfd);
int host_kernel_start(struct live_state *st);
void host_kernel_dispatch(struct live_state *st, uint64_t cookie, uint32_t events);
void host_kernel_after_fork(struct live_state *st);
void host_kernel_drain(struct live_state *st);	/* dispatch what the kernel has, now */

/* live_log.c */
void live_log_open(struct live_state *st);
void live_logf(struct live_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool live_logging(const struct live_state *st);

#endif
