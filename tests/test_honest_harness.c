/*
 * No check passes silently: every way an expectation or a golden comparison
 * could be skipped fails loudly, on `epsim run`, `check` and `diff`, on both
 * backends (the traces are in tests/honest/). Also: expectations are
 * normalised the way the log renders values, alternatives (`A | B`) express a
 * legal race, and `thread w: sleep MS` sleeps while the trace goes on.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "logdiff.h"
#include "lograce.h"
#include "runner.h"
#include "trace.h"

#define HONEST_DIR BAD_TRACES_DIR "/../honest"

/* What one epsim command did. */
struct cmd_out {
	int rc;
	char out[65536];
	char err[65536];
};

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

/* Run `epsim ARGS` with stdout and stderr kept apart. */
static void epsim(struct cmd_out *o, const char *args)
{
	char cmd[4096], outp[64], errp[64];
	int st;

	snprintf(outp, sizeof(outp), "/tmp/honest-out.%d", (int)getpid());
	snprintf(errp, sizeof(errp), "/tmp/honest-err.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "%s %s >%s 2>%s", EPSIM_BIN, args, outp, errp);
	st = system(cmd);
	o->rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	slurp(outp, o->out, sizeof(o->out));
	slurp(errp, o->err, sizeof(o->err));
	unlink(outp);
	unlink(errp);
}

static void has(const char *text, const char *what, const char *needle)
{
	ck_assert_msg(strstr(text, needle) != NULL, "%s lacks '%s':\n%s", what, needle, text);
}

/* `epsim run --backend B tests/honest/NAME`: exit status rc, and msg on stderr. */
static void run_fails(const char *backend, const char *name, int rc, const char *msg)
{
	struct cmd_out *o = malloc(sizeof(*o));
	char args[512];

	snprintf(args, sizeof(args), "run --backend %s %s/%s", backend, HONEST_DIR, name);
	epsim(o, args);
	ck_assert_msg(o->rc == rc, "%s on %s: exit %d, not %d\n%s", name, backend, o->rc, rc, o->err);
	has(o->err, "stderr", msg);
	free(o);
}

START_TEST(still_blocked_fails_run)
{
	static const char msg[] = "still-blocked.trace:3:40: expectation failed: expected '0', "
				  "the call was still blocked at the end";

	run_fails("sim", "still-blocked.trace", 1, msg);
	run_fails("kernel", "still-blocked.trace", 1, msg);
}
END_TEST

START_TEST(still_blocked_fails_diff)
{
	struct cmd_out *o = malloc(sizeof(*o));

	epsim(o, "diff " HONEST_DIR "/still-blocked.trace");
	ck_assert_int_eq(o->rc, 1);
	has(o->err, "stderr", "expectation failed: expected '0', the call was still blocked at the "
			      "end (on kernel and sim)");
	has(o->out, "stdout", "logs match");
	has(o->out, "stdout", "still-blocked.trace: 1 expectation failed");
	has(o->out, "stdout", "1 trace, 0 divergences, 1 expectation failure");
	free(o);
}
END_TEST

/* A fresh directory holding NAME.trace: a copy of tests/honest/NAME.trace. */
static void make_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/honest-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void copy_trace(const char *from, const char *to, bool keep_expect)
{
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	char line[4096];

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	while (fgets(line, sizeof(line), in)) {
		char *arrow = keep_expect ? NULL : strstr(line, "=>");
		if (arrow)
			strcpy(arrow, "\n");
		fputs(line, out);
	}
	fclose(in);
	fclose(out);
}

/* The golden log `epsim record` wrote somewhere under dir (whatever the layout). */
static bool find_golden(const char *dir, char *path, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char sub[1024];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (stat(sub, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			found = find_golden(sub, path, len);
		else if (!strstr(e->d_name, ".trace") || strstr(e->d_name, ".trace."))
			found = (snprintf(path, len, "%s", sub), true);
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * In a fresh dir: x.trace from tests/honest/NAME, its golden recorded on the
 * kernel from a copy without expectations (a failing one cannot be recorded).
 */
static void record_golden(const char *name, char *dir, size_t dlen, char *golden, size_t glen)
{
	struct cmd_out *o = malloc(sizeof(*o));
	char src[512], dst[512], args[600];

	make_dir(dir, dlen);
	snprintf(src, sizeof(src), "%s/%s", HONEST_DIR, name);
	snprintf(dst, sizeof(dst), "%s/x.trace", dir);
	copy_trace(src, dst, false);
	snprintf(args, sizeof(args), "record %s", dst);
	epsim(o, args);
	ck_assert_msg(o->rc == 0, "record failed (%d): %s", o->rc, o->err);
	ck_assert_msg(find_golden(dir, golden, glen), "no golden log under %s", dir);
	copy_trace(src, dst, true);
	free(o);
}

static void remove_dir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(still_blocked_fails_check)
{
	static const char *const backends[] = { "sim", "kernel" };
	struct cmd_out *o = malloc(sizeof(*o));
	char dir[64], golden[1024], args[600];

	record_golden("still-blocked.trace", dir, sizeof(dir), golden, sizeof(golden));
	for (int i = 0; i < 2; i++) {
		snprintf(args, sizeof(args), "check --backend %s %s/x.trace", backends[i], dir);
		epsim(o, args);
		ck_assert_msg(o->rc == 1, "check on %s: exit %d\n%s", backends[i], o->rc, o->err);
		has(o->err, "stderr", "x.trace:3:40: expectation failed: expected '0', the call was "
				      "still blocked at the end");
		has(o->out, "stdout", "1 expectation failed");
	}
	remove_dir(dir);
	free(o);
}
END_TEST

START_TEST(main_watchdog_fails)
{
	static const char msg[] = "main-watchdog.trace:3:29: expectation failed: expected '0', "
				  "the call was cut by the watchdog";
	struct cmd_out *o = malloc(sizeof(*o));

	run_fails("sim", "main-watchdog.trace", 1, msg);
	run_fails("kernel", "main-watchdog.trace", 1, msg);
	epsim(o, "diff " HONEST_DIR "/main-watchdog.trace");
	ck_assert_int_eq(o->rc, 1);
	has(o->err, "stderr", "cut by the watchdog (it never finished) (on kernel and sim)");
	free(o);
}
END_TEST

START_TEST(runtime_error_keeps_log)
{
	static const char *const backends[] = { "sim", "kernel" };
	struct cmd_out *o = malloc(sizeof(*o));
	char args[512];

	for (int i = 0; i < 2; i++) {
		snprintf(args, sizeof(args), "run --backend %s %s/stopped-early.trace", backends[i],
			 HONEST_DIR);
		epsim(o, args);
		ck_assert_int_eq(o->rc, 2);
		has(o->out, "stdout", "4   t1: wait ep max=1 timeout=-1             ... blocks");
		has(o->out, "stdout", "5   write e 0                                = 8");
		has(o->err, "stderr", "stopped-early.trace:6:40: expectation failed: expected '0', the "
				      "call was still blocked when the run stopped at step 6 (line 8)");
		has(o->err, "stderr", "stopped-early.trace:9:14: expectation failed: expected '8', the "
				      "step was never run: the run stopped at step 6 (line 8)");
		/* the error comes last, positioned */
		has(o->err, "stderr", "stopped-early.trace:8:12: error: thread 't1' is still blocked "
				      "in step 4\n");
		ck_assert_ptr_null(strstr(strstr(o->err, "error: thread"), "expectation failed"));
	}
	free(o);
}
END_TEST

START_TEST(cap_stops_run_loudly)
{
	static const char msg[] = "stopped-by-cap.trace:4:14: expectation failed: expected '8', the "
				  "step was never run: the run stopped at step 2 (line 3)";

	run_fails("sim", "stopped-by-cap.trace", 2, msg);
	run_fails("kernel", "stopped-by-cap.trace", 2, msg);
	run_fails("sim", "stopped-by-cap.trace", 2, "stopped-by-cap.trace:3:1: error: ");
}
END_TEST

START_TEST(exited_process_call_fails)
{
	static const char msg[] = "process-exited.trace:6:39: expectation failed: expected '1 [e in "
				  "data=*]', the call never completed: its process exited";

	run_fails("sim", "process-exited.trace", 1, msg);
	run_fails("kernel", "process-exited.trace", 1, msg);
}
END_TEST

START_TEST(thread_without_process_is_positioned)
{
	static const char msg[] = "no-process.trace:5:11: error: thread 'c': its process is not "
				  "running";

	run_fails("sim", "no-process.trace", 2, msg);
	run_fails("kernel", "no-process.trace", 2, msg);
}
END_TEST

/* The golden log of a trace, changed by f, makes check fail with rc and msg. */
static void golden_fails(void (*f)(const char *golden), int rc, const char *msg)
{
	struct cmd_out *o = malloc(sizeof(*o));
	char dir[64], golden[1024], args[600];

	record_golden("thread-sleep.trace", dir, sizeof(dir), golden, sizeof(golden));
	snprintf(args, sizeof(args), "check --backend sim %s/x.trace", dir);
	epsim(o, args);
	ck_assert_msg(o->rc == 0, "untouched golden: exit %d\n%s%s", o->rc, o->out, o->err);
	f(golden);
	epsim(o, args);
	ck_assert_msg(o->rc == rc, "exit %d, not %d\n%s%s", o->rc, rc, o->out, o->err);
	has(o->rc == 1 ? o->out : o->err, "output", msg);
	remove_dir(dir);
	free(o);
}

/* Keep the first `keep` lines of a file (header included); append `extra` if given. */
static void rewrite(const char *path, int keep, const char *extra, const char *header)
{
	char buf[65536], *save = NULL;
	FILE *f;
	int n = 0;

	slurp(path, buf, sizeof(buf));
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (keep >= 0 && n >= keep)
			break;
		fprintf(f, "%s\n", n == 0 && header ? header : l);
		n++;
	}
	if (extra)
		fprintf(f, "%s\n", extra);
	fclose(f);
}

static void golden_shorter(const char *g) { rewrite(g, 4, NULL, NULL); }
static void golden_longer(const char *g) { rewrite(g, -1, "8   sleep 1                                  = 0", NULL); }
static void golden_empty(const char *g) { rewrite(g, 1, NULL, NULL); }
static void golden_from_sim(const char *g) { rewrite(g, -1, NULL, "# epsim log 1 | backend sim epsim | x.trace"); }
static void golden_headless(const char *g) { rewrite(g, -1, NULL, "1   epoll ep                                 = 0"); }
static void golden_missing(const char *g) { ck_assert_int_eq(unlink(g), 0); }

START_TEST(golden_shorter_or_longer_diverges)
{
	golden_fails(golden_shorter, 1, "(end of log)");
	golden_fails(golden_longer, 1, "(end of log)");
}
END_TEST

START_TEST(golden_empty_or_foreign_is_trouble)
{
	golden_fails(golden_empty, 2, "the golden log has no lines");
	golden_fails(golden_from_sim, 2, "recorded on the simulator");
	golden_fails(golden_headless, 2, "not a result log");
	golden_fails(golden_missing, 2, "no golden log");
}
END_TEST

static struct trace *parse(const char *text)
{
	struct trace_error err;
	struct trace *t = NULL;

	ck_assert_msg(trace_parse("x.trace", text, strlen(text), &t, &err) == 0, "%d:%d: %s",
		      err.loc.line, err.loc.col, err.msg);
	return t;
}

static void parse_fails(const char *text, const char *msg)
{
	struct trace_error err;
	struct trace *t = NULL;

	ck_assert_int_eq(trace_parse("x.trace", text, strlen(text), &t, &err), -1);
	ck_assert_msg(strstr(err.msg, msg) != NULL, "'%s' lacks '%s'", err.msg, msg);
}

START_TEST(never_a_result_is_an_error)
{
	parse_fails("epoll ep\nthread t: wait ep timeout=-1 => blocks\n", "does not complete");
	parse_fails("epoll ep\nthread t: wait ep timeout=-1 => still blocked\n", "does not complete");
	parse_fails("epoll ep\nwait ep timeout=-1 => watchdog\n", "does not complete");
	parse_fails("epoll ep\nwait ep => 0 |\n", "empty alternative");
	parse_fails("epoll ep\nwait ep => | 0\n", "empty alternative");
}
END_TEST

START_TEST(values_normalised)
{
	struct trace *t = parse("epoll ep\n"
				"wait ep => 0x1 [ p.w  out|in data=0x10 ]\n"
				"wait ep => 1 [p.w out]\n"
				"poll ep:in => 1 [ep rdnorm|in]\n"
				"sigpending => 0 pending=io|usr1\n"
				"wait ep => 1 [e1 in data=0] | EINTR\n");
	const struct trace_step *s = t->steps;

	ck_assert_str_eq(s[1].expect, "1 [p.w in|out data=16]");
	ck_assert_str_eq(s[2].expect, "1 [p.w out data=*]");
	ck_assert_str_eq(s[3].expect, "1 [ep in|rdnorm]");
	ck_assert_str_eq(s[4].expect, "0 pending=usr1|io");
	ck_assert_str_eq(s[5].expect, "1 [e1 in data=0] | EINTR");
	ck_assert(trace_expect_matches(s[2].expect, "1 [p.w out data=7]"));
	ck_assert(!trace_expect_matches(s[2].expect, "1 [p.w in data=7]"));
	ck_assert(!trace_expect_matches(s[2].expect, "1 [p.w out data=]"));
	ck_assert(trace_expect_matches(s[5].expect, "EINTR"));
	ck_assert(trace_expect_matches(s[5].expect, "1 [e1 in data=0]"));
	ck_assert(!trace_expect_matches(s[5].expect, "0"));
	ck_assert(trace_expect_has_alternatives(s[5].expect));
	ck_assert(!trace_expect_has_alternatives(s[1].expect));
	trace_free(t);
}
END_TEST

START_TEST(values_as_written_pass)
{
	struct cmd_out *o = malloc(sizeof(*o));

	epsim(o, "run " HONEST_DIR "/values.trace");
	ck_assert_msg(o->rc == 0, "%s", o->err);
	epsim(o, "run --backend kernel " HONEST_DIR "/values.trace");
	ck_assert_msg(o->rc == 0, "%s", o->err);
	free(o);
}
END_TEST

START_TEST(closed_name_warns)
{
	struct cmd_out *o = malloc(sizeof(*o));

	epsim(o, "run " HONEST_DIR "/closed-name.trace");
	ck_assert_int_eq(o->rc, 0);
	has(o->err, "stderr", "closed-name.trace:6:1: warning: 'a' was closed at line 4");
	has(o->out, "stdout", "value=3");
	epsim(o, "run --backend kernel " HONEST_DIR "/closed-name.trace");
	ck_assert_int_eq(o->rc, 0);
	has(o->err, "stderr", "warning: 'a' was closed");
	free(o);
}
END_TEST

START_TEST(thread_sleep_blocks_on_both)
{
	struct cmd_out *o = malloc(sizeof(*o));

	epsim(o, "run " HONEST_DIR "/thread-sleep.trace");
	ck_assert_msg(o->rc == 0, "%s", o->err);
	has(o->out, "stdout", "2   w: sleep 300                             ... blocks\n");
	has(o->out, "stdout", "4   t1: wait ep max=1 timeout=100            = 0\n");
	has(o->out, "stdout", "5   w: sleep 300                             = 0\n");
	epsim(o, "diff " HONEST_DIR "/thread-sleep.trace");
	ck_assert_msg(o->rc == 0, "%s%s", o->out, o->err);
	free(o);
}
END_TEST

static void lines(struct log_lines *l, const char *const *text)
{
	memset(l, 0, sizeof(*l));
	for (; *text; text++) {
		l->lines = realloc(l->lines, (l->n + 1) * sizeof(char *));
		l->lines[l->n++] = strdup(*text);
	}
}

static const char race_trace[] = "epoll ep\n"
				 "eventfd e\n"
				 "ctl ep add e in|et\n"
				 "thread t1: wait ep max=1 timeout=-1 => 1 [e in]\n"
				 "thread t2: poll ep:in timeout=300 => 1 [ep in] | 0\n"
				 "write e 1\n"
				 "sleep 400\n";

static int race_diff(const char *const *a, const char *const *b)
{
	struct trace *t = parse(race_trace);
	struct log_lines la, lb;
	int rc;

	lines(&la, a);
	lines(&lb, b);
	rc = log_race_diff(t, &la, "a", &lb, "b", NULL) ||
	     log_lines_diff(&la, "a", &lb, "b", 3, NULL);
	log_lines_free(&la);
	log_lines_free(&lb);
	trace_free(t);
	return rc;
}

START_TEST(race_alternatives_compared_as_a_set)
{
	static const char *const woken[] = {
		"5   t2: poll ep:in timeout=300               ... blocks",
		"6   write e 1                                = 8",
		"6   t1: wait ep max=1 timeout=-1             = 1 [e in data=0]",
		"6   t2: poll ep:in timeout=300               = 1 [ep in]",
		"7   sleep 400                                = 0", NULL };
	static const char *const timed_out[] = {
		"5   t2: poll ep:in timeout=300               ... blocks",
		"6   write e 1                                = 8",
		"6   t1: wait ep max=1 timeout=-1             = 1 [e in data=0]",
		"7   sleep 400                                = 0",
		"7   t2: poll ep:in timeout=300               = 0", NULL };
	static const char *const illegal[] = {
		"5   t2: poll ep:in timeout=300               ... blocks",
		"6   write e 1                                = 8",
		"6   t1: wait ep max=1 timeout=-1             = 1 [e in data=0]",
		"7   sleep 400                                = 0",
		"7   t2: poll ep:in timeout=300               = EINTR", NULL };
	static const char *const never[] = {
		"5   t2: poll ep:in timeout=300               ... blocks",
		"6   write e 1                                = 8",
		"6   t1: wait ep max=1 timeout=-1             = 1 [e in data=0]",
		"7   sleep 400                                = 0",
		"end t2: poll ep:in timeout=300               ... still blocked", NULL };
	static const char *const t1_other[] = {
		"5   t2: poll ep:in timeout=300               ... blocks",
		"6   write e 1                                = 8",
		"6   t1: wait ep max=1 timeout=-1             = 0",
		"7   sleep 400                                = 0",
		"7   t2: poll ep:in timeout=300               = 0", NULL };

	ck_assert_int_eq(race_diff(woken, timed_out), 0);
	ck_assert_int_eq(race_diff(timed_out, woken), 0);
	ck_assert_int_eq(race_diff(woken, illegal), 1);	/* not one of the alternatives */
	ck_assert_int_eq(race_diff(woken, never), 1);	/* completed on one side only */
	ck_assert_int_eq(race_diff(woken, t1_other), 1); /* lines of other steps still in order */
}
END_TEST

static Suite *honest_suite(void)
{
	Suite *s = suite_create("honest_harness");
	TCase *never = tcase_create("never_unchecked");
	TCase *golden = tcase_create("golden");
	TCase *values = tcase_create("values");

	tcase_set_timeout(never, 120);
	tcase_set_timeout(golden, 120);
	tcase_set_timeout(values, 120);
	tcase_add_test(never, still_blocked_fails_run);
	tcase_add_test(never, still_blocked_fails_diff);
	tcase_add_test(never, still_blocked_fails_check);
	tcase_add_test(never, main_watchdog_fails);
	tcase_add_test(never, runtime_error_keeps_log);
	tcase_add_test(never, cap_stops_run_loudly);
	tcase_add_test(never, exited_process_call_fails);
	tcase_add_test(never, thread_without_process_is_positioned);
	tcase_add_test(never, never_a_result_is_an_error);
	tcase_add_test(golden, golden_shorter_or_longer_diverges);
	tcase_add_test(golden, golden_empty_or_foreign_is_trouble);
	tcase_add_test(values, values_normalised);
	tcase_add_test(values, values_as_written_pass);
	tcase_add_test(values, closed_name_warns);
	tcase_add_test(values, thread_sleep_blocks_on_both);
	tcase_add_test(values, race_alternatives_compared_as_a_set);
	suite_add_tcase(s, never);
	suite_add_tcase(s, golden);
	suite_add_tcase(s, values);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(honest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
