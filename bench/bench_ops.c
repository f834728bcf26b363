/*
 * Benchmark 1: the simulator against the kernel, per operation.
 *
 * The same workload on both targets: K non-blocking eventfds watched by one
 * epoll instance; a round times K epoll_ctl ADDs, K MODs, K DELs, and K
 * epoll_wait calls that each find exactly one ready item (level-triggered,
 * so it stays ready). Rounds alternate between the targets so that machine
 * noise hits both alike; the report gives medians over the rounds.
 *
 * The ops_round_* functions hold nothing but the calls, so that callgrind can
 * count their instructions alone: --toggle-collect='ops_round_add*' (see
 * BENCHMARKS.md); each runs once per round, over K fds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include "bench_target.h"
#include "bench_util.h"

enum { OP_ADD, OP_MOD, OP_DEL, OP_WAIT, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "epoll_ctl ADD", "epoll_ctl MOD",
						"epoll_ctl DEL", "epoll_wait, 1 ready" };

/* One target's instance and its watched fds. */
struct ops_setup {
	struct bench_target *t;
	int ep;
	int *fds;
	int k;
};

static void check(long ret, const char *what, const struct ops_setup *s)
{
	if (ret < 0) {
		fprintf(stderr, "bench_ops: %s on %s: error %ld\n", what, s->t->name, -ret);
		exit(1);
	}
}

__attribute__((noinline)) static void ops_round_add(struct ops_setup *s)
{
	for (int i = 0; i < s->k; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
		check(s->t->ctl(s->t, s->ep, EPOLL_CTL_ADD, s->fds[i], &ev), "ADD", s);
	}
}

__attribute__((noinline)) static void ops_round_mod(struct ops_setup *s)
{
	for (int i = 0; i < s->k; i++) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = (uint64_t)~i };
		check(s->t->ctl(s->t, s->ep, EPOLL_CTL_MOD, s->fds[i], &ev), "MOD", s);
	}
}

__attribute__((noinline)) static void ops_round_del(struct ops_setup *s)
{
	for (int i = 0; i < s->k; i++)
		check(s->t->ctl(s->t, s->ep, EPOLL_CTL_DEL, s->fds[i], NULL), "DEL", s);
}

/* K waits, each returning the one ready eventfd (fds[k/2], kept readable). */
__attribute__((noinline)) static void ops_round_wait(struct ops_setup *s)
{
	struct epoll_event out[16];

	for (int i = 0; i < s->k; i++) {
		long n = s->t->wait(s->t, s->ep, out, 16, 0);
		if (n != 1) {
			fprintf(stderr, "bench_ops: wait on %s returned %ld, not 1\n", s->t->name, n);
			exit(1);
		}
	}
}

static void ops_setup_init(struct ops_setup *s, struct bench_target *t, int k)
{
	s->t = t;
	s->k = k;
	s->fds = calloc((size_t)k, sizeof(int));
	if (!s->fds)
		exit(1);
	s->ep = (int)t->epoll_create1(t, 0);
	check(s->ep, "epoll_create1", s);
	for (int i = 0; i < k; i++) {
		long fd = t->eventfd(t);
		check(fd, "eventfd", s);
		s->fds[i] = (int)fd;
	}
}

static void ops_setup_fini(struct ops_setup *s)
{
	for (int i = 0; i < s->k; i++)
		s->t->close(s->t, s->fds[i]);
	s->t->close(s->t, s->ep);
	free(s->fds);
}

/* Untimed: watch every fd (the set-up of the wait round). */
static void ops_fill(struct ops_setup *s)
{
	for (int i = 0; i < s->k; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
		check(s->t->ctl(s->t, s->ep, EPOLL_CTL_ADD, s->fds[i], &ev), "ADD", s);
	}
}

/* Untimed: unwatch every fd. */
static void ops_clear(struct ops_setup *s)
{
	for (int i = 0; i < s->k; i++)
		check(s->t->ctl(s->t, s->ep, EPOLL_CTL_DEL, s->fds[i], NULL), "DEL", s);
}

/* Time fn over the K fds of s: thread CPU nanoseconds per op. */
static double time_per_op(void (*fn)(struct ops_setup *), struct ops_setup *s)
{
	uint64_t t0 = bench_cpu_ns();

	fn(s);
	return (double)(bench_cpu_ns() - t0) / s->k;
}

/* One round on one target: ADD, MOD, DEL, then the waits; ns/op into per_op[]. */
static void ops_round(struct ops_setup *s, double per_op[OP_COUNT])
{
	int ready = s->fds[s->k / 2];

	per_op[OP_ADD] = time_per_op(ops_round_add, s);
	per_op[OP_MOD] = time_per_op(ops_round_mod, s);
	per_op[OP_DEL] = time_per_op(ops_round_del, s);
	ops_fill(s);
	check(s->t->write(s->t, ready, 1), "write", s);
	per_op[OP_WAIT] = time_per_op(ops_round_wait, s);
	check(s->t->read(s->t, ready), "read", s);
	ops_clear(s);
}

struct ops_args {
	int k, rounds;
	int sim_only;	/* for callgrind: run the simulator alone */
};

static void usage(void)
{
	fprintf(stderr, "usage: bench_ops [--fds K] [--rounds R] [--sim-only]\n");
	exit(2);
}

static struct ops_args parse_args(int argc, char **argv)
{
	struct ops_args a = { .k = 1000, .rounds = 21 };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fds") && i + 1 < argc)
			a.k = (int)bench_parse_long("--fds", argv[++i], 1, 100000);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			a.rounds = (int)bench_parse_long("--rounds", argv[++i], 1, 10000);
		else if (!strcmp(argv[i], "--sim-only"))
			a.sim_only = 1;
		else
			usage();
	}
	return a;
}

static void report(const struct ops_args *a, double *sim[OP_COUNT], double *ker[OP_COUNT])
{
	printf("bench_ops: %d watched eventfds, %d rounds of %d ops each;\n"
	       "thread CPU ns/op, median (min..max)\n",
	       a->k, a->rounds, a->k);
	printf("%-21s %22s %22s %10s %8s\n", "op", "simulator", "kernel", "sim/kern", "goal");
	for (int op = 0; op < OP_COUNT; op++) {
		double smin = bench_min(sim[op], (size_t)a->rounds);
		double smax = bench_max(sim[op], (size_t)a->rounds);
		double kmin = bench_min(ker[op], (size_t)a->rounds);
		double kmax = bench_max(ker[op], (size_t)a->rounds);
		double sm = bench_median(sim[op], (size_t)a->rounds);
		double km = bench_median(ker[op], (size_t)a->rounds);
		char sbuf[40], kbuf[40];

		snprintf(sbuf, sizeof(sbuf), "%.1f (%.0f..%.0f)", sm, smin, smax);
		snprintf(kbuf, sizeof(kbuf), "%.1f (%.0f..%.0f)", km, kmin, kmax);
		if (a->sim_only)
			printf("%-21s %22s\n", op_names[op], sbuf);
		else
			printf("%-21s %22s %22s %10.4f %8s   (1/%.0f)\n", op_names[op], sbuf, kbuf,
			       sm / km, sm / km <= 0.05 ? "met" : "NOT met", km / sm);
	}
}

int main(int argc, char **argv)
{
	struct ops_args a = parse_args(argc, argv);
	struct ops_setup sim, ker;
	double *ts[OP_COUNT], *tk[OP_COUNT];

	bench_raise_nofile(a.k + 64);
	ops_setup_init(&sim, bench_sim_target(a.k + 64), a.k);
	if (!a.sim_only)
		ops_setup_init(&ker, bench_kernel_target(), a.k);
	for (int op = 0; op < OP_COUNT; op++) {
		ts[op] = calloc((size_t)a.rounds, sizeof(double));
		tk[op] = calloc((size_t)a.rounds, sizeof(double));
	}
	for (int r = 0; r < a.rounds; r++) {
		double ps[OP_COUNT], pk[OP_COUNT];
		ops_round(&sim, ps);
		if (!a.sim_only)
			ops_round(&ker, pk);
		for (int op = 0; op < OP_COUNT; op++) {
			ts[op][r] = ps[op];
			tk[op][r] = a.sim_only ? 0 : pk[op];
		}
	}
	report(&a, ts, tk);
	ops_setup_fini(&sim);
	bench_target_free(sim.t);
	if (!a.sim_only) {
		ops_setup_fini(&ker);
		bench_target_free(ker.t);
	}
	for (int op = 0; op < OP_COUNT; op++) {
		free(ts[op]);
		free(tk[op]);
	}
	return 0;
}
