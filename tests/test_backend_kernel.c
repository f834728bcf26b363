/*
 * Tests of the kernel backend (tools/targets/backend_kernel.c): real system calls on
 * real threads, the asleep detection, settle, the watchdog and cleanup.
 */
#include "backend.h"
#include "kernel_fixture.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define EP_MAX_EVENTS 178956970	/* INT_MAX / sizeof(struct epoll_event) */


/* ------------------------------------------------------------- helpers */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Open fds, not counting the one used to list them. */
static int count_fds(void)
{
	return kfx_count_entries("/proc/self/fd") - 1;
}

static int count_tasks(void)
{
	return kfx_count_entries("/proc/self/task");
}

/* Every test uses one result buffer (a sys_result is large). */
static struct sys_result res;

/* Issue on thread 0, which must finish; returns ret. */
static long run(struct backend *b, const struct sys_call *c)
{
	ck_assert_int_eq(ops->submit(b, 0, c, &res), 1);
	return res.ret;
}

static int new_epoll(struct backend *b)
{
	struct sys_call c = kfx_call(SYS_EPOLL_CREATE1);

	ck_assert_int_ge(run(b, &c), 0);
	ck_assert_int_eq(res.fds[0], res.ret);
	return res.fds[0];
}

static int new_eventfd(struct backend *b, unsigned init, int flags)
{
	struct sys_call c = kfx_call(SYS_EVENTFD2);

	c.num = init;
	c.flags = flags;
	ck_assert_int_ge(run(b, &c), 0);
	return res.fds[0];
}

static void new_pipe(struct backend *b, int fds[2])
{
	struct sys_call c = kfx_call(SYS_PIPE2);

	c.flags = O_NONBLOCK;
	ck_assert_int_eq(run(b, &c), 0);
	fds[0] = res.fds[0];
	fds[1] = res.fds[1];
}

static long ctl(struct backend *b, int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct sys_call c = kfx_call(SYS_EPOLL_CTL);

	c.fd = ep;
	c.op = op;
	c.fd2 = fd;
	c.ev.events = events;
	c.ev.data.u64 = data;
	return run(b, &c);
}

static struct sys_call wait_call(int ep, int maxevents, int slots, long long timeout)
{
	struct sys_call c = kfx_call(SYS_EPOLL_WAIT);

	c.fd = ep;
	c.maxevents = maxevents;
	c.buf = SYS_BUF_VALID;
	c.buf_slots = slots;
	c.timeout_ms = timeout;
	return c;
}

static struct sys_call efd_write(int fd, long long value)
{
	struct sys_call c = kfx_call(SYS_WRITE);

	c.fd = fd;
	c.fd_is_counter = true;
	c.num = value;
	return c;
}

/* What settle reported. */
struct reports {
	int n;
	int thread[8];
	long ret[8];
	int nevents[8];
	uint64_t data[8];
	bool watchdog[8];
};

static void collect(void *ctx, int thread, const struct sys_result *r)
{
	struct reports *rep = ctx;

	ck_assert_int_lt(rep->n, 8);
	rep->thread[rep->n] = thread;
	rep->ret[rep->n] = r->ret;
	rep->nevents[rep->n] = r->nevents;
	rep->data[rep->n] = r->nevents > 0 ? r->events[0].data.u64 : 0;
	rep->watchdog[rep->n] = r->watchdog;
	rep->n++;
}

static struct reports settle(struct backend *b)
{
	struct reports rep;

	memset(&rep, 0, sizeof(rep));
	ck_assert_int_eq(ops->settle(b, collect, &rep), 0);
	return rep;
}

/* ------------------------------------------------------------- tests */

/* Make threads and fds, leave a thread blocked, then close. */
static void busy_cycle(bool blocked_thread)
{
	struct backend *b = kfx_open_backend(0);
	struct sys_call w;
	int ep, efd, p[2];

	ck_assert_int_eq(ops->thread_new(b, 1, "one"), 0);
	ck_assert_int_eq(ops->thread_new(b, 2, "two"), 0);
	ep = new_epoll(b);
	efd = new_eventfd(b, 0, EFD_NONBLOCK);
	new_pipe(b, p);
	ck_assert_int_eq(ctl(b, ep, EPOLL_CTL_ADD, efd, EPOLLIN, 1), 0);
	if (blocked_thread) {
		w = wait_call(ep, 4, 4, -1);
		ck_assert_int_eq(ops->submit(b, 1, &w, &res), 0);
	}
	ops->close(b);
}

START_TEST(test_open_close_no_leak)
{
	int fds = count_fds(), tasks = count_tasks();

	busy_cycle(true);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_int_eq(count_tasks(), tasks);
	for (int i = 0; i < 50; i++)
		busy_cycle(i % 5 == 0);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_int_eq(count_tasks(), tasks);
}
END_TEST

START_TEST(test_version_is_uname)
{
	struct backend *b = kfx_open_backend(0);
	struct utsname u;

	ck_assert_int_eq(uname(&u), 0);
	ck_assert_str_eq(ops->version(b), u.release);
	ck_assert_str_eq(ops->name, "kernel");
	ops->close(b);
}
END_TEST

START_TEST(test_eventfd_values)
{
	struct backend *b = kfx_open_backend(0);
	int efd = new_eventfd(b, 3, EFD_NONBLOCK);
	struct sys_call c = efd_write(efd, 5);

	ck_assert_int_eq(run(b, &c), 8);
	c.num = 7;
	ck_assert_int_eq(run(b, &c), 8);
	c = kfx_call(SYS_READ);
	c.fd = efd;
	c.fd_is_counter = true;
	c.num = 8;
	ck_assert_int_eq(run(b, &c), 8);
	ck_assert_uint_eq(res.value, 15);
	ck_assert_int_eq(run(b, &c), -EAGAIN);
	ck_assert_uint_eq(res.value, 0);
	ops->close(b);
}
END_TEST

START_TEST(test_eventfd_semaphore)
{
	struct backend *b = kfx_open_backend(0);
	int efd = new_eventfd(b, 2, EFD_NONBLOCK | EFD_SEMAPHORE);
	struct sys_call c = kfx_call(SYS_READ);

	c.fd = efd;
	c.fd_is_counter = true;
	ck_assert_int_eq(run(b, &c), 8);
	ck_assert_uint_eq(res.value, 1);
	ck_assert_int_eq(run(b, &c), 8);
	ck_assert_int_eq(run(b, &c), -EAGAIN);
	ops->close(b);
}
END_TEST

START_TEST(test_pipe_et_one_event)
{
	struct backend *b = kfx_open_backend(0);
	int ep = new_epoll(b), p[2];
	struct sys_call c;

	new_pipe(b, p);
	ck_assert_int_eq(ctl(b, ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 42), 0);
	c = kfx_call(SYS_WRITE);
	c.fd = p[1];
	c.num = 10;
	ck_assert_int_eq(run(b, &c), 10);
	c = wait_call(ep, 16, 16, 0);
	ck_assert_int_eq(run(b, &c), 1);
	ck_assert_int_eq(res.nevents, 1);
	ck_assert_uint_eq(res.events[0].events, EPOLLIN);
	ck_assert_uint_eq(res.events[0].data.u64, 42);
	ck_assert_int_eq(run(b, &c), 0);	/* edge triggered: reported once */
	ck_assert_int_eq(res.nevents, 0);
	ops->close(b);
}
END_TEST

START_TEST(test_ctl_add_twice_eexist)
{
	struct backend *b = kfx_open_backend(0);
	int ep = new_epoll(b), efd = new_eventfd(b, 0, EFD_NONBLOCK);
	struct sys_call c;

	ck_assert_int_eq(ctl(b, ep, EPOLL_CTL_ADD, efd, EPOLLIN, 0), 0);
	ck_assert_int_eq(ctl(b, ep, EPOLL_CTL_ADD, efd, EPOLLIN, 0), -EEXIST);
	c = kfx_call(SYS_EPOLL_CTL);
	c.fd = ep;
	c.op = EPOLL_CTL_MOD;
	c.fd2 = efd;
	c.ev_null = true;
	ck_assert_int_eq(run(b, &c), -EFAULT);
	ops->close(b);
}
END_TEST

START_TEST(test_wait_null_buffer_efault)
{
	struct backend *b = kfx_open_backend(0);
	int ep = new_epoll(b), efd = new_eventfd(b, 1, EFD_NONBLOCK);
	struct sys_call c;

	ck_assert_int_eq(ctl(b, ep, EPOLL_CTL_ADD, efd, EPOLLIN, 0), 0);
	c = wait_call(ep, 16, 0, 0);
	c.buf = SYS_BUF_NULL;
	ck_assert_int_eq(run(b, &c), -EFAULT);
	ops->close(b);
}
END_TEST

START_TEST(test_wait_short_buffer)
{
	struct backend *b = kfx_open_backend(0);
	int ep = new_epoll(b);
	int e1 = new_eventfd(b, 1, EFD_NONBLOCK), e2 = new_eventfd(b, 1, EFD_NONBLOCK);
	struct sys_call c;

	ck_assert_int_eq(ctl(b, ep, EPOLL_CTL_ADD, e1, EPOLLIN, 1), 0);
	ck_assert_int_eq(ctl(b, ep, EPOLL_CTL_ADD, e2, EPOLLIN, 2), 0);
	c = wait_call(ep, 2, 1, 0);
	ck_assert_int_eq(run(b, &c), 1);	/* slot 1 faults */
	ck_assert_int_eq(res.nevents, 1);
	c = wait_call(ep, 16, 2, 0);
	ck_assert_int_eq(run(b, &c), 2);
	ck_assert_int_eq(res.nevents, 2);
	c = wait_call(ep, 2, 0, 0);
	ck_assert_int_eq(run(b, &c), -EFAULT);	/* not even one slot */
	c = wait_call(ep, EP_MAX_EVENTS, 1, 0);
	ck_assert_int_eq(run(b, &c), 1);
	c = wait_call(ep, 0, 0, 0);
	ck_assert_int_eq(run(b, &c), -EINVAL);
	c = wait_call(ep, EP_MAX_EVENTS + 1, 1, 0);
	ck_assert_int_eq(run(b, &c), -EINVAL);
	c = wait_call(-1, 4, 4, 0);
	ck_assert_int_eq(run(b, &c), -EBADF);
	ops->close(b);
}
END_TEST

START_TEST(test_blocked_thread_woken)
{
	struct backend *b = kfx_open_backend(0);
	int ep = new_epoll(b), efd = new_eventfd(b, 0, EFD_NONBLOCK);
	struct sys_call c;
	struct reports rep;
	long long t0;

	ck_assert_int_eq(ops->thread_new(b, 1, "waiter"), 0);
	ck_assert_int_eq(ctl(b, ep, EPOLL_CTL_ADD, efd, EPOLLIN, 7), 0);
	c = wait_call(ep, 4, 4, -1);
	t0 = now_ms();
	ck_assert_int_eq(ops->submit(b, 1, &c, &res), 0);
	rep = settle(b);
	ck_assert_int_eq(rep.n, 0);	/* still asleep */
	/* Seen asleep, not merely given up on at the 2000 ms watchdog. */
	ck_assert_int_lt(now_ms() - t0, 1000);
	c = efd_write(efd, 1);
	ck_assert_int_eq(run(b, &c), 8);
	rep = settle(b);
	ck_assert_int_eq(rep.n, 1);
	ck_assert_int_eq(rep.thread[0], 1);
	ck_assert_int_eq(rep.ret[0], 1);
	ck_assert_int_eq(rep.nevents[0], 1);
	ck_assert_uint_eq(rep.data[0], 7);
	ck_assert(!rep.watchdog[0]);
	ck_assert_int_eq(settle(b).n, 0);	/* reported once */
	ops->close(b);
}
END_TEST

START_TEST(test_thread_finishes_at_once)
{
	struct backend *b = kfx_open_backend(0);
	int ep = new_epoll(b), efd = new_eventfd(b, 1, EFD_NONBLOCK);
	struct sys_call c;

	ck_assert_int_eq(ops->thread_new(b, 1, "quick"), 0);
	ck_assert_int_eq(ctl(b, ep, EPOLL_CTL_ADD, efd, EPOLLIN, 9), 0);
	c = wait_call(ep, 4, 4, -1);
	ck_assert_int_eq(ops->submit(b, 1, &c, &res), 1);
	ck_assert_int_eq(res.ret, 1);
	ck_assert_uint_eq(res.events[0].data.u64, 9);
	ck_assert_int_eq(settle(b).n, 0);
	ops->close(b);
}
END_TEST

START_TEST(test_two_sleepers_lifo)
{
	int fds = count_fds(), tasks = count_tasks();
	struct backend *b = kfx_open_backend(0);
	int ep = new_epoll(b), efd = new_eventfd(b, 0, EFD_NONBLOCK);
	struct sys_call c;
	struct reports rep;

	ck_assert_int_eq(ops->thread_new(b, 1, "first"), 0);
	ck_assert_int_eq(ops->thread_new(b, 2, "second"), 0);
	ck_assert_int_eq(ctl(b, ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET, 5), 0);
	c = wait_call(ep, 4, 4, -1);
	ck_assert_int_eq(ops->submit(b, 1, &c, &res), 0);
	ck_assert_int_eq(ops->submit(b, 2, &c, &res), 0);
	c = efd_write(efd, 1);
	ck_assert_int_eq(run(b, &c), 8);
	rep = settle(b);
	ck_assert_int_eq(rep.n, 1);
	ck_assert_int_eq(rep.thread[0], 2);	/* the most recent sleeper */
	ck_assert_int_eq(rep.ret[0], 1);
	usleep(50 * 1000);
	ck_assert_int_eq(settle(b).n, 0);	/* thread 1 still asleep */
	ops->close(b);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_int_eq(count_tasks(), tasks);
}
END_TEST

START_TEST(test_main_watchdog)
{
	struct backend *b = kfx_open_backend(200);
	int ep = new_epoll(b);
	struct sys_call c = wait_call(ep, 4, 4, -1);
	long long t0 = now_ms(), took;

	ck_assert_int_eq(ops->submit(b, 0, &c, &res), 1);
	took = now_ms() - t0;
	ck_assert(res.watchdog);
	ck_assert_int_eq(res.ret, -EINTR);
	ck_assert_int_ge(took, 200);
	ck_assert_int_lt(took, 1500);
	/* A bounded wait gets timeout + watchdog and is not cut. */
	c = wait_call(ep, 4, 4, 50);
	ck_assert_int_eq(run(b, &c), 0);
	ck_assert(!res.watchdog);
	/* A sleep that outlasts the watchdog is not cut either. */
	c = kfx_call(SYS_NANOSLEEP);
	c.num = 250;
	t0 = now_ms();
	ck_assert_int_eq(run(b, &c), 0);
	ck_assert(!res.watchdog);
	ck_assert_int_ge(now_ms() - t0, 250);
	ops->close(b);
}
END_TEST

START_TEST(test_submit_busy)
{
	struct backend *b = kfx_open_backend(0);
	int ep = new_epoll(b);
	struct sys_call c = wait_call(ep, 4, 4, -1);

	ck_assert_int_eq(ops->thread_new(b, 1, "busy"), 0);
	ck_assert_int_eq(ops->thread_new(b, 1, "again"), -1);
	ck_assert_int_eq(ops->submit(b, 1, &c, &res), 0);
	ck_assert_int_eq(ops->submit(b, 1, &c, &res), -1);
	ck_assert_int_eq(ops->submit(b, 3, &c, &res), -1);	/* unknown */
	ops->close(b);
}
END_TEST

START_TEST(test_blocked_read_asleep)
{
	struct backend *b = kfx_open_backend(0);
	struct sys_call c = kfx_call(SYS_PIPE2);
	struct reports rep;
	int r, w;

	ck_assert_int_eq(ops->thread_new(b, 1, "reader"), 0);
	ck_assert_int_eq(run(b, &c), 0);	/* blocking pipe */
	r = res.fds[0];
	w = res.fds[1];
	c = kfx_call(SYS_READ);
	c.fd = r;
	c.num = 100;
	ck_assert_int_eq(ops->submit(b, 1, &c, &res), 0);
	c = kfx_call(SYS_WRITE);
	c.fd = w;
	c.num = 3;
	ck_assert_int_eq(run(b, &c), 3);
	rep = settle(b);
	ck_assert_int_eq(rep.n, 1);
	ck_assert_int_eq(rep.ret[0], 3);
	ops->close(b);
}
END_TEST

START_TEST(test_large_write_single_call)
{
	struct backend *b = kfx_open_backend(0);
	int p[2];
	struct sys_call c;
	long n;

	new_pipe(b, p);
	c = kfx_call(SYS_WRITE);
	c.fd = p[1];
	c.num = 100000;
	n = run(b, &c);
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, 100000);	/* one write, cut at the pipe's size */
	c = kfx_call(SYS_READ);
	c.fd = p[0];
	c.num = 100000;
	ck_assert_int_eq(run(b, &c), n);
	ck_assert_int_eq(run(b, &c), -EAGAIN);
	ops->close(b);
}
END_TEST

START_TEST(test_socketpair_shutdown)
{
	struct backend *b = kfx_open_backend(0);
	struct sys_call c = kfx_call(SYS_SOCKETPAIR);
	int s0, s1;

	c.op = SOCK_STREAM;
	c.flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
	ck_assert_int_eq(run(b, &c), 0);
	s0 = res.fds[0];
	s1 = res.fds[1];
	ck_assert_int_ge(s0, 0);
	ck_assert_int_ge(s1, 0);
	c = kfx_call(SYS_READ);
	c.fd = s1;
	c.num = 16;
	ck_assert_int_eq(run(b, &c), -EAGAIN);
	c = kfx_call(SYS_SHUTDOWN);
	c.fd = s0;
	c.op = SHUT_WR;
	ck_assert_int_eq(run(b, &c), 0);
	c = kfx_call(SYS_READ);
	c.fd = s1;
	c.num = 16;
	ck_assert_int_eq(run(b, &c), 0);	/* end of file */
	ops->close(b);
}
END_TEST

START_TEST(test_fd_tracking)
{
	int outside[2];
	struct backend *b;
	struct sys_call c;
	int efd, d1, d2, target;

	ck_assert_int_eq(pipe2(outside, O_CLOEXEC), 0);
	b = kfx_open_backend(0);
	efd = new_eventfd(b, 0, 0);
	c = kfx_call(SYS_DUP);
	c.fd = efd;
	ck_assert_int_ge(run(b, &c), 0);
	d1 = res.fds[0];
	ck_assert_int_eq(d1, res.ret);
	target = d1 + 10;
	while (fcntl(target, F_GETFD) >= 0)	/* a free number */
		target++;
	c = kfx_call(SYS_DUP2);
	c.fd = efd;
	c.fd2 = target;
	ck_assert_int_eq(run(b, &c), target);
	d2 = res.fds[0];
	ck_assert_int_eq(d2, target);
	/* The harness's own fds are never touched. */
	c = kfx_call(SYS_CLOSE);
	c.fd = outside[0];
	ck_assert_int_eq(run(b, &c), -EBADF);
	c = kfx_call(SYS_DUP2);
	c.fd = efd;
	c.fd2 = outside[1];
	ck_assert_int_eq(run(b, &c), -EBADF);
	c = kfx_call(SYS_CLOSE);
	c.fd = d1;
	ck_assert_int_eq(run(b, &c), 0);
	ck_assert_int_eq(run(b, &c), -EBADF);
	ops->close(b);
	ck_assert_int_ge(fcntl(outside[0], F_GETFD), 0);
	ck_assert_int_ge(fcntl(outside[1], F_GETFD), 0);
	ck_assert_int_eq(fcntl(efd, F_GETFD), -1);
	ck_assert_int_eq(fcntl(d2, F_GETFD), -1);
	close(outside[0]);
	close(outside[1]);
}
END_TEST

START_TEST(test_sleep_on_main)
{
	struct backend *b = kfx_open_backend(0);
	struct sys_call c = kfx_call(SYS_NANOSLEEP);
	long long t0 = now_ms();

	c.num = 30;
	ck_assert_int_eq(run(b, &c), 0);
	ck_assert_int_ge(now_ms() - t0, 30);
	ops->close(b);
}
END_TEST

START_TEST(test_sleep_on_thread)
{
	struct backend *b = kfx_open_backend(0);
	struct sys_call c = kfx_call(SYS_NANOSLEEP);
	long long t0 = now_ms();
	struct reports rep;

	ck_assert_int_eq(ops->thread_new(b, 1, "sleeper"), 0);
	c.num = 150;
	ck_assert_int_eq(ops->submit(b, 1, &c, &res), 0);	/* asleep in it */
	ck_assert_int_eq(settle(b).n, 0);
	ck_assert_int_lt(now_ms() - t0, 150);
	usleep(200 * 1000);
	rep = settle(b);
	ck_assert_int_eq(rep.n, 1);
	ck_assert_int_eq(rep.thread[0], 1);
	ck_assert_int_eq(rep.ret[0], 0);
	ops->close(b);
}
END_TEST

START_TEST(test_two_backends_share_signal)
{
	struct backend *a = kfx_open_backend(200), *b = kfx_open_backend(200);
	int ep = new_epoll(b);
	struct sys_call c = wait_call(ep, 4, 4, -1);

	ops->close(a);	/* b must still be able to cut its calls */
	ck_assert_int_eq(ops->submit(b, 0, &c, &res), 1);
	ck_assert(res.watchdog);
	ops->close(b);
}
END_TEST

static Suite *backend_kernel_suite(void)
{
	Suite *s = suite_create("backend_kernel");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_open_close_no_leak);
	tcase_add_test(tc, test_version_is_uname);
	tcase_add_test(tc, test_eventfd_values);
	tcase_add_test(tc, test_eventfd_semaphore);
	tcase_add_test(tc, test_pipe_et_one_event);
	tcase_add_test(tc, test_ctl_add_twice_eexist);
	tcase_add_test(tc, test_wait_null_buffer_efault);
	tcase_add_test(tc, test_wait_short_buffer);
	tcase_add_test(tc, test_blocked_thread_woken);
	tcase_add_test(tc, test_thread_finishes_at_once);
	tcase_add_test(tc, test_two_sleepers_lifo);
	tcase_add_test(tc, test_main_watchdog);
	tcase_add_test(tc, test_submit_busy);
	tcase_add_test(tc, test_blocked_read_asleep);
	tcase_add_test(tc, test_large_write_single_call);
	tcase_add_test(tc, test_socketpair_shutdown);
	tcase_add_test(tc, test_fd_tracking);
	tcase_add_test(tc, test_sleep_on_main);
	tcase_add_test(tc, test_sleep_on_thread);
	tcase_add_test(tc, test_two_backends_share_signal);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(backend_kernel_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
