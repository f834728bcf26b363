/*
 * Tests of the differential fuzzer (tools/fuzz/fuzz_*.c): the generator is
 * deterministic and its traces always parse and respect its determinism
 * rules; the comparison tells matches from divergences; the shrinker
 * reduces a long trace to the steps a synthetic divergence needs; and many
 * traces on the kernel backend leave the process's fds and threads as they
 * were.
 */
#include "fuzz.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "trace.h"

/* ------------------------------------------------------------- helpers */

static struct trace *parse(const char *text)
{
	struct trace *t = NULL;
	struct trace_error e;
	int rc = trace_parse("fuzz", text, strlen(text), &t, &e);

	ck_assert_msg(rc == 0, "does not parse: %d:%d: %s", e.loc.line, e.loc.col, e.msg);
	return t;
}

static int count_lines_with(const char *text, const char *word)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, word)) != NULL; p++)
		n++;
	return n;
}

/* ---------------------------------------------------------- generator */

START_TEST(test_gen_deterministic)
{
	for (uint64_t seed = 0; seed < 200; seed++) {
		char *a = fuzz_generate(seed, NULL), *b = fuzz_generate(seed, NULL);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
	char *x = fuzz_generate(1, NULL), *y = fuzz_generate(2, NULL);
	ck_assert_str_ne(x, y);
	free(x);
	free(y);
}
END_TEST

START_TEST(test_gen_always_parses)
{
	struct fuzz_gen_opts o;

	fuzz_gen_defaults(&o);
	for (uint64_t seed = 0; seed < 20000; seed++) {
		char *text = fuzz_generate(seed * 7919 + 13, &o);
		int n = fuzz_count_steps(text);
		if (n < o.min_steps || n > o.max_steps)
			fprintf(stderr, "%s", text);
		ck_assert_msg(n >= o.min_steps && n <= o.max_steps, "seed %llu: %d steps",
			      (unsigned long long)seed * 7919 + 13, n);
		free(text);
	}
}
END_TEST

/* Other option sets parse too: few steps, many steps, each feature alone. */
START_TEST(test_gen_options_parse)
{
	struct fuzz_gen_opts o;

	for (int variant = 0; variant < 9; variant++) {
		fuzz_gen_defaults(&o);
		if (variant < 6)
			o.features = 1u << variant;
		else if (variant == 6)
			o.min_steps = o.max_steps = 2;
		else if (variant == 7)
			o.max_steps = 300, o.max_threads = 16;
		else
			o.max_threads = 0;
		for (uint64_t seed = 0; seed < 500; seed++) {
			char *text = fuzz_generate(seed, &o);
			if (fuzz_count_steps(text) < o.min_steps)
				fprintf(stderr, "%s", text);
			ck_assert_msg(fuzz_count_steps(text) >= o.min_steps, "variant %d seed %llu",
				      variant, (unsigned long long)seed);
			free(text);
		}
	}
}
END_TEST

START_TEST(test_gen_features_off)
{
	struct fuzz_gen_opts o;
	int with_threads = 0;

	fuzz_gen_defaults(&o);
	o.features = 0;
	for (uint64_t seed = 0; seed < 2000; seed++) {
		char *text = fuzz_generate(seed, &o);
		ck_assert_msg(!strstr(text, "thread ") && !strstr(text, "signal") &&
				      !strstr(text, "sigmask") && !strstr(text, "timerfd") &&
				      !strstr(text, "dup") && !strstr(text, "badfd"),
			      "seed %llu uses a feature that is off", (unsigned long long)seed);
		free(text);
	}
	fuzz_gen_defaults(&o);
	for (uint64_t seed = 0; seed < 200; seed++) {
		char *text = fuzz_generate(seed, &o);
		with_threads += strstr(text, "thread ") != NULL;
		free(text);
	}
	ck_assert_int_gt(with_threads, 20);
}
END_TEST

static bool step_may_block(const struct trace_step *st)
{
	if (st->op == TOP_WAIT || st->op == TOP_PWAIT)
		return st->timeout_ms != 0;
	if (st->op == TOP_PWAIT2)
		return st->ts_null || st->ts_sec != 0 || st->ts_nsec != 0;
	return false;
}

/* The step that made the file a name names: its creation, through dups. */
static const struct trace_step *origin(const struct trace *t, int name)
{
	const struct trace_step *st = &t->steps[t->names[name].step];

	while (st->op == TOP_DUP && st->obj >= 0 && !st->obj_bad)
		st = &t->steps[t->names[st->obj].step];
	return st;
}

/* A read or write on main (or a thread reused later) of a blocking file. */
static bool io_on_blocking(const struct trace *t, const struct trace_step *st)
{
	return (st->op == TOP_READ || st->op == TOP_WRITE) && st->obj >= 0 && !st->obj_bad &&
	       (origin(t, st->obj)->flags & TF_BLOCKING);
}

/*
 * The determinism rules: main never waits with a timeout and never reads or
 * writes a blocking file, a thread that may block takes no further call, no
 * step sleeps.
 */
START_TEST(test_gen_determinism_rules)
{
	int blocking = 0;

	for (uint64_t seed = 0; seed < 5000; seed++) {
		char *text = fuzz_generate(seed, NULL);
		struct trace *t = parse(text);
		bool *blocked = calloc(t->nthreads + 1, sizeof(bool));

		for (size_t i = 0; i < t->nsteps; i++) {
			const struct trace_step *st = &t->steps[i];
			ck_assert_msg(!blocked[st->thread], "seed %llu step %zu: thread reused",
				      (unsigned long long)seed, i + 1);
			ck_assert_msg(!(st->thread == 0 && (step_may_block(st) || io_on_blocking(t, st))),
				      "seed %llu step %zu: main may block", (unsigned long long)seed,
				      i + 1);
			ck_assert(st->op != TOP_SLEEP);
			blocked[st->thread] = step_may_block(st) || io_on_blocking(t, st);
			blocking += io_on_blocking(t, st);
		}
		free(blocked);
		trace_free(t);
		free(text);
	}
	ck_assert_int_gt(blocking, 100);	/* the blocking feature is exercised */
}
END_TEST

/* The simulator is deterministic: every trace matches a second simulator run. */
START_TEST(test_gen_runs_on_sim)
{
	struct fuzz_pair p = { &sim_backend_ops, &sim_backend_ops, 0, 0 };
	struct fuzz_outcome *out = calloc(1, sizeof(*out));

	for (uint64_t seed = 0; seed < 500; seed++) {
		char *text = fuzz_generate(seed, NULL);
		enum fuzz_verdict v = fuzz_compare(&p, text, out);
		ck_assert_msg(v == FUZZ_MATCH, "seed %llu: verdict %d: %.300s",
			      (unsigned long long)seed, v, out->report);
		free(text);
	}
	free(out);
}
END_TEST

/* ------------------------------------------------------- fake backends */

/*
 * A simulator with a planted bug: it fails calls that a trigger picks with
 * EPERM. The wrapper is what its ops hand out as a struct backend.
 */
struct fake {
	struct backend *inner;
	bool saw_oneshot;	/* a ctl with EPOLLONESHOT was issued */
	bool odd;		/* opened an odd number of times so far */
};

enum fake_bug { BUG_SHUTDOWN_WR, BUG_READ_AFTER_ONESHOT, BUG_FLAKY_SHUTDOWN, BUG_READ_OR_SHUTDOWN };
static enum fake_bug fake_bug;
static int fake_opens;

static bool fake_triggers(struct fake *f, const struct sys_call *c)
{
	if (fake_bug == BUG_SHUTDOWN_WR)
		return c->nr == SYS_SHUTDOWN && c->op == SHUT_WR;
	if (fake_bug == BUG_FLAKY_SHUTDOWN)	/* every other run: not reproducible */
		return c->nr == SYS_SHUTDOWN && f->odd;
	if (fake_bug == BUG_READ_OR_SHUTDOWN)
		return c->nr == SYS_READ || c->nr == SYS_SHUTDOWN;
	if (c->nr == SYS_EPOLL_CTL && !c->ev_null && (c->ev.events & EPOLLONESHOT))
		f->saw_oneshot = true;
	return c->nr == SYS_READ && f->saw_oneshot;
}

static struct backend *fake_open(const struct backend_config *cfg, char *err, size_t errlen)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->inner = sim_backend_ops.open(cfg, err, errlen);
	f->odd = ++fake_opens % 2;
	return (struct backend *)f;
}

static void fake_close(struct backend *b)
{
	struct fake *f = (struct fake *)b;

	sim_backend_ops.close(f->inner);
	free(f);
}

static const char *fake_version(struct backend *b)
{
	(void)b;
	return "fake";
}

static int fake_thread_new(struct backend *b, int thread, const char *name)
{
	return sim_backend_ops.thread_new(((struct fake *)b)->inner, thread, name);
}

static int fake_submit(struct backend *b, int thread, const struct sys_call *call,
		       struct sys_result *res)
{
	struct fake *f = (struct fake *)b;
	int r = sim_backend_ops.submit(f->inner, thread, call, res);

	if (fake_triggers(f, call) && r == 1)
		res->ret = -EPERM;
	return r;
}

static int fake_settle(struct backend *b, backend_done_fn done, void *ctx)
{
	return sim_backend_ops.settle(((struct fake *)b)->inner, done, ctx);
}

static int fake_fdinfo(struct backend *b, int epfd, struct sys_fdinfo_item *items, int max)
{
	return sim_backend_ops.fdinfo(((struct fake *)b)->inner, epfd, items, max);
}

static const struct backend_ops fake_ops = {
	.name = "fake",
	.open = fake_open,
	.close = fake_close,
	.version = fake_version,
	.thread_new = fake_thread_new,
	.submit = fake_submit,
	.settle = fake_settle,
	.fdinfo = fake_fdinfo,
};

/* ------------------------------------------------------------ compare */

START_TEST(test_compare_verdicts)
{
	struct fuzz_pair p = { &sim_backend_ops, &fake_ops, 0, 0 };
	struct fuzz_outcome *out = calloc(1, sizeof(*out));

	fake_bug = BUG_SHUTDOWN_WR;
	ck_assert_int_eq(fuzz_compare(&p, "socketpair s\nshutdown s.0 rd\n", out), FUZZ_MATCH);
	ck_assert_int_eq(fuzz_compare(&p, "socketpair s\nwrite s.0 1\nshutdown s.0 wr\n", out),
			 FUZZ_DIVERGE);
	ck_assert_int_eq(out->div_step, 3);
	ck_assert_ptr_nonnull(strstr(out->report, "EPERM"));
	ck_assert_int_eq(fuzz_compare(&p, "shutdown q.0 wr\n", out), FUZZ_INVALID);
	ck_assert_ptr_nonnull(strstr(out->report, "undefined name"));
	free(out);
}
END_TEST

/* A backend whose log changes between runs: flaky, and the shrink predicate refuses it. */
START_TEST(test_confirm_flaky)
{
	struct fuzz_pair p = { &sim_backend_ops, &fake_ops, 0, 2 };
	struct fuzz_outcome *out = calloc(1, sizeof(*out));
	const char *text = "socketpair s\nshutdown s.0 rd\n";

	fake_bug = BUG_FLAKY_SHUTDOWN;
	fake_opens = 0;
	ck_assert_int_eq(fuzz_confirm(&p, text, out), FUZZ_DIVERGE);
	ck_assert(out->flaky);
	ck_assert_str_eq(out->sig, "shutdown/shutdown");
	ck_assert(!fuzz_pred_diverges(&p, text));
	fake_bug = BUG_SHUTDOWN_WR;
	ck_assert_int_eq(fuzz_confirm(&p, "socketpair s\nshutdown s.0 wr\n", out), FUZZ_DIVERGE);
	ck_assert(!out->flaky);
	free(out);
}
END_TEST

/* ------------------------------------------------------------- shrink */

/* A long trace with one essential pair of steps buried in noise. */
static const char *noisy_shutdown =
	"epoll ep1\n"
	"eventfd e2 init=3 semaphore\n"
	"ctl ep1 add e2 in|out|et data=5\n"
	"pipe p3\n"
	"socketpair s4 dgram\n"
	"write p3.w 4096\n"
	"wait ep1 max=4\n"
	"socketpair s5 stream\n"
	"ctl ep1 add s5.0 in|rdhup|oneshot data=7\n"
	"write s5.1 100\n"
	"# a comment\n"
	"read p3.r 100\n"
	"thread t1: wait ep1 max=2 timeout=-1\n"
	"write e2 1\n"
	"dup s5.0 d6\n"
	"shutdown s4.0 rd\n"
	"ctl ep1 mod s5.0 in|out data=2\n"
	"shutdown s5.0 wr\n"
	"wait ep1 max=8\n"
	"close d6\n"
	"write s5.1 7\n"
	"read s5.0 100\n"
	"wait ep1\n";

START_TEST(test_shrink_to_essential_steps)
{
	struct fuzz_pair p = { &sim_backend_ops, &fake_ops, 0, 0 };
	struct fuzz_shrink_stats st;
	char *min;

	fake_bug = BUG_SHUTDOWN_WR;
	ck_assert(fuzz_pred_diverges(&p, noisy_shutdown));
	min = fuzz_shrink(noisy_shutdown, fuzz_pred_diverges, &p, 0, &st);
	ck_assert_str_eq(min, "socketpair s5\nshutdown s5.0 wr\n");
	ck_assert_int_eq(st.steps_before, 22);
	ck_assert_int_eq(st.steps_after, 2);
	ck_assert_int_gt(st.tests, 0);
	free(min);
}
END_TEST

/* A divergence that needs two steps in order, in a generated trace. */
START_TEST(test_shrink_two_step_bug)
{
	struct fuzz_pair p = { &sim_backend_ops, &fake_ops, 0, 0 };
	char *gen = fuzz_generate(12345, NULL), *text, *min;
	size_t len = strlen(gen) + 256;
	struct trace *t;

	fake_bug = BUG_READ_AFTER_ONESHOT;
	text = calloc(len, 1);
	snprintf(text, len,
		 "epoll epx\neventfd ex\nctl epx add ex in|et|oneshot|rdhup data=9\n%sread ex\n",
		 gen);
	ck_assert(fuzz_pred_diverges(&p, text));
	min = fuzz_shrink(text, fuzz_pred_diverges, &p, 0, NULL);
	t = parse(min);
	ck_assert_msg(t->nsteps >= 2 && t->nsteps <= 4, "not minimal:\n%s", min);
	ck_assert_int_eq(t->steps[t->nsteps - 1].op, TOP_READ);
	ck_assert_int_eq(count_lines_with(min, "\n"), (int)t->nsteps);
	for (size_t i = 0; i < t->nsteps; i++)
		if (t->steps[i].op == TOP_CTL)
			ck_assert_uint_eq(t->steps[i].events, EPOLLONESHOT);
	trace_free(t);
	free(min);
	free(text);
	free(gen);
}
END_TEST

/* Shrinking keeps the kind of divergence: the first differing step stays a shutdown. */
START_TEST(test_shrink_keeps_signature)
{
	struct fuzz_target tg = { { &sim_backend_ops, &fake_ops, 0, 0 }, "shutdown/shutdown" };
	const char *text = "pipe p\nsocketpair s\nwrite p.w 5\nshutdown s.0 wr\nread p.r 5\n"
			   "read s.1 1\n";
	char *min;

	fake_bug = BUG_READ_OR_SHUTDOWN;
	ck_assert(fuzz_pred_same_divergence(&tg, text));
	min = fuzz_shrink(text, fuzz_pred_same_divergence, &tg, 0, NULL);
	ck_assert_str_eq(min, "socketpair s\nshutdown s.0 wr\n");
	free(min);
	snprintf(tg.sig, sizeof(tg.sig), "read/read");
	ck_assert(!fuzz_pred_same_divergence(&tg, text));
}
END_TEST

/* Text predicates: numbers shrink towards the smallest that still holds, flags one by one. */
static bool has_step(const char *text, bool (*match)(const struct trace_step *))
{
	struct trace *t = NULL;
	struct trace_error e;
	bool yes = false;

	if (trace_parse("p", text, strlen(text), &t, &e) != 0)
		return false;
	for (size_t i = 0; i < t->nsteps; i++)
		yes |= match(&t->steps[i]);
	trace_free(t);
	return yes;
}

static bool is_big_write(const struct trace_step *st)
{
	return st->op == TOP_WRITE && st->num >= 1000;
}

static bool is_et_ctl(const struct trace_step *st)
{
	return st->op == TOP_CTL && (st->events & EPOLLET);
}

static bool big_write(void *ctx, const char *text)
{
	(void)ctx;
	return has_step(text, is_big_write);
}

static bool et_ctl(void *ctx, const char *text)
{
	(void)ctx;
	return has_step(text, is_et_ctl);
}

START_TEST(test_shrink_arguments)
{
	const char *text = "pipe p\nepoll ep\nctl ep add p.r in|out|et|oneshot data=77\n"
			   "write p.w 300000\nwait ep max=3\n";
	char *min = fuzz_shrink(text, big_write, NULL, 0, NULL);
	struct trace *t = parse(min);

	ck_assert_int_eq(t->nsteps, 2);
	ck_assert_int_eq(t->steps[1].op, TOP_WRITE);
	ck_assert_int_ge(t->steps[1].num, 1000);
	ck_assert_int_lt(t->steps[1].num, 2000);
	trace_free(t);
	free(min);

	min = fuzz_shrink(text, et_ctl, NULL, 0, NULL);
	ck_assert_str_eq(min, "epoll ep\nctl ep add ep et\n");
	free(min);
}
END_TEST

/* Time options only shrink to 0: a candidate never waits for real time. */
static bool has_thread_wait(void *ctx, const char *text)
{
	(void)ctx;
	return strstr(text, "thread t1: wait") != NULL && fuzz_count_steps(text) > 0;
}

START_TEST(test_shrink_times_only_to_zero)
{
	char *min = fuzz_shrink("epoll ep\nthread t1: wait ep timeout=-1\n", has_thread_wait, NULL,
				0, NULL);

	ck_assert_ptr_null(strstr(min, "timeout=1"));
	free(min);
}
END_TEST

/* The budget of predicate calls is respected. */
static int calls;
static bool count_calls(void *ctx, const char *text)
{
	(void)ctx;
	(void)text;
	calls++;
	return false;
}

START_TEST(test_shrink_budget)
{
	char *min;

	calls = 0;
	min = fuzz_shrink(noisy_shutdown, count_calls, NULL, 7, NULL);
	ck_assert_int_eq(calls, 7);
	ck_assert_int_eq(fuzz_count_steps(min), 22);
	free(min);
}
END_TEST

/* ------------------------------------------------------------- leaks */

/*
 * Fuzz traces on the kernel backend in this process leave its fd count and
 * thread count where they started. EPSIM_FUZZ_LEAK_TRACES sets how many
 * (default 1000; the documented measurement uses 10000).
 */
START_TEST(test_kernel_no_leak)
{
	struct fuzz_pair p = { &kernel_backend_ops, &sim_backend_ops, 0, 0 };
	struct fuzz_outcome *out = calloc(1, sizeof(*out));
	const char *env = getenv("EPSIM_FUZZ_LEAK_TRACES");
	long n = env ? atol(env) : 1000;
	int fds0 = fuzz_count_fds(), thr0 = fuzz_count_threads();

	ck_assert_int_gt(fds0, 0);
	ck_assert_int_ge(thr0, 1);
	for (long i = 0; i < n; i++) {
		char *text = fuzz_generate((uint64_t)i + 500000, NULL);
		enum fuzz_verdict v = fuzz_compare(&p, text, out);
		ck_assert_msg(v == FUZZ_MATCH || v == FUZZ_DIVERGE, "trace %ld: %.300s", i, out->report);
		free(text);
	}
	ck_assert_int_eq(fuzz_count_fds(), fds0);
	ck_assert_int_eq(fuzz_count_threads(), thr0);
	free(out);
}
END_TEST

static Suite *fuzz_suite(void)
{
	Suite *s = suite_create("fuzz");
	TCase *gen = tcase_create("generator"), *shr = tcase_create("shrink"),
	      *leak = tcase_create("leak");

	tcase_set_timeout(gen, 120);
	tcase_add_test(gen, test_gen_deterministic);
	tcase_add_test(gen, test_gen_always_parses);
	tcase_add_test(gen, test_gen_options_parse);
	tcase_add_test(gen, test_gen_features_off);
	tcase_add_test(gen, test_gen_determinism_rules);
	tcase_add_test(gen, test_gen_runs_on_sim);
	suite_add_tcase(s, gen);
	tcase_set_timeout(shr, 60);
	tcase_add_test(shr, test_compare_verdicts);
	tcase_add_test(shr, test_confirm_flaky);
	tcase_add_test(shr, test_shrink_to_essential_steps);
	tcase_add_test(shr, test_shrink_two_step_bug);
	tcase_add_test(shr, test_shrink_keeps_signature);
	tcase_add_test(shr, test_shrink_arguments);
	tcase_add_test(shr, test_shrink_times_only_to_zero);
	tcase_add_test(shr, test_shrink_budget);
	suite_add_tcase(s, shr);
	tcase_set_timeout(leak, 280);
	tcase_add_test(leak, test_kernel_no_leak);
	suite_add_tcase(s, leak);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fuzz_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
