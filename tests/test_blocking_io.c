/* Blocking read and write in the simulator (sim/rw_wait.c with the pipe, eventfd, timerfd models). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include "epsim.h"
#include "world_check.h"

#define T EPSIM_MAIN_TID

static struct world *w;
static int p[2], t1, t2;

static void setup(void)
{
	w = epsim_world_create(NULL);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(epsim_pipe2(w, T, p, 0), 0);	/* blocking */
	t1 = epsim_thread_create(w, T, "t1");
	t2 = epsim_thread_create(w, T, "t2");
}

static void teardown(void)
{
	char why[256];

	ck_assert_msg(world_check(w, why, sizeof(why)) == 0, "%s", why);
	epsim_world_destroy(w);
}

static long result(int tid)
{
	long ret = -12345;

	ck_assert_msg(epsim_take_result(w, tid, &ret), "thread %d still blocked", tid);
	return ret;
}

static bool blocked(int tid)
{
	long ret;

	return !epsim_take_result(w, tid, &ret);
}

START_TEST(read_sleeps_until_data)
{
	char why[256];

	ck_assert_int_eq(epsim_read(w, t1, p[0], 100, NULL), -EPSIM_PENDING);
	ck_assert_msg(world_check(w, why, sizeof(why)) == 0, "%s", why);	/* the held reference */
	ck_assert_int_eq(epsim_write(w, T, p[1], 10, 0), 10);
	ck_assert_int_eq(result(t1), 10);
}
END_TEST

START_TEST(nonblocking_read_does_not_sleep)
{
	int q[2];

	ck_assert_int_eq(epsim_pipe2(w, T, q, O_NONBLOCK), 0);
	ck_assert_int_eq(epsim_read(w, t1, q[0], 100, NULL), -EAGAIN);
}
END_TEST

START_TEST(one_write_wakes_one_reader_then_the_next)
{
	ck_assert_int_eq(epsim_read(w, t1, p[0], 100, NULL), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_read(w, t2, p[0], 100, NULL), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_write(w, T, p[1], 50, 0), 50);
	ck_assert_int_eq(result(t1), 50);	/* first sleeper, exclusive wait */
	ck_assert(blocked(t2));			/* nothing left: no wake_next_reader */
	ck_assert_int_eq(epsim_read(w, t1, p[0], 100, NULL), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_write(w, T, p[1], 8192, 0), 8192);
	ck_assert_int_eq(result(t2), 100);	/* t2 queued first now */
	ck_assert_int_eq(result(t1), 100);	/* woken by t2's wake_next_reader */
}
END_TEST

START_TEST(eof_wakes_every_reader)
{
	ck_assert_int_eq(epsim_read(w, t1, p[0], 100, NULL), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_read(w, t2, p[0], 100, NULL), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_close(w, T, p[1]), 0);
	ck_assert_int_eq(result(t1), 0);
	ck_assert_int_eq(result(t2), 0);
}
END_TEST

START_TEST(signal_interrupts_a_read)
{
	ck_assert_int_eq(epsim_read(w, t1, p[0], 100, NULL), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_tkill(w, T, t1, SIGUSR1), 0);
	ck_assert_int_eq(result(t1), -EINTR);
}
END_TEST

START_TEST(big_write_goes_on_as_the_reader_drains)
{
	ck_assert_int_eq(epsim_write(w, t1, p[1], 70000, 0), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_read(w, T, p[0], 4096, NULL), 4096);
	ck_assert(blocked(t1));		/* one slot: 4096 of the 4464 left go in, then full */
	ck_assert_int_eq(epsim_read(w, T, p[0], 65536, NULL), 65536);
	ck_assert_int_eq(result(t1), 70000);
	ck_assert_int_eq(epsim_read(w, T, p[0], 65536, NULL), 368);
}
END_TEST

START_TEST(signal_ends_a_write_with_the_partial_count)
{
	ck_assert_int_eq(epsim_write(w, t1, p[1], 70000, 0), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_tkill(w, T, t1, SIGUSR1), 0);
	ck_assert_int_eq(result(t1), 65536);
	ck_assert_int_eq(epsim_write(w, t1, p[1], 1, 0), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_tkill(w, T, t1, SIGUSR1), 0);
	ck_assert_int_eq(result(t1), -EINTR);	/* nothing written yet */
}
END_TEST

START_TEST(reader_gone_ends_a_write)
{
	ck_assert_int_eq(epsim_write(w, t1, p[1], 100000, 0), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_close(w, T, p[0]), 0);
	ck_assert_int_eq(result(t1), 65536);
	ck_assert_int_eq(epsim_write(w, t1, p[1], 1, 0), -EPIPE);
}
END_TEST

START_TEST(eventfd_semaphore_sleepers_all_wake)
{
	int e = (int)epsim_eventfd2(w, T, 0, EFD_SEMAPHORE);
	uint64_t v1 = 0, v2 = 0;

	ck_assert_int_eq(epsim_read(w, t1, e, 8, &v1), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_read(w, t2, e, 8, &v2), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_write(w, T, e, 8, 2), 8);
	ck_assert_int_eq(result(t1), 8);
	ck_assert_int_eq(result(t2), 8);
	ck_assert_uint_eq(v1, 1);
	ck_assert_uint_eq(v2, 1);
}
END_TEST

START_TEST(eventfd_write_waits_for_room)
{
	int e = (int)epsim_eventfd2(w, T, 0xfffffffffffffffeULL, 0);
	uint64_t v;

	ck_assert_int_eq(epsim_write(w, t1, e, 8, 2), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_read(w, T, e, 8, &v), 8);
	ck_assert_int_eq(result(t1), 8);
	ck_assert_int_eq(epsim_read(w, T, e, 8, &v), 8);
	ck_assert_uint_eq(v, 2);
}
END_TEST

START_TEST(timerfd_read_waits_for_a_tick)
{
	int t = (int)epsim_timerfd_create(w, T, 0);
	uint64_t v = 0;

	ck_assert_int_eq(epsim_timerfd_settime(w, T, t, 100, 0), 0);
	ck_assert_int_eq(epsim_read(w, t1, t, 8, &v), -EPSIM_PENDING);
	epsim_sleep(w, 99);
	ck_assert(blocked(t1));
	epsim_sleep(w, 1);
	ck_assert_int_eq(result(t1), 8);
	ck_assert_uint_eq(v, 1);
}
END_TEST

START_TEST(teardown_while_blocked_leaks_nothing)
{
	struct world *x = epsim_world_create(NULL);
	int q[2], tx = epsim_thread_create(x, T, "tx");

	ck_assert_int_eq(epsim_pipe2(x, T, q, 0), 0);
	ck_assert_int_eq(epsim_read(x, tx, q[0], 1, NULL), -EPSIM_PENDING);
	ck_assert_int_eq(world_destroy_leaks(x), 0);
}
END_TEST

static Suite *blocking_suite(void)
{
	Suite *s = suite_create("blocking_io");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, read_sleeps_until_data);
	tcase_add_test(tc, nonblocking_read_does_not_sleep);
	tcase_add_test(tc, one_write_wakes_one_reader_then_the_next);
	tcase_add_test(tc, eof_wakes_every_reader);
	tcase_add_test(tc, signal_interrupts_a_read);
	tcase_add_test(tc, big_write_goes_on_as_the_reader_drains);
	tcase_add_test(tc, signal_ends_a_write_with_the_partial_count);
	tcase_add_test(tc, reader_gone_ends_a_write);
	tcase_add_test(tc, eventfd_semaphore_sleepers_all_wake);
	tcase_add_test(tc, eventfd_write_waits_for_room);
	tcase_add_test(tc, timerfd_read_waits_for_a_tick);
	tcase_add_test(tc, teardown_while_blocked_leaks_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(blocking_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
