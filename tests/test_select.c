/* select() in the simulator (sim/select.c): sets, EBADF, the nfds clamp, timeouts, costs. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include "epsim.h"

#define T EPSIM_MAIN_TID

static struct world *w;
static int p[2];

static void setup(void)
{
	w = epsim_world_create(NULL);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(epsim_pipe2(w, T, p, O_NONBLOCK), 0);
}

static void teardown(void)
{
	epsim_world_destroy(w);
}

START_TEST(read_and_write_sets)
{
	fd_set r, wr;
	struct timeval tv = { 0, 0 };

	FD_ZERO(&r);
	FD_ZERO(&wr);
	FD_SET(p[0], &r);
	FD_SET(p[1], &r);	/* the write end is never readable */
	FD_SET(p[1], &wr);
	ck_assert_int_eq(epsim_select(w, T, p[1] + 1, &r, &wr, NULL, &tv), 1);
	ck_assert(!FD_ISSET(p[0], &r));
	ck_assert(!FD_ISSET(p[1], &r));
	ck_assert(FD_ISSET(p[1], &wr));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	FD_SET(p[1], &wr);
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	ck_assert_int_eq(epsim_select(w, T, p[1] + 1, &r, &wr, NULL, &tv), 2);	/* counted per set */
	ck_assert(FD_ISSET(p[0], &r));
}
END_TEST

START_TEST(hup_and_err_count_as_ready)
{
	fd_set r, wr, ex;
	struct timeval tv = { 0, 0 };
	int q[2];

	ck_assert_int_eq(epsim_pipe2(w, T, q, O_NONBLOCK), 0);
	ck_assert_int_eq(epsim_close(w, T, p[1]), 0);	/* p.r: HUP is in POLLIN_SET */
	ck_assert_int_eq(epsim_close(w, T, q[0]), 0);	/* q.w: ERR is in both sets */
	FD_ZERO(&r);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	FD_SET(p[0], &r);
	FD_SET(q[1], &r);
	FD_SET(q[1], &wr);
	FD_SET(q[1], &ex);
	ck_assert_int_eq(epsim_select(w, T, q[1] + 1, &r, &wr, &ex, &tv), 3);
	ck_assert(FD_ISSET(p[0], &r) && FD_ISSET(q[1], &r) && FD_ISSET(q[1], &wr));
	ck_assert(!FD_ISSET(q[1], &ex));
}
END_TEST

START_TEST(closed_fd_is_ebadf)
{
	fd_set r;
	struct timeval tv = { 0, 0 };

	ck_assert_int_eq(epsim_close(w, T, p[0]), 0);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	FD_SET(p[1], &r);
	ck_assert_int_eq(epsim_select(w, T, p[1] + 1, &r, NULL, NULL, &tv), -EBADF);
	/* a bit at or past nfds is not looked at */
	ck_assert_int_eq(epsim_select(w, T, p[0], &r, NULL, NULL, &tv), 0);
}
END_TEST

START_TEST(nfds_is_clamped_to_the_table)
{
	static unsigned long big[3][100000 / 64 + 1];
	struct timeval tv = { 0, 0 };

	memset(big, 0, sizeof(big));
	big[0][0] = 1UL << p[0];
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	epsim_stats_reset(w);
	ck_assert_int_eq(epsim_select(w, T, 100000, (fd_set *)big[0], (fd_set *)big[1], NULL, &tv),
			 1);
	/* max_fds is 64 in a fresh table: one long per set in, one long per set out */
	ck_assert_uint_eq(epsim_stats(w)->bytes_in, 2 * 8 + sizeof(tv));
	ck_assert_uint_eq(epsim_stats(w)->bytes_out, 2 * 8);	/* no time write-back for zero */
	ck_assert_uint_eq(epsim_stats(w)->fds_scanned, (uint64_t)p[0] + 1);
	ck_assert_int_eq(epsim_select(w, T, -1, NULL, NULL, NULL, &tv), -EINVAL);
}
END_TEST

START_TEST(bad_timeval)
{
	struct timeval tv = { 0, -1 };

	ck_assert_int_eq(epsim_select(w, T, 0, NULL, NULL, NULL, &tv), -EINVAL);
	tv = (struct timeval){ -1, 0 };
	ck_assert_int_eq(epsim_select(w, T, 0, NULL, NULL, NULL, &tv), -EINVAL);
	tv = (struct timeval){ 1, -1000000 };	/* normalises to 0 s: a zero timeout */
	ck_assert_int_eq(epsim_select(w, T, 0, NULL, NULL, NULL, &tv), 0);
}
END_TEST

START_TEST(sleeper_woken_and_time_left_written_back)
{
	int t2 = epsim_thread_create(w, T, "t2");
	struct timeval tv = { 1, 0 };
	fd_set r;
	long ret;

	FD_ZERO(&r);
	FD_SET(p[0], &r);
	ck_assert_int_eq(epsim_select(w, t2, p[0] + 1, &r, NULL, NULL, &tv), -EPSIM_PENDING);
	epsim_sleep(w, 300);
	ck_assert(!epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	ck_assert(epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(ret, 1);
	ck_assert(FD_ISSET(p[0], &r));
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 700000);
}
END_TEST

START_TEST(timeout_clears_the_sets)
{
	int t2 = epsim_thread_create(w, T, "t2");
	struct timeval tv = { 0, 20000 };
	fd_set r;
	long ret;

	FD_ZERO(&r);
	FD_SET(p[0], &r);
	ck_assert_int_eq(epsim_select(w, t2, p[0] + 1, &r, NULL, NULL, &tv), -EPSIM_PENDING);
	epsim_sleep(w, 20);
	ck_assert(epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(ret, 0);
	ck_assert(!FD_ISSET(p[0], &r));
	ck_assert_int_eq(tv.tv_usec, 0);
}
END_TEST

START_TEST(signal_interrupts_and_leaves_the_sets)
{
	int t2 = epsim_thread_create(w, T, "t2");
	fd_set r;
	long ret;

	FD_ZERO(&r);
	FD_SET(p[0], &r);
	ck_assert_int_eq(epsim_select(w, t2, p[0] + 1, &r, NULL, NULL, NULL), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_tkill(w, T, t2, SIGUSR1), 0);
	ck_assert(epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(ret, -EINTR);
	ck_assert(FD_ISSET(p[0], &r));	/* not copied back */
}
END_TEST

START_TEST(key_filters_wakeups)
{
	/* a writer-only select on a full eventfd: an IN wake does not re-scan, an OUT wake does */
	int e = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK), t2 = epsim_thread_create(w, T, "t2");
	uint64_t v;
	fd_set wr;
	long ret;

	FD_ZERO(&wr);
	FD_SET(e, &wr);
	ck_assert_int_eq(epsim_write(w, T, e, 8, 0xfffffffffffffffeULL), 8);
	ck_assert_int_eq(epsim_select(w, t2, e + 1, NULL, &wr, NULL, NULL), -EPSIM_PENDING);
	epsim_stats_reset(w);
	ck_assert_int_eq(epsim_write(w, T, e, 8, 0), 8);	/* wakes with EPOLLIN */
	ck_assert(!epsim_take_result(w, t2, &ret));
	ck_assert_uint_eq(epsim_stats(w)->passes, 0);
	ck_assert_int_eq(epsim_read(w, T, e, 8, &v), 8);	/* wakes with EPOLLOUT */
	ck_assert(epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(ret, 1);
	ck_assert_uint_eq(epsim_stats(w)->passes, 1);
	ck_assert(FD_ISSET(e, &wr));
}
END_TEST

static Suite *select_suite(void)
{
	Suite *s = suite_create("select");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, read_and_write_sets);
	tcase_add_test(tc, hup_and_err_count_as_ready);
	tcase_add_test(tc, closed_fd_is_ebadf);
	tcase_add_test(tc, nfds_is_clamped_to_the_table);
	tcase_add_test(tc, bad_timeval);
	tcase_add_test(tc, sleeper_woken_and_time_left_written_back);
	tcase_add_test(tc, timeout_clears_the_sets);
	tcase_add_test(tc, signal_interrupts_and_leaves_the_sets);
	tcase_add_test(tc, key_filters_wakeups);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(select_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
