/*
 * `epsim fuzz`: a differential fuzzing campaign. Seeds S, S+1, ... each give
 * one random trace (fuzz_gen.c) that runs on two backends; the first
 * divergence that reproduces is shrunk (fuzz_shrink.c) and written to
 * OUT/fuzz-divergence-SEED.trace. With --jobs J the seeds are dealt to J
 * worker processes (worker j takes S+j, S+j+J, ...), so a campaign shards
 * by seed range with no coordination. Exit status: 0 no divergence, 1 a
 * divergence, 2 trouble (bad usage, a trace a backend could not run, a
 * generated trace that does not parse, fds or threads leaked).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"
#include "xalloc.h"

#define EXIT_DIVERGE 1
#define EXIT_TROUBLE 2
#define MAX_JOBS 256
#define DEFAULT_COUNT 1000
#define SHRINK_RERUNS 2		/* a shrink candidate must give the same logs 3 times */
#define FINAL_RERUNS 5		/* and the shrunk trace 6 times */

const char *fuzz_help =
	"usage: epsim fuzz [OPTIONS]\n"
	"  Generate random valid traces, run each on two backends (the kernel and the\n"
	"  simulator) and compare the logs. The first divergence that reproduces is shrunk\n"
	"  to a minimal trace, written to OUT/fuzz-divergence-SEED.trace and printed.\n"
	"  --seed S        first seed (default 1); a seed fully determines its trace\n"
	"  --count N       number of traces: seeds S .. S+N-1 (default 1000, or no\n"
	"                  limit with --time)\n"
	"  --time SEC      stop after SEC seconds\n"
	"  --jobs J        J worker processes; worker j runs seeds S+j, S+j+J, ...\n"
	"  --backend-a B   reference backend (default kernel)\n"
	"  --backend-b B   backend under test (default sim)\n"
	"  --steps N       at most N steps per trace (default 40)\n"
	"  --threads N     at most N threads besides main per trace (default 3)\n"
	"  --no FEATURE    leave out threads, signals, timers, nest, dup, errors or\n"
	"                  blocking (blocking files); repeatable\n"
	"  --keep-going    do not stop at the first divergence\n"
	"  --no-shrink     write divergences as generated\n"
	"  --reruns N      runs of each backend that must agree before a divergence\n"
	"                  counts (default 2); one that changes is counted as flaky\n"
	"  --out DIR       where divergence files go (default .)\n"
	"  --print         print the traces of the seeds instead of running them\n"
	"  --quiet         no progress line\n"
	"  A progress line (traces/s, divergences) goes to stderr. Exit 0 if no\n"
	"  divergence was found, 1 if one was, 2 on trouble.\n";

struct fuzz_cfg {
	uint64_t seed;
	long long count;	/* < 0: unlimited */
	double time_s;		/* <= 0: unlimited */
	int jobs;
	struct fuzz_pair pair;
	struct fuzz_gen_opts gen;
	bool keep_going, shrink, print, quiet;
	const char *out;
};

/* The --no FEATURE names: bit i is FUZZ_F_* (1 << i). */
static const char *const feature_names[] = { "threads", "signals", "timers", "nest", "dup",
					     "errors", "blocking" };
#define NFEATURES ((int)(sizeof(feature_names) / sizeof(feature_names[0])))

/* Per worker, in memory shared with the parent. */
struct fuzz_counters {
	atomic_llong runs, diverge, flaky, trouble;
};

struct fuzz_shared {
	atomic_int stop;
	struct fuzz_counters w[MAX_JOBS];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct backend_ops *backend_named(const char *name)
{
	if (!strcmp(name, "sim"))
		return &sim_backend_ops;
	if (!strcmp(name, "kernel"))
		return &kernel_backend_ops;
	return NULL;
}

/* ---------------------------------------------------------- reporting */

/* Write a whole buffer to stdout at once, so workers do not interleave. */
static void emit_stdout(const char *s)
{
	size_t len = strlen(s), off = 0;

	fflush(stdout);
	while (off < len) {
		ssize_t n = write(STDOUT_FILENO, s + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

/* text with every line prefixed by "#   ". */
static void put_commented(FILE *f, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");
		fprintf(f, "#   %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

/* How to run one seed again with these options. */
static void put_repro(FILE *f, const struct fuzz_cfg *c, uint64_t seed)
{
	fprintf(f, "epsim fuzz --seed %llu --count 1 --backend-a %s --backend-b %s --steps %d "
		   "--threads %d",
		(unsigned long long)seed, c->pair.a->name, c->pair.b->name, c->gen.max_steps,
		c->gen.max_threads);
	for (int i = 0; i < NFEATURES; i++)
		if (!(c->gen.features & (1u << i)))
			fprintf(f, " --no %s", feature_names[i]);
}

/* A finding as a trace file: the reproduce command, a note, the report as comments, the trace. */
static char *render_finding(const struct fuzz_cfg *c, const char *kind, uint64_t seed,
			    const char *note, const char *report, const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	fprintf(m, "# epsim fuzz: %s, seed %llu\n# reproduce: ", kind, (unsigned long long)seed);
	put_repro(m, c, seed);
	fprintf(m, "\n");
	if (note)
		fprintf(m, "# %s\n", note);
	put_commented(m, report);
	fputs(text, m);
	fclose(m);
	return buf;
}

/* Write OUT/fuzz-KIND-SEED.trace; returns the message to print: its path and contents. */
static char *write_finding(const struct fuzz_cfg *c, const char *kind, uint64_t seed,
			   const char *note, const char *report, const char *text)
{
	char path[4096], *buf = render_finding(c, kind, seed, note, report, text), *msg;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fuzz-%s-%llu.trace", c->out, kind,
		 (unsigned long long)seed);
	f = fopen(path, "w");
	if (f) {
		fputs(buf, f);
		fclose(f);
	} else {
		fprintf(stderr, "epsim fuzz: cannot write %s: %s\n", path, strerror(errno));
	}
	n = strlen(buf) + strlen(path) + 64;
	msg = xcalloc(n, 1);
	snprintf(msg, n, "==> %s\n%s", path, buf);
	free(buf);
	return msg;
}

/* ------------------------------------------------------------ shrinking */

/* Cut the steps after the first divergence when the rest is not needed. */
static char *cut_after(const char *text, int step, const struct fuzz_target *tg)
{
	const char *s = text;
	int seen = 0;

	while (*s && step > 0) {
		size_t n = strcspn(s, "\n");
		const char *q = s + strspn(s, " \t");
		if (*q != '#' && q < s + n)
			seen++;
		s += n + (s[n] == '\n');
		if (seen == step) {
			char *cut = xcalloc((size_t)(s - text) + 1, 1);
			memcpy(cut, text, (size_t)(s - text));
			if (fuzz_pred_same_divergence((void *)tg, cut))
				return cut;
			free(cut);
			break;
		}
	}
	return xstrdup(text);
}

/* Shrink a confirmed divergence; returns the minimal text and its report. */
static char *shrink_divergence(const struct fuzz_cfg *c, const char *text, int div_step,
			       struct fuzz_outcome *out, char *note, size_t notelen)
{
	struct fuzz_target tg = { c->pair, "" };
	struct fuzz_shrink_stats st = { 0 };
	double t0 = now_s();
	char *cut, *min;

	tg.pair.reruns = SHRINK_RERUNS;
	snprintf(tg.sig, sizeof(tg.sig), "%s", out->sig);
	cut = cut_after(text, div_step, &tg);
	min = fuzz_shrink(cut, fuzz_pred_same_divergence, &tg, 0, &st);
	free(cut);
	tg.pair.reruns = FINAL_RERUNS;
	fuzz_confirm(&tg.pair, min, out);
	if (out->verdict != FUZZ_DIVERGE || out->flaky) {
		/* the minimal form does not reproduce reliably: keep the original */
		free(min);
		min = xstrdup(text);
		fuzz_confirm(&c->pair, min, out);
		snprintf(note, notelen, "not shrunk: the shrunk form (%d tests) did not reproduce",
			 st.tests);
		return min;
	}
	snprintf(note, notelen, "shrunk from %d to %d steps (%d tests, %.1f s)",
		 fuzz_count_steps(text), fuzz_count_steps(min), st.tests, now_s() - t0);
	return min;
}

/* ------------------------------------------------------------- workers */

/* A confirmed divergence: shrink, write, print. */
static void found_divergence(const struct fuzz_cfg *c, uint64_t seed, const char *text,
			     struct fuzz_outcome *out)
{
	char note[256] = "not shrunk", *min, *msg;

	min = c->shrink ? shrink_divergence(c, text, out->div_step, out, note, sizeof(note))
			: xstrdup(text);
	msg = write_finding(c, "divergence", seed, note, out->report, min);
	emit_stdout(msg);
	free(msg);
	free(min);
}

/*
 * A divergence seen once, run again with reruns: still a divergence, or
 * flaky (with the first report) when any run gives other logs.
 */
static enum fuzz_verdict confirm_divergence(const struct fuzz_cfg *c, const char *text,
					    struct fuzz_outcome *out)
{
	char *first = xstrdup(out->report);

	if (fuzz_confirm(&c->pair, text, out) != FUZZ_DIVERGE) {
		snprintf(out->report, sizeof(out->report), "%s", first);
		out->verdict = FUZZ_DIVERGE;
		out->flaky = true;
	}
	free(first);
	return out->verdict;
}

/* Run one seed; updates the counters. */
static void run_seed(const struct fuzz_cfg *c, struct fuzz_shared *sh, struct fuzz_counters *k,
		     uint64_t seed, struct fuzz_outcome *out)
{
	char *text = fuzz_generate(seed, &c->gen), *msg = NULL;
	enum fuzz_verdict v = fuzz_compare(&c->pair, text, out);

	if (v == FUZZ_DIVERGE)
		v = confirm_divergence(c, text, out);
	if (v == FUZZ_DIVERGE && out->flaky) {
		atomic_fetch_add(&k->flaky, 1);
		msg = write_finding(c, "flaky", seed, "a backend gave different logs on reruns",
				    out->report, text);
	} else if (v == FUZZ_DIVERGE) {
		atomic_fetch_add(&k->diverge, 1);
		if (!c->keep_going)
			atomic_store(&sh->stop, 1);
		found_divergence(c, seed, text, out);
	} else if (v != FUZZ_MATCH) {
		atomic_fetch_add(&k->trouble, 1);
		msg = write_finding(c, "trouble", seed, NULL, out->report, text);
	}
	if (msg)
		emit_stdout(msg);
	free(msg);
	free(text);
	atomic_fetch_add(&k->runs, 1);
}

/* The fds and threads of this process before and after its traces. */
static void leak_check(const struct fuzz_cfg *c, struct fuzz_counters *k, int job, int fds0,
		       int thr0)
{
	int fds = fuzz_count_fds(), thr = fuzz_count_threads();

	if (fds == fds0 && thr == thr0) {
		if (!c->quiet)
			fprintf(stderr, "fuzz: worker %d: %lld traces; fds %d -> %d, threads %d -> %d\n",
				job, (long long)atomic_load(&k->runs), fds0, fds, thr0, thr);
		return;
	}
	fprintf(stderr, "fuzz: worker %d: LEAK after %lld traces: fds %d -> %d, threads %d -> %d\n",
		job, (long long)atomic_load(&k->runs), fds0, fds, thr0, thr);
	atomic_fetch_add(&k->trouble, 1);
}

static int worker(const struct fuzz_cfg *c, struct fuzz_shared *sh, int job)
{
	struct fuzz_counters *k = &sh->w[job];
	struct fuzz_outcome *out = xcalloc(1, sizeof(*out));
	double deadline = c->time_s > 0 ? now_s() + c->time_s : 0;
	int fds0 = fuzz_count_fds(), thr0 = fuzz_count_threads();

	for (long long i = job; c->count < 0 || i < c->count; i += c->jobs) {
		if (atomic_load(&sh->stop) || (deadline > 0 && now_s() >= deadline))
			break;
		run_seed(c, sh, k, c->seed + (uint64_t)i, out);
	}
	free(out);
	leak_check(c, k, job, fds0, thr0);
	return 0;
}

/* ------------------------------------------------------------- parent */

struct totals {
	long long runs, diverge, flaky, trouble;
};

static struct totals sum(const struct fuzz_shared *sh, int jobs)
{
	struct totals t = { 0 };

	for (int i = 0; i < jobs; i++) {
		t.runs += atomic_load(&sh->w[i].runs);
		t.diverge += atomic_load(&sh->w[i].diverge);
		t.flaky += atomic_load(&sh->w[i].flaky);
		t.trouble += atomic_load(&sh->w[i].trouble);
	}
	return t;
}

static void progress(const struct fuzz_shared *sh, int jobs, double elapsed, bool final)
{
	struct totals t = sum(sh, jobs);

	fprintf(stderr, "%sfuzz: %lld traces in %.0f s (%.1f/s), %lld divergence%s, %lld flaky, "
			"%lld trouble%s",
		isatty(STDERR_FILENO) ? "\r" : "", t.runs, elapsed,
		elapsed > 0 ? (double)t.runs / elapsed : 0.0, t.diverge, t.diverge == 1 ? "" : "s",
		t.flaky, t.trouble, final || !isatty(STDERR_FILENO) ? "\n" : "");
}

/* Wait for the workers, printing progress; returns false if one failed. */
static bool supervise(const struct fuzz_cfg *c, struct fuzz_shared *sh, pid_t *pids)
{
	double start = now_s(), last = start;
	double every = isatty(STDERR_FILENO) ? 1.0 : 10.0;
	int alive = c->jobs;
	bool ok = true;

	while (alive > 0) {
		struct timespec nap = { 0, 200 * 1000000 };
		nanosleep(&nap, NULL);
		for (int i = 0; i < c->jobs; i++) {
			int status;
			if (pids[i] <= 0 || waitpid(pids[i], &status, WNOHANG) != pids[i])
				continue;
			ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
			pids[i] = 0;
			alive--;
		}
		if (alive > 0 && !c->quiet && now_s() - last >= every) {
			last = now_s();
			progress(sh, c->jobs, last - start, false);
		}
	}
	progress(sh, c->jobs, now_s() - start, true);
	return ok;
}

static int campaign(const struct fuzz_cfg *c)
{
	struct fuzz_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pids[MAX_JOBS] = { 0 };
	struct totals t;
	bool ok;

	if (sh == MAP_FAILED) {
		perror("epsim fuzz: mmap");
		return EXIT_TROUBLE;
	}
	memset(sh, 0, sizeof(*sh));
	fflush(NULL);
	for (int i = 0; i < c->jobs; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(worker(c, sh, i));
		if (pids[i] < 0) {
			perror("epsim fuzz: fork");
			atomic_store(&sh->stop, 1);
		}
	}
	ok = supervise(c, sh, pids);
	t = sum(sh, c->jobs);
	munmap(sh, sizeof(*sh));
	if (!ok || t.trouble)
		return EXIT_TROUBLE;
	return t.diverge ? EXIT_DIVERGE : 0;
}

static int print_traces(const struct fuzz_cfg *c)
{
	long long n = c->count < 0 ? 1 : c->count;

	for (long long i = 0; i < n; i++) {
		char *text = fuzz_generate(c->seed + (uint64_t)i, &c->gen);
		fputs(text, stdout);
		free(text);
	}
	return 0;
}

/* ------------------------------------------------------------- options */

static int feature_bit(const char *name)
{
	for (int i = 0; i < NFEATURES; i++)
		if (!strcmp(name, feature_names[i]))
			return 1 << i;
	return 0;
}

static bool parse_num(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

enum { O_SEED = 256, O_COUNT, O_TIME, O_JOBS, O_BA, O_BB, O_STEPS, O_THREADS, O_NO, O_KEEP,
       O_NOSHRINK, O_RERUNS, O_OUT, O_PRINT, O_QUIET, O_HELP };

static const struct option fuzz_opts[] = {
	{ "seed", required_argument, NULL, O_SEED },	   { "count", required_argument, NULL, O_COUNT },
	{ "time", required_argument, NULL, O_TIME },	   { "jobs", required_argument, NULL, O_JOBS },
	{ "backend-a", required_argument, NULL, O_BA },	   { "backend-b", required_argument, NULL, O_BB },
	{ "steps", required_argument, NULL, O_STEPS },	   { "threads", required_argument, NULL, O_THREADS },
	{ "no", required_argument, NULL, O_NO },	   { "keep-going", no_argument, NULL, O_KEEP },
	{ "no-shrink", no_argument, NULL, O_NOSHRINK },	   { "reruns", required_argument, NULL, O_RERUNS },
	{ "out", required_argument, NULL, O_OUT },	   { "print", no_argument, NULL, O_PRINT },
	{ "quiet", no_argument, NULL, O_QUIET },	   { "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

static bool bad_value(const char *opt, const char *v)
{
	fprintf(stderr, "epsim fuzz: bad value '%s' for --%s\n", v, opt);
	return false;
}

/* One option; false on a bad value. */
static bool apply_option(struct fuzz_cfg *c, int ch, const char *v)
{
	long long n;

	switch (ch) {
	case O_SEED:
		errno = 0;
		c->seed = strtoull(v, NULL, 10);
		return errno == 0 || bad_value("seed", v);
	case O_COUNT:
		return parse_num(v, 0, LLONG_MAX, &c->count) || bad_value("count", v);
	case O_TIME:
		c->time_s = atof(v);
		return c->time_s > 0 || bad_value("time", v);
	case O_JOBS:
		if (!parse_num(v, 1, MAX_JOBS, &n))
			return bad_value("jobs", v);
		c->jobs = (int)n;
		return true;
	case O_BA:
		return (c->pair.a = backend_named(v)) != NULL || bad_value("backend-a", v);
	case O_BB:
		return (c->pair.b = backend_named(v)) != NULL || bad_value("backend-b", v);
	case O_STEPS:
		if (!parse_num(v, 2, 100000, &n))
			return bad_value("steps", v);
		c->gen.max_steps = (int)n;
		c->gen.min_steps = c->gen.min_steps > (int)n ? (int)n : c->gen.min_steps;
		return true;
	case O_THREADS:
		if (!parse_num(v, 0, 16, &n))
			return bad_value("threads", v);
		c->gen.max_threads = (int)n;
		return true;
	case O_NO:
		if (!feature_bit(v))
			return bad_value("no", v);
		c->gen.features &= ~(unsigned)feature_bit(v);
		return true;
	case O_RERUNS:
		if (!parse_num(v, 0, 100, &n))
			return bad_value("reruns", v);
		c->pair.reruns = (int)n;
		return true;
	case O_OUT:
		c->out = v;
		return true;
	default:
		return false;
	}
}

static int parse_args(struct fuzz_cfg *c, int argc, char **argv)
{
	bool count_given = false;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", fuzz_opts, NULL)) != -1) {
		if (ch == O_HELP) {
			fputs(fuzz_help, stdout);
			exit(0);
		}
		if (ch == O_KEEP || ch == O_NOSHRINK || ch == O_PRINT || ch == O_QUIET) {
			c->keep_going |= ch == O_KEEP;
			c->shrink &= ch != O_NOSHRINK;
			c->print |= ch == O_PRINT;
			c->quiet |= ch == O_QUIET;
			continue;
		}
		count_given |= ch == O_COUNT;
		if (ch == '?' || !apply_option(c, ch, optarg))
			return -1;
	}
	if (optind != argc) {
		fprintf(stderr, "epsim fuzz: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!count_given)
		c->count = c->print ? 1 : c->time_s > 0 ? -1 : DEFAULT_COUNT;
	return 0;
}

int fuzz_main(int argc, char **argv)
{
	struct fuzz_cfg c = { .seed = 1, .jobs = 1, .shrink = true, .out = "." };

	c.pair.a = &kernel_backend_ops;
	c.pair.b = &sim_backend_ops;
	c.pair.reruns = 2;
	fuzz_gen_defaults(&c.gen);
	if (parse_args(&c, argc, argv) != 0) {
		fputs(fuzz_help, stderr);
		return EXIT_TROUBLE;
	}
	if (c.print)
		return print_traces(&c);
	return campaign(&c);
}
