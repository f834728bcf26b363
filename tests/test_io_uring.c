/* io_uring in the simulator (model/io_uring.c, sim/sys_uring.c): POLL_ADD, READ, the CQ, the ring fd. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <linux/io_uring.h>
#include "epsim.h"
#include "world_check.h"

#define T EPSIM_MAIN_TID

static struct world *w;
static int ring, p[2];
static struct io_uring_cqe cqes[16];

static void setup(void)
{
	w = epsim_world_create(NULL);
	ck_assert_ptr_nonnull(w);
	ring = (int)epsim_io_uring_setup(w, T, 4);
	ck_assert_int_ge(ring, 0);
	ck_assert_int_eq(epsim_pipe2(w, T, p, 0), 0);
}

static void teardown(void)
{
	char why[256];

	ck_assert_msg(world_check(w, why, sizeof(why)) == 0, "%s", why);
	epsim_world_destroy(w);
}

static long reap(void)
{
	return epsim_io_uring_wait(w, T, ring, 0, cqes, 16);
}

START_TEST(setup_limits)
{
	ck_assert_int_eq(epsim_io_uring_setup(w, T, 0), -EINVAL);
	ck_assert_int_eq(epsim_io_uring_setup(w, T, 32769), -EINVAL);
	ck_assert_int_ge(epsim_io_uring_setup(w, T, 32768), 0);
	ck_assert_int_eq(epsim_io_uring_poll_add(w, T, p[0], p[0], POLLIN, 1), -EOPNOTSUPP);
	ck_assert_int_eq(epsim_io_uring_wait(w, T, -1, 0, cqes, 16), -EBADF);
}
END_TEST

START_TEST(poll_ready_at_submit_completes_at_once)
{
	ck_assert_int_eq(epsim_io_uring_poll_add(w, T, ring, p[1], POLLOUT, 7), 1);
	ck_assert_int_eq(reap(), 1);
	ck_assert_uint_eq(cqes[0].user_data, 7);
	ck_assert_int_eq(cqes[0].res, POLLOUT);
	ck_assert_int_eq(reap(), 0);
}
END_TEST

START_TEST(poll_is_one_shot_with_the_wake_key)
{
	ck_assert_int_eq(epsim_io_uring_poll_add(w, T, ring, p[0], POLLIN | POLLRDNORM, 1), 1);
	ck_assert_int_eq(reap(), 0);
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	ck_assert_int_eq(reap(), 1);
	ck_assert_int_eq(cqes[0].res, POLLIN | POLLRDNORM);
}
END_TEST

START_TEST(poll_gets_hup_always)
{
	ck_assert_int_eq(epsim_io_uring_poll_add(w, T, ring, p[0], POLLIN, 1), 1);
	ck_assert_int_eq(epsim_close(w, T, p[1]), 0);
	ck_assert_int_eq(reap(), 1);
	ck_assert_int_eq(cqes[0].res, POLLHUP);
}
END_TEST

START_TEST(bad_fd_is_a_completion)
{
	ck_assert_int_eq(epsim_io_uring_read(w, T, ring, -1, 1, 3), 1);
	ck_assert_int_eq(reap(), 1);
	ck_assert_int_eq(cqes[0].res, -EBADF);
}
END_TEST

START_TEST(read_waits_for_data_newest_first)
{
	ck_assert_int_eq(epsim_io_uring_read(w, T, ring, p[0], 5, 1), 1);
	ck_assert_int_eq(epsim_io_uring_read(w, T, ring, p[0], 5, 2), 1);
	ck_assert_int_eq(reap(), 0);
	ck_assert_int_eq(epsim_write(w, T, p[1], 8, 0), 8);
	ck_assert_int_eq(reap(), 2);
	ck_assert_uint_eq(cqes[0].user_data, 2);
	ck_assert_int_eq(cqes[0].res, 5);
	ck_assert_uint_eq(cqes[1].user_data, 1);
	ck_assert_int_eq(cqes[1].res, 3);
}
END_TEST

START_TEST(read_ignores_o_nonblock)
{
	int q[2];

	ck_assert_int_eq(epsim_pipe2(w, T, q, O_NONBLOCK), 0);
	ck_assert_int_eq(epsim_io_uring_read(w, T, ring, q[0], 5, 1), 1);
	ck_assert_int_eq(reap(), 0);	/* no -EAGAIN completion: it polls */
	ck_assert_int_eq(epsim_close(w, T, q[1]), 0);
	ck_assert_int_eq(reap(), 1);
	ck_assert_int_eq(cqes[0].res, 0);	/* EOF */
}
END_TEST

START_TEST(waiter_sleeps_for_min_completions_and_ring_polls_readable)
{
	int t1 = epsim_thread_create(w, T, "t1");
	struct pollfd pfd = { .fd = ring, .events = POLLIN };
	long ret;

	ck_assert_int_eq(epsim_io_uring_wait(w, t1, ring, 2, cqes, 16), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_io_uring_poll_add(w, T, ring, p[1], POLLOUT, 1), 1);
	ck_assert_int_eq(epsim_poll(w, T, &pfd, 1, 0), 1);
	ck_assert(!epsim_take_result(w, t1, &ret));	/* one of two */
	ck_assert_int_eq(epsim_io_uring_poll_add(w, T, ring, p[1], POLLOUT, 2), 1);
	ck_assert(epsim_take_result(w, t1, &ret));
	ck_assert_int_eq(ret, 2);
	ck_assert_int_eq(epsim_poll(w, T, &pfd, 1, 0), 0);
}
END_TEST

START_TEST(signal_interrupts_the_wait)
{
	int t1 = epsim_thread_create(w, T, "t1");
	long ret;

	ck_assert_int_eq(epsim_io_uring_wait(w, t1, ring, 1, cqes, 16), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_tkill(w, T, t1, SIGUSR1), 0);
	ck_assert(epsim_take_result(w, t1, &ret));
	ck_assert_int_eq(ret, -EINTR);
}
END_TEST

START_TEST(closing_the_ring_cancels_requests)
{
	struct world *x = epsim_world_create(NULL);
	int r = (int)epsim_io_uring_setup(x, T, 4), q[2];

	ck_assert_int_eq(epsim_pipe2(x, T, q, 0), 0);
	ck_assert_int_eq(epsim_io_uring_read(x, T, r, q[0], 5, 1), 1);
	ck_assert_int_eq(epsim_io_uring_poll_add(x, T, r, q[1], POLLOUT, 2), 1);	/* a CQE left */
	ck_assert_int_eq(epsim_close(x, T, r), 0);
	ck_assert_int_eq(epsim_write(x, T, q[1], 1, 0), 1);
	ck_assert_int_eq(epsim_read(x, T, q[0], 5, NULL), 1);	/* nobody took it */
	ck_assert_int_eq(world_destroy_leaks(x), 0);
}
END_TEST

static Suite *io_uring_suite(void)
{
	Suite *s = suite_create("io_uring");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, setup_limits);
	tcase_add_test(tc, poll_ready_at_submit_completes_at_once);
	tcase_add_test(tc, poll_is_one_shot_with_the_wake_key);
	tcase_add_test(tc, poll_gets_hup_always);
	tcase_add_test(tc, bad_fd_is_a_completion);
	tcase_add_test(tc, read_waits_for_data_newest_first);
	tcase_add_test(tc, read_ignores_o_nonblock);
	tcase_add_test(tc, waiter_sleeps_for_min_completions_and_ring_polls_readable);
	tcase_add_test(tc, signal_interrupts_the_wait);
	tcase_add_test(tc, closing_the_ring_cancels_requests);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(io_uring_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
