/* The trace language's poll, select, fcntl and io_uring ops: parsed fields and logged results. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include "runner.h"
#include "trace.h"

static struct trace *parse(const char *text)
{
	struct trace_error err;
	struct trace *t = NULL;

	ck_assert_msg(trace_parse("t.trace", text, strlen(text), &t, &err) == 0, "%d:%d: %s",
		      err.loc.line, err.loc.col, err.msg);
	return t;
}

static void parse_fails(const char *text, const char *msg)
{
	struct trace_error err;
	struct trace *t = NULL;

	ck_assert_int_eq(trace_parse("t.trace", text, strlen(text), &t, &err), -1);
	ck_assert_str_eq(err.msg, msg);
}

START_TEST(poll_fields)
{
	struct trace *t = parse("pipe p\npoll p.r:in|rdnorm badfd:0 p.w:out timeout=-1 nfds=5\n");
	const struct trace_step *st = &t->steps[1];

	ck_assert_int_eq(st->op, TOP_POLL);
	ck_assert_int_eq(st->nfdargs, 3);
	ck_assert_uint_eq(st->fdargs[0].events, 0x41);
	ck_assert(st->fdargs[1].bad);
	ck_assert_int_eq(st->fdargs[1].obj, -1);
	ck_assert_uint_eq(st->fdargs[2].events, 0x4);
	ck_assert_int_eq(st->timeout_ms, -1);
	ck_assert(st->has_nfds);
	ck_assert_int_eq(st->nfds, 5);
	trace_free(t);
}
END_TEST

START_TEST(select_and_fcntl_fields)
{
	struct trace *t = parse("pipe p\neventfd e\nselect w=p.w r=p.r,e nfds=-1\n"
				"fcntl p.r setfl async|nonblock\nfcntl e setsig io\nfcntl e setown main\n");

	ck_assert_int_eq(t->steps[2].nfdargs, 3);
	ck_assert_uint_eq(t->steps[2].fdargs[0].events, TSEL_W);	/* in the order written */
	ck_assert_uint_eq(t->steps[2].fdargs[2].events, TSEL_R);
	ck_assert_int_eq(t->steps[2].nfds, -1);
	ck_assert_int_eq(t->steps[3].how, TFC_SETFL);
	ck_assert_int_eq(t->steps[3].num, O_ASYNC | O_NONBLOCK);
	ck_assert_int_eq(t->steps[4].how, TFC_SETSIG);
	ck_assert_int_eq(t->steps[4].sig, 29);
	ck_assert_int_eq(t->steps[5].how, TFC_SETOWN);
	ck_assert_int_eq(t->steps[5].target, 0);
	trace_free(t);
}
END_TEST

START_TEST(uring_fields)
{
	struct trace *t = parse("uring u entries=4\npipe p\nuring_poll u p.r in data=3\n"
				"uring_read u p.r 100\nuring_wait u min=2\n");

	ck_assert_int_eq(t->names[t->steps[0].obj].kind, TK_URING);
	ck_assert_int_eq(t->steps[0].num, 4);
	ck_assert_uint_eq(t->steps[2].events, 1);
	ck_assert_uint_eq(t->steps[2].data, 3);
	ck_assert_int_eq(t->steps[3].num, 100);
	ck_assert_int_eq(t->steps[4].num, 2);
	trace_free(t);
}
END_TEST

START_TEST(errors)
{
	parse_fails("pipe p\npoll p.r\n", "expected FD:EVENTS, not 'p.r'");
	parse_fails("pipe p\npoll :in\n", "missing fd before ':' in ':in'");
	parse_fails("pipe p\npoll p.r:\n", "missing events after ':' in 'p.r:'");
	parse_fails("pipe p\nselect r=p.r,,p.w\n", "empty fd name in 'p.r,,p.w'");
	parse_fails("pipe p\nselect r=p.r r=p.w\n", "duplicate option 'r'");
	parse_fails("pipe p\nfcntl p.r setfl bogus\n", "unknown file flag 'bogus'");
	parse_fails("pipe p\nfcntl p.r setown t9\n",
		    "unknown thread 't9' (use a thread before signalling it)");
	parse_fails("uring u\npipe p\nuring_read u p.r 1048577\n",
		    "number '1048577' out of range (0..1048576)");
}
END_TEST

/* Run text on the simulator; the result of log entry i. */
static char *sim_result(const char *text, size_t i)
{
	struct trace *t = parse(text);
	struct run_result res;
	char err[256];
	char *out;

	ck_assert_int_eq(run_trace(t, &sim_backend_ops, NULL, &res, err, sizeof(err)), 0);
	ck_assert_uint_gt(res.log.n, i);
	out = strdup(res.log.entries[i].result);
	run_result_free(&res);
	trace_free(t);
	return out;
}

static void result_is(const char *text, size_t i, const char *want)
{
	char *got = sim_result(text, i);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(logged_results)
{
	result_is("pipe p\nwrite p.w 1\npoll p.w:out badfd:in p.r:in|out\n", 2,
		  "2 [p.w out] [p.r in]");
	result_is("pipe p\neventfd e\nselect r=p.r,e w=e,p.w\n", 2, "2 w=e,p.w");
	result_is("pipe p\nfcntl p.w getfl\n", 1, "0 flags=wronly|nonblock");
	result_is("uring u\npipe p\nuring_poll u p.w out data=7\nuring_read u badfd 1\n"
		  "uring_wait u\n", 4, "2 [p.w res=out data=7] [badfd res=EBADF data=0]");
}
END_TEST

static Suite *trace_mpx_suite(void)
{
	Suite *s = suite_create("trace_mpx");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, poll_fields);
	tcase_add_test(tc, select_and_fcntl_fields);
	tcase_add_test(tc, uring_fields);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, logged_results);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_mpx_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
