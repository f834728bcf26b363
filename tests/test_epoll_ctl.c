/* epoll_create and epoll_ctl: every errno the simulator can express, in the kernel's check order (spec 2, 3, A.14). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include "epsim.h"

#define T EPSIM_MAIN_TID

static struct world *w;
static int ep, efd, p[2];

static void setup(void)
{
	w = epsim_world_create(NULL);
	ck_assert_ptr_nonnull(w);
	ep = (int)epsim_epoll_create1(w, T, 0);
	efd = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK);
	ck_assert_int_eq(epsim_pipe2(w, T, p, O_NONBLOCK), 0);
}

static void teardown(void)
{
	epsim_world_destroy(w);
}

static long ctl(int epfd, int op, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	return epsim_epoll_ctl(w, T, epfd, op, fd, &ev);
}

START_TEST(create_flags_and_size)
{
	ck_assert_int_eq(epsim_epoll_create1(w, T, 1), -EINVAL);
	ck_assert_int_ge(epsim_epoll_create1(w, T, EPOLL_CLOEXEC), 0);
	ck_assert_int_eq(epsim_epoll_create(w, T, 0), -EINVAL);
	ck_assert_int_eq(epsim_epoll_create(w, T, -1), -EINVAL);
	ck_assert_int_ge(epsim_epoll_create(w, T, 1), 0);
}
END_TEST

START_TEST(create_returns_lowest_free_fd)
{
	long a = epsim_epoll_create1(w, T, 0);
	ck_assert_int_eq(epsim_close(w, T, efd), 0);
	ck_assert_int_eq(epsim_epoll_create1(w, T, 0), efd);
	ck_assert_int_eq(epsim_epoll_create1(w, T, 0), a + 1);
}
END_TEST

START_TEST(ctl_bad_fds)
{
	ck_assert_int_eq(ctl(-1, EPOLL_CTL_ADD, -1, EPOLLIN), -EBADF);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, 999, EPOLLIN), -EBADF);
	ck_assert_int_eq(ctl(999, EPOLL_CTL_ADD, efd, EPOLLIN), -EBADF);
}
END_TEST

START_TEST(ctl_null_event_faults_unless_del)
{
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, efd, NULL), -EFAULT);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, -1, EPOLL_CTL_ADD, -1, NULL), -EFAULT);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, 99, -1, NULL), -EFAULT);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_DEL, efd, NULL), -ENOENT);
}
END_TEST

START_TEST(ctl_not_epoll_or_same_file)
{
	ck_assert_int_eq(ctl(p[0], EPOLL_CTL_ADD, p[1], EPOLLIN), -EINVAL);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN), -EINVAL);
}
END_TEST

START_TEST(ctl_unknown_op_after_the_fd_checks)
{
	ck_assert_int_eq(ctl(ep, 99, efd, EPOLLIN), -EINVAL);
	ck_assert_int_eq(ctl(ep, 0, efd, EPOLLIN), -EINVAL);
	ck_assert_int_eq(ctl(ep, 99, -1, EPOLLIN), -EBADF);
}
END_TEST

START_TEST(ctl_add_twice_del_missing_mod_missing)
{
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN), 0);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN), -EEXIST);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN), -ENOENT);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_DEL, p[0], 0), -ENOENT);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_DEL, efd, 0), 0);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_DEL, efd, 0), -ENOENT);
}
END_TEST

START_TEST(ctl_exclusive_rules)
{
	int inner = (int)epsim_epoll_create1(w, T, 0);

	ck_assert_int_eq(ctl(ep, EPOLL_CTL_MOD, efd, EPOLLIN | EPOLLEXCLUSIVE), -EINVAL);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT), -EINVAL);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP), -EINVAL);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI), -EINVAL);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, inner, EPOLLIN | EPOLLEXCLUSIVE), -EINVAL);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, efd, EPOLLEXCLUSIVE), 0);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLEXCLUSIVE), -EEXIST);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_MOD, efd, EPOLLIN), -EINVAL);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_DEL, efd, 0), 0);
}
END_TEST

START_TEST(ctl_unknown_bits_are_accepted)
{
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, efd, 0xffffffffu & ~EPOLLEXCLUSIVE), 0);
	ck_assert_int_eq(ctl(ep, EPOLL_CTL_MOD, efd, 0), 0);
}
END_TEST

START_TEST(ctl_events_zero_still_reports_hup)
{
	struct epoll_event ev;

	ck_assert_int_eq(ctl(ep, EPOLL_CTL_ADD, p[0], 0), 0);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, &ev, 1, 1, 0), 0);
	ck_assert_int_eq(epsim_close(w, T, p[1]), 0);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, &ev, 1, 1, 0), 1);
	ck_assert_uint_eq(ev.events, EPOLLHUP);
}
END_TEST

START_TEST(ctl_max_user_watches_gives_enospc)
{
	struct world_config cfg = { .max_user_watches = 2 };
	struct world *w2 = epsim_world_create(&cfg);
	int e2 = (int)epsim_epoll_create1(w2, T, 0), f[3];
	struct epoll_event ev = { .events = EPOLLIN };

	for (int i = 0; i < 3; i++)
		f[i] = (int)epsim_eventfd2(w2, T, 0, 0);
	ck_assert_int_eq(epsim_epoll_ctl(w2, T, e2, EPOLL_CTL_ADD, f[0], &ev), 0);
	ck_assert_int_eq(epsim_epoll_ctl(w2, T, e2, EPOLL_CTL_ADD, f[1], &ev), 0);
	ck_assert_int_eq(epsim_epoll_ctl(w2, T, e2, EPOLL_CTL_ADD, f[2], &ev), -ENOSPC);
	ck_assert_int_eq(epsim_epoll_ctl(w2, T, e2, EPOLL_CTL_DEL, f[1], NULL), 0);
	ck_assert_int_eq(epsim_epoll_ctl(w2, T, e2, EPOLL_CTL_ADD, f[2], &ev), 0);
	epsim_world_destroy(w2);
}
END_TEST

START_TEST(ctl_nesting_loops_and_depth)
{
	int e[6];

	for (int i = 0; i < 6; i++)
		e[i] = (int)epsim_epoll_create1(w, T, 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(ctl(e[i + 1], EPOLL_CTL_ADD, e[i], EPOLLIN), 0);
	ck_assert_int_eq(ctl(e[5], EPOLL_CTL_ADD, e[4], EPOLLIN), -ELOOP);
	ck_assert_int_eq(ctl(e[0], EPOLL_CTL_ADD, e[1], EPOLLIN), -ELOOP);
}
END_TEST

START_TEST(ctl_nesting_top_down_also_limited)
{
	int e[6];

	for (int i = 0; i < 6; i++)
		e[i] = (int)epsim_epoll_create1(w, T, 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(ctl(e[i], EPOLL_CTL_ADD, e[i + 1], EPOLLIN), 0);
	ck_assert_int_eq(ctl(e[4], EPOLL_CTL_ADD, e[5], EPOLLIN), -ELOOP);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("epoll_ctl");
	TCase *tc = tcase_create("errno");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, create_flags_and_size);
	tcase_add_test(tc, create_returns_lowest_free_fd);
	tcase_add_test(tc, ctl_bad_fds);
	tcase_add_test(tc, ctl_null_event_faults_unless_del);
	tcase_add_test(tc, ctl_not_epoll_or_same_file);
	tcase_add_test(tc, ctl_unknown_op_after_the_fd_checks);
	tcase_add_test(tc, ctl_add_twice_del_missing_mod_missing);
	tcase_add_test(tc, ctl_exclusive_rules);
	tcase_add_test(tc, ctl_unknown_bits_are_accepted);
	tcase_add_test(tc, ctl_events_zero_still_reports_hup);
	tcase_add_test(tc, ctl_max_user_watches_gives_enospc);
	tcase_add_test(tc, ctl_nesting_loops_and_depth);
	tcase_add_test(tc, ctl_nesting_top_down_also_limited);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
