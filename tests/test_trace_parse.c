/*
 * Tests of the trace parser (tools/trace/trace_parse.c) and the shared names
 * (tools/trace/trace_names.c): every op, defaults, normalisation, the names rule,
 * every error with its exact position, the broken traces in tests/bad-traces,
 * and random inputs.
 */
#include "trace.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef BAD_TRACES_DIR
#define BAD_TRACES_DIR "tests/bad-traces"
#endif

/* Test hook in trace_parse.c: trace_parse with a smaller step limit. */
int trace_parse_with_limit(const char *path, const char *text, size_t len, size_t max_steps,
			   struct trace **out, struct trace_error *err);

/* ---- helpers ---- */

static struct trace *parse_ok(const char *text)
{
	struct trace *t = NULL;
	struct trace_error e;
	int rc = trace_parse("test", text, strlen(text), &t, &e);

	ck_assert_msg(rc == 0, "unexpected error %d:%d: %s", e.loc.line, e.loc.col, e.msg);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* Parse len bytes (strlen when 0) and check the error. */
static void check_error(const char *text, size_t len, int line, int col, const char *msg)
{
	struct trace *t = (struct trace *)1;
	struct trace_error e;
	int rc = trace_parse("test", text, len ? len : strlen(text), &t, &e);

	ck_assert_msg(rc == -1, "no error for: %s", text);
	ck_assert_ptr_null(t);
	ck_assert_str_eq(e.msg, msg);
	ck_assert_msg(e.loc.line == line && e.loc.col == col, "%s: at %d:%d, expected %d:%d",
		      msg, e.loc.line, e.loc.col, line, col);
}

static int name_index(const struct trace *t, const char *name)
{
	for (size_t i = 0; i < t->nnames; i++)
		if (strcmp(t->names[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The only step of a trace whose other lines define names. */
static const struct trace_step *last_step(const struct trace *t)
{
	ck_assert_uint_gt(t->nsteps, 0);
	return &t->steps[t->nsteps - 1];
}

/* ---- empty input, comments ---- */

START_TEST(test_empty_input)
{
	struct trace *t = parse_ok("");

	ck_assert_uint_eq(t->nsteps, 0);
	ck_assert_uint_eq(t->nnames, 0);
	ck_assert_uint_eq(t->nthreads, 1);
	ck_assert_str_eq(t->threads[0].name, "main");
	ck_assert_str_eq(t->path, "test");
	trace_free(t);

	t = parse_ok("\n\n   \t\n# only a comment\n  # indented comment \n");
	ck_assert_uint_eq(t->nsteps, 0);
	trace_free(t);

	struct trace_error e;
	ck_assert_int_eq(trace_parse(NULL, NULL, 0, &t, &e), 0);
	ck_assert_uint_eq(t->nsteps, 0);
	trace_free(t);
	trace_free(NULL);
}
END_TEST

START_TEST(test_comments_utf8)
{
	struct trace *t = parse_ok("epoll ep # caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\tok\n"
				   "#\xe6\x97\xa5\xe6\x9c\xac\n");

	ck_assert_uint_eq(t->nsteps, 1);
	ck_assert_str_eq(t->steps[0].text, "epoll ep");
	trace_free(t);
}
END_TEST

/* ---- each op ---- */

START_TEST(test_op_epoll)
{
	struct trace *t = parse_ok("epoll a\nepoll b cloexec\nepoll c flags=0x80000\nepoll d flags=-1\n");
	const struct trace_step *s = t->steps;

	ck_assert_uint_eq(t->nsteps, 4);
	ck_assert_int_eq(s[0].op, TOP_EPOLL);
	ck_assert_int_eq(s[0].obj, name_index(t, "a"));
	ck_assert_int_eq(s[0].obj2, -1);
	ck_assert_int_eq(s[0].flags, 0);
	ck_assert_int_eq(s[1].flags, TF_CLOEXEC);
	ck_assert_int_eq(s[2].flags, TF_RAW_FLAGS);
	ck_assert_int_eq(s[2].num, 0x80000);
	ck_assert_int_eq(s[3].num, -1);
	ck_assert_int_eq(t->names[s[0].obj].kind, TK_EPOLL);
	ck_assert_int_eq(t->names[s[3].obj].step, 3);
	ck_assert_int_eq(s[3].loc.line, 4);
	ck_assert_int_eq(s[3].loc.col, 1);
	trace_free(t);
}
END_TEST

START_TEST(test_op_epoll_create)
{
	struct trace *t = parse_ok("epoll_create a 1\nepoll_create b -5\nepoll_create c 0\n"
				   "epoll_create d -2147483648\n");

	ck_assert_int_eq(t->steps[0].op, TOP_EPOLL_CREATE);
	ck_assert_int_eq(t->steps[0].num, 1);
	ck_assert_int_eq(t->steps[1].num, -5);
	ck_assert_int_eq(t->steps[2].num, 0);
	ck_assert_int_eq(t->steps[3].num, -2147483648LL);
	ck_assert_int_eq(t->names[t->steps[1].obj].kind, TK_EPOLL);
	trace_free(t);
}
END_TEST

START_TEST(test_op_pipe)
{
	struct trace *t = parse_ok("pipe p\npipe q blocking\n");
	const struct trace_step *s = t->steps;

	ck_assert_int_eq(s[0].op, TOP_PIPE);
	ck_assert_int_eq(s[0].obj, name_index(t, "p.r"));
	ck_assert_int_eq(s[0].obj2, name_index(t, "p.w"));
	ck_assert_int_eq(t->names[s[0].obj].kind, TK_PIPE_R);
	ck_assert_int_eq(t->names[s[0].obj2].kind, TK_PIPE_W);
	ck_assert_int_eq(t->names[s[1].obj2].step, 1);
	ck_assert_int_eq(s[0].flags, 0);
	ck_assert_int_eq(s[1].flags, TF_BLOCKING);
	ck_assert_int_eq(name_index(t, "p"), -1);
	ck_assert_uint_eq(t->nnames, 4);
	trace_free(t);
}
END_TEST

START_TEST(test_op_eventfd)
{
	struct trace *t = parse_ok("eventfd a\neventfd b init=5 semaphore\n"
				   "eventfd c blocking init=0xffffffff\n");
	const struct trace_step *s = t->steps;

	ck_assert_int_eq(s[0].op, TOP_EVENTFD);
	ck_assert_int_eq(t->names[s[0].obj].kind, TK_EVENTFD);
	ck_assert_uint_eq(s[0].init, 0);
	ck_assert_int_eq(s[0].flags, 0);
	ck_assert_uint_eq(s[1].init, 5);
	ck_assert_int_eq(s[1].flags, TF_SEMAPHORE);
	ck_assert_uint_eq(s[2].init, 0xffffffffu);
	ck_assert_int_eq(s[2].flags, TF_BLOCKING);
	trace_free(t);
}
END_TEST

START_TEST(test_op_socketpair)
{
	struct trace *t = parse_ok("socketpair s\nsocketpair u stream\nsocketpair d dgram blocking\n");
	const struct trace_step *s = t->steps;

	ck_assert_int_eq(s[0].op, TOP_SOCKETPAIR);
	ck_assert_int_eq(s[0].obj, name_index(t, "s.0"));
	ck_assert_int_eq(s[0].obj2, name_index(t, "s.1"));
	ck_assert_int_eq(t->names[s[0].obj].kind, TK_SOCKET);
	ck_assert_int_eq(t->names[s[0].obj2].kind, TK_SOCKET);
	ck_assert_int_eq(s[0].flags, 0);
	ck_assert_int_eq(s[1].flags, 0);
	ck_assert_int_eq(s[2].flags, TF_DGRAM | TF_BLOCKING);
	trace_free(t);
}
END_TEST

START_TEST(test_op_ctl)
{
	struct trace *t = parse_ok("epoll ep\npipe p\n"
				   "ctl ep add p.r in|et data=7\n"
				   "ctl ep mod p.r out|oneshot\n"
				   "ctl ep del p.r\n"
				   "ctl ep del p.r ev=null\n"
				   "ctl ep 99 p.w in|0x100\n"
				   "ctl ep -1 p.w data=-1 0x3\n"
				   "ctl p.r add ep data=0xffffffffffffffff\n"
				   "ctl badfd add badfd\n");
	const struct trace_step *s = t->steps + 2;
	int ep = name_index(t, "ep"), pr = name_index(t, "p.r");

	ck_assert_int_eq(s[0].op, TOP_CTL);
	ck_assert_int_eq(s[0].obj, ep);
	ck_assert_int_eq(s[0].obj2, pr);
	ck_assert_int_eq(s[0].ctl_op, EPOLL_CTL_ADD);
	ck_assert_uint_eq(s[0].events, EPOLLIN | EPOLLET);
	ck_assert(s[0].has_data);
	ck_assert_uint_eq(s[0].data, 7);
	ck_assert(!s[0].ev_null);
	ck_assert_int_eq(s[1].ctl_op, EPOLL_CTL_MOD);
	ck_assert_uint_eq(s[1].events, EPOLLOUT | EPOLLONESHOT);
	ck_assert(!s[1].has_data);
	ck_assert_uint_eq(s[1].data, 0);
	ck_assert_int_eq(s[2].ctl_op, EPOLL_CTL_DEL);
	ck_assert_uint_eq(s[2].events, 0);
	ck_assert(s[3].ev_null);
	ck_assert_int_eq(s[4].ctl_op, 99);
	ck_assert_uint_eq(s[4].events, EPOLLIN | 0x100);
	ck_assert_int_eq(s[5].ctl_op, -1);
	ck_assert_uint_eq(s[5].data, UINT64_MAX);
	ck_assert_uint_eq(s[5].events, 3);
	ck_assert_int_eq(s[6].obj, pr);	/* any kind may stand for EP */
	ck_assert_int_eq(s[6].obj2, ep);
	ck_assert_uint_eq(s[6].data, UINT64_MAX);
	ck_assert(s[7].obj_bad && s[7].obj2_bad);
	ck_assert_int_eq(s[7].obj, -1);
	ck_assert_int_eq(s[7].obj2, -1);
	trace_free(t);
}
END_TEST

START_TEST(test_ctl_event_words)
{
	static const struct {
		const char *word;
		uint32_t bit;
	} words[] = {
		{ "in", EPOLLIN }, { "pri", EPOLLPRI }, { "out", EPOLLOUT },
		{ "err", EPOLLERR }, { "hup", EPOLLHUP }, { "nval", 0x20 },
		{ "rdnorm", EPOLLRDNORM }, { "rdband", EPOLLRDBAND },
		{ "wrnorm", EPOLLWRNORM }, { "wrband", EPOLLWRBAND }, { "msg", EPOLLMSG },
		{ "rdhup", EPOLLRDHUP }, { "et", EPOLLET }, { "oneshot", EPOLLONESHOT },
		{ "wakeup", EPOLLWAKEUP }, { "exclusive", EPOLLEXCLUSIVE },
	};
	char text[128];
	uint32_t all = 0;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct trace *t;

		snprintf(text, sizeof(text), "epoll ep\neventfd e\nctl ep add e %s\n", words[i].word);
		t = parse_ok(text);
		ck_assert_uint_eq(last_step(t)->events, words[i].bit);
		all |= words[i].bit;
		trace_free(t);
	}
	ck_assert_uint_eq(all, 0xf00027ffu);
}
END_TEST

START_TEST(test_op_wait)
{
	struct trace *t = parse_ok("epoll ep\nwait ep\n"
				   "wait ep max=1 timeout=-1\n"
				   "wait ep buf=null max=0\n"
				   "wait ep timeout=100 buf=3 max=-5\n"
				   "wait ep max=2147483647 buf=4096\n");
	const struct trace_step *s = t->steps + 1;

	ck_assert_int_eq(s[0].op, TOP_WAIT);
	ck_assert_int_eq(s[0].obj, name_index(t, "ep"));
	ck_assert_int_eq(s[0].maxevents, 16);
	ck_assert_int_eq(s[0].timeout_ms, 0);
	ck_assert_int_eq(s[0].buf, TBUF_DEFAULT);
	ck_assert_int_eq(s[1].maxevents, 1);
	ck_assert_int_eq(s[1].timeout_ms, -1);
	ck_assert_int_eq(s[2].buf, TBUF_NULL);
	ck_assert_int_eq(s[2].maxevents, 0);
	ck_assert_int_eq(s[3].buf, TBUF_SLOTS);
	ck_assert_int_eq(s[3].buf_slots, 3);
	ck_assert_int_eq(s[3].maxevents, -5);
	ck_assert_int_eq(s[3].timeout_ms, 100);
	ck_assert_int_eq(s[4].maxevents, 2147483647);
	ck_assert_int_eq(s[4].buf_slots, TRACE_BUF_SLOTS);
	trace_free(t);
}
END_TEST

START_TEST(test_op_read_write)
{
	struct trace *t = parse_ok("pipe p\neventfd e\nread p.r\nread p.r 4096\nwrite p.w 0\n"
				   "write e 18446744073709551615\nwrite e 0xfffffffffffffffe\n"
				   "read badfd 9223372036854775807\n");
	const struct trace_step *s = t->steps + 2;

	ck_assert_int_eq(s[0].op, TOP_READ);
	ck_assert_int_eq(s[0].obj, name_index(t, "p.r"));
	ck_assert_int_eq(s[0].num, 1);
	ck_assert_int_eq(s[1].num, 4096);
	ck_assert_int_eq(s[2].op, TOP_WRITE);
	ck_assert_int_eq(s[2].num, 0);
	ck_assert_uint_eq((uint64_t)s[3].num, UINT64_MAX);
	ck_assert_uint_eq((uint64_t)s[4].num, UINT64_MAX - 1);
	ck_assert(s[5].obj_bad);
	ck_assert_int_eq(s[5].num, INT64_MAX);
	trace_free(t);
}
END_TEST

START_TEST(test_op_close_dup_dup2)
{
	struct trace *t = parse_ok("pipe p\neventfd e\nclose p.r\ndup e e2\ndup p.w w2\n"
				   "dup badfd x\ndup2 e2 w2\ndup2 p.r badfd\nclose badfd\n");
	const struct trace_step *s = t->steps;

	ck_assert_int_eq(s[2].op, TOP_CLOSE);
	ck_assert_int_eq(s[2].obj, name_index(t, "p.r"));
	ck_assert_int_eq(s[3].op, TOP_DUP);
	ck_assert_int_eq(s[3].obj, name_index(t, "e"));
	ck_assert_int_eq(s[3].obj2, name_index(t, "e2"));
	ck_assert_int_eq(t->names[s[3].obj2].kind, TK_EVENTFD);
	ck_assert_int_eq(t->names[s[3].obj2].step, 3);
	ck_assert_int_eq(t->names[s[4].obj2].kind, TK_PIPE_W);
	ck_assert(s[5].obj_bad);
	ck_assert_int_eq(t->names[s[5].obj2].kind, TK_DUP);
	ck_assert_int_eq(s[6].op, TOP_DUP2);
	ck_assert_int_eq(s[6].obj, name_index(t, "e2"));
	ck_assert_int_eq(s[6].obj2, name_index(t, "w2"));
	ck_assert(s[7].obj2_bad && !s[7].obj_bad);
	ck_assert(s[8].obj_bad);
	trace_free(t);
}
END_TEST

START_TEST(test_op_shutdown_sleep)
{
	struct trace *t = parse_ok("socketpair s\nshutdown s.0 rd\nshutdown s.1 wr\n"
				   "shutdown s.0 rdwr\nsleep 0\nsleep 250\nsleep 2147483647\n");
	const struct trace_step *s = t->steps;

	ck_assert_int_eq(s[1].op, TOP_SHUTDOWN);
	ck_assert_int_eq(s[1].how, SHUT_RD);
	ck_assert_int_eq(s[2].how, SHUT_WR);
	ck_assert_int_eq(s[3].how, SHUT_RDWR);
	ck_assert_int_eq(s[4].op, TOP_SLEEP);
	ck_assert_int_eq(s[4].num, 0);
	ck_assert_int_eq(s[4].obj, -1);
	ck_assert_int_eq(s[5].num, 250);
	ck_assert_int_eq(s[6].num, 2147483647);
	trace_free(t);
}
END_TEST

/* ---- text, expectations, threads ---- */

START_TEST(test_text_normalised)
{
	struct trace *t = parse_ok("epoll ep\npipe p\n"
				   "\t ctl   ep add p.r in|et  data=7\t# comment\n"
				   "thread t1 :  wait\tep   max=1 => 0\n");

	ck_assert_str_eq(t->steps[2].text, "ctl ep add p.r in|et data=7");
	ck_assert_int_eq(t->steps[2].loc.col, 3);
	ck_assert_str_eq(t->steps[3].text, "wait ep max=1");
	ck_assert_int_eq(t->steps[3].loc.col, 14);
	trace_free(t);
}
END_TEST

START_TEST(test_expectations)
{
	struct trace *t = parse_ok("epoll ep\n"
				   "wait ep =>  1 [ p.r  in data=7 ]   [p.w out]  # c\n"
				   "wait ep =>0\n"
				   "wait ep => EEXIST\n"
				   "wait ep max=2 =>\t2 [a in]\t[b  out] \n"
				   "wait ep\n");
	const struct trace_step *s = t->steps;

	ck_assert_ptr_null(s[0].expect);
	ck_assert_str_eq(s[1].expect, "1 [p.r in data=7] [p.w out data=*]"); /* no data=: any */
	ck_assert_int_eq(s[1].expect_loc.line, 2);
	ck_assert_int_eq(s[1].expect_loc.col, 13);
	ck_assert_str_eq(s[1].text, "wait ep");
	ck_assert_str_eq(s[2].expect, "0");
	ck_assert_int_eq(s[2].expect_loc.col, 11);
	ck_assert_str_eq(s[3].expect, "EEXIST");
	ck_assert_str_eq(s[4].expect, "2 [a in data=*] [b out data=*]");
	ck_assert_str_eq(s[4].text, "wait ep max=2");
	ck_assert_ptr_null(s[5].expect);
	trace_free(t);
}
END_TEST

START_TEST(test_thread_prefix)
{
	struct trace *t = parse_ok("epoll ep\n"
				   "thread t1: wait ep max=1 timeout=-1\n"
				   "thread t2 : wait ep\n"
				   "thread t1: sleep 1\n"
				   "thread main: sleep 2\n"
				   "sleep 3\n");
	const struct trace_step *s = t->steps;

	ck_assert_uint_eq(t->nthreads, 3);
	ck_assert_str_eq(t->threads[0].name, "main");
	ck_assert_str_eq(t->threads[1].name, "t1");
	ck_assert_str_eq(t->threads[2].name, "t2");
	ck_assert_int_eq(s[0].thread, 0);
	ck_assert_int_eq(s[1].thread, 1);
	ck_assert_int_eq(s[1].loc.col, 12);
	ck_assert_str_eq(s[1].text, "wait ep max=1 timeout=-1");
	ck_assert_int_eq(s[2].thread, 2);
	ck_assert_int_eq(s[3].thread, 1);
	ck_assert_int_eq(s[4].thread, 0);
	ck_assert_int_eq(s[5].thread, 0);
	trace_free(t);
}
END_TEST

START_TEST(test_names_rule)
{
	struct trace *t = parse_ok("pipe p\nclose p.r\nclose p.r\nread p.r\neventfd thread\n"
				   "close thread\nthread thread: close thread\n");

	ck_assert_int_eq(t->steps[3].obj, name_index(t, "p.r"));	/* names outlive close */
	ck_assert_int_eq(t->steps[6].thread, 1);
	ck_assert_int_eq(t->steps[6].obj, name_index(t, "thread"));
	trace_free(t);

	check_error("pipe p\npipe p\n", 0, 2, 6, "name 'p' already defined");
	check_error("pipe p\neventfd p\n", 0, 2, 9, "name 'p' already defined");
	check_error("eventfd p\npipe p\n", 0, 2, 6, "name 'p' already defined");
	check_error("socketpair s\nclose s\n", 0, 2, 7, "'s' is a socketpair: use s.0 or s.1");
	check_error("socketpair s\nclose s.2\n", 0, 2, 7, "undefined name 's.2'");
	check_error("eventfd e\ndup e e\n", 0, 2, 7, "name 'e' already defined");
	check_error("eventfd e\ndup2 e f\n", 0, 2, 8, "undefined name 'f'");
	check_error("close x\neventfd x\n", 0, 1, 7, "undefined name 'x'");
	check_error("pipe p.r\n", 0, 1, 6, "bad name 'p.r'");
	check_error("epoll badfd\n", 0, 1, 7, "name 'badfd' is reserved");
	check_error("close 3\n", 0, 1, 7, "undefined name '3'");
}
END_TEST

/* ---- errors ---- */

struct error_case {
	const char *text;
	size_t len;	/* 0: strlen */
	int line, col;
	const char *msg;
};

#define PRE "epoll ep\npipe p\n"	/* errors on line 3 */

static const struct error_case error_cases[] = {
	{ "wiat ep\n", 0, 1, 1, "unknown op 'wiat'" },
	{ "  Epoll ep\n", 0, 1, 3, "unknown op 'Epoll'" },
	{ PRE "ctl ep add p.r inn\n", 0, 3, 16, "unknown event flag 'inn'" },
	{ PRE "ctl ep add p.r in|IN\n", 0, 3, 19, "unknown event flag 'IN'" },
	{ PRE "ctl ep add p.r in|\n", 0, 3, 19, "empty event flag in 'in|'" },
	{ PRE "ctl ep add p.r |in\n", 0, 3, 16, "empty event flag in '|in'" },
	{ PRE "ctl ep add p.r in|0x100000000\n", 0, 3, 19,
	  "number '0x100000000' out of range (0..4294967295)" },
	{ PRE "ctl ep add p.r in|0xg\n", 0, 3, 19, "bad number '0xg'" },
	{ PRE "ctl ep add q.r in\n", 0, 3, 12, "undefined name 'q.r'" },
	{ PRE "ctl eq add p.r in\n", 0, 3, 5, "undefined name 'eq'" },
	{ PRE "ctl ep add p.r in out\n", 0, 3, 19,
	  "unexpected argument 'out' (join event flags with '|')" },
	{ PRE "ctl ep add p.r ev=null in\n", 0, 3, 24, "'in' conflicts with 'ev=null'" },
	{ PRE "ctl ep add p.r data=1 ev=null\n", 0, 3, 23, "'ev=null' conflicts with 'data=1'" },
	{ PRE "ctl ep add p.r data=1 data=2\n", 0, 3, 23, "duplicate option 'data'" },
	{ PRE "ctl ep add p.r data=18446744073709551616\n", 0, 3, 21,
	  "number '18446744073709551616' out of range (-9223372036854775808..18446744073709551615)" },
	{ PRE "ctl ep add p.r data=-9223372036854775809\n", 0, 3, 21,
	  "number '-9223372036854775809' out of range (-9223372036854775808..18446744073709551615)" },
	{ PRE "ctl ep plus p.r\n", 0, 3, 8, "bad ctl op 'plus' (expected add, mod, del or a number)" },
	{ PRE "ctl ep 2147483648 p.r\n", 0, 3, 8,
	  "number '2147483648' out of range (-2147483648..2147483647)" },
	{ PRE "ctl ep add\n", 0, 3, 11, "missing argument: FD" },
	{ PRE "ctl ep\n", 0, 3, 7, "missing argument: OP" },
	{ PRE "ctl\n", 0, 3, 4, "missing argument: EP" },
	{ PRE "ctl ep add data=1 p.r\n", 0, 3, 12, "missing argument: FD" },
	{ PRE "ctl ep add p.r in => 0\n", 0, 0, 0, NULL },	/* sanity: valid */
	{ "epoll\n", 0, 1, 6, "missing argument: NAME" },
	{ "epoll_create e\n", 0, 1, 15, "missing argument: SIZE" },
	{ "epoll_create e 1 2\n", 0, 1, 18, "unexpected argument '2'" },
	{ "epoll_create e 2147483648\n", 0, 1, 16,
	  "number '2147483648' out of range (-2147483648..2147483647)" },
	{ "epoll e cloexec cloexec\n", 0, 1, 17, "duplicate option 'cloexec'" },
	{ "epoll e flags=1 cloexec\n", 0, 1, 17, "'cloexec' conflicts with 'flags=1'" },
	{ "epoll e flags=x\n", 0, 1, 15, "bad number 'x'" },
	{ "epoll e blocking\n", 0, 1, 9, "unexpected argument 'blocking'" },
	{ "pipe p nonblock\n", 0, 1, 8, "unexpected argument 'nonblock'" },
	{ "pipe p size=1\n", 0, 1, 8, "unknown option 'size'" },
	{ "pipe p ==x\n", 0, 1, 8, "unexpected argument '==x'" },
	{ "pipe p blocking=yes\n", 0, 1, 8, "option 'blocking' takes no value" },
	{ "eventfd e init=-1\n", 0, 1, 16, "number '-1' out of range (0..4294967295)" },
	{ "eventfd e init=4294967296\n", 0, 1, 16, "number '4294967296' out of range (0..4294967295)" },
	{ "eventfd e init=\n", 0, 1, 16, "missing value for option 'init'" },
	{ "eventfd e init\n", 0, 1, 11, "option 'init' needs a value (init=...)" },
	{ "eventfd e semaphore semaphore\n", 0, 1, 21, "duplicate option 'semaphore'" },
	{ "socketpair s dgram stream\n", 0, 1, 20, "'stream' conflicts with 'dgram'" },
	{ "socketpair s seqpacket\n", 0, 1, 14, "unexpected argument 'seqpacket'" },
	{ PRE "wait ep max=1 max=1\n", 0, 3, 15, "duplicate option 'max'" },
	{ PRE "wait ep timeout=-2147483649\n", 0, 3, 17,
	  "number '-2147483649' out of range (-2147483648..2147483647)" },
	{ PRE "wait ep buf=4097\n", 0, 3, 13, "number '4097' out of range (0..4096)" },
	{ PRE "wait ep buf=-1\n", 0, 3, 13, "number '-1' out of range (0..4096)" },
	{ PRE "wait ep buf=nul\n", 0, 3, 13,
	  "bad value 'nul' for option 'buf' (expected null or a number)" },
	{ PRE "wait ep ev=null\n", 0, 3, 9, "unknown option 'ev'" },
	{ PRE "wait\n", 0, 3, 5, "missing argument: EP" },
	{ PRE "wait p\n", 0, 3, 6, "'p' is a pipe: use p.r or p.w" },
	{ PRE "read p.r -1\n", 0, 3, 10, "number '-1' out of range (0..9223372036854775807)" },
	{ PRE "read p.r 1 2\n", 0, 3, 12, "unexpected argument '2'" },
	{ PRE "read p.r n=2\n", 0, 3, 10, "unknown option 'n'" },
	{ PRE "write p.w\n", 0, 3, 10, "missing argument: N" },
	{ PRE "write p.w 12x\n", 0, 3, 11, "bad number '12x'" },
	{ PRE "write p.w 0x\n", 0, 3, 11, "bad number '0x'" },
	{ PRE "write p.w +1\n", 0, 3, 11, "bad number '+1'" },
	{ PRE "write p.w -\n", 0, 3, 11, "bad number '-'" },
	{ PRE "write p.w 99999999999999999999999\n", 0, 3, 11,
	  "number '99999999999999999999999' out of range (0..18446744073709551615)" },
	{ PRE "write p.w 0x1ffffffffffffffff\n", 0, 3, 11,
	  "number '0x1ffffffffffffffff' out of range (0..18446744073709551615)" },
	{ PRE "close\n", 0, 3, 6, "missing argument: FD" },
	{ PRE "close p.r p.w\n", 0, 3, 11, "unexpected argument 'p.w'" },
	{ PRE "dup p.r\n", 0, 3, 8, "missing argument: NEWNAME" },
	{ PRE "dup p.r x.y\n", 0, 3, 9, "bad name 'x.y'" },
	{ PRE "dup2 p.r\n", 0, 3, 9, "missing argument: TARGET" },
	{ PRE "shutdown p.r\n", 0, 3, 13, "missing argument: HOW" },
	{ PRE "shutdown p.r RD\n", 0, 3, 14, "bad shutdown mode 'RD' (expected rd, wr or rdwr)" },
	{ "sleep\n", 0, 1, 6, "missing argument: MS" },
	{ "sleep -1\n", 0, 1, 7, "number '-1' out of range (0..2147483647)" },
	{ "sleep 1.5\n", 0, 1, 7, "bad number '1.5'" },
	{ "sleep 1 => \n", 0, 1, 11, "missing expectation after '=>'" },
	{ "=> 1\n", 0, 1, 1, "missing op" },
	{ "thread t1:\n", 0, 1, 11, "missing op" },
	{ "thread t1 : => 1\n", 0, 1, 13, "missing op" },
	{ "thread\n", 0, 1, 7, "missing thread name" },
	{ "thread : sleep 1\n", 0, 1, 8, "missing thread name" },
	{ "thread t1 sleep 1\n", 0, 1, 11, "expected ':' after thread name" },
	{ "thread t1\n", 0, 1, 10, "expected ':' after thread name" },
	{ "thread t-1: sleep 1\n", 0, 1, 8, "bad thread name 't-1'" },
	{ "thread ::\n", 0, 1, 8, "bad thread name ':'" },
	{ "sleep 1\x01\n", 0, 1, 8, "invalid byte 0x01" },
	{ "sleep 1\n\x7f\n", 0, 2, 1, "invalid byte 0x7f" },
	{ "sleep\0 1\n", 9, 1, 6, "invalid byte 0x00" },
	{ "sleep 1 # ok\0\n", 14, 1, 13, "invalid byte 0x00" },
	{ "sleep 1 # \x1b[0m\n", 0, 1, 11, "invalid byte 0x1b" },
	{ "sleep 1\r\r\n", 0, 1, 8, "invalid byte 0x0d" },
	{ "sleep \xc3\xa9\n", 0, 1, 7, "invalid byte 0xc3" },
	{ "sleep 1 # \xc3\n", 0, 1, 11, "invalid UTF-8 byte 0xc3 in comment" },
	{ "sleep 1 # \xc3(\n", 0, 1, 11, "invalid UTF-8 byte 0xc3 in comment" },
	{ "sleep 1 # \xc0\x80\n", 0, 1, 11, "invalid UTF-8 byte 0xc0 in comment" },
	{ "sleep 1 # \xed\xa0\x80\n", 0, 1, 11, "invalid UTF-8 byte 0xed in comment" },
	{ "sleep 1 # \xf4\x90\x80\x80\n", 0, 1, 11, "invalid UTF-8 byte 0xf4 in comment" },
	{ "sleep 1 # \xff\n", 0, 1, 11, "invalid UTF-8 byte 0xff in comment" },
};

#define N_ERROR_CASES ((int)(sizeof(error_cases) / sizeof(error_cases[0])))

START_TEST(test_errors)
{
	const struct error_case *c = &error_cases[_i];

	if (!c->msg) {
		trace_free(parse_ok(c->text));
		return;
	}
	check_error(c->text, c->len, c->line, c->col, c->msg);
}
END_TEST

START_TEST(test_first_error_wins)
{
	check_error("sleep 1\nwiat\nsleep x\n", 0, 2, 1, "unknown op 'wiat'");
	check_error("pipe p\nclose q extra\n", 0, 2, 7, "undefined name 'q'");
}
END_TEST

/* ---- line endings, limits ---- */

START_TEST(test_line_endings)
{
	struct trace *t = parse_ok("epoll ep\r\nwait ep => 0 \r\n# c\r\n\r\nsleep 1\r\n");

	ck_assert_uint_eq(t->nsteps, 3);
	ck_assert_str_eq(t->steps[1].text, "wait ep");
	ck_assert_str_eq(t->steps[1].expect, "0");
	ck_assert_int_eq(t->steps[2].loc.line, 5);
	trace_free(t);

	t = parse_ok("epoll ep\nwait ep max=3");
	ck_assert_uint_eq(t->nsteps, 2);
	ck_assert_int_eq(t->steps[1].maxevents, 3);
	trace_free(t);

	t = parse_ok("sleep 1 # no newline");
	ck_assert_uint_eq(t->nsteps, 1);
	trace_free(t);

	t = parse_ok("sleep 7\r");
	ck_assert_int_eq(t->steps[0].num, 7);
	trace_free(t);

	check_error("sleep 1\r\nwiat\r\n", 0, 2, 1, "unknown op 'wiat'");
}
END_TEST

START_TEST(test_line_length)
{
	char *text = malloc(4200);
	struct trace *t;

	memset(text, ' ', 4200);
	memcpy(text, "sleep 1", 7);
	text[4096] = '\n';	/* a line of exactly 4096 bytes */
	ck_assert_int_eq(trace_parse("x", text, 4097, &t, NULL), 0);
	trace_free(t);

	text[4096] = '\r';	/* CRLF does not count */
	text[4097] = '\n';
	ck_assert_int_eq(trace_parse("x", text, 4098, &t, NULL), 0);
	trace_free(t);

	text[4096] = ' ';
	check_error(text, 4098, 1, 4097, "line too long (max 4096 bytes)");
	free(text);
}
END_TEST

START_TEST(test_too_many_steps)
{
	struct trace *t;
	struct trace_error e;
	const char *text = "sleep 1\n# c\nsleep 2\n\n  sleep 3\n";

	ck_assert_int_eq(trace_parse_with_limit("x", text, strlen(text), 3, &t, &e), 0);
	ck_assert_uint_eq(t->nsteps, 3);
	trace_free(t);
	ck_assert_int_eq(trace_parse_with_limit("x", text, strlen(text), 2, &t, &e), -1);
	ck_assert_ptr_null(t);
	ck_assert_str_eq(e.msg, "too many steps (max 2)");
	ck_assert_int_eq(e.loc.line, 5);
	ck_assert_int_eq(e.loc.col, 3);
}
END_TEST

START_TEST(test_too_many_threads)
{
	size_t cap = 1100 * 32, at = 0;
	char *text = malloc(cap);
	struct trace *t;

	for (int i = 1; i <= 1023; i++)
		at += (size_t)snprintf(text + at, cap - at, "thread t%d: sleep 0\n", i);
	t = parse_ok(text);
	ck_assert_uint_eq(t->nthreads, 1024);
	trace_free(t);
	at += (size_t)snprintf(text + at, cap - at, "thread t1: sleep 0\nthread x: sleep 0\n");
	check_error(text, at, 1025, 8, "too many threads (max 1024)");
	free(text);
}
END_TEST

/* ---- files ---- */

START_TEST(test_parse_file)
{
	char path[] = "/tmp/test_trace_parse.XXXXXX";
	int fd = mkstemp(path);
	const char *text = "epoll ep\nwiat\n";
	struct trace *t = (struct trace *)1;
	struct trace_error e;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, 9), 9);
	ck_assert_int_eq(trace_parse_file(path, &t, &e), 0);
	ck_assert_str_eq(t->path, path);
	ck_assert_uint_eq(t->nsteps, 1);
	trace_free(t);

	ck_assert_int_eq(write(fd, text + 9, 5), 5);
	ck_assert_int_eq(trace_parse_file(path, &t, &e), -1);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(e.loc.line, 2);
	close(fd);
	unlink(path);

	ck_assert_int_eq(trace_parse_file(path, &t, &e), -1);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(e.loc.line, 0);
	ck_assert_int_eq(e.loc.col, 0);
	ck_assert_str_eq(e.msg, "cannot read file: No such file or directory");
	ck_assert_int_eq(trace_parse_file("/", &t, &e), -1);
	ck_assert_str_eq(e.msg, "cannot read file: Is a directory");
}
END_TEST

START_TEST(test_error_print)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct trace_error e = { { 3, 14 }, "unknown op 'wiat'" };
	struct trace_error nofile = { { 0, 0 }, "cannot read file: No such file or directory" };

	trace_error_print("a.trace", &e, f);
	trace_error_print("b.trace", &nofile, f);
	fclose(f);
	ck_assert_str_eq(buf, "a.trace:3:14: error: unknown op 'wiat'\n"
			      "b.trace: error: cannot read file: No such file or directory\n");
	free(buf);
}
END_TEST

/* Read a whole file; NULL if it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void check_bad_trace(const char *path)
{
	static const char prefix[] = "# expect: ";
	size_t len, explen;
	char *text = slurp(path, &len), got[400];
	const char *nl;
	struct trace *t;
	struct trace_error e;

	ck_assert_msg(text != NULL, "cannot read %s", path);
	ck_assert_msg(strncmp(text, prefix, strlen(prefix)) == 0, "%s: no '# expect:' line", path);
	nl = strchr(text, '\n');
	ck_assert_ptr_nonnull(nl);
	explen = (size_t)(nl - text) - strlen(prefix);
	ck_assert_msg(trace_parse(path, text, len, &t, &e) == -1, "%s parsed without error", path);
	snprintf(got, sizeof(got), "%d:%d: error: %s", e.loc.line, e.loc.col, e.msg);
	ck_assert_msg(strlen(got) == explen && memcmp(got, text + strlen(prefix), explen) == 0,
		      "%s: got '%s', expected '%.*s'", path, got, (int)explen, text + strlen(prefix));
	free(text);
}

START_TEST(test_bad_traces_dir)
{
	DIR *d = opendir(BAD_TRACES_DIR);
	struct dirent *de;
	char path[4096];
	int count = 0;

	ck_assert_msg(d != NULL, "cannot open %s", BAD_TRACES_DIR);
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n < 7 || strcmp(de->d_name + n - 6, ".trace") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", BAD_TRACES_DIR, de->d_name);
		check_bad_trace(path);
		count++;
	}
	closedir(d);
	ck_assert_int_ge(count, 30);
}
END_TEST

/* ---- shared names ---- */

START_TEST(test_format_events)
{
	char buf[256];

	trace_format_events(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0");
	trace_format_events(EPOLLIN | EPOLLET, buf, sizeof(buf));
	ck_assert_str_eq(buf, "in|et");
	trace_format_events(0xffffffffu, buf, sizeof(buf));
	ck_assert_str_eq(buf, "in|pri|out|err|hup|nval|rdnorm|rdband|wrnorm|wrband|msg|rdhup|"
			      "exclusive|wakeup|oneshot|et|0xfffd800");
	trace_format_events(EPOLLIN | 0x100000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "in|0x100000");
	trace_format_events(0x100000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0x100000");
	trace_format_events(EPOLLOUT | EPOLLIN | EPOLLONESHOT | EPOLLRDHUP, buf, sizeof(buf));
	ck_assert_str_eq(buf, "in|out|rdhup|oneshot");
	trace_format_events(EPOLLIN | EPOLLOUT, buf, 4);	/* truncated, terminated */
	ck_assert_str_eq(buf, "in|");
	trace_format_events(EPOLLIN, buf, 0);
}
END_TEST

START_TEST(test_parse_events)
{
	uint32_t ev = 1234;
	char buf[256];

	ck_assert_int_eq(trace_parse_events("in|et", &ev), 0);
	ck_assert_uint_eq(ev, EPOLLIN | EPOLLET);
	ck_assert_int_eq(trace_parse_events("0", &ev), 0);
	ck_assert_uint_eq(ev, 0);
	ck_assert_int_eq(trace_parse_events("in|0x100", &ev), 0);
	ck_assert_uint_eq(ev, 0x101);
	ck_assert_int_eq(trace_parse_events("0xFFFFFFFF", &ev), 0);
	ck_assert_uint_eq(ev, 0xffffffffu);
	ck_assert_int_eq(trace_parse_events("17", &ev), 0);
	ck_assert_uint_eq(ev, 17);
	ck_assert_int_ne(trace_parse_events("inn", &ev), 0);
	ck_assert_int_ne(trace_parse_events("in|", &ev), 0);
	ck_assert_int_ne(trace_parse_events("", &ev), 0);
	ck_assert_int_ne(trace_parse_events("0x100000000", &ev), 0);
	ck_assert_int_ne(trace_parse_events("4294967296", &ev), 0);
	ck_assert_int_ne(trace_parse_events("0x", &ev), 0);
	ck_assert_int_ne(trace_parse_events(NULL, &ev), 0);
	for (uint32_t bits = 1; bits; bits <<= 1) {	/* format and parse round-trip */
		trace_format_events(bits | EPOLLIN, buf, sizeof(buf));
		ck_assert_int_eq(trace_parse_events(buf, &ev), 0);
		ck_assert_uint_eq(ev, bits | EPOLLIN);
	}
}
END_TEST

START_TEST(test_errno_names)
{
	ck_assert_str_eq(trace_errno_name(EEXIST), "EEXIST");
	ck_assert_str_eq(trace_errno_name(EBADF), "EBADF");
	ck_assert_str_eq(trace_errno_name(ENOENT), "ENOENT");
	ck_assert_str_eq(trace_errno_name(EINVAL), "EINVAL");
	ck_assert_str_eq(trace_errno_name(ELOOP), "ELOOP");
	ck_assert_str_eq(trace_errno_name(EAGAIN), "EAGAIN");
	ck_assert_str_eq(trace_errno_name(EBADFD), "EBADFD");
	ck_assert_str_eq(trace_errno_name(ENOTCONN), "ENOTCONN");
	ck_assert_str_eq(trace_errno_name(EHWPOISON), "EHWPOISON");
	ck_assert_str_eq(trace_errno_name(512), "ERESTARTSYS");
	ck_assert_str_eq(trace_errno_name(0), "E0");
	ck_assert_str_eq(trace_errno_name(999), "E999");
	ck_assert_str_eq(trace_errno_name(4095), "E4095");
	ck_assert_str_eq(trace_errno_name(4096), "E?");
	ck_assert_str_eq(trace_errno_name(-1), "E?");
	for (int e = 0; e <= 4095; e++)	/* every value names itself, and back */
		ck_assert_int_eq(trace_errno_value(trace_errno_name(e)), e);
	ck_assert_int_eq(trace_errno_value("EWOULDBLOCK"), EAGAIN);
	ck_assert_int_eq(trace_errno_value("ENOTSUP"), EOPNOTSUPP);
	ck_assert_int_eq(trace_errno_value("E12"), 12);
	ck_assert_int_eq(trace_errno_value("ENOPE"), -1);
	ck_assert_int_eq(trace_errno_value("E"), -1);
	ck_assert_int_eq(trace_errno_value("E4096"), -1);
	ck_assert_int_eq(trace_errno_value(NULL), -1);
}
END_TEST

START_TEST(test_op_names)
{
	ck_assert_str_eq(trace_op_name(TOP_EPOLL), "epoll");
	ck_assert_str_eq(trace_op_name(TOP_EPOLL_CREATE), "epoll_create");
	ck_assert_str_eq(trace_op_name(TOP_CTL), "ctl");
	ck_assert_str_eq(trace_op_name(TOP_SLEEP), "sleep");
	ck_assert_str_eq(trace_op_name(TOP__COUNT), "?");
	for (int op = 0; op < TOP__COUNT; op++)
		ck_assert_ptr_nonnull(trace_op_name((enum trace_opcode)op));
}
END_TEST

/* ---- random inputs ---- */

/* xorshift64*: a fixed-seed PRNG, state passed explicitly. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* Any outcome is fine, as long as it is consistent. */
static void check_outcome(int rc, struct trace *t, const struct trace_error *e)
{
	if (rc != 0) {
		ck_assert_int_eq(rc, -1);
		ck_assert_ptr_null(t);
		ck_assert_int_ge(e->loc.line, 1);
		ck_assert_int_ge(e->loc.col, 1);
		ck_assert_int_le(e->loc.col, 4097);
		ck_assert(e->msg[0] != '\0');
		return;
	}
	ck_assert_uint_ge(t->nthreads, 1);
	for (size_t i = 0; i < t->nsteps; i++) {
		const struct trace_step *s = &t->steps[i];

		ck_assert_int_lt(s->thread, (int)t->nthreads);
		ck_assert(s->obj >= -1 && s->obj < (int)t->nnames);
		ck_assert(s->obj2 >= -1 && s->obj2 < (int)t->nnames);
		ck_assert(s->op >= 0 && s->op < TOP__COUNT);
		ck_assert_ptr_nonnull(s->text);
		ck_assert_int_ge(s->loc.line, 1);
	}
	for (size_t i = 0; i < t->nnames; i++)
		ck_assert_uint_le((size_t)t->names[i].step, t->nsteps);
	trace_free(t);
}

static int parse_any(const char *text, size_t len)
{
	struct trace *t = NULL;
	struct trace_error e;
	int rc = trace_parse("fuzz", text, len, &t, &e);

	check_outcome(rc, t, &e);
	return rc;
}

START_TEST(test_random_bytes)
{
	static const char alphabet[] = "abcdeprtw01x.|=>#: \t\n\r-_";
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	char buf[512];

	for (int i = 0; i < 3000; i++) {
		size_t len = rnd(&seed) % sizeof(buf);

		for (size_t j = 0; j < len; j++) {
			uint64_t r = rnd(&seed);

			buf[j] = (r & 1) ? (char)(r >> 8) : alphabet[(r >> 8) % (sizeof(alphabet) - 1)];
		}
		parse_any(buf, len);
	}
}
END_TEST

static const char fuzz_corpus[] =
	"# a valid trace\n"
	"epoll ep cloexec\n"
	"pipe p blocking\n"
	"eventfd e init=3 semaphore\n"
	"socketpair s dgram\n"
	"ctl ep add p.r in|et data=7 => 0\n"
	"ctl ep add e in|out\n"
	"ctl ep mod p.r 0x5|oneshot\n"
	"ctl ep 99 badfd ev=null => EBADF\n"
	"thread t1: wait ep max=1 timeout=-1 => 1 [p.r in data=7]\n"
	"write p.w 1\n"
	"read e 8\n"
	"dup e e2\n"
	"dup2 s.0 e2\n"
	"shutdown s.1 rdwr\n"
	"epoll_create x -1\n"
	"wait ep buf=2 max=4 => 2 [ e in ] [p.r in]\n"
	"sleep 10 # done\r\n"
	"close p.w\n";

static const char *const fuzz_tokens[] = {
	"=>", "#", "thread ", ":", "badfd", "|", "=", "0x", "-", "\r", "\n", "p.r", "ep",
	" ", "\t", "\xc3\xa9", "\x00", "99999999999999999999", "max=", "[", "]", "pipe p\n",
};

/* Insert n bytes of src at buf[at] if they fit in cap; the new length. */
static size_t insert(char *buf, size_t len, size_t cap, size_t at, const char *src, size_t n)
{
	if (len + n > cap)
		return len;
	memmove(buf + at + n, buf + at, len - at);
	memcpy(buf + at, src, n);
	return len + n;
}

/* Apply one random edit to buf (len bytes, room for cap); the new length. */
static size_t mutate(uint64_t *seed, char *buf, size_t len, size_t cap)
{
	size_t at = len ? rnd(seed) % len : 0;
	size_t from = len ? rnd(seed) % len : 0;
	size_t n = rnd(seed) % 40;
	const char *tok = fuzz_tokens[rnd(seed) % (sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]))];
	char piece[40];

	switch (rnd(seed) % 4) {
	case 0:		/* flip a byte */
		if (len)
			buf[at] = (char)rnd(seed);
		return len;
	case 1:		/* delete a range */
		n %= 8;
		if (n > len - at)
			n = len - at;
		memmove(buf + at, buf + at + n, len - at - n);
		return len - n;
	case 2:		/* insert a token */
		return insert(buf, len, cap, at, tok, tok[0] ? strlen(tok) : 1);
	default:	/* duplicate a piece of the text */
		if (n > len - from)
			n = len - from;
		memcpy(piece, buf + from, n);
		return insert(buf, len, cap, at, piece, n);
	}
}

START_TEST(test_mutated_traces)
{
	uint64_t seed = 0x123456789abcdefull;
	char buf[4096];
	int ok = 0, bad = 0;

	ck_assert_int_eq(parse_any(fuzz_corpus, strlen(fuzz_corpus)), 0);
	for (int i = 0; i < 4000; i++) {
		size_t len = strlen(fuzz_corpus);
		int edits = 1 + (int)(rnd(&seed) % 4);

		memcpy(buf, fuzz_corpus, len);
		for (int k = 0; k < edits; k++)
			len = mutate(&seed, buf, len, sizeof(buf));
		if (parse_any(buf, len) == 0)
			ok++;
		else
			bad++;
	}
	ck_assert_int_gt(ok, 100);	/* the mutations reach both outcomes */
	ck_assert_int_gt(bad, 100);
}
END_TEST

START_TEST(test_large_trace)
{
	const int blocks = 250000;	/* 4 lines each: 1,000,000 steps */
	size_t cap = (size_t)blocks * 160, at = 0;
	char *text = malloc(cap);
	struct trace *t;

	at += (size_t)snprintf(text, cap, "epoll ep\n");
	for (int i = 0; i < blocks - 1; i++)
		at += (size_t)snprintf(text + at, cap - at,
				       "eventfd e%d\nctl ep add e%d in|et data=%d\n"
				       "write e%d 1\nthread t%d: wait ep max=1 => 1 [e%d in data=%d]\n",
				       i, i, i, i, i % 8, i, i);
	at += (size_t)snprintf(text + at, cap - at, "sleep 1\nsleep 1\nsleep 1\n");
	t = parse_ok(text);
	ck_assert_uint_eq(t->nsteps, (size_t)blocks * 4);
	ck_assert_uint_eq(t->nnames, (size_t)blocks);
	ck_assert_uint_eq(t->nthreads, 9);
	ck_assert_str_eq(t->steps[4].expect, "1 [e0 in data=0]");
	trace_free(t);
	free(text);
}
END_TEST

static Suite *trace_parse_suite(void)
{
	Suite *s = suite_create("trace_parse");
	TCase *ops = tcase_create("ops");
	TCase *lang = tcase_create("language");
	TCase *errors = tcase_create("errors");
	TCase *names = tcase_create("names");
	TCase *fuzz = tcase_create("fuzz");

	tcase_add_test(ops, test_empty_input);
	tcase_add_test(ops, test_comments_utf8);
	tcase_add_test(ops, test_op_epoll);
	tcase_add_test(ops, test_op_epoll_create);
	tcase_add_test(ops, test_op_pipe);
	tcase_add_test(ops, test_op_eventfd);
	tcase_add_test(ops, test_op_socketpair);
	tcase_add_test(ops, test_op_ctl);
	tcase_add_test(ops, test_ctl_event_words);
	tcase_add_test(ops, test_op_wait);
	tcase_add_test(ops, test_op_read_write);
	tcase_add_test(ops, test_op_close_dup_dup2);
	tcase_add_test(ops, test_op_shutdown_sleep);
	suite_add_tcase(s, ops);

	tcase_add_test(lang, test_text_normalised);
	tcase_add_test(lang, test_expectations);
	tcase_add_test(lang, test_thread_prefix);
	tcase_add_test(lang, test_names_rule);
	tcase_add_test(lang, test_line_endings);
	tcase_add_test(lang, test_parse_file);
	tcase_add_test(lang, test_error_print);
	suite_add_tcase(s, lang);

	tcase_add_loop_test(errors, test_errors, 0, N_ERROR_CASES);
	tcase_add_test(errors, test_first_error_wins);
	tcase_add_test(errors, test_line_length);
	tcase_add_test(errors, test_too_many_steps);
	tcase_add_test(errors, test_too_many_threads);
	tcase_add_test(errors, test_bad_traces_dir);
	suite_add_tcase(s, errors);

	tcase_add_test(names, test_format_events);
	tcase_add_test(names, test_parse_events);
	tcase_add_test(names, test_errno_names);
	tcase_add_test(names, test_op_names);
	suite_add_tcase(s, names);

	tcase_set_timeout(fuzz, 300);
	tcase_add_test(fuzz, test_random_bytes);
	tcase_add_test(fuzz, test_mutated_traces);
	tcase_add_test(fuzz, test_large_trace);
	suite_add_tcase(s, fuzz);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_parse_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
