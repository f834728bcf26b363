/* poll() in the simulator (sim/sys_poll.c): masks, POLLNVAL, sleeping and waking, costs. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include "epsim.h"

#define T EPSIM_MAIN_TID

static struct world *w;

static void setup(void)
{
	w = epsim_world_create(NULL);
	ck_assert_ptr_nonnull(w);
}

static void teardown(void)
{
	epsim_world_destroy(w);
}

static void make_pipe(int p[2])
{
	ck_assert_int_eq(epsim_pipe2(w, T, p, O_NONBLOCK), 0);
}

START_TEST(closed_fd_is_pollnval_and_counts)
{
	int p[2];
	struct pollfd fds[2];

	make_pipe(p);
	ck_assert_int_eq(epsim_close(w, T, p[0]), 0);
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN, .revents = 0x7 };
	fds[1] = (struct pollfd){ .fd = -1, .events = POLLIN, .revents = 0x7 };
	ck_assert_int_eq(epsim_poll(w, T, fds, 2, -1), 1);	/* never sleeps: NVAL is an event */
	ck_assert_int_eq(fds[0].revents, POLLNVAL);
	ck_assert_int_eq(fds[1].revents, 0);			/* a negative fd is skipped, revents cleared */
}
END_TEST

START_TEST(err_and_hup_are_always_reported)
{
	int p[2], q[2];
	struct pollfd fds[2];

	make_pipe(p);
	make_pipe(q);
	ck_assert_int_eq(epsim_close(w, T, p[1]), 0);	/* p.r: no writer */
	ck_assert_int_eq(epsim_close(w, T, q[0]), 0);	/* q.w: no reader */
	fds[0] = (struct pollfd){ .fd = p[0], .events = 0 };
	fds[1] = (struct pollfd){ .fd = q[1], .events = POLLIN };
	ck_assert_int_eq(epsim_poll(w, T, fds, 2, 0), 2);
	ck_assert_int_eq(fds[0].revents, POLLHUP);
	ck_assert_int_eq(fds[1].revents, POLLERR);	/* POLLOUT was ready but not asked for */
}
END_TEST

START_TEST(only_requested_events)
{
	int e = (int)epsim_eventfd2(w, T, 1, EFD_NONBLOCK);
	struct pollfd fds[1] = { { .fd = e, .events = POLLOUT } };

	ck_assert_int_eq(epsim_poll(w, T, fds, 1, 0), 1);
	ck_assert_int_eq(fds[0].revents, POLLOUT);
	fds[0].events = POLLIN | POLLOUT;
	ck_assert_int_eq(epsim_poll(w, T, fds, 1, 0), 1);
	ck_assert_int_eq(fds[0].revents, POLLIN | POLLOUT);
}
END_TEST

START_TEST(argument_errors)
{
	int p[2];
	struct pollfd fds[2];

	make_pipe(p);
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	ck_assert_int_eq(epsim_poll(w, T, fds, 1025, 0), -EINVAL);	/* over RLIMIT_NOFILE 1024 */
	ck_assert_int_eq(epsim_poll_buf(w, T, fds, 1, 2, 0), -EFAULT);
	ck_assert_int_eq(epsim_poll(w, T, NULL, 0, 0), 0);
}
END_TEST

START_TEST(sleeper_woken_by_write)
{
	int p[2], t2 = epsim_thread_create(w, T, "t2");
	struct pollfd fds[1];
	long ret;

	make_pipe(p);
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	epsim_stats_reset(w);
	ck_assert_int_eq(epsim_poll(w, t2, fds, 1, -1), -EPSIM_PENDING);
	ck_assert_uint_eq(epsim_stats(w)->wq_added, 1);
	ck_assert(!epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	ck_assert(epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(ret, 1);
	ck_assert_int_eq(fds[0].revents, POLLIN);
	ck_assert_uint_eq(epsim_stats(w)->wq_removed, 1);
	ck_assert_uint_eq(epsim_stats(w)->passes, 2);
	ck_assert_uint_eq(epsim_stats(w)->bytes_in, sizeof(struct pollfd));
	ck_assert_uint_eq(epsim_stats(w)->bytes_out, sizeof(short));
}
END_TEST

START_TEST(keyed_wake_that_does_not_match_keeps_sleeping)
{
	int e = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK), t2 = epsim_thread_create(w, T, "t2");
	struct pollfd fds[1] = { { .fd = e, .events = POLLIN } };
	uint64_t v;
	long ret;

	ck_assert_int_eq(epsim_write(w, T, e, 8, 1), 8);
	ck_assert_int_eq(epsim_read(w, T, e, 8, &v), 8);	/* count 0 again */
	epsim_stats_reset(w);
	ck_assert_int_eq(epsim_poll(w, t2, fds, 1, -1), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_write(w, T, e, 8, 0), 8);	/* an EPOLLIN wake: re-scan, still 0 */
	ck_assert(!epsim_take_result(w, t2, &ret));
	ck_assert_uint_eq(epsim_stats(w)->passes, 2);
	ck_assert_int_eq(epsim_write(w, T, e, 8, 2), 8);
	ck_assert(epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(ret, 1);
}
END_TEST

START_TEST(timeout_on_the_virtual_clock)
{
	int p[2], t2 = epsim_thread_create(w, T, "t2");
	struct pollfd fds[1];
	long ret;

	make_pipe(p);
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	ck_assert_int_eq(epsim_poll(w, t2, fds, 1, 50), -EPSIM_PENDING);
	epsim_sleep(w, 49);
	ck_assert(!epsim_take_result(w, t2, &ret));
	epsim_sleep(w, 1);
	ck_assert(epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(fds[0].revents, 0);
}
END_TEST

START_TEST(signal_interrupts)
{
	int p[2], t2 = epsim_thread_create(w, T, "t2");
	struct pollfd fds[1];
	long ret;

	make_pipe(p);
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	ck_assert_int_eq(epsim_poll(w, t2, fds, 1, -1), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_tkill(w, T, t2, SIGUSR1), 0);
	ck_assert(epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(ret, -EINTR);
}
END_TEST

START_TEST(found_event_stops_queueing)
{
	int a[2], b[2], c[2];
	struct pollfd fds[3];

	make_pipe(a);
	make_pipe(b);
	make_pipe(c);
	ck_assert_int_eq(epsim_write(w, T, b[1], 1, 0), 1);
	fds[0] = (struct pollfd){ .fd = a[0], .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = b[0], .events = POLLIN };
	fds[2] = (struct pollfd){ .fd = c[0], .events = POLLIN };
	epsim_stats_reset(w);
	ck_assert_int_eq(epsim_poll(w, T, fds, 3, -1), 1);
	ck_assert_uint_eq(epsim_stats(w)->wq_added, 2);		/* a and b, not c */
	ck_assert_uint_eq(epsim_stats(w)->wq_removed, 2);
	ck_assert_uint_eq(epsim_stats(w)->poll_calls, 3);
	ck_assert_uint_eq(epsim_stats(w)->fds_scanned, 3);
}
END_TEST

START_TEST(zero_timeout_never_queues)
{
	int p[2];
	struct pollfd fds[1];

	make_pipe(p);
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	epsim_stats_reset(w);
	ck_assert_int_eq(epsim_poll(w, T, fds, 1, 0), 0);
	ck_assert_uint_eq(epsim_stats(w)->wq_added, 0);
}
END_TEST

START_TEST(poll_on_epoll_fd_woken_by_inner_activity)
{
	int ep = (int)epsim_epoll_create1(w, T, 0), t2 = epsim_thread_create(w, T, "t2");
	int e = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN };
	struct pollfd fds[1] = { { .fd = ep, .events = POLLIN | POLLOUT } };
	long ret;

	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, e, &ev), 0);
	ck_assert_int_eq(epsim_poll(w, t2, fds, 1, -1), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_write(w, T, e, 8, 1), 8);
	ck_assert(epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(ret, 1);
	ck_assert_int_eq(fds[0].revents, POLLIN);	/* an epoll file never reports OUT */
}
END_TEST

START_TEST(close_of_polled_fd_does_not_wake)
{
	int p[2], t2 = epsim_thread_create(w, T, "t2");
	struct pollfd fds[1];
	long ret;

	make_pipe(p);
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	ck_assert_int_eq(epsim_poll(w, t2, fds, 1, -1), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_close(w, T, p[0]), 0);	/* the entry holds the file */
	ck_assert(!epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(epsim_close(w, T, p[1]), 0);	/* writer gone: HUP wake, re-scan: NVAL */
	ck_assert(epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(ret, 1);
	ck_assert_int_eq(fds[0].revents, POLLNVAL);
}
END_TEST

START_TEST(teardown_while_parked_leaks_nothing)
{
	struct world *x = epsim_world_create(NULL);
	int p[2], t2 = epsim_thread_create(x, T, "t2");
	struct pollfd fds[1];

	ck_assert_int_eq(epsim_pipe2(x, T, p, O_NONBLOCK), 0);
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	ck_assert_int_eq(epsim_poll(x, t2, fds, 1, -1), -EPSIM_PENDING);
	ck_assert_int_eq(world_destroy_leaks(x), 0);
}
END_TEST

static Suite *poll_suite(void)
{
	Suite *s = suite_create("poll");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, closed_fd_is_pollnval_and_counts);
	tcase_add_test(tc, err_and_hup_are_always_reported);
	tcase_add_test(tc, only_requested_events);
	tcase_add_test(tc, argument_errors);
	tcase_add_test(tc, sleeper_woken_by_write);
	tcase_add_test(tc, keyed_wake_that_does_not_match_keeps_sleeping);
	tcase_add_test(tc, timeout_on_the_virtual_clock);
	tcase_add_test(tc, signal_interrupts);
	tcase_add_test(tc, found_event_stops_queueing);
	tcase_add_test(tc, zero_timeout_never_queues);
	tcase_add_test(tc, poll_on_epoll_fd_woken_by_inner_activity);
	tcase_add_test(tc, close_of_polled_fd_does_not_wake);
	tcase_add_test(tc, teardown_while_parked_leaks_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(poll_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
