/*
 * Differential fuzzing: random valid traces from a seed (fuzz_gen.c), a
 * two-backend comparison (fuzz_diverge.c), a shrinker that reduces a
 * diverging trace to a minimal one (fuzz_shrink.c) and the `epsim fuzz`
 * campaign driver (fuzz_cli.c). docs/fuzzing.md describes their use.
 */
#ifndef EPSIM_FUZZ_H
#define EPSIM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "backend.h"

/* Families of operations the generator may use (fuzz_gen_opts.features). */
#define FUZZ_F_THREADS 0x1	/* threads that block in a wait, and idle-thread calls */
#define FUZZ_F_SIGNALS 0x2	/* sigmask, signal, sigpending, pwait sigmask= */
#define FUZZ_F_TIMERS 0x4	/* timerfd, settime that never fires during a trace */
#define FUZZ_F_NEST 0x8		/* epoll fds registered in epoll fds */
#define FUZZ_F_DUP 0x10		/* dup, dup2 */
#define FUZZ_F_ERRORS 0x20	/* badfd, bad ctl ops, bad max=, buf=null, flags=1 */
#define FUZZ_F_BLOCKING 0x40	/* blocking files, read and written by threads that may sleep */
#define FUZZ_F_ALL 0x7f

struct fuzz_gen_opts {
	int min_steps;		/* steps per trace: uniformly in [min_steps, max_steps] */
	int max_steps;
	int max_threads;	/* threads besides main */
	unsigned features;	/* FUZZ_F_* */
};

/* The defaults: 4..40 steps, up to 3 threads, every feature. */
void fuzz_gen_defaults(struct fuzz_gen_opts *o);
/*
 * The trace for a seed, as text (malloc'd). The same seed and options give
 * the same text; the text always parses.
 */
char *fuzz_generate(uint64_t seed, const struct fuzz_gen_opts *o);

/* ------------------------------------------------------------ compare */

enum fuzz_verdict {
	FUZZ_MATCH,	/* both logs equal */
	FUZZ_DIVERGE,	/* the logs differ */
	FUZZ_INVALID,	/* the text does not parse */
	FUZZ_TROUBLE,	/* a backend could not run the trace */
};

/* Two backends to compare: a is the reference (the kernel, by default). */
struct fuzz_pair {
	const struct backend_ops *a, *b;
	int watchdog_ms;	/* <= 0: the backends' default */
	int reruns;		/* confirm a divergence by running each backend this many more times */
};

struct fuzz_outcome {
	enum fuzz_verdict verdict;
	int div_step;		/* step of the first differing log line (1-based), 0 if none/"end" */
	bool flaky;		/* a rerun of one backend gave a different log: not reproducible */
	char sig[64];		/* the ops of the first differing lines, "write/write" */
	char report[4096];	/* the first divergence with context, or the trouble */
};

/* Parse text and run it on both backends of p; fills out. Returns out->verdict. */
enum fuzz_verdict fuzz_compare(const struct fuzz_pair *p, const char *text,
			       struct fuzz_outcome *out);
/* fuzz_compare, then rerun each backend p->reruns times: out->flaky if a log changed. */
enum fuzz_verdict fuzz_confirm(const struct fuzz_pair *p, const char *text,
			       struct fuzz_outcome *out);

/* ------------------------------------------------------------- shrink */

/* Is this candidate still interesting (still diverging)? */
typedef bool (*fuzz_pred_fn)(void *ctx, const char *text);

struct fuzz_shrink_stats {
	int tests;		/* predicate calls */
	int steps_before, steps_after;
};

/*
 * Reduce text (which must satisfy pred) to a smaller trace that still does:
 * delta debugging over steps (a removed step takes the steps that use the
 * names it defines with it; candidates that do not parse are skipped), then
 * simpler arguments (fewer options and flags, smaller numbers). At most
 * max_tests predicate calls (<= 0: 5000). Returns malloc'd text.
 */
char *fuzz_shrink(const char *text, fuzz_pred_fn pred, void *ctx, int max_tests,
		  struct fuzz_shrink_stats *st);
/* The predicate "still diverges, reproducibly" for a struct fuzz_pair (ctx). */
bool fuzz_pred_diverges(void *ctx, const char *text);

/* A divergence to keep while shrinking: the same signature (fuzz_outcome.sig). */
struct fuzz_target {
	struct fuzz_pair pair;
	char sig[64];
};

/* The predicate "still diverges reproducibly, at the same kind of step" (ctx: fuzz_target). */
bool fuzz_pred_same_divergence(void *ctx, const char *text);

/* --------------------------------------------------------------- misc */

/* The number of steps of a trace text, or -1 if it does not parse. */
int fuzz_count_steps(const char *text);
/* Open fds and threads of this process (from /proc/self). */
int fuzz_count_fds(void);
int fuzz_count_threads(void);

/* `epsim fuzz ...` (argv[0] is "fuzz"); returns the exit status. */
int fuzz_main(int argc, char **argv);
extern const char *fuzz_help;

#endif
