/*
 * Running one trace text on two backends and comparing their logs, for the
 * fuzzer and its shrinker. A divergence is confirmed by rerunning each
 * backend: a log that changes between runs of the same backend is a timing
 * artefact (flaky), not a simulator bug.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "logdiff.h"
#include "runner.h"
#include "trace.h"

int fuzz_count_steps(const char *text)
{
	struct trace *t = NULL;
	struct trace_error err;
	int n;

	if (trace_parse("fuzz", text, strlen(text), &t, &err) != 0)
		return -1;
	n = (int)t->nsteps;
	trace_free(t);
	return n;
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int fuzz_count_fds(void)
{
	int n = count_dir("/proc/self/fd");

	return n < 0 ? -1 : n - 1;	/* not the one listing the directory */
}

int fuzz_count_threads(void)
{
	return count_dir("/proc/self/task");
}

/* Run t on ops; the log lines in l. -1 (message in err) if the run failed. */
static int run_lines(const struct trace *t, const struct backend_ops *ops, int watchdog_ms,
		     struct log_lines *l, char *err, size_t errlen)
{
	struct run_options o;
	struct run_result res;

	memset(&o, 0, sizeof(o));
	o.cfg.watchdog_ms = watchdog_ms;
	o.cfg.check = true;	/* the simulator checks its invariants after every step */
	if (run_trace(t, ops, &o, &res, err, errlen) != 0) {
		run_result_free(&res);
		return -1;
	}
	log_lines_from_log(&res.log, l);
	run_result_free(&res);
	return 0;
}

/* The step number a log line starts with; 0 for "end" lines. */
static int line_step(const char *line)
{
	return atoi(line);
}

/* Index of the first line where a and b differ. */
static size_t first_difference(const struct log_lines *a, const struct log_lines *b)
{
	size_t i = 0;

	while (i < a->n && i < b->n && strcmp(a->lines[i], b->lines[i]) == 0)
		i++;
	return i;
}

static bool lines_equal(const struct log_lines *a, const struct log_lines *b)
{
	return a->n == b->n && first_difference(a, b) == a->n;
}

/* The op word of a log line ("fdinfo", "wait", ...), after the step number and thread. */
static void line_op(const char *line, char *op, size_t len)
{
	const char *p;
	size_t n;

	if (!line) {
		snprintf(op, len, "(end)");
		return;
	}
	p = line + strcspn(line, " ");	/* past the step number or "end" */
	p += strspn(p, " ");
	n = strcspn(p, " ");
	if (n > 0 && p[n - 1] == ':') {	/* a thread prefix */
		p += n;
		p += strspn(p, " ");
		n = strcspn(p, " ");
	}
	snprintf(op, len, "%.*s", (int)n, p);
}

/* Where a and b part: the step of the first differing line, and the report. */
static void describe(const struct fuzz_pair *p, const struct log_lines *a,
		     const struct log_lines *b, struct fuzz_outcome *out)
{
	size_t i = first_difference(a, b);
	const char *la = i < a->n ? a->lines[i] : NULL, *lb = i < b->n ? b->lines[i] : NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	char opa[32], opb[32];

	out->div_step = line_step(la ? la : lb ? lb : "0");
	line_op(la, opa, sizeof(opa));
	line_op(lb, opb, sizeof(opb));
	snprintf(out->sig, sizeof(out->sig), "%s/%s", opa, opb);
	if (f) {
		log_lines_diff(a, p->a->name, b, p->b->name, 3, f);
		fclose(f);
		snprintf(out->report, sizeof(out->report), "%s", buf ? buf : "");
		free(buf);
	}
}

/* Run text once on both backends; a's and b's lines returned when the verdict is MATCH/DIVERGE. */
static enum fuzz_verdict compare_lines(const struct fuzz_pair *p, const struct trace *t,
				       struct log_lines *la, struct log_lines *lb,
				       struct fuzz_outcome *out)
{
	char err[512] = "";

	if (run_lines(t, p->a, p->watchdog_ms, la, err, sizeof(err)) != 0) {
		snprintf(out->report, sizeof(out->report), "%s: %s", p->a->name, err);
		return out->verdict = FUZZ_TROUBLE;
	}
	if (run_lines(t, p->b, p->watchdog_ms, lb, err, sizeof(err)) != 0) {
		log_lines_free(la);
		snprintf(out->report, sizeof(out->report), "%s: %s", p->b->name, err);
		return out->verdict = FUZZ_TROUBLE;
	}
	if (lines_equal(la, lb))
		return out->verdict = FUZZ_MATCH;
	describe(p, la, lb, out);
	return out->verdict = FUZZ_DIVERGE;
}

static struct trace *parse_text(const char *text, struct fuzz_outcome *out)
{
	struct trace *t = NULL;
	struct trace_error err;

	if (trace_parse("fuzz.trace", text, strlen(text), &t, &err) != 0) {
		snprintf(out->report, sizeof(out->report), "fuzz.trace:%d:%d: error: %s",
			 err.loc.line, err.loc.col, err.msg);
		out->verdict = FUZZ_INVALID;
		return NULL;
	}
	return t;
}

enum fuzz_verdict fuzz_compare(const struct fuzz_pair *p, const char *text,
			       struct fuzz_outcome *out)
{
	struct log_lines la, lb;
	struct trace *t;

	memset(out, 0, sizeof(*out));
	t = parse_text(text, out);
	if (!t)
		return out->verdict;
	if (compare_lines(p, t, &la, &lb, out) != FUZZ_TROUBLE) {
		log_lines_free(&la);
		log_lines_free(&lb);
	}
	trace_free(t);
	return out->verdict;
}

/* Does another run of ops give the same lines as l? */
static bool rerun_same(const struct fuzz_pair *p, const struct backend_ops *ops,
		       const struct trace *t, const struct log_lines *l)
{
	struct log_lines again;
	char err[512];
	bool same;

	if (run_lines(t, ops, p->watchdog_ms, &again, err, sizeof(err)) != 0)
		return false;
	same = lines_equal(l, &again);
	log_lines_free(&again);
	return same;
}

enum fuzz_verdict fuzz_confirm(const struct fuzz_pair *p, const char *text,
			       struct fuzz_outcome *out)
{
	struct log_lines la, lb;
	struct trace *t;

	memset(out, 0, sizeof(*out));
	t = parse_text(text, out);
	if (!t)
		return out->verdict;
	if (compare_lines(p, t, &la, &lb, out) == FUZZ_TROUBLE) {
		trace_free(t);
		return out->verdict;
	}
	for (int i = 0; out->verdict == FUZZ_DIVERGE && i < p->reruns && !out->flaky; i++)
		out->flaky = !rerun_same(p, p->a, t, &la) || !rerun_same(p, p->b, t, &lb);
	log_lines_free(&la);
	log_lines_free(&lb);
	trace_free(t);
	return out->verdict;
}

bool fuzz_pred_diverges(void *ctx, const char *text)
{
	const struct fuzz_pair *p = ctx;
	struct fuzz_outcome *out = malloc(sizeof(*out));
	bool yes;

	if (!out)
		return false;
	yes = fuzz_confirm(p, text, out) == FUZZ_DIVERGE && !out->flaky;
	free(out);
	return yes;
}

bool fuzz_pred_same_divergence(void *ctx, const char *text)
{
	const struct fuzz_target *tg = ctx;
	struct fuzz_outcome *out = malloc(sizeof(*out));
	bool yes;

	if (!out)
		return false;
	yes = fuzz_confirm(&tg->pair, text, out) == FUZZ_DIVERGE && !out->flaky &&
	      !strcmp(out->sig, tg->sig);
	free(out);
	return yes;
}
