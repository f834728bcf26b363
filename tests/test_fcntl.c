/* fcntl and signal-driven I/O in the simulator (sim/fcntl.c, sim/fasync.c, the pipe's kill_fasync). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include "epsim.h"
#include "signals.h"
#include "world_check.h"

#define T EPSIM_MAIN_TID

static struct world *w;
static int p[2], t1;

static void setup(void)
{
	w = epsim_world_create(NULL);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(epsim_pipe2(w, T, p, O_NONBLOCK), 0);
	t1 = epsim_thread_create(w, T, "t1");
}

static void teardown(void)
{
	char why[256];

	ck_assert_msg(world_check(w, why, sizeof(why)) == 0, "%s", why);
	epsim_world_destroy(w);
}

static uint64_t pending_of(int tid)
{
	uint64_t set = 0;

	ck_assert_int_eq(epsim_sigpending(w, tid, &set), 0);
	return set;
}

START_TEST(getfl_and_setfl)
{
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_GETFL, 0), O_RDONLY | O_NONBLOCK);
	ck_assert_int_eq(epsim_fcntl(w, T, p[1], F_SETFL, O_DIRECT | O_APPEND), 0);
	ck_assert_int_eq(epsim_fcntl(w, T, p[1], F_GETFL, 0), O_WRONLY | O_DIRECT | O_APPEND);
	ck_assert_int_eq(epsim_fcntl(w, T, -1, F_GETFL, 0), -EBADF);
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_DUPFD, 0), -EINVAL);	/* not modelled */
}
END_TEST

START_TEST(async_needs_fasync)
{
	int e = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK);

	ck_assert_int_eq(epsim_fcntl(w, T, e, F_SETFL, O_ASYNC | O_NONBLOCK), 0);
	ck_assert_int_eq(epsim_fcntl(w, T, e, F_GETFL, 0), O_RDWR | O_NONBLOCK);
	ck_assert_int_eq(epsim_fcntl(w, T, e, F_SETFL, O_DIRECT), -EINVAL);
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_SETFL, O_ASYNC), 0);
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_GETFL, 0), O_RDONLY | O_ASYNC);
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_SETFL, 0), 0);
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_GETFL, 0), O_RDONLY);
}
END_TEST

START_TEST(owner_and_signal)
{
	ck_assert_int_eq(epsim_fcntl_setown_tid(w, T, p[0], 9999), -ESRCH);
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_GETSIG, 0), 0);
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_SETSIG, 65), -EINVAL);
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_SETSIG, SIGUSR1), 0);
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_GETSIG, 0), SIGUSR1);
}
END_TEST

START_TEST(write_signals_the_read_owner)
{
	ck_assert_int_eq(epsim_sigprocmask(w, t1, SIG_BLOCK, sig_bit(SIGIO), NULL), 0);
	ck_assert_int_eq(epsim_fcntl_setown_tid(w, T, p[0], t1), 0);
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	ck_assert_uint_eq(pending_of(t1), 0);	/* no O_ASYNC yet */
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_SETFL, O_ASYNC | O_NONBLOCK), 0);
	ck_assert_int_eq(epsim_write(w, T, p[1], 0, 0), 0);
	ck_assert_uint_eq(pending_of(t1), 0);	/* zero-length: returns before kill_fasync */
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	ck_assert_uint_eq(pending_of(t1), sig_bit(SIGIO));
	ck_assert_uint_eq(pending_of(T), 0);
}
END_TEST

START_TEST(setsig_and_sleeper_interrupted)
{
	int ep = (int)epsim_epoll_create1(w, T, 0);
	struct epoll_event ev;
	long ret;

	ck_assert_int_eq(epsim_fcntl_setown_tid(w, T, p[1], t1), 0);
	ck_assert_int_eq(epsim_fcntl(w, T, p[1], F_SETSIG, SIGUSR1), 0);
	ck_assert_int_eq(epsim_fcntl(w, T, p[1], F_SETFL, O_ASYNC | O_NONBLOCK), 0);
	ck_assert_int_eq(epsim_epoll_wait(w, t1, ep, &ev, 1, 1, -1), -EPSIM_PENDING);
	ck_assert_int_eq(epsim_read(w, T, p[0], 1, NULL), -EAGAIN);	/* still signals the writer */
	ck_assert(epsim_take_result(w, t1, &ret));
	ck_assert_int_eq(ret, -EINTR);
}
END_TEST

START_TEST(release_leaves_the_list_and_signals_the_other_end)
{
	ck_assert_int_eq(epsim_sigprocmask(w, T, SIG_BLOCK, sig_bit(SIGIO), NULL), 0);
	ck_assert_int_eq(epsim_fcntl_setown_tid(w, T, p[0], T), 0);
	ck_assert_int_eq(epsim_fcntl(w, T, p[0], F_SETFL, O_ASYNC), 0);
	ck_assert_int_eq(epsim_close(w, T, p[1]), 0);	/* last writer: SIGIO to the readers */
	ck_assert_uint_eq(pending_of(T), sig_bit(SIGIO));
	ck_assert_int_eq(epsim_close(w, T, p[0]), 0);	/* leaves the fasync list, frees f_owner */
}
END_TEST

START_TEST(async_file_teardown_leaks_nothing)
{
	struct world *x = epsim_world_create(NULL);
	int q[2];

	ck_assert_int_eq(epsim_pipe2(x, T, q, O_NONBLOCK), 0);
	ck_assert_int_eq(epsim_fcntl_setown_tid(x, T, q[0], T), 0);
	ck_assert_int_eq(epsim_fcntl(x, T, q[0], F_SETFL, O_ASYNC), 0);
	ck_assert_int_eq(epsim_fcntl(x, T, q[1], F_SETFL, O_ASYNC), 0);
	ck_assert_int_eq(world_destroy_leaks(x), 0);
}
END_TEST

static Suite *fcntl_suite(void)
{
	Suite *s = suite_create("fcntl");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, getfl_and_setfl);
	tcase_add_test(tc, async_needs_fasync);
	tcase_add_test(tc, owner_and_signal);
	tcase_add_test(tc, write_signals_the_read_owner);
	tcase_add_test(tc, setsig_and_sleeper_interrupted);
	tcase_add_test(tc, release_leaves_the_list_and_signals_the_other_end);
	tcase_add_test(tc, async_file_teardown_leaks_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fcntl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
