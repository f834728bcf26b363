/*
 * Fault injection over the whole corpus: every trace in traces/ runs on the
 * simulator once cleanly, then again with allocation N failing, for N = 1, 2,
 * ... until a run makes fewer than N allocations. Every run has the invariant
 * check on after every step. Each faulty run must
 *  - end cleanly: the run completes, or stops with a clean error (a world or
 *    thread that could not be created, or a later step the failed call made
 *    impossible, as a thread still blocked), never with a violated invariant;
 *  - show the failure where it happened: its log equals the clean log up to
 *    the first differing line, and that line reports ENOMEM (ENOBUFS for a
 *    socket buffer, as sock_alloc_send_pskb says), or is a stream write that
 *    moved fewer bytes (unix_stream_sendmsg returns what it sent before the
 *    failure); where the kernel absorbs the failure with no error to report
 *    (the model calls sim_alloc_absorbed), any later change;
 *  - leak nothing: every allocation of the world is freed at teardown (and,
 *    in the asan-ubsan preset, LeakSanitizer checks the rest of the process).
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "logdiff.h"
#include "runner.h"
#include "trace.h"

struct fi_totals {
	long traces, runs, failed_calls, clean_errors;
};

/*
 * A trace of many allocations (hundreds of epoll instances) costs allocations
 * x steps x the check, each growing with its size: a trace of at most
 * FI_FULL_UP_TO allocations is walked over every one; a larger one over its
 * first FI_DENSE, then with a stride that adds about FI_DENSE runs.
 * EPSIM_FI_FULL=1 walks every allocation of every trace.
 */
#define FI_FULL_UP_TO 100
#define FI_DENSE 25

static long fi_next(long n, long allocs)
{
	if (allocs <= FI_FULL_UP_TO || n < FI_DENSE || getenv("EPSIM_FI_FULL"))
		return n + 1;
	return n + allocs / FI_DENSE;
}

/* Run t on the simulator with allocation fail_at failing; the log lines in l. */
static int fi_run(const struct trace *t, long fail_at, struct sim_alloc_report *rep,
		  struct log_lines *l, char *err, size_t errlen)
{
	struct run_options o = { .cfg = { .check = true, .alloc_fail_at = fail_at,
					  .alloc_report = rep } };
	struct run_result res;
	int rc;

	memset(rep, 0, sizeof(*rep));
	err[0] = '\0';
	rc = run_trace(t, &sim_backend_ops, &o, &res, err, errlen);
	log_lines_from_log(&res.log, l);
	run_result_free(&res);
	return rc;
}

static bool is_clean_error(const char *err)
{
	return strstr(err, "cannot create a simulated world") || strstr(err, "cannot start thread");
}

/* The same call, and a shorter byte count: a stream write cut short by the failure. */
static bool is_short_write(const char *clean, const char *got)
{
	const char *ce = strrchr(clean, '='), *ge = strrchr(got, '=');
	char *cend, *gend;
	long cn, gn;

	if (!ce || !ge || ce - clean != ge - got || strncmp(clean, got, (size_t)(ce - clean)) != 0 ||
	    !strstr(got, " write "))
		return false;
	cn = strtol(ce + 1, &cend, 10);
	gn = strtol(ge + 1, &gend, 10);
	return *cend == '\0' && *gend == '\0' && gn >= 0 && gn < cn;
}

/* The first line where the faulty log leaves the clean one reports the failed allocation. */
static void fi_check_divergence(const char *path, long n, const struct log_lines *clean,
				const struct log_lines *got)
{
	size_t i = 0;

	while (i < clean->n && i < got->n && strcmp(clean->lines[i], got->lines[i]) == 0)
		i++;
	ck_assert_msg(i < got->n, "%s: allocation %ld failed without a trace in the log", path, n);
	ck_assert_msg(strstr(got->lines[i], "ENOMEM") || strstr(got->lines[i], "ENOBUFS") ||
			      (i < clean->n && is_short_write(clean->lines[i], got->lines[i])),
		      "%s: allocation %ld failed, and the log first differs at '%s' (clean: '%s')",
		      path, n, got->lines[i], i < clean->n ? clean->lines[i] : "(end)");
}

/* One faulty run of t: allocation n fails. false once the run made fewer than n allocations. */
static bool fi_one(const struct trace *t, long n, const struct log_lines *clean,
		   struct fi_totals *tot)
{
	struct sim_alloc_report rep;
	struct log_lines got;
	char err[600];
	int rc = fi_run(t, n, &rep, &got, err, sizeof(err));

	tot->runs++;
	ck_assert_msg(rep.leaked == 0, "%s: allocation %ld failed: %ld allocations leaked", t->path,
		      n, rep.leaked);
	if (rc != 0) {
		ck_assert_msg(rep.failed == 1 && !strstr(err, "invariant"),
			      "%s: allocation %ld failed: run stopped: %s", t->path, n, err);
		if (!is_clean_error(err) && !rep.absorbed)
			fi_check_divergence(t->path, n, clean, &got);
		tot->clean_errors++;
	} else if (rep.failed && !rep.absorbed) {
		fi_check_divergence(t->path, n, clean, &got);
		tot->failed_calls++;
	}
	log_lines_free(&got);
	return rep.failed != 0;
}

/* Walk N over one trace. */
static void fi_trace(const char *path, struct fi_totals *tot)
{
	struct sim_alloc_report rep;
	struct trace_error perr;
	struct log_lines clean;
	struct trace *t = NULL;
	char err[600];

	ck_assert_msg(trace_parse_file(path, &t, &perr) == 0, "%s: does not parse", path);
	ck_assert_msg(fi_run(t, 0, &rep, &clean, err, sizeof(err)) == 0, "%s: clean run: %s", path,
		      err);
	ck_assert_msg(rep.failed == 0 && rep.leaked == 0, "%s: clean run leaked %ld", path,
		      rep.leaked);
	if (getenv("EPSIM_FI_VERBOSE"))	/* which trace is being walked, for a slow or stuck walk */
		fprintf(stderr, "fault injection: %s: %ld allocations\n", path, rep.allocs);
	for (long n = 1; fi_one(t, n, &clean, tot); n = fi_next(n, rep.allocs))
		ck_assert_msg(n <= rep.allocs, "%s: more faulty runs than allocations", path);
	log_lines_free(&clean);
	trace_free(t);
	tot->traces++;
}

START_TEST(every_allocation_of_every_corpus_trace)
{
	struct fi_totals tot = { 0 };
	glob_t g;

	ck_assert_int_eq(glob(TRACES_DIR "/*.trace", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++)
		fi_trace(g.gl_pathv[i], &tot);
	printf("fault injection: %ld traces, %ld faulty runs: %ld calls failed with ENOMEM, "
	       "%ld runs stopped cleanly\n", tot.traces, tot.runs, tot.failed_calls,
	       tot.clean_errors);
	ck_assert_int_gt(tot.traces, 0);
	ck_assert_int_eq(tot.runs, tot.failed_calls + tot.clean_errors + tot.traces);
	globfree(&g);
}
END_TEST

/* uthash's own allocations go through the world: failing them gives ENOMEM, not exit(). */
START_TEST(uthash_allocation_failure_is_enomem)
{
	struct sim_alloc_report rep;
	struct log_lines l;
	struct trace *t = NULL;
	struct trace_error perr;
	char err[600];
	const char *text = "eventfd a\n";

	ck_assert_int_eq(trace_parse("uthash.trace", text, strlen(text), &t, &perr), 0);
	ck_assert_int_eq(fi_run(t, 0, &rep, &l, err, sizeof(err)), 0);
	log_lines_free(&l);
	/*
	 * World creation: process, fd table, main task (1-3). The eventfd: its
	 * context and file (4-5), the fd entry (6), then uthash's table and
	 * buckets for the first entry (7-8).
	 */
	ck_assert_int_eq(rep.allocs, 8);
	for (long n = 4; n <= 8; n++) {
		ck_assert_int_eq(fi_run(t, n, &rep, &l, err, sizeof(err)), 0);
		ck_assert_int_eq(rep.failed, 1);
		ck_assert_int_eq(rep.leaked, 0);
		ck_assert_str_eq(l.lines[0], "1   eventfd a                                = ENOMEM");
		log_lines_free(&l);
	}
	trace_free(t);
}
END_TEST

static Suite *fi_suite(void)
{
	Suite *s = suite_create("fault_injection");
	TCase *tc = tcase_create("corpus");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, uthash_allocation_failure_is_enomem);
	tcase_add_test(tc, every_allocation_of_every_corpus_trace);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fi_suite());
	int failed;

	/* in this process, so that LeakSanitizer (asan-ubsan preset) sees every run at exit */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
