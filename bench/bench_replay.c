/*
 * Benchmark 4: replay speed. Parses a trace, runs it on the simulator backend
 * through the runner (the path of `epsim run --backend sim`), and prints its
 * log to /dev/null, timing each phase. A second run wraps the backend's
 * methods with clocks, to tell the simulator's share of the run from the
 * runner's own (logging, fdinfo rendering). Generate a long trace first with
 * bench/gen_replay_trace.py (BENCHMARKS.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include "backend.h"
#include "bench_util.h"
#include "runner.h"
#include "trace.h"

/* Thread CPU seconds since t0 (a bench_cpu_ns() reading): preemption does not count. */
static double seconds_since(uint64_t t0)
{
	return (double)(bench_cpu_ns() - t0) / 1e9;
}

/* Time spent inside the simulator backend's methods during the timed run. */
static struct {
	uint64_t submit_ns, settle_ns, fdinfo_ns;
} in_backend;

static int timed_submit(struct backend *b, int thread, const struct sys_call *call,
			struct sys_result *res)
{
	uint64_t t0 = bench_now_ns();
	int r = sim_backend_ops.submit(b, thread, call, res);

	in_backend.submit_ns += bench_now_ns() - t0;
	return r;
}

static int timed_settle(struct backend *b, backend_done_fn done, void *ctx)
{
	uint64_t t0 = bench_now_ns();
	int r = sim_backend_ops.settle(b, done, ctx);

	in_backend.settle_ns += bench_now_ns() - t0;
	return r;
}

static int timed_fdinfo(struct backend *b, int epfd, struct sys_fdinfo_item *items, int max)
{
	uint64_t t0 = bench_now_ns();
	int r = sim_backend_ops.fdinfo(b, epfd, items, max);

	in_backend.fdinfo_ns += bench_now_ns() - t0;
	return r;
}

/* Run again with clocks around the backend's methods and say where the run's time goes. */
static void breakdown(const struct trace *t)
{
	struct backend_ops timed = sim_backend_ops;
	struct run_options o = { 0 };
	struct run_result res;
	char err[512] = "";
	uint64_t t0 = bench_cpu_ns();
	double total;

	timed.submit = timed_submit;
	timed.settle = timed_settle;
	timed.fdinfo = timed_fdinfo;
	if (run_trace(t, &timed, &o, &res, err, sizeof(err)) != 0)
		return;
	total = seconds_since(t0);
	run_result_free(&res);
	printf("  second run, wall clocks around the backend's methods: run %.3f CPU s; in the simulator: submit %.3f s, "
	       "settle %.3f s, fdinfo %.3f s; in the runner (logging, fdinfo diff): %.3f s\n",
	       total, in_backend.submit_ns / 1e9, in_backend.settle_ns / 1e9,
	       in_backend.fdinfo_ns / 1e9,
	       total - (in_backend.submit_ns + in_backend.settle_ns + in_backend.fdinfo_ns) / 1e9);
}

int main(int argc, char **argv)
{
	struct run_options o = { 0 };
	struct run_result res;
	struct trace_error perr;
	struct trace *t = NULL;
	char err[512] = "";
	double tparse, trun, tprint, total;
	uint64_t t0;
	FILE *null;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_replay TRACE   (make one: bench/gen_replay_trace.py 1000000 T)\n");
		return 2;
	}
	t0 = bench_cpu_ns();
	if (trace_parse_file(argv[1], &t, &perr) != 0) {
		trace_error_print(argv[1], &perr, stderr);
		return 2;
	}
	tparse = seconds_since(t0);
	t0 = bench_cpu_ns();
	if (run_trace(t, &sim_backend_ops, &o, &res, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_replay: %s\n", err);
		return 1;
	}
	trun = seconds_since(t0);
	null = fopen("/dev/null", "w");
	t0 = bench_cpu_ns();
	run_log_print_text(&res.log, null ? null : stdout);
	tprint = seconds_since(t0);
	if (null)
		fclose(null);
	printf("bench_replay: %zu steps, %zu log entries, %zu expectation mismatches\n", t->nsteps,
	       res.log.n, res.nmismatches);
	printf("  CPU time: parse %.3f s, run on the simulator %.3f s, print the log %.3f s; total %.3f s\n",
	       tparse, trun, tprint, tparse + trun + tprint);
	total = tparse + trun + tprint;
	printf("  %.0f steps/s end to end (%.0f steps/s in the run alone); "
	       "1,000,000 steps in %.2f s; goal < 1 s: %s\n",
	       t->nsteps / total, t->nsteps / trun, total * 1e6 / t->nsteps,
	       total * 1e6 / t->nsteps < 1.0 ? "met" : "NOT met");
	run_result_free(&res);
	breakdown(t);
	trace_free(t);
	return 0;
}
