/*
 * One workload, two targets: the simulator through its C API (sim/epsim.h)
 * and the real kernel through raw system calls. The benchmarks drive either
 * through this table so that both run exactly the same calls.
 */
#ifndef EPSIM_BENCH_TARGET_H
#define EPSIM_BENCH_TARGET_H

#include <stdint.h>
#include <sys/epoll.h>

struct world;

struct bench_target {
	const char *name;	/* "sim" or "kernel" */
	struct world *w;	/* the simulator's world; NULL for the kernel */
	long (*epoll_create1)(struct bench_target *t, int flags);
	long (*eventfd)(struct bench_target *t);	/* non-blocking, counter 0 */
	long (*ctl)(struct bench_target *t, int epfd, int op, int fd, struct epoll_event *ev);
	long (*wait)(struct bench_target *t, int epfd, struct epoll_event *out, int max,
		     int timeout_ms);
	long (*write)(struct bench_target *t, int fd, uint64_t value);	/* eventfd add */
	long (*read)(struct bench_target *t, int fd);			/* eventfd drain */
	long (*close)(struct bench_target *t, int fd);
};

/* A simulator target with room for nofile fds; NULL on failure. */
struct bench_target *bench_sim_target(int nofile);
/* The kernel target (raw syscalls in this process). */
struct bench_target *bench_kernel_target(void);
void bench_target_free(struct bench_target *t);

#endif
