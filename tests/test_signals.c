/* Signals, signalfd and fork in the simulator: pending and blocked sets, EINTR, pwait masks, child processes. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include "epsim.h"

#define T EPSIM_MAIN_TID
#define USR1 (1ULL << (SIGUSR1 - 1))

static struct world *w;
static int ep;

static void setup(void)
{
	w = epsim_world_create(NULL);
	ep = (int)epsim_epoll_create1(w, T, 0);
}

static void teardown(void)
{
	epsim_world_destroy(w);
}

static uint64_t pending(int tid)
{
	uint64_t set = 0;

	ck_assert_int_eq(epsim_sigpending(w, tid, &set), 0);
	return set;
}

START_TEST(unblocked_signal_runs_its_handler_at_once)
{
	ck_assert_int_eq(epsim_tkill(w, T, T, SIGUSR1), 0);
	ck_assert_uint_eq(pending(T), 0);
}
END_TEST

START_TEST(blocked_signal_stays_pending_until_unblocked)
{
	ck_assert_int_eq(epsim_sigprocmask(w, T, SIG_BLOCK, USR1, NULL), 0);
	ck_assert_int_eq(epsim_tkill(w, T, T, SIGUSR1), 0);
	ck_assert_uint_eq(pending(T), USR1);
	ck_assert_int_eq(epsim_sigprocmask(w, T, SIG_UNBLOCK, USR1, NULL), 0);
	ck_assert_uint_eq(pending(T), 0);
}
END_TEST

START_TEST(signal_ends_a_sleeping_wait_with_eintr)
{
	int t1 = epsim_thread_create(w, T, "t1");
	struct epoll_event ev;
	long ret;

	ck_assert_int_eq(epsim_epoll_wait(w, t1, ep, &ev, 1, 1, -1), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_tkill(w, T, t1, SIGUSR1), 0);
	ck_assert(epsim_take_result(w, t1, &ret));
	ck_assert_int_eq(ret, -EINTR);
}
END_TEST

START_TEST(pwait_events_win_and_the_old_mask_returns)
{
	int e = (int)epsim_eventfd2(w, T, 1, EFD_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t none = 0;

	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, e, &ev), 0);
	ck_assert_int_eq(epsim_sigprocmask(w, T, SIG_BLOCK, USR1, NULL), 0);
	ck_assert_int_eq(epsim_tkill(w, T, T, SIGUSR1), 0);
	ck_assert_int_eq(epsim_epoll_pwait(w, T, ep, &ev, 1, 1, 0, &none, 8), 1);
	ck_assert_uint_eq(pending(T), USR1);	/* the handler did not run */
	ck_assert_int_eq(epsim_read(w, T, e, 8, NULL), 8);
	ck_assert_int_eq(epsim_epoll_pwait(w, T, ep, &ev, 1, 1, 0, &none, 8), 0); /* timeout 0: no EINTR */
	ck_assert_int_eq(epsim_epoll_pwait(w, T, ep, &ev, 1, 1, 100, &none, 8), -EINTR);
	ck_assert_uint_eq(pending(T), 0);	/* delivered under the temporary mask */
	ck_assert_int_eq(epsim_epoll_pwait(w, T, ep, &ev, 1, 1, 0, &none, 7), -EINVAL);
}
END_TEST

START_TEST(pwait2_rejects_invalid_timespecs)
{
	struct epoll_event ev;
	int64_t bad_ns[2] = { 0, 1000000000 }, bad_s[2] = { -1, 0 }, zero[2] = { 0, 0 };

	ck_assert_int_eq(epsim_epoll_pwait2(w, T, ep, &ev, 1, 1, bad_ns, NULL, 8), -EINVAL);
	ck_assert_int_eq(epsim_epoll_pwait2(w, T, ep, &ev, 1, 1, bad_s, NULL, 8), -EINVAL);
	ck_assert_int_eq(epsim_epoll_pwait2(w, T, -1, &ev, 1, 1, zero, NULL, 8), -EBADF);
	ck_assert_int_eq(epsim_epoll_pwait2(w, T, ep, &ev, 1, 1, zero, NULL, 8), 0);
}
END_TEST

START_TEST(signalfd_reports_for_the_polling_thread)
{
	int s = (int)epsim_signalfd(w, T, USR1, O_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 1 };
	uint64_t sig = 0;

	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(epsim_sigprocmask(w, T, SIG_BLOCK, USR1, NULL), 0);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, s, &ev), 0);
	ck_assert_int_eq(epsim_tkill(w, T, T, SIGUSR1), 0);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, &ev, 1, 1, 0), 1);
	ck_assert_int_eq(epsim_tkill(w, T, T, SIGUSR1), 0);	/* a duplicate: no new edge */
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, &ev, 1, 1, 0), 0);
	ck_assert_int_eq(epsim_read(w, T, s, 128, &sig), 128);
	ck_assert_uint_eq(sig, SIGUSR1);
	ck_assert_int_eq(epsim_read(w, T, s, 128, &sig), -EAGAIN);
}
END_TEST

START_TEST(fork_shares_the_instance_and_exit_closes_the_copies)
{
	int p[2], child;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 2 };

	ck_assert_int_eq(epsim_pipe2(w, T, p, O_NONBLOCK), 0);
	child = epsim_fork(w, T, "c");
	ck_assert_int_gt(child, 0);
	ck_assert_int_eq(epsim_epoll_ctl(w, child, ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	ck_assert_int_eq(epsim_close(w, T, p[0]), 0);	/* the child's copy keeps the file */
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, &ev, 1, 1, 0), 1);
	ck_assert_uint_eq(ev.data.u64, 2);
	ck_assert_int_eq(epsim_exit(w, child), 0);
	ck_assert_int_eq(epsim_epoll_wait(w, T, ep, &ev, 1, 1, 0), 0);
	ck_assert_int_eq(epsim_exit(w, T), -EPERM);
}
END_TEST

START_TEST(tgkill_reaches_a_thread_of_another_process)
{
	int child = epsim_fork(w, T, "c"), t1 = epsim_thread_create(w, T, "t1");
	int cpid = epsim_getpid(w, child);
	struct epoll_event ev;
	long ret;

	ck_assert_int_gt(cpid, epsim_getpid(w, T));
	ck_assert_int_eq(epsim_getpid(w, t1), epsim_getpid(w, T));
	ck_assert_int_eq(epsim_epoll_wait(w, child, ep, &ev, 1, 1, -1), -EPSIM_PENDING);
	/* the thread group must be the target's own */
	ck_assert_int_eq(epsim_tgkill(w, T, epsim_getpid(w, T), child, SIGUSR1), -ESRCH);
	ck_assert(!epsim_take_result(w, child, &ret));
	ck_assert_int_eq(epsim_tgkill(w, T, cpid, child, SIGUSR1), 0);
	ck_assert(epsim_take_result(w, child, &ret));
	ck_assert_int_eq(ret, -EINTR);
	/* the child signals itself and a thread of its parent */
	ck_assert_int_eq(epsim_sigprocmask(w, child, SIG_BLOCK, USR1, NULL), 0);
	ck_assert_int_eq(epsim_tgkill(w, child, cpid, child, SIGUSR1), 0);
	ck_assert_uint_eq(pending(child), USR1);
	ck_assert_uint_eq(pending(T), 0);
	ck_assert_int_eq(epsim_sigprocmask(w, t1, SIG_BLOCK, USR1, NULL), 0);
	ck_assert_int_eq(epsim_tgkill(w, child, epsim_getpid(w, T), t1, SIGUSR1), 0);
	ck_assert_uint_eq(pending(t1), USR1);
	ck_assert_uint_eq(pending(T), 0);
}
END_TEST

START_TEST(tgkill_checks_arguments_as_the_kernel_does)
{
	int pid = epsim_getpid(w, T);

	ck_assert_int_eq(epsim_tgkill(w, T, 0, T, SIGUSR1), -EINVAL);
	ck_assert_int_eq(epsim_tgkill(w, T, pid, 0, SIGUSR1), -EINVAL);
	ck_assert_int_eq(epsim_tgkill(w, T, pid, 999, SIGUSR1), -ESRCH);
	ck_assert_int_eq(epsim_tgkill(w, T, pid, 999, 65), -ESRCH);	/* no thread before a bad signal */
	ck_assert_int_eq(epsim_tgkill(w, T, pid, T, 65), -EINVAL);
	ck_assert_int_eq(epsim_tgkill(w, T, pid, T, 0), 0);	/* a probe: nothing is sent */
	ck_assert_uint_eq(pending(T), 0);
	ck_assert_int_eq(epsim_getpid(w, 999), -ESRCH);
}
END_TEST

START_TEST(fork_copies_the_mask_not_the_pending_set)
{
	int child;

	ck_assert_int_eq(epsim_sigprocmask(w, T, SIG_BLOCK, USR1, NULL), 0);
	ck_assert_int_eq(epsim_tkill(w, T, T, SIGUSR1), 0);
	child = epsim_fork(w, T, "c");
	ck_assert_int_gt(child, 0);
	ck_assert_uint_eq(pending(child), 0);
	ck_assert_int_eq(epsim_tkill(w, T, child, SIGUSR1), 0);
	ck_assert_uint_eq(pending(child), USR1);	/* blocked there too */
	ck_assert_int_eq(epsim_sigprocmask(w, child, SIG_UNBLOCK, USR1, NULL), 0);
	ck_assert_uint_eq(pending(child), 0);
	ck_assert_uint_eq(pending(T), USR1);
}
END_TEST

START_TEST(kill_goes_to_a_thread_that_does_not_block_it)
{
	int t1 = epsim_thread_create(w, T, "t1"), t2 = epsim_thread_create(w, T, "t2");
	int pid = epsim_getpid(w, T);
	struct epoll_event ev;
	long ret;

	ck_assert_int_eq(epsim_sigprocmask(w, T, SIG_BLOCK, USR1, NULL), 0);
	ck_assert_int_eq(epsim_sigprocmask(w, t1, SIG_BLOCK, USR1, NULL), 0);
	ck_assert_int_eq(epsim_epoll_wait(w, t1, ep, &ev, 1, 1, -1), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_epoll_wait(w, t2, ep, &ev, 1, 1, -1), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_kill(w, T, pid, SIGUSR1), 0);
	ck_assert(!epsim_take_result(w, t1, &ret));	/* blocks it: sleeps on */
	ck_assert(epsim_take_result(w, t2, &ret));
	ck_assert_int_eq(ret, -EINTR);
	ck_assert_uint_eq(pending(T), 0);
	ck_assert_int_eq(epsim_kill(w, T, pid, 0), 0);
	ck_assert_int_eq(epsim_kill(w, T, pid + 100, SIGUSR1), -ESRCH);
	ck_assert_int_eq(epsim_kill(w, T, 0, SIGUSR1), -EINVAL);
}
END_TEST

START_TEST(kill_stays_pending_for_the_process_until_a_thread_unblocks_it)
{
	int t1 = epsim_thread_create(w, T, "t1");
	int pid = epsim_getpid(w, T);
	struct epoll_event ev;
	uint64_t none = 0;

	ck_assert_int_eq(epsim_sigprocmask(w, T, SIG_BLOCK, USR1, NULL), 0);
	ck_assert_int_eq(epsim_sigprocmask(w, t1, SIG_BLOCK, USR1, NULL), 0);
	ck_assert_int_eq(epsim_kill(w, T, pid, SIGUSR1), 0);
	ck_assert_int_eq(epsim_kill(w, T, pid, SIGUSR1), 0);	/* not queued twice */
	ck_assert_uint_eq(pending(T), USR1);
	ck_assert_uint_eq(pending(t1), USR1);
	ck_assert_int_eq(epsim_epoll_pwait(w, t1, ep, &ev, 1, 1, -1, &none, 8), -EINTR);
	ck_assert_uint_eq(pending(T), 0);
	ck_assert_uint_eq(pending(t1), 0);
}
END_TEST

START_TEST(kill_a_child_and_read_it_from_its_signalfd)
{
	int child = epsim_fork(w, T, "c"), s;
	uint64_t sig = 0;

	ck_assert_int_eq(epsim_sigprocmask(w, child, SIG_BLOCK, USR1, NULL), 0);
	s = (int)epsim_signalfd(w, child, USR1, O_NONBLOCK);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(epsim_kill(w, T, epsim_getpid(w, child), SIGUSR1), 0);
	ck_assert_uint_eq(pending(T), 0);
	ck_assert_uint_eq(pending(child), USR1);
	ck_assert_int_eq(epsim_read(w, child, s, 128, &sig), 128);
	ck_assert_uint_eq(sig, SIGUSR1);
	ck_assert_uint_eq(pending(child), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("signals");
	TCase *tc = tcase_create("signals");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, unblocked_signal_runs_its_handler_at_once);
	tcase_add_test(tc, blocked_signal_stays_pending_until_unblocked);
	tcase_add_test(tc, signal_ends_a_sleeping_wait_with_eintr);
	tcase_add_test(tc, pwait_events_win_and_the_old_mask_returns);
	tcase_add_test(tc, pwait2_rejects_invalid_timespecs);
	tcase_add_test(tc, signalfd_reports_for_the_polling_thread);
	tcase_add_test(tc, fork_shares_the_instance_and_exit_closes_the_copies);
	tcase_add_test(tc, tgkill_reaches_a_thread_of_another_process);
	tcase_add_test(tc, tgkill_checks_arguments_as_the_kernel_does);
	tcase_add_test(tc, fork_copies_the_mask_not_the_pending_set);
	tcase_add_test(tc, kill_goes_to_a_thread_that_does_not_block_it);
	tcase_add_test(tc, kill_stays_pending_for_the_process_until_a_thread_unblocks_it);
	tcase_add_test(tc, kill_a_child_and_read_it_from_its_signalfd);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
