/*
 * Tests of TCP in the kernel backend (tools/targets/kernel_tcp.c): sockets stay on
 * loopback, connect finds its target by the target's own address, the
 * network settles, and nothing is left behind (fds, threads).
 */
#include "backend.h"
#include "kernel_tcp.h"
#include "kernel_fixture.h"

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sys_result res;

static struct sys_call mk(enum sys_nr nr, int fd, int fd2)
{
	struct sys_call c;

	memset(&c, 0, sizeof(c));
	c.nr = nr;
	c.fd = fd;
	c.fd2 = fd2;
	return c;
}

/* Issue on the main thread, then settle as the runner does; returns ret. */
static long run(struct backend *b, struct sys_call c)
{
	ck_assert_int_eq(ops->submit(b, 0, &c, &res), 1);
	ck_assert_int_eq(ops->settle(b, NULL, NULL), 0);
	return res.ret;
}

static int new_socket(struct backend *b)
{
	struct sys_call c = mk(SYS_SOCKET, -1, -1);

	c.flags = SOCK_NONBLOCK;
	ck_assert_int_ge(run(b, c), 0);
	return res.fds[0];
}

/* The local address of fd. */
static struct sockaddr_in local_addr(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	return a;
}

START_TEST(test_socket_bound_to_loopback)
{
	struct backend *b = kfx_open_backend(2000);
	int fd = new_socket(b);
	char dev[IFNAMSIZ] = "";
	socklen_t len = sizeof(dev);

	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &len), 0);
	ck_assert_str_eq(dev, "lo");
	ck_assert_int_eq(run(b, mk(SYS_BIND, fd, -1)), 0);
	ck_assert_uint_eq(local_addr(fd).sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	ck_assert_uint_ne(local_addr(fd).sin_port, 0);
	ops->close(b);
}
END_TEST

START_TEST(test_connect_by_target_address)
{
	struct backend *b = kfx_open_backend(2000);
	int l = new_socket(b), c = new_socket(b), s;
	struct sys_call lc = mk(SYS_LISTEN, l, -1), ac = mk(SYS_ACCEPT4, l, -1);
	struct sys_call so = mk(SYS_SO_ERROR, c, -1);

	lc.num = 4;
	ck_assert_int_eq(run(b, lc), 0);		/* auto-bound: wildcard address, on lo */
	ck_assert_int_eq(run(b, mk(SYS_CONNECT, c, l)), -EINPROGRESS);
	ck_assert_int_ge(run(b, ac), 0);
	s = res.fds[0];
	ck_assert_uint_eq(local_addr(s).sin_port, local_addr(l).sin_port);
	ck_assert_int_eq(run(b, so), 0);
	ck_assert_uint_eq(res.value, 0);
	ck_assert_int_eq(run(b, mk(SYS_CONNECT, c, -1)), -EBADF);	/* the target's lookup */
	ops->close(b);
}
END_TEST

START_TEST(test_refused_and_so_error)
{
	struct backend *b = kfx_open_backend(2000);
	int t = new_socket(b), c = new_socket(b);
	struct sys_call so = mk(SYS_SO_ERROR, c, -1);

	ck_assert_int_eq(run(b, mk(SYS_BIND, t, -1)), 0);
	ck_assert_int_eq(run(b, mk(SYS_CONNECT, c, t)), -EINPROGRESS);
	ck_assert_int_eq(run(b, so), 0);
	ck_assert_uint_eq(res.value, ECONNREFUSED);
	ck_assert_int_eq(run(b, so), 0);
	ck_assert_uint_eq(res.value, 0);
	ops->close(b);
}
END_TEST

START_TEST(test_quiesce_without_sockets)
{
	struct kernel_tcp *kt = kernel_tcp_new();

	ck_assert_ptr_nonnull(kt);
	ck_assert(kernel_tcp_quiesce(kt, 10));	/* nothing tracked: nothing to wait for */
	kernel_tcp_free(kt);
}
END_TEST

START_TEST(test_fill_and_drain)
{
	struct backend *b = kfx_open_backend(2000);
	int l = new_socket(b), c = new_socket(b), s;
	struct sys_call lc = mk(SYS_LISTEN, l, -1), ac = mk(SYS_ACCEPT4, l, -1);

	lc.num = 4;
	ck_assert_int_eq(run(b, lc), 0);
	ck_assert_int_eq(run(b, mk(SYS_CONNECT, c, l)), -EINPROGRESS);
	ac.flags = SOCK_NONBLOCK;	/* a blocking drain would sleep at the end */
	ck_assert_int_ge(run(b, ac), 0);
	s = res.fds[0];
	ck_assert_int_eq(run(b, mk(SYS_FILL, c, -1)), -EAGAIN);
	ck_assert_int_eq(run(b, mk(SYS_DRAIN, s, -1)), -EAGAIN);
	ck_assert_int_eq(run(b, mk(SYS_CLOSE, c, -1)), 0);
	ck_assert_int_eq(run(b, mk(SYS_DRAIN, s, -1)), 0);	/* EOF ends a drain */
	ops->close(b);
}
END_TEST

START_TEST(test_no_leaks)
{
	int fds = kfx_count_entries("/proc/self/fd"), tasks = kfx_count_entries("/proc/self/task");

	for (int i = 0; i < 3; i++) {
		struct backend *b = kfx_open_backend(2000);
		int l = new_socket(b), c = new_socket(b);
		struct sys_call lc = mk(SYS_LISTEN, l, -1);

		lc.num = 4;
		ck_assert_int_eq(run(b, lc), 0);
		ck_assert_int_eq(run(b, mk(SYS_CONNECT, c, l)), -EINPROGRESS);
		ck_assert_int_ge(run(b, mk(SYS_ACCEPT4, l, -1)), 0);
		ops->close(b);	/* closes the sockets and the sock_diag socket */
	}
	ck_assert_int_eq(kfx_count_entries("/proc/self/fd"), fds);
	ck_assert_int_eq(kfx_count_entries("/proc/self/task"), tasks);
}
END_TEST

static Suite *kernel_tcp_suite(void)
{
	Suite *su = suite_create("kernel_tcp");
	TCase *tc = tcase_create("loopback");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_socket_bound_to_loopback);
	tcase_add_test(tc, test_connect_by_target_address);
	tcase_add_test(tc, test_refused_and_so_error);
	tcase_add_test(tc, test_quiesce_without_sockets);
	tcase_add_test(tc, test_fill_and_drain);
	tcase_add_test(tc, test_no_leaks);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	SRunner *sr = srunner_create(kernel_tcp_suite());
	int failed;

	srunner_set_fork_status(sr, CK_NOFORK);	/* fd and task counts are the process's own */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
