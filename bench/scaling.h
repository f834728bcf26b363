/*
 * Benchmark 2, the libevent-bench / Kerrisk experiment: N watched eventfds,
 * A of them made readable in every loop, and one call of select, poll or
 * epoll_wait that finds them. A target sets up the N fds once and runs loops.
 */
#ifndef EPSIM_BENCH_SCALING_H
#define EPSIM_BENCH_SCALING_H

#include <stdbool.h>
#include <stdint.h>
#include "stats.h"

enum mux { MUX_SELECT, MUX_POLL, MUX_EPOLL, MUX_COUNT };

extern const char *const mux_names[MUX_COUNT];

struct scaling_env;

struct scaling_ops {
	const char *name;	/* "kernel" or "sim" */
	bool envs_coexist;	/* every N can be set up at once (not on the kernel: RLIMIT_NOFILE) */
	/* N non-blocking eventfds, all watched (level-triggered EPOLLIN) by one epoll; NULL on failure. */
	struct scaling_env *(*open)(long n, char *err, size_t errlen);
	/* Whether this target offers the mechanism. */
	bool (*has)(const struct scaling_env *e, enum mux m);
	/*
	 * One loop: write 1 to each of the a active fds (indices into the N),
	 * one non-blocking multiplexing call, a read of each fd it reported.
	 * Adds the time spent in the multiplexing call to *call_ns. Returns the
	 * number of ready fds the call reported (a when all is well), or -1.
	 */
	long (*loop)(struct scaling_env *e, enum mux m, const long *active, int a, uint64_t *call_ns);
	/* The simulator's cost counters so far; NULL for the kernel. */
	void (*counters)(const struct scaling_env *e, struct sim_stats *out);
	void (*close)(struct scaling_env *e);
};

extern const struct scaling_ops scaling_kernel_ops;
extern const struct scaling_ops scaling_sim_ops;

#endif
