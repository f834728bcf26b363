/* Helpers shared by the benchmarks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "bench_util.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_min(const double *v, size_t n)
{
	double m = n ? v[0] : 0;

	for (size_t i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

double bench_max(const double *v, size_t n)
{
	double m = n ? v[0] : 0;

	for (size_t i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/* fs.nr_open: the ceiling of RLIMIT_NOFILE even for root. */
static long nr_open(void)
{
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");
	long v = 1048576;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 1048576;
		fclose(f);
	}
	return v;
}

long bench_raise_nofile(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if ((long)rl.rlim_cur >= want)
		return (long)rl.rlim_cur;
	if (want > nr_open())
		want = nr_open();
	if ((long)rl.rlim_max < want) {
		struct rlimit up = { (rlim_t)want, (rlim_t)want };
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			return want;
		/* Not privileged: go as far as the hard limit allows. */
		want = (long)rl.rlim_max;
	}
	rl.rlim_cur = (rlim_t)want;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		fprintf(stderr, "bench: setrlimit(RLIMIT_NOFILE, %ld): %s\n", want, strerror(errno));
	getrlimit(RLIMIT_NOFILE, &rl);
	return (long)rl.rlim_cur;
}

long bench_parse_long(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "bench: %s wants an integer in %ld..%ld, got '%s'\n", opt, min, max, s);
		exit(2);
	}
	return v;
}
