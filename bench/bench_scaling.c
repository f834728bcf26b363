/*
 * Benchmark 2: how select, poll and epoll scale with the number of watched
 * fds N, with 1 and 100 of them active per loop, on the kernel (N up to
 * --kernel-max) and on the simulator (N up to --sim-max, with its cost
 * counters). Prints a table and the ratios of N = max against the smallest N
 * with all A active; --csv writes every row for bench/plot_scaling.py, and
 * --count-loops marks loops for callgrind instead of timing them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench_util.h"
#include "callgrind_hooks.h"
#include "scaling.h"

const char *const mux_names[MUX_COUNT] = { "select", "poll", "epoll" };

static const int actives[] = { 1, 100 };
#define NACTIVE ((int)(sizeof(actives) / sizeof(actives[0])))
#define MAX_ROWS 256
#define MAX_SAMPLES 101

struct scaling_args {
	long kernel_max, sim_max;
	int samples;
	int budget_ms;		/* per sample */
	const char *csv;
	bool kernel, sim;
	bool mux[MUX_COUNT];	/* the mechanisms to measure (--mux) */
	long count_loops;	/* --count-loops L: no timing; L loops per row marked for callgrind */
	long sizes[16];		/* --sizes: the N to measure, instead of 10, 100, ... max */
	int nsizes;
};

/* The counters reported per loop, in this order. */
static const char *const counter_names[] = { "fds_scanned", "poll_calls", "wq_added",
	"wq_removed", "callbacks", "items_scanned", "events_copied", "bytes_in", "bytes_out" };
#define NCOUNTERS ((int)(sizeof(counter_names) / sizeof(counter_names[0])))

/* One measured configuration. */
struct scaling_row {
	const char *target;
	enum mux m;
	long n;
	int active;
	double loop_s[MAX_SAMPLES], call_s[MAX_SAMPLES];	/* ns per loop, one per sample */
	int nsamples;
	double loop_ns, call_ns;	/* medians over the samples */
	long loops;			/* loops measured in all */
	double per_loop[NCOUNTERS];	/* counter deltas per loop (simulator) */
	bool has_counters;
};

static void counters_vec(const struct scaling_ops *ops, const struct scaling_env *e,
			 double v[NCOUNTERS])
{
	struct sim_stats s;

	if (!ops->counters)
		return;
	ops->counters(e, &s);
	const uint64_t c[] = { s.fds_scanned, s.poll_calls, s.wq_added, s.wq_removed, s.callbacks,
			       s.items_scanned, s.events_copied, s.bytes_in, s.bytes_out };
	for (int i = 0; i < NCOUNTERS; i++)
		v[i] = (double)c[i];
}

/* a active fds spread evenly over the n. */
static void spread(long *active, int a, long n)
{
	for (int i = 0; i < a; i++)
		active[i] = (long)((double)i * (double)n / a);
}

static void run_loop(const struct scaling_ops *ops, struct scaling_env *e, enum mux m,
		     const long *active, int a, uint64_t *call_ns)
{
	long got = ops->loop(e, m, active, a, call_ns);

	if (got != a) {
		fprintf(stderr, "bench_scaling: %s %s: %ld ready, expected %d\n", ops->name,
			mux_names[m], got, a);
		exit(1);
	}
}

/*
 * --count-loops: a warm-up loop, then L loops between callgrind client
 * requests, dumped under the row's name ("sim epoll N=1000000 active=1").
 */
static void count_loops(const struct scaling_args *args, const struct scaling_ops *ops,
			struct scaling_env *e, struct scaling_row *row)
{
	char name[96];
	long active[128];
	uint64_t call = 0;

	snprintf(name, sizeof(name), "%s %s N=%ld active=%d loops=%ld", ops->name,
		 mux_names[row->m], row->n, row->active, args->count_loops);
	spread(active, row->active, row->n);
	run_loop(ops, e, row->m, active, row->active, &call);
	CALLGRIND_START_INSTRUMENTATION;
	CALLGRIND_ZERO_STATS;
	for (long i = 0; i < args->count_loops; i++)
		run_loop(ops, e, row->m, active, row->active, &call);
	CALLGRIND_DUMP_STATS_AT(name);
	CALLGRIND_STOP_INSTRUMENTATION;
	row->loops = args->count_loops;
	printf("counted: %s\n", name);
}

/* Whether row takes a sample in round p: slow rows (one loop > 10 budgets) stop after 3. */
static bool wants_sample(const struct scaling_args *args, const struct scaling_row *row, int p)
{
	return p < 3 || row->loop_s[0] <= 10.0 * args->budget_ms * 1e6;
}

/*
 * One sample of round p: a warm-up loop (but for slow rows after their first
 * sample), then loops for at least budget_ms, one at least.
 */
static void sample(const struct scaling_args *args, const struct scaling_ops *ops,
		   struct scaling_env *e, struct scaling_row *row, int p)
{
	double c0[NCOUNTERS] = { 0 }, c1[NCOUNTERS] = { 0 };
	uint64_t budget = (uint64_t)args->budget_ms * 1000000u, call = 0, t0, cpu0, elapsed;
	long active[128], loops = 0;

	if (args->count_loops) {
		if (p == 0)
			count_loops(args, ops, e, row);
		return;
	}
	if (!wants_sample(args, row, p))
		return;
	spread(active, row->active, row->n);
	if (p == 0 || row->loop_s[0] <= (double)budget)
		run_loop(ops, e, row->m, active, row->active, &call);
	call = 0;
	counters_vec(ops, e, c0);
	cpu0 = bench_cpu_ns();
	t0 = bench_now_ns();
	do {
		run_loop(ops, e, row->m, active, row->active, &call);
		loops++;
		elapsed = bench_now_ns() - t0;
	} while (elapsed < budget);
	row->loop_s[row->nsamples] = (double)(bench_cpu_ns() - cpu0) / loops;
	counters_vec(ops, e, c1);
	row->call_s[row->nsamples++] = (double)call / loops;
	for (int i = 0; i < NCOUNTERS; i++)
		row->per_loop[i] += c1[i] - c0[i];
	row->loops += loops;
	row->has_counters = ops->counters != NULL;
}

static void print_row(const struct scaling_row *r)
{
	printf("%-6s %-6s %8ld %4d %14.0f %14.0f", r->target, mux_names[r->m], r->n, r->active,
	       r->loop_ns, r->call_ns);
	for (int i = 0; r->has_counters && i < NCOUNTERS; i++)
		printf(" %s=%.0f", counter_names[i], r->per_loop[i]);
	printf("\n");
}

/* The rows of one N: every (active, mux) the target offers; returns how many. */
static int plan_n(const struct scaling_args *args, const struct scaling_ops *ops,
		  struct scaling_env *e, long n, struct scaling_row *rows)
{
	int nrows = 0;

	for (int ai = 0; ai < NACTIVE; ai++) {
		for (int m = 0; m < MUX_COUNT; m++) {
			if (!args->mux[m] || !ops->has(e, (enum mux)m))
				continue;
			rows[nrows++] = (struct scaling_row){ .target = ops->name, .m = (enum mux)m,
				.n = n, .active = actives[ai] < n ? actives[ai] : (int)n };
		}
	}
	return nrows;
}

/* The set-up of one N, and its rows. */
struct scaling_slot {
	long n;
	struct scaling_env *e;
	struct scaling_row *rows;
	int nrows;
};

static void slot_open(const struct scaling_ops *ops, struct scaling_slot *slot)
{
	char err[256] = "";

	slot->e = ops->open(slot->n, err, sizeof(err));
	if (!slot->e) {
		fprintf(stderr, "bench_scaling: %s N=%ld: %s\n", ops->name, slot->n, err);
		exit(1);
	}
}

static void slot_close(const struct scaling_ops *ops, struct scaling_slot *slot)
{
	ops->close(slot->e);
	slot->e = NULL;
}

/* N = 10, 100, ... up to max, and max itself. */
static int sizes_upto(long max, long *sizes)
{
	int k = 0;

	for (long n = 10; n <= max; n *= 10)
		sizes[k++] = n;
	if (sizes[k - 1] != max)
		sizes[k++] = max;
	return k;
}

/*
 * Every round takes one sample of every row, every N, so slow drifts of the
 * machine (other work on the two cores) spread over all N alike; medians over
 * the rounds. The simulator keeps every N set up at once; the kernel cannot
 * (RLIMIT_NOFILE), so it sets each N up anew in every round.
 */
static int run_target(const struct scaling_args *args, const struct scaling_ops *ops, long max,
		      struct scaling_row *rows)
{
	struct scaling_slot slots[16];
	long sizes[16];
	int nsizes = 0, nrows = 0, samples = args->count_loops ? 1 : args->samples;

	for (int k = 0; k < args->nsizes; k++)
		if (args->sizes[k] <= max)
			sizes[nsizes++] = args->sizes[k];
	if (!args->nsizes)
		nsizes = sizes_upto(max, sizes);
	for (int p = 0; p < samples; p++) {
		for (int k = 0; k < nsizes; k++) {
			struct scaling_slot *sl = &slots[k];
			if (p == 0) {
				*sl = (struct scaling_slot){ .n = sizes[k], .rows = rows + nrows };
				slot_open(ops, sl);
				sl->nrows = plan_n(args, ops, sl->e, sl->n, sl->rows);
				nrows += sl->nrows;
			} else if (!ops->envs_coexist) {
				slot_open(ops, sl);
			}
			for (int i = 0; i < sl->nrows; i++)
				sample(args, ops, sl->e, &sl->rows[i], p);
			if (!ops->envs_coexist)
				slot_close(ops, sl);
		}
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "bench_scaling: %s round %d/%d done\n", ops->name, p + 1,
				samples);
	}
	for (int k = 0; ops->envs_coexist && k < nsizes; k++)
		slot_close(ops, &slots[k]);
	for (int i = 0; i < nrows && !args->count_loops; i++) {
		rows[i].loop_ns = bench_median(rows[i].loop_s, (size_t)rows[i].nsamples);
		rows[i].call_ns = bench_median(rows[i].call_s, (size_t)rows[i].nsamples);
		for (int c = 0; c < NCOUNTERS; c++)
			rows[i].per_loop[c] /= (double)rows[i].loops;
		print_row(&rows[i]);
	}
	return nrows;
}

/* The row of (target, m) with a active at N = n, or at the smallest N with a active (n = 0). */
static const struct scaling_row *find_row(const struct scaling_row *rows, int nrows,
					  const char *target, enum mux m, long n, int a)
{
	const struct scaling_row *best = NULL;

	for (int i = 0; i < nrows; i++) {
		const struct scaling_row *r = &rows[i];
		if (strcmp(r->target, target) || r->m != m || r->active != a)
			continue;
		if (n ? r->n == n : (!best || r->n < best->n))
			best = r;
	}
	return best;
}

/* time(N=max) / time(smallest N with all A active): N=10 for A=1, N=100 for A=100. */
static void print_ratios(const struct scaling_row *rows, int nrows, const char *target)
{
	long max = 0;

	for (int i = 0; i < nrows; i++)
		if (!strcmp(rows[i].target, target) && rows[i].n > max)
			max = rows[i].n;
	for (int ai = 0; ai < NACTIVE; ai++) {
		for (int m = 0; m < MUX_COUNT; m++) {
			const struct scaling_row *lo = find_row(rows, nrows, target, m, 0, actives[ai]);
			const struct scaling_row *hi = find_row(rows, nrows, target, m, max, actives[ai]);
			double r;
			if (!lo || !hi)
				continue;
			r = hi->loop_ns / lo->loop_ns;
			printf("%-6s %-6s active=%-3d N=%ld vs N=%ld: loop x%.2f, call x%.2f", target,
			       mux_names[m], actives[ai], max, lo->n, r, hi->call_ns / lo->call_ns);
			if (m == MUX_EPOLL && !strcmp(target, "sim"))
				printf("  (goal <= 1.2: %s)", r <= 1.2 ? "met" : "NOT met");
			printf("\n");
		}
	}
}

static void write_csv(const char *path, const struct scaling_row *rows, int nrows)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fprintf(f, "target,mux,n,active,loop_ns,call_ns,loops");
	for (int i = 0; i < NCOUNTERS; i++)
		fprintf(f, ",%s", counter_names[i]);
	fprintf(f, "\n");
	for (int r = 0; r < nrows; r++) {
		fprintf(f, "%s,%s,%ld,%d,%.1f,%.1f,%ld", rows[r].target, mux_names[rows[r].m],
			rows[r].n, rows[r].active, rows[r].loop_ns, rows[r].call_ns, rows[r].loops);
		for (int i = 0; i < NCOUNTERS; i++)
			if (rows[r].has_counters)
				fprintf(f, ",%.2f", rows[r].per_loop[i]);
			else
				fprintf(f, ",");
		fprintf(f, "\n");
	}
	fclose(f);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_scaling [--kernel-max N] [--sim-max N] [--samples S]\n"
			"                     [--budget-ms MS] [--only kernel|sim] [--mux select,poll,epoll]\n"
			"                     [--sizes N,N,...] [--count-loops L] [--csv FILE]\n"
			"--count-loops: no timing; L loops per row between callgrind client requests,\n"
			"for valgrind --tool=callgrind --instr-atstart=no (BENCHMARKS.md)\n");
	exit(2);
}

/* --sizes: a comma-separated list of N, increasing. */
static void parse_sizes(struct scaling_args *a, const char *list)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	a->nsizes = 0;
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (a->nsizes == 16)
			usage();
		a->sizes[a->nsizes++] = bench_parse_long("--sizes", w, 1, 10000000);
	}
}

/* --mux: a comma-separated list of select, poll, epoll. */
static void parse_mux(struct scaling_args *a, const char *list)
{
	char buf[64], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	memset(a->mux, 0, sizeof(a->mux));
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int m = 0;
		while (m < MUX_COUNT && strcmp(w, mux_names[m]))
			m++;
		if (m == MUX_COUNT)
			usage();
		a->mux[m] = true;
	}
}

static struct scaling_args parse_args(int argc, char **argv)
{
	struct scaling_args a = { .kernel_max = 100000, .sim_max = 1000000, .samples = 11,
				  .budget_ms = 10, .kernel = true, .sim = true,
				  .mux = { true, true, true } };

	for (int i = 1; i < argc; i += 2) {	/* every option takes a value */
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--kernel-max") && v)
			a.kernel_max = bench_parse_long(argv[i], v, 10, 1000000);
		else if (!strcmp(argv[i], "--sim-max") && v)
			a.sim_max = bench_parse_long(argv[i], v, 10, 10000000);
		else if (!strcmp(argv[i], "--samples") && v)
			a.samples = (int)bench_parse_long(argv[i], v, 1, MAX_SAMPLES);
		else if (!strcmp(argv[i], "--budget-ms") && v)
			a.budget_ms = (int)bench_parse_long(argv[i], v, 0, 10000);
		else if (!strcmp(argv[i], "--mux") && v)
			parse_mux(&a, v);
		else if (!strcmp(argv[i], "--sizes") && v)
			parse_sizes(&a, v);
		else if (!strcmp(argv[i], "--count-loops") && v)
			a.count_loops = bench_parse_long(argv[i], v, 1, 100000000);
		else if (!strcmp(argv[i], "--csv") && v)
			a.csv = v;
		else if (!strcmp(argv[i], "--only") && v && (!strcmp(v, "kernel") || !strcmp(v, "sim")))
			a.kernel = !strcmp(v, "kernel"), a.sim = !a.kernel;
		else
			usage();
	}
	return a;
}

/* The kernel's largest N: want, or what RLIMIT_NOFILE allows, cut to two significant digits. */
static long kernel_max_n(long want)
{
	long lim = bench_raise_nofile(want + 64), unit = 1;

	if (want + 64 <= lim)
		return want;
	want = lim - 64;
	while (want / unit >= 100)
		unit *= 10;
	want = want / unit * unit;
	fprintf(stderr, "bench_scaling: RLIMIT_NOFILE is %ld (the hard limit): kernel N up to %ld\n",
		lim, want);
	return want;
}

static void print_header(const struct scaling_args *a)
{
	if (a->count_loops) {
		printf("bench_scaling: %ld loops per row marked for callgrind (no timing)\n",
		       a->count_loops);
		return;
	}
	printf("bench_scaling: N eventfds watched, 1 and 100 active per loop; %d samples of >= %d ms, "
	       "medians;\nns per loop: thread CPU time of writes + call + reads; "
	       "ns per call: wall time of the call alone\n", a->samples, a->budget_ms);
	printf("%-6s %-6s %8s %4s %14s %14s  counters per loop (simulator)\n", "target", "mux", "N",
	       "act", "ns/loop", "ns/call");
}

int main(int argc, char **argv)
{
	struct scaling_args a = parse_args(argc, argv);
	static struct scaling_row rows[MAX_ROWS];
	int nrows = 0;
	long kmax = a.kernel ? kernel_max_n(a.kernel_max) : 0;

	print_header(&a);
	if (a.kernel)
		nrows += run_target(&a, &scaling_kernel_ops, kmax, rows + nrows);
	if (a.sim)
		nrows += run_target(&a, &scaling_sim_ops, a.sim_max, rows + nrows);
	if (a.count_loops)
		return 0;
	printf("\nratios:\n");
	print_ratios(rows, nrows, "kernel");
	print_ratios(rows, nrows, "sim");
	if (a.csv)
		write_csv(a.csv, rows, nrows);
	return 0;
}
