/* Benchmark 2 on the simulator, through its C API (sim/epsim.h), with its cost counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/poll.h>
#include "bench_util.h"
#include "epsim.h"
#include "scaling.h"

#define TID EPSIM_MAIN_TID
#define MAX_READY 128

struct scaling_env {
	struct world *w;
	long n;
	int *fds;
	int ep;
	int nfds;		/* highest fd + 1, for select */
	size_t set_words;	/* longs of a select bitmap (the kernel reads nfds bits, any size) */
	unsigned long *set_all;	/* every watched fd */
	unsigned long *set_io;	/* the copy select reads and writes */
	struct pollfd *pfds;
};

static void s_close(struct scaling_env *e)
{
	if (e->w)
		epsim_world_destroy(e->w);
	free(e->fds);
	free(e->set_all);
	free(e->set_io);
	free(e->pfds);
	free(e);
}

/* The select bitmap and the pollfd array of every watched fd, as on the kernel. */
static int s_build_sets(struct scaling_env *e)
{
	const size_t bits = 8 * sizeof(unsigned long);

	e->set_words = ((size_t)e->nfds + bits - 1) / bits;
	e->set_all = calloc(e->set_words, sizeof(unsigned long));
	e->set_io = calloc(e->set_words, sizeof(unsigned long));
	e->pfds = calloc((size_t)e->n, sizeof(struct pollfd));
	if (!e->set_all || !e->set_io || !e->pfds)
		return -1;
	for (long i = 0; i < e->n; i++) {
		size_t fd = (size_t)e->fds[i];
		e->set_all[fd / bits] |= 1ul << (fd % bits);
		e->pfds[i] = (struct pollfd){ .fd = e->fds[i], .events = POLLIN };
	}
	return 0;
}

static int s_make_fds(struct scaling_env *e, char *err, size_t errlen)
{
	long ep = epsim_epoll_create1(e->w, TID, 0);

	if (ep < 0) {
		snprintf(err, errlen, "epoll_create1: error %ld", -ep);
		return -1;
	}
	e->ep = (int)ep;
	for (long i = 0; i < e->n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
		long fd = epsim_eventfd2(e->w, TID, 0, EFD_NONBLOCK);
		long r = fd < 0 ? fd : epsim_epoll_ctl(e->w, TID, e->ep, EPOLL_CTL_ADD, (int)fd, &ev);
		if (r < 0) {
			snprintf(err, errlen, "eventfd or ADD #%ld: error %ld", i, -r);
			return -1;
		}
		e->fds[i] = (int)fd;
		if (fd >= e->nfds)
			e->nfds = (int)fd + 1;
	}
	return 0;
}

static struct scaling_env *s_open(long n, char *err, size_t errlen)
{
	struct world_config wc = { .nofile = (int)n + 64, .max_user_watches = 1L << 40 };
	struct scaling_env *e = calloc(1, sizeof(*e));

	if (!e || !(e->fds = calloc((size_t)n, sizeof(int)))) {
		free(e);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->n = n;
	e->w = epsim_world_create(&wc);
	if (!e->w || s_make_fds(e, err, errlen) != 0 || s_build_sets(e) != 0) {
		if (!err[0])
			snprintf(err, errlen, "out of memory");
		s_close(e);
		return NULL;
	}
	return e;
}

static bool s_has(const struct scaling_env *e, enum mux m)
{
	(void)e;
	(void)m;
	return true;
}

static void s_drain(struct scaling_env *e, int fd)
{
	uint64_t v;

	if (epsim_read(e->w, TID, fd, sizeof(v), &v) != sizeof(v))
		abort();
}

/* select: copy the full set in, the simulator scans nfds bits, then scan the result. */
static long s_select(struct scaling_env *e, uint64_t *call_ns)
{
	const size_t bits = 8 * sizeof(unsigned long);
	struct timeval tv = { 0, 0 };
	uint64_t t0;
	long n, seen = 0;

	memcpy(e->set_io, e->set_all, e->set_words * sizeof(unsigned long));
	t0 = bench_now_ns();
	n = epsim_select(e->w, TID, e->nfds, (fd_set *)e->set_io, NULL, NULL, &tv);
	*call_ns += bench_now_ns() - t0;
	for (size_t w = 0; n > 0 && w < e->set_words && seen < n; w++) {
		for (unsigned long b = e->set_io[w]; b; b &= b - 1) {
			s_drain(e, (int)(w * bits + (size_t)__builtin_ctzl(b)));
			seen++;
		}
	}
	return n;
}

/* poll: the simulator copies in and polls all N, then scan revents. */
static long s_poll(struct scaling_env *e, uint64_t *call_ns)
{
	uint64_t t0 = bench_now_ns();
	long n = epsim_poll(e->w, TID, e->pfds, (unsigned int)e->n, 0), seen = 0;

	*call_ns += bench_now_ns() - t0;
	for (long i = 0; n > 0 && i < e->n && seen < n; i++) {
		if (e->pfds[i].revents & POLLIN) {
			s_drain(e, e->pfds[i].fd);
			seen++;
		}
	}
	return n;
}

static long s_epoll(struct scaling_env *e, uint64_t *call_ns)
{
	struct epoll_event out[MAX_READY];
	uint64_t t0 = bench_now_ns();
	long n = epsim_epoll_wait(e->w, TID, e->ep, out, MAX_READY, MAX_READY, 0);

	*call_ns += bench_now_ns() - t0;
	for (long i = 0; i < n; i++)
		s_drain(e, e->fds[out[i].data.u64]);
	return n;
}

static long s_loop(struct scaling_env *e, enum mux m, const long *active, int a, uint64_t *call_ns)
{
	for (int i = 0; i < a; i++)
		if (epsim_write(e->w, TID, e->fds[active[i]], sizeof(uint64_t), 1) != sizeof(uint64_t))
			return -1;
	switch (m) {
	case MUX_SELECT:
		return s_select(e, call_ns);
	case MUX_POLL:
		return s_poll(e, call_ns);
	case MUX_EPOLL:
		return s_epoll(e, call_ns);
	default:
		return -1;
	}
}

static void s_counters(const struct scaling_env *e, struct sim_stats *out)
{
	*out = *epsim_stats(e->w);
}

const struct scaling_ops scaling_sim_ops = {
	.name = "sim",
	.envs_coexist = true,
	.open = s_open,
	.has = s_has,
	.loop = s_loop,
	.counters = s_counters,
	.close = s_close,
};
