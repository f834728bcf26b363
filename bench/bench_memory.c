/*
 * Benchmark 3: memory per watched fd. The simulator's figure is counted by
 * glibc (mallinfo2: the bytes of the chunks in use, headers included) around
 * N eventfds and then N epoll watches of them; the kernel's figure is read
 * from its slab caches (eventpoll_epi, eventpoll_pwq) around M real watches.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "bench_util.h"
#include "epsim.h"
#include "eventpoll.h"
#include "file.h"

#define TID EPSIM_MAIN_TID
#define GOAL_BYTES 192

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* The malloc chunk behind a request of size bytes (usable size plus the 8-byte header). */
static size_t chunk_of(size_t size)
{
	void *p = calloc(1, size);
	size_t c = malloc_usable_size(p) + sizeof(size_t);

	free(p);
	return c;
}

static long sim_make_eventfds(struct world *w, long n)
{
	for (long i = 0; i < n; i++)
		if (epsim_eventfd2(w, TID, 0, EFD_NONBLOCK) < 0)
			return -1;
	return 0;
}

static long sim_watch_all(struct world *w, int ep, long n)
{
	for (long i = 0; i < n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
		/* the eventfds are fds ep+1 .. ep+n */
		if (epsim_epoll_ctl(w, TID, ep, EPOLL_CTL_ADD, ep + 1 + (int)i, &ev) != 0)
			return -1;
	}
	return 0;
}

static void sim_struct_sizes(void)
{
	printf("  sizeof(struct epitem)       = %3zu  (malloc chunk %zu)   kernel: 120, slab object 128\n",
	       sizeof(struct epitem), chunk_of(sizeof(struct epitem)));
	printf("  sizeof(struct eppoll_entry) = %3zu  (malloc chunk %zu)   kernel: 64, slab object 64\n",
	       sizeof(struct eppoll_entry), chunk_of(sizeof(struct eppoll_entry)));
	printf("  sizeof(struct file)         = %3zu  (malloc chunk %zu)   kernel: filp slab object, below\n",
	       sizeof(struct file), chunk_of(sizeof(struct file)));
}

static int sim_memory(long n)
{
	struct world_config wc = { .nofile = (int)n + 64, .max_user_watches = 1L << 40 };
	struct world *w = epsim_world_create(&wc);
	size_t h0, h1, h2;
	int ep;

	if (!w)
		return -1;
	ep = (int)epsim_epoll_create1(w, TID, 0);
	h0 = heap_in_use();
	if (ep < 0 || sim_make_eventfds(w, n) != 0)
		return -1;
	h1 = heap_in_use();
	if (sim_watch_all(w, ep, n) != 0)
		return -1;
	h2 = heap_in_use();
	if (h2 <= h1 || h1 <= h0) {
		printf("simulator: mallinfo2 saw no growth (a sanitizer's allocator?): no figure\n");
		epsim_world_destroy(w);
		return -1;
	}
	printf("simulator, %ld eventfds watched by one epoll instance (mallinfo2, chunk headers included):\n", n);
	printf("  per watch (epitem + eppoll_entry + their malloc headers): %6.1f B   goal <= %d B: %s\n",
	       (double)(h2 - h1) / n, GOAL_BYTES, (double)(h2 - h1) / n <= GOAL_BYTES ? "met" : "NOT met");
	printf("  per watched file (struct file + eventfd_ctx + fd-table entry, uthash buckets): %6.1f B\n",
	       (double)(h1 - h0) / n);
	printf("  per watched fd, all of it: %6.1f B; %zu MiB for %ld\n", (double)(h2 - h0) / n,
	       (h2 - h0) >> 20, n);
	sim_struct_sizes();
	epsim_world_destroy(w);
	return 0;
}

/* One number from a sysfs file, or -1. */
static long sysfs_long(const char *cache, const char *attr)
{
	char path[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/%s", cache, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* m real eventfds watched by one epoll instance; the caller reads the slabs around it. */
static int kernel_watch(long m, int *fds, int *ep)
{
	*ep = epoll_create1(0);
	if (*ep < 0)
		return -1;
	for (long i = 0; i < m; i++) {
		struct epoll_event ev = { .events = EPOLLIN };
		fds[i] = eventfd(0, EFD_NONBLOCK);
		if (fds[i] < 0 || epoll_ctl(*ep, EPOLL_CTL_ADD, fds[i], &ev) != 0)
			return -1;
	}
	return 0;
}

static void kernel_cache_line(const char *cache, long before, long after, long m)
{
	long obj = sysfs_long(cache, "object_size"), slab = sysfs_long(cache, "slab_size");

	printf("  %-14s object_size %3ld, slab_size %3ld; objects +%ld for %ld watches (%.2f per watch)\n",
	       cache, obj, slab, after - before, m, (double)(after - before) / m);
}

static void kernel_memory(long m)
{
	const char *caches[] = { "eventpoll_epi", "eventpoll_pwq", "filp" };
	long before[3], after[3], total = 0;
	int *fds = calloc((size_t)m, sizeof(int)), ep = -1;

	if (sysfs_long("eventpoll_epi", "object_size") < 0) {
		printf("kernel: /sys/kernel/slab/eventpoll_epi is not readable here\n");
		free(fds);
		return;
	}
	for (int c = 0; c < 3; c++)
		before[c] = sysfs_long(caches[c], "objects");
	if (!fds || kernel_watch(m, fds, &ep) != 0)
		printf("kernel: setting up %ld watches failed: %s\n", m, strerror(errno));
	for (int c = 0; c < 3; c++)
		after[c] = sysfs_long(caches[c], "objects");
	printf("kernel (SLUB caches in /sys/kernel/slab; eventpoll_pwq may be merged with other 64-byte caches):\n");
	for (int c = 0; c < 3; c++)
		kernel_cache_line(caches[c], before[c], after[c], m);
	for (int c = 0; c < 2; c++)
		total += sysfs_long(caches[c], "slab_size");
	printf("  per watch (epitem + eppoll_entry slab objects): %ld B\n", total);
	for (long i = 0; i < m; i++)
		if (fds[i] > 0)
			close(fds[i]);
	if (ep >= 0)
		close(ep);
	free(fds);
}

int main(int argc, char **argv)
{
	long n = 1000000, m = 10000;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--watches") && i + 1 < argc)
			n = bench_parse_long(argv[i], argv[i + 1], 1, 10000000), i++;
		else if (!strcmp(argv[i], "--kernel-watches") && i + 1 < argc)
			m = bench_parse_long(argv[i], argv[i + 1], 1, 1000000), i++;
		else {
			fprintf(stderr, "usage: bench_memory [--watches N] [--kernel-watches M]\n");
			return 2;
		}
	}
	if (bench_raise_nofile(m + 64) < m + 64) {
		m = bench_raise_nofile(m + 64) - 64;
		fprintf(stderr, "bench_memory: RLIMIT_NOFILE: kernel watches cut to %ld\n", m);
	}
	if (sim_memory(n) != 0) {
		fprintf(stderr, "bench_memory: no simulator figure for %ld watches\n", n);
		return 1;
	}
	kernel_memory(m);
	return 0;
}
