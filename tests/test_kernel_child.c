/*
 * Tests of forked children on the kernel backend (kproc.c, kernel_child.c):
 * files made in a child, a child's own fork, signals to a child's thread and
 * process, and that closing the backend leaves no fd and no process behind.
 */
#include "backend.h"
#include "kernel_fixture.h"
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct sys_result res;	/* large: one for every test */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

/* The parent pid of process pid, or -1 if it is gone (or a zombie). */
static int live_ppid(int pid)
{
	char path[64], buf[512], state;
	int ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f) || !strrchr(buf, ')') ||
	    sscanf(strrchr(buf, ')') + 1, " %c %d", &state, &ppid) != 2 || state == 'Z')
		ppid = -1;
	fclose(f);
	return ppid;
}

/* The live processes whose parent is ppid (up to max); how many. */
static int children_of(int ppid, int *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		int pid = atoi(e->d_name);

		if (pid > 0 && live_ppid(pid) == ppid && n < max)
			pids[n++] = pid;
	}
	closedir(d);
	return n;
}

/* Process pid is gone (or a zombie) within a second. */
static bool gone(int pid)
{
	for (int i = 0; i < 1000; i++) {
		struct timespec ms = { 0, 1000000 };

		if (live_ppid(pid) < 0)
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

/* A call on `thread` that must finish at once; its ret. */
static long run_on(struct backend *b, int thread, const struct sys_call *c)
{
	ck_assert_int_eq(ops->submit(b, thread, c, &res), 1);
	return res.ret;
}

static void fork_on(struct backend *b, int thread, int child)
{
	struct sys_call c = kfx_call(SYS_FORK);

	c.fd2 = child;
	ck_assert_int_eq(run_on(b, thread, &c), 0);
}

static long counter_write(struct backend *b, int thread, int fd, long long v)
{
	struct sys_call c = kfx_call(SYS_WRITE);

	c.fd = fd;
	c.fd_is_counter = true;
	c.num = v;
	return run_on(b, thread, &c);
}

static long counter_read(struct backend *b, int thread, int fd)
{
	struct sys_call c = kfx_call(SYS_READ);

	c.fd = fd;
	c.fd_is_counter = true;
	return run_on(b, thread, &c);
}

static int new_on(struct backend *b, int thread, enum sys_nr nr)
{
	struct sys_call c = kfx_call(nr);

	c.flags = nr == SYS_EPOLL_CREATE1 ? 0 : O_NONBLOCK;
	ck_assert_int_ge(run_on(b, thread, &c), 0);
	ck_assert_int_eq(res.fds[0], res.ret);	/* named, as in the main process */
	return res.fds[0];
}

/* Thread `thread` sleeps in epoll_wait on ep: submit returns 0. */
static void sleep_in_wait(struct backend *b, int thread, int ep)
{
	struct sys_call c = kfx_call(SYS_EPOLL_WAIT);

	c.fd = ep;
	c.maxevents = 1;
	c.buf = SYS_BUF_VALID;
	c.buf_slots = 1;
	c.timeout_ms = -1;
	ck_assert_int_eq(ops->submit(b, thread, &c, &res), 0);
}

static long settled_ret;
static int settled_thread;

static void on_done(void *ctx, int thread, const struct sys_result *r)
{
	(void)ctx;
	settled_thread = thread;
	settled_ret = r->ret;
}

/* The one call that finished since the last settle: its ret (thread checked). */
static long settle_one(struct backend *b, int thread)
{
	settled_thread = -1;
	ck_assert_int_eq(ops->settle(b, on_done, NULL), 0);
	ck_assert_int_eq(settled_thread, thread);
	return settled_ret;
}

START_TEST(files_made_in_a_child_are_named_and_usable)
{
	struct backend *b = kfx_open_backend(500);
	int fd, ep;
	struct sys_call c;

	fork_on(b, 0, 1);
	fd = new_on(b, 1, SYS_EVENTFD2);
	ck_assert_int_eq(counter_write(b, 1, fd, 5), 8);
	ep = new_on(b, 1, SYS_EPOLL_CREATE1);
	c = kfx_call(SYS_EPOLL_CTL);
	c.fd = ep;
	c.op = EPOLL_CTL_ADD;
	c.fd2 = fd;
	c.ev.events = EPOLLIN;
	ck_assert_int_eq(run_on(b, 1, &c), 0);
	ck_assert_int_eq(counter_read(b, 1, fd), 8);
	ck_assert_uint_eq(res.value, 5);
	ck_assert_int_eq(counter_write(b, 0, fd, 1), -EBADF);	/* not the parent's */
	c = kfx_call(SYS_DUP);
	c.fd = fd;
	ck_assert_int_ge(run_on(b, 1, &c), 0);
	ck_assert_int_eq(res.fds[0], res.ret);
	ops->close(b);
}
END_TEST

START_TEST(a_child_touches_no_fd_of_the_harness)
{
	int outside[2];
	struct backend *b;
	struct sys_call c;

	ck_assert_int_eq(pipe2(outside, O_CLOEXEC | O_NONBLOCK), 0);
	b = kfx_open_backend(500);
	fork_on(b, 0, 1);
	c = kfx_call(SYS_WRITE);
	c.fd = outside[1];
	c.num = 1;
	ck_assert_int_eq(run_on(b, 1, &c), -EBADF);
	c = kfx_call(SYS_CLOSE);
	c.fd = outside[0];
	ck_assert_int_eq(run_on(b, 1, &c), -EBADF);
	c = kfx_call(SYS_DUP2);
	c.fd = new_on(b, 1, SYS_EVENTFD2);
	c.fd2 = outside[1];
	ck_assert_int_eq(run_on(b, 1, &c), -EBADF);
	ops->close(b);
	ck_assert_int_eq(read(outside[0], &c, 1), -1);	/* nothing was written */
	ck_assert_int_eq(errno, EAGAIN);
	close(outside[0]);
	close(outside[1]);
}
END_TEST

START_TEST(a_grandchild_has_its_parents_files_and_nothing_is_left)
{
	int fds = count_fds(), child, grandchild;
	struct backend *b = kfx_open_backend(500);
	struct sys_call c;
	int fd;

	fork_on(b, 0, 1);
	fd = new_on(b, 1, SYS_EVENTFD2);
	fork_on(b, 1, 2);
	ck_assert_int_eq(children_of(getpid(), &child, 1), 1);
	ck_assert_int_eq(children_of(child, &grandchild, 1), 1);
	ck_assert_int_eq(counter_write(b, 2, fd, 3), 8);
	ck_assert_int_eq(counter_read(b, 1, fd), 8);	/* the same file */
	ck_assert_uint_eq(res.value, 3);
	c = kfx_call(SYS_EXIT);
	c.fd2 = 1;
	ck_assert_int_eq(run_on(b, 0, &c), 0);
	ck_assert(gone(child));
	ck_assert_int_eq(counter_write(b, 2, fd, 1), 8);	/* the grandchild lives on */
	ops->close(b);
	ck_assert(gone(grandchild));
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

START_TEST(signals_reach_the_childs_thread_and_process)
{
	struct backend *b = kfx_open_backend(500);
	struct sys_call c;
	int ep;

	fork_on(b, 0, 1);
	ep = new_on(b, 1, SYS_EPOLL_CREATE1);
	sleep_in_wait(b, 1, ep);
	c = kfx_call(SYS_TGKILL);
	c.fd2 = 1;
	c.op = SIGUSR1;
	ck_assert_int_eq(run_on(b, 0, &c), 0);
	ck_assert_int_eq(settle_one(b, 1), -EINTR);
	ck_assert_int_eq(run_on(b, 1, &c), 0);	/* the child signals itself */
	sleep_in_wait(b, 1, ep);
	c = kfx_call(SYS_KILL);
	c.fd2 = 1;
	c.op = SIGUSR1;
	ck_assert_int_eq(run_on(b, 0, &c), 0);
	ck_assert_int_eq(settle_one(b, 1), -EINTR);
	ops->close(b);
}
END_TEST

static Suite *kernel_child_suite(void)
{
	Suite *s = suite_create("kernel_child");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, files_made_in_a_child_are_named_and_usable);
	tcase_add_test(tc, a_child_touches_no_fd_of_the_harness);
	tcase_add_test(tc, a_grandchild_has_its_parents_files_and_nothing_is_left);
	tcase_add_test(tc, signals_reach_the_childs_thread_and_process);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kernel_child_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
