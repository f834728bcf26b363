/*
 * The kernel backend against hostile calls: it only touches fds it created
 * (an fd of the harness opened after the backend, even at a number a trace
 * name once held, is refused with EBADF as a closed fd would be), and a huge
 * read or write count never maps more than MAX_RW_COUNT bytes.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "backend.h"

static struct backend *b;
static struct sys_result *res;

static void setup(void)
{
	char err[256];

	b = kernel_backend_ops.open(NULL, err, sizeof(err));
	ck_assert_msg(b != NULL, "%s", err);
	res = calloc(1, sizeof(*res));
}

static void teardown(void)
{
	kernel_backend_ops.close(b);
	free(res);
}

static long call(struct sys_call *c)
{
	ck_assert_int_eq(kernel_backend_ops.submit(b, 0, c, res), 1);
	return res->ret;
}

static long call_fd(enum sys_nr nr, int fd, int fd2, long long num)
{
	struct sys_call c;

	memset(&c, 0, sizeof(c));
	c.nr = nr;
	c.fd = fd;
	c.fd2 = fd2;
	c.num = num;
	c.ev.events = EPOLLIN;
	return call(&c);
}

/* A pipe of the harness, opened after the backend: not the backend's to touch. */
START_TEST(harness_fds_are_refused)
{
	int hp[2];
	long ep = call_fd(SYS_EPOLL_CREATE1, -1, -1, 0);
	char byte = 'x';

	ck_assert_int_ge(ep, 0);
	ck_assert_int_eq(pipe(hp), 0);
	ck_assert_int_eq(write(hp[1], &byte, 1), 1);
	ck_assert_int_eq(call_fd(SYS_READ, hp[0], -1, 1), -EBADF);
	ck_assert_int_eq(call_fd(SYS_WRITE, hp[1], -1, 1), -EBADF);
	ck_assert_int_eq(call_fd(SYS_CLOSE, hp[0], -1, 0), -EBADF);
	ck_assert_int_eq(call_fd(SYS_DUP, hp[0], -1, 0), -EBADF);
	ck_assert_int_eq(call_fd(SYS_SHUTDOWN, hp[0], -1, 0), -EBADF);
	ck_assert_int_eq(call_fd(SYS_EPOLL_CTL, (int)ep, hp[0], EPOLL_CTL_ADD), -EBADF);
	ck_assert_int_eq(call_fd(SYS_EPOLL_CTL, hp[0], (int)ep, EPOLL_CTL_ADD), -EBADF);
	ck_assert_int_eq(call_fd(SYS_DUP2, (int)ep, hp[1], 0), -EBADF);
	/* the harness's pipe is untouched: open, with its byte still there */
	ck_assert_int_ge(fcntl(hp[0], F_GETFD), 0);
	ck_assert_int_ge(fcntl(hp[1], F_GETFD), 0);
	ck_assert_int_eq(read(hp[0], &byte, 1), 1);
	close(hp[0]);
	close(hp[1]);
}
END_TEST

/* A number the backend created, closed, and the harness then reused. */
START_TEST(reused_number_is_refused)
{
	long e = call_fd(SYS_EVENTFD2, -1, -1, 0);
	int mine;

	ck_assert_int_ge(e, 0);
	ck_assert_int_eq(call_fd(SYS_CLOSE, (int)e, -1, 0), 0);
	mine = open("/dev/null", O_RDONLY);
	ck_assert_int_eq(mine, e);	/* lowest free number: the one just closed */
	ck_assert_int_eq(call_fd(SYS_WRITE, mine, -1, 8), -EBADF);
	ck_assert_int_eq(call_fd(SYS_CLOSE, mine, -1, 0), -EBADF);
	ck_assert_int_ge(fcntl(mine, F_GETFD), 0);
	close(mine);
	/* a free number is a fine dup2 target */
	e = call_fd(SYS_EVENTFD2, -1, -1, 0);
	ck_assert_int_ge(e, 0);
	ck_assert_int_eq(call_fd(SYS_DUP2, (int)e, mine, 0), mine);
	ck_assert_int_eq(call_fd(SYS_CLOSE, mine, -1, 0), 0);
}
END_TEST

/* Huge counts: the kernel's own answer, without mapping the count. */
START_TEST(huge_counts_map_little)
{
	struct sys_call c;
	struct rusage before, after;
	int fds[2];

	memset(&c, 0, sizeof(c));
	c.nr = SYS_PIPE2;
	c.flags = O_NONBLOCK;
	ck_assert_int_eq(call(&c), 0);
	fds[0] = res->fds[0];
	fds[1] = res->fds[1];
	getrusage(RUSAGE_SELF, &before);
	/* past the end of user space: access_ok fails, whatever the buffer */
	ck_assert_int_eq(call_fd(SYS_WRITE, fds[1], -1, 1LL << 60), -EFAULT);
	ck_assert_int_eq(call_fd(SYS_READ, fds[0], -1, 1LL << 60), -EFAULT);
	/* above MAX_RW_COUNT but inside user space: clamped, one pipe's worth moves */
	ck_assert_int_eq(call_fd(SYS_WRITE, fds[1], -1, 1LL << 32), 65536);
	ck_assert_int_eq(call_fd(SYS_READ, fds[0], -1, 1LL << 32), 65536);
	getrusage(RUSAGE_SELF, &after);
	ck_assert_int_lt(after.ru_maxrss - before.ru_maxrss, 64 * 1024);	/* KiB */
}
END_TEST

static Suite *hardening_suite(void)
{
	Suite *s = suite_create("kernel_hardening");
	TCase *tc = tcase_create("refusals");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, harness_fds_are_refused);
	tcase_add_test(tc, reused_number_is_refused);
	tcase_add_test(tc, huge_counts_map_little);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hardening_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
