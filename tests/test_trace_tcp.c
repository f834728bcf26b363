/* Tests of the TCP words of the trace language: socket, bind, listen, connect, accept, linger, soerror, fill, drain, and the SO_ERROR log form (check framework). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "runlog.h"
#include "trace.h"

static struct trace *parse_ok(const char *text)
{
	struct trace_error err;
	struct trace *t = NULL;

	ck_assert_msg(trace_parse("t.trace", text, strlen(text), &t, &err) == 0, "%d:%d: %s",
		      err.loc.line, err.loc.col, err.msg);
	return t;
}

/* Parse text that must fail at line:col with msg. */
static void parse_bad(const char *text, int line, int col, const char *msg)
{
	struct trace_error err;
	struct trace *t = NULL;

	ck_assert_int_eq(trace_parse("t.trace", text, strlen(text), &t, &err), -1);
	ck_assert_int_eq(err.loc.line, line);
	ck_assert_int_eq(err.loc.col, col);
	ck_assert_str_eq(err.msg, msg);
}

START_TEST(test_socket_and_accept_define_tcp_names)
{
	struct trace *t = parse_ok("socket l\nsocket b blocking cloexec\naccept l s\n"
				   "accept l s2 blocking\ndup s s3\n");

	ck_assert_int_eq((int)t->nsteps, 5);
	ck_assert_int_eq(t->steps[0].op, TOP_SOCKET);
	ck_assert_int_eq(t->names[t->steps[0].obj].kind, TK_TCP);
	ck_assert_int_eq(t->steps[0].flags, 0);
	ck_assert_int_eq(t->steps[1].flags, TF_BLOCKING | TF_CLOEXEC);
	ck_assert_int_eq(t->steps[2].op, TOP_ACCEPT);
	ck_assert_str_eq(t->names[t->steps[2].obj].name, "l");
	ck_assert_str_eq(t->names[t->steps[2].obj2].name, "s");
	ck_assert_int_eq(t->names[t->steps[2].obj2].kind, TK_TCP);
	ck_assert_int_eq(t->names[t->steps[2].obj2].step, 2);
	ck_assert_int_eq(t->steps[3].flags, TF_BLOCKING);
	ck_assert_int_eq(t->names[t->steps[4].obj2].kind, TK_TCP);	/* dup copies the kind */
	ck_assert_str_eq(trace_op_name(TOP_ACCEPT), "accept");
	trace_free(t);
}
END_TEST

START_TEST(test_bind_listen_connect)
{
	struct trace *t = parse_ok("socket l\nbind l\nlisten l\nlisten l 5\nlisten l -1\n"
				   "socket c\nconnect c l\nconnect badfd l\nconnect c badfd\n");

	ck_assert_int_eq(t->steps[1].op, TOP_BIND);
	ck_assert_int_eq(t->steps[2].op, TOP_LISTEN);
	ck_assert_int_eq(t->steps[2].num, 16);		/* the default backlog */
	ck_assert_int_eq(t->steps[3].num, 5);
	ck_assert_int_eq(t->steps[4].num, -1);
	ck_assert_int_eq(t->steps[6].op, TOP_CONNECT);
	ck_assert_str_eq(t->names[t->steps[6].obj].name, "c");
	ck_assert_str_eq(t->names[t->steps[6].obj2].name, "l");
	ck_assert(t->steps[7].obj_bad && !t->steps[7].obj2_bad);
	ck_assert(t->steps[8].obj2_bad);
	ck_assert_str_eq(t->steps[6].text, "connect c l");
	trace_free(t);
}
END_TEST

START_TEST(test_linger_soerror_fill_drain)
{
	struct trace *t = parse_ok("socket c\nlinger c 0\nlinger c 30\nsoerror c => 0 error=0\n"
				   "fill c => EAGAIN\ndrain c\n");

	ck_assert_int_eq(t->steps[1].op, TOP_LINGER);
	ck_assert_int_eq(t->steps[1].num, 0);
	ck_assert_int_eq(t->steps[2].num, 30);
	ck_assert_int_eq(t->steps[3].op, TOP_SOERROR);
	ck_assert_str_eq(t->steps[3].expect, "0 error=0");
	ck_assert_int_eq(t->steps[4].op, TOP_FILL);
	ck_assert_int_eq(t->steps[5].op, TOP_DRAIN);
	trace_free(t);
}
END_TEST

START_TEST(test_tcp_parse_errors)
{
	parse_bad("socket c\nconnect c\n", 2, 10, "missing argument: TARGET");
	parse_bad("socket c\nconnect c nobody\n", 2, 11, "undefined name 'nobody'");
	parse_bad("socket l\naccept l\n", 2, 9, "missing argument: NEWNAME");
	parse_bad("socket l\naccept l l\n", 2, 10, "name 'l' already defined");
	parse_bad("socket l\naccept l s stream\n", 2, 12, "unexpected argument 'stream'");
	parse_bad("socket c\nlinger c\n", 2, 9, "missing argument: SECS");
	parse_bad("socket c\nlinger c -1\n", 2, 10, "number '-1' out of range (0..2147483647)");
	parse_bad("socket c\nlisten c 2147483648\n", 2, 10,
		  "number '2147483648' out of range (-2147483648..2147483647)");
	parse_bad("socket c\nlisten c backlog=3\n", 2, 10, "unknown option 'backlog'");
	parse_bad("socket c\nbind c 1\n", 2, 8, "unexpected argument '1'");
	parse_bad("socket p blocking=1\n", 1, 10, "option 'blocking' takes no value");
	parse_bad("pipe p\nsocket p\n", 2, 8, "name 'p' already defined");
	parse_bad("socketpair u\nbind u\n", 2, 6, "'u' is a socketpair: use u.0 or u.1");
}
END_TEST

START_TEST(test_soerror_log_form)
{
	struct run_entry e;
	char buf[128];

	memset(&e, 0, sizeof(e));
	e.kind = RUN_DONE;
	e.vkind = RV_ERRNO;
	e.value = 104;	/* ECONNRESET */
	run_entry_render(&e, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0 error=ECONNRESET");
	e.value = 0;
	run_entry_render(&e, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0 error=0");
	e.ret = -88;	/* a failed getsockopt logs its errno only */
	run_entry_render(&e, buf, sizeof(buf));
	ck_assert_str_eq(buf, "ENOTSOCK");
}
END_TEST

static Suite *trace_tcp_suite(void)
{
	Suite *su = suite_create("trace_tcp");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_socket_and_accept_define_tcp_names);
	tcase_add_test(tc, test_bind_listen_connect);
	tcase_add_test(tc, test_linger_soerror_fill_drain);
	tcase_add_test(tc, test_tcp_parse_errors);
	tcase_add_test(tc, test_soerror_log_form);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_tcp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
