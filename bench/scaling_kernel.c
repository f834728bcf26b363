/* Benchmark 2 on the real kernel: select, poll and epoll_wait as raw system calls. */
#include <errno.h>
#include <sys/poll.h>	/* not <poll.h>: sim/poll.h is on the include path */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include "bench_util.h"
#include "scaling.h"

#define MAX_READY 128

struct scaling_env {
	long n;
	int *fds;
	int ep;
	int nfds;		/* highest fd + 1, for select */
	size_t set_words;	/* words of a select bitmap (any size: the syscall takes nfds bits) */
	uint64_t *set_all;	/* every watched fd */
	uint64_t *set_io;	/* the copy select reads and writes */
	struct pollfd *pfds;
};

static void k_close(struct scaling_env *e)
{
	for (long i = 0; i < e->n; i++)
		if (e->fds[i] >= 0)
			close(e->fds[i]);
	if (e->ep >= 0)
		close(e->ep);
	free(e->fds);
	free(e->set_all);
	free(e->set_io);
	free(e->pfds);
	free(e);
}

static int k_watch_all(struct scaling_env *e, char *err, size_t errlen)
{
	e->ep = epoll_create1(0);
	if (e->ep < 0) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		return -1;
	}
	for (long i = 0; i < e->n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
		if (epoll_ctl(e->ep, EPOLL_CTL_ADD, e->fds[i], &ev) != 0) {
			snprintf(err, errlen, "epoll_ctl ADD #%ld: %s", i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The select bitmap and the pollfd array of every watched fd. */
static int k_build_sets(struct scaling_env *e)
{
	e->set_words = ((size_t)e->nfds + 63) / 64;
	e->set_all = calloc(e->set_words, sizeof(uint64_t));
	e->set_io = calloc(e->set_words, sizeof(uint64_t));
	e->pfds = calloc((size_t)e->n, sizeof(struct pollfd));
	if (!e->set_all || !e->set_io || !e->pfds)
		return -1;
	for (long i = 0; i < e->n; i++) {
		int fd = e->fds[i];
		e->set_all[fd / 64] |= 1ull << (fd % 64);
		e->pfds[i] = (struct pollfd){ .fd = fd, .events = POLLIN };
	}
	return 0;
}

static struct scaling_env *k_open(long n, char *err, size_t errlen)
{
	struct scaling_env *e = calloc(1, sizeof(*e));

	if (!e || !(e->fds = malloc((size_t)n * sizeof(int)))) {
		free(e);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->n = n;
	e->ep = -1;
	memset(e->fds, -1, (size_t)n * sizeof(int));
	for (long i = 0; i < n; i++) {
		e->fds[i] = eventfd(0, EFD_NONBLOCK);
		if (e->fds[i] < 0) {
			snprintf(err, errlen, "eventfd #%ld: %s", i, strerror(errno));
			k_close(e);
			return NULL;
		}
		if (e->fds[i] >= e->nfds)
			e->nfds = e->fds[i] + 1;
	}
	if (k_watch_all(e, err, errlen) != 0 || k_build_sets(e) != 0) {
		if (!err[0])
			snprintf(err, errlen, "out of memory");
		k_close(e);
		return NULL;
	}
	return e;
}

static bool k_has(const struct scaling_env *e, enum mux m)
{
	(void)e;
	(void)m;
	return true;
}

static void k_drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		abort();
}

/* select: copy the full set in, the kernel scans nfds bits, then scan the result. */
static long k_select(struct scaling_env *e, uint64_t *call_ns)
{
	struct timeval tv = { 0, 0 };
	uint64_t t0;
	long n, seen = 0;

	memcpy(e->set_io, e->set_all, e->set_words * sizeof(uint64_t));
	t0 = bench_now_ns();
	n = syscall(SYS_select, e->nfds, e->set_io, NULL, NULL, &tv);
	*call_ns += bench_now_ns() - t0;
	for (size_t w = 0; n > 0 && w < e->set_words && seen < n; w++) {
		for (uint64_t bits = e->set_io[w]; bits; bits &= bits - 1) {
			k_drain((int)(w * 64 + (size_t)__builtin_ctzll(bits)));
			seen++;
		}
	}
	return n;
}

/* poll: the kernel copies in and polls all N, then scan revents. */
static long k_poll(struct scaling_env *e, uint64_t *call_ns)
{
	uint64_t t0 = bench_now_ns();
	long n = syscall(SYS_poll, e->pfds, (unsigned long)e->n, 0);
	long seen = 0;

	*call_ns += bench_now_ns() - t0;
	for (long i = 0; n > 0 && i < e->n && seen < n; i++) {
		if (e->pfds[i].revents & POLLIN) {
			k_drain(e->pfds[i].fd);
			seen++;
		}
	}
	return n;
}

/* epoll_wait: only the ready items come back. */
static long k_epoll(struct scaling_env *e, uint64_t *call_ns)
{
	struct epoll_event out[MAX_READY];
	uint64_t t0 = bench_now_ns();
	long n = syscall(SYS_epoll_wait, e->ep, out, MAX_READY, 0);

	*call_ns += bench_now_ns() - t0;
	for (long i = 0; i < n; i++)
		k_drain(e->fds[out[i].data.u64]);
	return n;
}

static long k_loop(struct scaling_env *e, enum mux m, const long *active, int a, uint64_t *call_ns)
{
	uint64_t one = 1;

	for (int i = 0; i < a; i++)
		if (write(e->fds[active[i]], &one, sizeof(one)) != sizeof(one))
			return -1;
	switch (m) {
	case MUX_SELECT:
		return k_select(e, call_ns);
	case MUX_POLL:
		return k_poll(e, call_ns);
	case MUX_EPOLL:
		return k_epoll(e, call_ns);
	default:
		return -1;
	}
}

const struct scaling_ops scaling_kernel_ops = {
	.name = "kernel",
	.envs_coexist = false,
	.open = k_open,
	.has = k_has,
	.loop = k_loop,
	.counters = NULL,
	.close = k_close,
};
