/*
 * The caps of a run (tools/run/run_limits.h): a trace over a cap stops with a
 * positioned error before the offending step is issued, on either backend,
 * and a trace just within the cap runs.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "run_limits.h"
#include "runner.h"
#include "trace.h"

/* A growing trace text. */
struct text {
	char *buf;
	size_t len;
};

static void emit(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct text *t, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t->buf = realloc(t->buf, t->len + (size_t)n + 1);
	memcpy(t->buf + t->len, line, (size_t)n + 1);
	t->len += (size_t)n;
}

/* Run text on a backend: the run's return code, its error in err. */
static int run_text(const struct backend_ops *ops, const char *text, char *err, size_t errlen)
{
	struct trace_error perr;
	struct trace *t = NULL;
	struct run_result res;
	int rc;

	ck_assert_msg(trace_parse("cap.trace", text, strlen(text), &t, &perr) == 0, "parse: %s",
		      perr.msg);
	err[0] = '\0';
	rc = run_trace(t, ops, NULL, &res, err, errlen);
	run_result_free(&res);
	trace_free(t);
	return rc;
}

static void expect_cap(const struct backend_ops *ops, const char *text, const char *msg)
{
	char err[512];

	ck_assert_int_eq(run_text(ops, text, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, msg) != NULL, "error '%s' lacks '%s'", err, msg);
}

static void expect_runs(const struct backend_ops *ops, const char *text)
{
	char err[512];

	ck_assert_msg(run_text(ops, text, err, sizeof(err)) == 0, "run failed: %s", err);
}

START_TEST(byte_count_cap)
{
	expect_cap(&sim_backend_ops, "pipe p\nwrite p.w 2147479553\n",
		   "cap.trace:2:1: error: write byte count 2147479553 exceeds the cap (max 2147479552)");
	expect_cap(&kernel_backend_ops, "pipe p\nread p.r 9223372036854775807\n",
		   "cap.trace:2:1: error: read byte count");
	expect_cap(&sim_backend_ops, "pipe p\nwrite p.w 18446744073709551615\n", "write byte count");
	expect_runs(&sim_backend_ops, "pipe p\nwrite p.w 2147479552\nread p.r 2147479552\n");
	/* an eventfd's write is a value, not a byte count */
	expect_runs(&sim_backend_ops, "eventfd e\nwrite e 18446744073709551614\n");
}
END_TEST

START_TEST(blocking_time_cap)
{
	expect_cap(&sim_backend_ops, "sleep 60001\n", "cap.trace:1:1: error: blocking time");
	expect_cap(&kernel_backend_ops, "epoll ep\nwait ep timeout=60001\n", "cap.trace:2:1:");
	expect_cap(&sim_backend_ops, "epoll ep\npwait2 ep ts=61,0\n", "blocking time");
	/* another thread's long wait never holds up the run */
	expect_runs(&sim_backend_ops, "epoll ep\nthread t: wait ep timeout=2147483647\nsleep 60000\n");
}
END_TEST

START_TEST(open_fd_cap)
{
	struct text t = { 0 };

	for (int i = 0; i < RUN_MAX_OPEN_FDS / 2; i++)
		emit(&t, "pipe p%d\n", i);
	expect_runs(&sim_backend_ops, t.buf);
	emit(&t, "eventfd over\n");
	expect_cap(&sim_backend_ops, t.buf, "open fd count 513 exceeds the cap (max 512)");
	free(t.buf);
	/* closing makes room again: 600 eventfds, each closed at once */
	memset(&t, 0, sizeof(t));
	for (int i = 0; i < 600; i++)
		emit(&t, "eventfd e%d\nclose e%d\n", i, i);
	expect_runs(&sim_backend_ops, t.buf);
	free(t.buf);
}
END_TEST

START_TEST(thread_cap)
{
	struct text t = { 0 };

	emit(&t, "epoll ep\n");
	for (int i = 1; i < RUN_MAX_THREADS; i++)
		emit(&t, "thread t%d: sigpending\n", i);
	expect_runs(&sim_backend_ops, t.buf);
	emit(&t, "thread one_more: sigpending\n");
	expect_cap(&sim_backend_ops, t.buf, "thread count 257 exceeds the cap (max 256)");
	free(t.buf);
}
END_TEST

START_TEST(process_cap)
{
	struct text t = { 0 };

	for (int i = 0; i < RUN_MAX_PROCESSES; i++)
		emit(&t, "fork c%d\n", i);
	emit(&t, "fork one_more\n");
	expect_cap(&sim_backend_ops, t.buf,
		   "cap.trace:33:1: error: forked process count 33 exceeds the cap (max 32)");
	free(t.buf);
}
END_TEST

/* A signal that would kill or stop the tool is never asked for, on either backend. */
START_TEST(harmful_setsig)
{
	expect_cap(&kernel_backend_ops, "eventfd e\nfcntl e setsig 9\n",
		   "cap.trace:2:1: error: fcntl setsig 9");
	expect_cap(&sim_backend_ops, "eventfd e\nfcntl e setsig 19\n", "fcntl setsig 19");
	expect_runs(&sim_backend_ops, "eventfd e\nfcntl e setsig io\nfcntl e setsig 0\n");
}
END_TEST

START_TEST(step_cap)
{
	struct text t = { 0 };
	char err[512];

	emit(&t, "eventfd e\n");
	t.buf = realloc(t.buf, t.len + (size_t)RUN_MAX_STEPS * 10 + 1);
	for (int i = 0; i < RUN_MAX_STEPS; i++) {
		memcpy(t.buf + t.len, "write e 1\n", 10);
		t.len += 10;
	}
	t.buf[t.len] = '\0';
	ck_assert_int_eq(run_text(&sim_backend_ops, t.buf, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "cap.trace:1000001:1: error: step number 1000001 exceeds the cap"),
		      "%s", err);
	free(t.buf);
}
END_TEST

static Suite *limits_suite(void)
{
	Suite *s = suite_create("run_limits");
	TCase *tc = tcase_create("caps");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, byte_count_cap);
	tcase_add_test(tc, blocking_time_cap);
	tcase_add_test(tc, open_fd_cap);
	tcase_add_test(tc, thread_cap);
	tcase_add_test(tc, process_cap);
	tcase_add_test(tc, harmful_setsig);
	tcase_add_test(tc, step_cap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(limits_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
