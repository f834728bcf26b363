/* Small helpers shared by the benchmarks: a clock, medians, the fd limit. */
#ifndef EPSIM_BENCH_UTIL_H
#define EPSIM_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds (vDSO: cheap enough to read around one call). */
uint64_t bench_now_ns(void);
/*
 * CPU time of the calling thread (user + system) in nanoseconds: time the
 * thread spent preempted by other work on the machine does not count. A
 * system call itself: read it around batches, not single calls.
 */
uint64_t bench_cpu_ns(void);
/* The median of v[0..n) (sorts v in place); 0 for n == 0. */
double bench_median(double *v, size_t n);
/* The smallest and largest of v[0..n). */
double bench_min(const double *v, size_t n);
double bench_max(const double *v, size_t n);
/*
 * Raise RLIMIT_NOFILE to at least want (soft and hard, as far as the
 * privileges and fs.nr_open allow). Returns the soft limit in force after.
 */
long bench_raise_nofile(long want);
/* Parse a positive integer option value; exits with a message on bad input. */
long bench_parse_long(const char *opt, const char *s, long min, long max);

#endif
