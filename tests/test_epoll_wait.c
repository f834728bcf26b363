/* epoll_wait: argument checks, user-buffer faults, sleeping threads, timeouts, nesting, lifetime. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include "epsim.h"

#define T EPSIM_MAIN_TID

static struct world *w;
static int ep;

static void setup(void)
{
	w = epsim_world_create(NULL);
	ck_assert_ptr_nonnull(w);
	ep = (int)epsim_epoll_create1(w, T, 0);
}

static void teardown(void)
{
	epsim_world_destroy(w);
}

static int efd_ready(uint32_t events, uint64_t data)
{
	int fd = (int)epsim_eventfd2(w, T, 1, EFD_NONBLOCK);
	struct epoll_event ev = { .events = events, .data.u64 = data };

	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, fd, &ev), 0);
	return fd;
}

START_TEST(ebadf_comes_before_maxevents)
{
	/* not on the stack: maxevents * 12 bytes from a stack address can pass the top of user space */
	static struct epoll_event ev;
	int p[2];

	ck_assert_int_eq(epsim_epoll_wait(w, T, -1, &ev, 1, 0, 0), -EBADF);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, &ev, 1, 0, 0), -EINVAL);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, &ev, 1, -1, 0), -EINVAL);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, &ev, 1, 178956971, 0), -EINVAL);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, &ev, 1, 178956970, 0), 0);
	ck_assert_int_eq(epsim_pipe2(w, T, p, O_NONBLOCK), 0);
	ck_assert_int_eq(epsim_epoll_wait(w, T, p[0], &ev, 1, 1, 0), -EINVAL);
	ck_assert_int_eq(epsim_epoll_wait(w, T, p[0], (void *)0xffff800000000000ULL, 0, 1, 0),
			 -EFAULT);
	/* access_ok covers the whole range: a buffer too near the top of user space faults */
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, (void *)0x7fff80000000ULL, 0, 178956970, 0),
			 -EFAULT);
}
END_TEST

START_TEST(null_buffer_faults_only_when_copying)
{
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, NULL, 0, 1, 0), 0);
	efd_ready(EPOLLIN | EPOLLET, 1);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, NULL, 0, 1, 0), -EFAULT);
	/* nothing is lost: the ET item keeps its edge */
	struct epoll_event ev;
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, &ev, 1, 1, 0), 1);
	ck_assert_uint_eq(ev.data.u64, 1);
}
END_TEST

START_TEST(fault_after_first_slot_returns_the_count)
{
	struct epoll_event evs[2];

	efd_ready(EPOLLIN | EPOLLET, 1);
	efd_ready(EPOLLIN | EPOLLET, 2);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, evs, 1, 2, 0), 1);
	ck_assert_uint_eq(evs[0].data.u64, 1);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, evs, 2, 2, 0), 1);
	ck_assert_uint_eq(evs[0].data.u64, 2);
}
END_TEST

START_TEST(a8_et_wakes_only_the_newest_sleeper)
{
	int t[3], e;
	struct epoll_event evs[3][1];
	long ret;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };

	e = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, e, &ev), 0);
	for (int i = 0; i < 3; i++) {
		t[i] = epsim_thread_create(w, T, "t");
		ck_assert_int_eq(epsim_epoll_wait(w, t[i], ep, evs[i], 1, 1, 500), -EPSIM_PENDING);
	}
	ck_assert_int_eq(epsim_write(w, T, e, 8, 1), 8);
	ck_assert(epsim_take_result(w, t[2], &ret));
	ck_assert_int_eq(ret, 1);
	ck_assert(!epsim_take_result(w, t[0], &ret));
	ck_assert(!epsim_take_result(w, t[1], &ret));
	epsim_sleep(w, 600);
	ck_assert(epsim_take_result(w, t[0], &ret));
	ck_assert_int_eq(ret, 0);
	ck_assert(epsim_take_result(w, t[1], &ret));
	ck_assert_int_eq(ret, 0);
}
END_TEST

START_TEST(a8_lt_cascades_to_every_sleeper)
{
	int t[3], e;
	struct epoll_event evs[3][1];
	long ret;
	struct epoll_event ev = { .events = EPOLLIN };

	e = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, e, &ev), 0);
	for (int i = 0; i < 3; i++) {
		t[i] = epsim_thread_create(w, T, "t");
		ck_assert_int_eq(epsim_epoll_wait(w, t[i], ep, evs[i], 1, 1, -1), -EPSIM_PENDING);
	}
	ck_assert_int_eq(epsim_write(w, T, e, 8, 1), 8);
	/* completions in wake order: t3, t2, t1 */
	ck_assert_int_eq(epsim_next_completed(w), t[2]);
	for (int i = 0; i < 3; i++) {
		ck_assert(epsim_take_result(w, t[i], &ret));
		ck_assert_int_eq(ret, 1);
	}
}
END_TEST

START_TEST(woken_thread_with_nothing_sleeps_on_until_its_deadline)
{
	int t1, s[2];
	struct epoll_event out[1];
	struct epoll_event ev = { .events = EPOLLIN };
	long ret;

	ck_assert_int_eq(epsim_socketpair(w, T, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s), 0);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, s[0], &ev), 0);
	t1 = epsim_thread_create(w, T, "t1");
	ck_assert_int_eq(epsim_epoll_wait(w, t1, ep, out, 1, 1, 500), -EPSIM_PENDING);
	/* a NULL-key state change queues the item and wakes t1, but s0 is not readable */
	ck_assert_int_eq(epsim_shutdown(w, T, s[0], SHUT_WR), 0);
	ck_assert_uint_eq(w->stats.callbacks_queued, 1);
	ck_assert(!epsim_take_result(w, t1, &ret));
	epsim_sleep(w, 499);
	ck_assert(!epsim_take_result(w, t1, &ret));
	epsim_sleep(w, 1);
	ck_assert(epsim_take_result(w, t1, &ret));
	ck_assert_int_eq(ret, 0);
}
END_TEST

START_TEST(add_of_a_ready_fd_wakes_a_sleeper)
{
	int t1 = epsim_thread_create(w, T, "t1");
	struct epoll_event out[1];
	long ret;

	ck_assert_int_eq(epsim_epoll_wait(w, t1, ep, out, 1, 1, -1), -EPSIM_PENDING);
	efd_ready(EPOLLIN, 5);
	ck_assert(epsim_take_result(w, t1, &ret));
	ck_assert_int_eq(ret, 1);
	ck_assert_uint_eq(out[0].data.u64, 5);
}
END_TEST

START_TEST(nested_epoll_reports_in_only_and_prunes)
{
	int outer = (int)epsim_epoll_create1(w, T, 0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u64 = 7 };
	struct epoll_event out[2];
	int e = efd_ready(EPOLLIN, 1);
	uint64_t v;

	ck_assert_int_eq(epsim_epoll_ctl(w, T, outer, EPOLL_CTL_ADD, ep, &ev), 0);
	ck_assert_int_eq(epsim_epoll_wait(w, T, outer, out, 2, 2, 0), 1);
	ck_assert_uint_eq(out[0].events, EPOLLIN);
	ck_assert_uint_eq(out[0].data.u64, 7);
	ck_assert_int_eq(epsim_read(w, T, e, 8, &v), 8);
	/* the inner item went stale: the outer LT event is dropped at harvest */
	ck_assert_int_eq(epsim_epoll_wait(w, T, outer, out, 2, 2, 0), 0);
}
END_TEST

START_TEST(dup_registrations_are_separate_items_newest_first)
{
	int e = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK);
	int g = (int)epsim_dup(w, T, e);
	struct epoll_event ev1 = { .events = EPOLLIN, .data.u64 = 1 };
	struct epoll_event ev2 = { .events = EPOLLIN, .data.u64 = 2 };
	struct epoll_event out[2];

	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, e, &ev1), 0);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, g, &ev2), 0);
	ck_assert_int_eq(epsim_write(w, T, e, 8, 1), 8);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, out, 2, 2, 0), 2);
	ck_assert_uint_eq(out[0].data.u64, 2);
	ck_assert_uint_eq(out[1].data.u64, 1);
}
END_TEST

START_TEST(closed_fd_keeps_its_item_while_a_dup_lives)
{
	int e = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK);
	int g = (int)epsim_dup(w, T, e);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
	struct epoll_event out[2];

	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, e, &ev), 0);
	ck_assert_int_eq(epsim_close(w, T, e), 0);
	ck_assert_int_eq(epsim_write(w, T, g, 8, 1), 8);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, out, 2, 2, 0), 1);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_DEL, e, NULL), -EBADF);
	ck_assert_int_eq(epsim_eventfd2(w, T, 0, EFD_NONBLOCK), e); /* the number is reused */
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_DEL, e, NULL), -ENOENT);
	ck_assert_int_eq(epsim_close(w, T, g), 0); /* last reference: the item goes silently */
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, out, 2, 2, 0), 0);
}
END_TEST

START_TEST(closing_the_epoll_fd_while_a_thread_waits)
{
	int t1 = epsim_thread_create(w, T, "t1");
	int e = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 3 };
	struct epoll_event out[1];
	long ret;

	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, e, &ev), 0);
	ck_assert_int_eq(epsim_epoll_wait(w, t1, ep, out, 1, 1, -1), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_close(w, T, ep), 0);
	ck_assert_int_eq(epsim_write(w, T, e, 8, 1), 8);
	ck_assert(epsim_take_result(w, t1, &ret));
	ck_assert_int_eq(ret, 1);
	ck_assert_uint_eq(out[0].data.u64, 3);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("epoll_wait");
	TCase *tc = tcase_create("wait");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ebadf_comes_before_maxevents);
	tcase_add_test(tc, null_buffer_faults_only_when_copying);
	tcase_add_test(tc, fault_after_first_slot_returns_the_count);
	tcase_add_test(tc, a8_et_wakes_only_the_newest_sleeper);
	tcase_add_test(tc, a8_lt_cascades_to_every_sleeper);
	tcase_add_test(tc, woken_thread_with_nothing_sleeps_on_until_its_deadline);
	tcase_add_test(tc, add_of_a_ready_fd_wakes_a_sleeper);
	tcase_add_test(tc, nested_epoll_reports_in_only_and_prunes);
	tcase_add_test(tc, dup_registrations_are_separate_items_newest_first);
	tcase_add_test(tc, closed_fd_keeps_its_item_while_a_dup_lives);
	tcase_add_test(tc, closing_the_epoll_fd_while_a_thread_waits);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
