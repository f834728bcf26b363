/* timerfd on the virtual clock: one tick per expiry until read, lazy re-arm counting missed periods, settime resets. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include "epsim.h"

#define T EPSIM_MAIN_TID

static struct world *w;
static int ep, tfd;

static void setup(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 1 };

	w = epsim_world_create(NULL);
	ep = (int)epsim_epoll_create1(w, T, 0);
	tfd = (int)epsim_timerfd_create(w, T, O_NONBLOCK);
	ck_assert_int_ge(tfd, 0);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, tfd, &ev), 0);
}

static void teardown(void)
{
	epsim_world_destroy(w);
}

static long ready(void)
{
	struct epoll_event ev;

	return epsim_epoll_wait(w, T, ep, &ev, 1, 1, 0);
}

START_TEST(periodic_timer_wakes_once_until_read)
{
	uint64_t ticks = 0;

	ck_assert_int_eq(epsim_timerfd_settime(w, T, tfd, 100, 100), 0);
	epsim_sleep(w, 99);
	ck_assert_int_eq(ready(), 0);
	epsim_sleep(w, 1);
	ck_assert_int_eq(ready(), 1);
	epsim_sleep(w, 250);	/* expiries at 200 and 300 are not re-armed: no new edge */
	ck_assert_int_eq(ready(), 0);
	ck_assert_int_eq(epsim_read(w, T, tfd, 8, &ticks), 8);
	ck_assert_uint_eq(ticks, 3);
	ck_assert_int_eq(epsim_read(w, T, tfd, 8, &ticks), -EAGAIN);
	epsim_sleep(w, 50);	/* re-armed by the read for 400 */
	ck_assert_int_eq(ready(), 1);
}
END_TEST

START_TEST(one_shot_timer_fires_once)
{
	uint64_t ticks = 0;

	ck_assert_int_eq(epsim_timerfd_settime(w, T, tfd, 10, 0), 0);
	epsim_sleep(w, 1000);
	ck_assert_int_eq(epsim_read(w, T, tfd, 8, &ticks), 8);
	ck_assert_uint_eq(ticks, 1);
	epsim_sleep(w, 1000);
	ck_assert_int_eq(epsim_read(w, T, tfd, 8, &ticks), -EAGAIN);
}
END_TEST

START_TEST(settime_resets_ticks_and_disarms)
{
	uint64_t ticks = 0;

	ck_assert_int_eq(epsim_timerfd_settime(w, T, tfd, 10, 0), 0);
	epsim_sleep(w, 20);
	ck_assert_int_eq(epsim_timerfd_settime(w, T, tfd, 0, 0), 0);
	ck_assert_int_eq(epsim_read(w, T, tfd, 8, &ticks), -EAGAIN);
	ck_assert_int_eq(epsim_read(w, T, tfd, 4, &ticks), -EINVAL);
	ck_assert_int_eq(epsim_write(w, T, tfd, 8, 1), -EINVAL);
}
END_TEST

START_TEST(expiry_wakes_a_sleeping_thread)
{
	int t1 = epsim_thread_create(w, T, "t1");
	struct epoll_event ev;
	long ret;

	ck_assert_int_eq(epsim_epoll_wait(w, t1, ep, &ev, 1, 1, -1), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_timerfd_settime(w, T, tfd, 200, 0), 0);
	epsim_sleep(w, 199);
	ck_assert(!epsim_take_result(w, t1, &ret));
	epsim_sleep(w, 1);
	ck_assert(epsim_take_result(w, t1, &ret));
	ck_assert_int_eq(ret, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("timerfd");
	TCase *tc = tcase_create("timerfd");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, periodic_timer_wakes_once_until_read);
	tcase_add_test(tc, one_shot_timer_fires_once);
	tcase_add_test(tc, settime_resets_ticks_and_disarms);
	tcase_add_test(tc, expiry_wakes_a_sleeping_thread);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
