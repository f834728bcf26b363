/*
 * A self-checking epoll program for live mode: run it natively and under
 * `epsim live`, both must pass. It uses LT, ET, ONESHOT, EXCLUSIVE, nested
 * instances, a worker pool re-arming ONESHOT items, signals, timeouts, bad
 * pointers, dup/close and fork. Prints one line per check and a summary.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int passed, failed;

#define CHECK(cond, what)                                                      \
	do {                                                                   \
		if (cond) {                                                    \
			passed++;                                              \
		} else {                                                       \
			failed++;                                              \
			printf("FAIL %s:%d: %s (errno %d)\n", __func__, __LINE__, \
			       what, errno);                                   \
		}                                                              \
	} while (0)

static int ep_add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int wait1(int ep, int timeout, struct epoll_event *out)
{
	struct epoll_event evs[8];
	int n = epoll_wait(ep, evs, 8, timeout);

	if (n > 0 && out)
		*out = evs[0];
	return n;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void test_lt_et(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), p[2], e = eventfd(0, EFD_NONBLOCK);
	struct epoll_event ev;
	uint64_t one = 1;

	CHECK(ep >= 0 && !pipe2(p, O_NONBLOCK) && e >= 0, "create");
	CHECK(!ep_add(ep, p[0], EPOLLIN, 7), "add pipe LT");
	CHECK(!ep_add(ep, e, EPOLLIN | EPOLLET, 8), "add eventfd ET");
	CHECK(wait1(ep, 0, NULL) == 0, "nothing ready");
	CHECK(write(p[1], "x", 1) == 1, "write pipe");
	CHECK(wait1(ep, 1000, &ev) == 1 && ev.data.u64 == 7 && ev.events == EPOLLIN, "LT once");
	CHECK(wait1(ep, 0, &ev) == 1 && ev.data.u64 == 7, "LT again: data still there");
	CHECK(read(p[0], &one, 1) == 1 && wait1(ep, 0, NULL) == 0, "LT gone after read");
	one = 1;
	CHECK(write(e, &one, 8) == 8, "write eventfd");
	CHECK(wait1(ep, 1000, &ev) == 1 && ev.data.u64 == 8, "ET edge");
	CHECK(wait1(ep, 0, NULL) == 0, "ET: no second report without a new edge");
	CHECK(write(e, &one, 8) == 8 && wait1(ep, 1000, &ev) == 1, "ET: a new write is a new edge");
	close(p[0]);
	close(p[1]);
	close(e);
	close(ep);
}

static void test_oneshot_errors(void)
{
	int ep = epoll_create1(0), e = eventfd(1, EFD_NONBLOCK), p[2];
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 3 };
	char path[] = "/tmp/live-selftest-XXXXXX";
	int reg = mkstemp(path);
	struct epoll_event *volatile bad = (void *)8;	/* mapped nowhere */

	CHECK(!pipe(p), "pipe");
	CHECK(!ep_add(ep, e, EPOLLIN | EPOLLONESHOT, 3), "add oneshot");
	CHECK(wait1(ep, 1000, NULL) == 1 && wait1(ep, 0, NULL) == 0, "oneshot fires once");
	CHECK(!epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev) && wait1(ep, 0, NULL) == 1, "re-armed by MOD");
	CHECK(ep_add(ep, e, EPOLLIN, 0) == -1 && errno == EEXIST, "EEXIST");
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == -1 && errno == ENOENT, "ENOENT");
	CHECK(ep_add(ep, ep, EPOLLIN, 0) == -1 && errno == EINVAL, "EINVAL: itself");
	CHECK(ep_add(ep, reg, EPOLLIN, 0) == -1 && errno == EPERM, "EPERM: regular file");
	CHECK(ep_add(ep, 100000, EPOLLIN, 0) == -1 && errno == EBADF, "EBADF");
	CHECK(epoll_wait(ep, &ev, 0, 0) == -1 && errno == EINVAL, "EINVAL: maxevents 0");
	CHECK(epoll_create(0) == -1 && errno == EINVAL, "epoll_create(0)");
	CHECK(epoll_create1(1) == -1 && errno == EINVAL, "epoll_create1(bad)");
	CHECK(ep_add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0) == -1 && errno == EINVAL,
	      "EXCLUSIVE with ONESHOT");
	CHECK(!ep_add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE, 0), "add exclusive");
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == -1 && errno == EINVAL, "MOD exclusive");
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], bad) == -1 && errno == EFAULT,
	      "EFAULT: event pointer");
	CHECK(epoll_wait(ep, bad, 4, 0) == -1 && errno == EFAULT, "EFAULT: events pointer");
	unlink(path);
	close(reg);
	close(p[0]);
	close(p[1]);
	close(e);
	close(ep);
}

struct excl_arg {
	int ep;
	atomic_int *woken;
};

static void *excl_waiter(void *p)
{
	struct excl_arg *a = p;

	if (wait1(a->ep, 500, NULL) == 1)
		atomic_fetch_add(a->woken, 1);
	return NULL;
}

/* Two instances, each with an EXCLUSIVE item on one eventfd, each with a sleeper. */
static void test_exclusive(void)
{
	int e = eventfd(0, EFD_NONBLOCK), eps[2];
	atomic_int woken = 0;
	struct excl_arg args[2];
	pthread_t th[2];
	uint64_t one = 1;

	for (int i = 0; i < 2; i++) {
		eps[i] = epoll_create1(0);
		CHECK(!ep_add(eps[i], e, EPOLLIN | EPOLLET | EPOLLEXCLUSIVE, (uint64_t)i), "add");
		args[i] = (struct excl_arg){ eps[i], &woken };
		pthread_create(&th[i], NULL, excl_waiter, &args[i]);
	}
	usleep(100000);
	CHECK(write(e, &one, 8) == 8, "write");
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK(atomic_load(&woken) == 1, "one exclusive wake-up wakes one instance");
	if (atomic_load(&woken) != 1)
		printf("  woken: %d\n", atomic_load(&woken));
	close(eps[0]);
	close(eps[1]);
	close(e);
}

static void test_nested_poll(void)
{
	int inner = epoll_create1(0), outer = epoll_create1(0), p[2];
	struct epoll_event ev;
	struct pollfd pf;

	CHECK(!pipe(p), "pipe");
	CHECK(!ep_add(inner, p[0], EPOLLIN, 1), "inner add");
	CHECK(!ep_add(outer, inner, EPOLLIN, 2), "outer add inner");
	CHECK(ep_add(inner, outer, EPOLLIN, 3) == -1 && errno == ELOOP, "ELOOP");
	pf = (struct pollfd){ .fd = inner, .events = POLLIN };
	CHECK(poll(&pf, 1, 0) == 0, "poll on an idle instance");
	CHECK(write(p[1], "x", 1) == 1, "write");
	CHECK(wait1(outer, 1000, &ev) == 1 && ev.data.u64 == 2, "outer sees inner ready");
	pf.revents = 0;
	CHECK(poll(&pf, 1, 1000) == 1 && (pf.revents & POLLIN), "poll on a ready instance");
	CHECK(wait1(inner, 0, &ev) == 1 && ev.data.u64 == 1, "inner reports the pipe");
	close(p[0]);
	close(p[1]);
	close(inner);
	close(outer);
}

#define POOL_PAIRS 8
#define POOL_WORKERS 4
#define POOL_MSGS 2000

struct pool {
	int ep;
	int sv[POOL_PAIRS][2];
	atomic_int inflight[POOL_PAIRS];
	atomic_int handled, overlap;
};

/* A worker: take one ONESHOT item, read one byte, re-arm it. */
static void *pool_worker(void *p)
{
	struct pool *pl = p;
	struct epoll_event ev;
	char c;

	while (atomic_load(&pl->handled) < POOL_MSGS) {
		if (epoll_wait(pl->ep, &ev, 1, 200) != 1)
			continue;
		int i = (int)ev.data.u64;
		if (atomic_fetch_add(&pl->inflight[i], 1) != 0)
			atomic_fetch_add(&pl->overlap, 1);
		while (read(pl->sv[i][0], &c, 1) == 1)
			atomic_fetch_add(&pl->handled, 1);
		atomic_fetch_sub(&pl->inflight[i], 1);
		ev.events = EPOLLIN | EPOLLONESHOT;
		epoll_ctl(pl->ep, EPOLL_CTL_MOD, pl->sv[i][0], &ev);
	}
	return NULL;
}

static void test_pool(void)
{
	static struct pool pl;
	pthread_t th[POOL_WORKERS];
	uint64_t t0 = now_ms();

	pl.ep = epoll_create1(0);
	for (int i = 0; i < POOL_PAIRS; i++) {
		CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pl.sv[i]), "socketpair");
		CHECK(!ep_add(pl.ep, pl.sv[i][0], EPOLLIN | EPOLLONESHOT, (uint64_t)i), "add");
	}
	for (int i = 0; i < POOL_WORKERS; i++)
		pthread_create(&th[i], NULL, pool_worker, &pl);
	for (int m = 0; m < POOL_MSGS; m++) {
		while (write(pl.sv[m % POOL_PAIRS][1], "m", 1) != 1)
			usleep(100);
		if (m % 64 == 0)
			usleep(200);
	}
	for (int i = 0; i < POOL_WORKERS; i++)
		pthread_join(th[i], NULL);
	CHECK(atomic_load(&pl.handled) == POOL_MSGS, "every message handled once");
	CHECK(atomic_load(&pl.overlap) == 0, "ONESHOT: no item in two workers at once");
	CHECK(now_ms() - t0 < 20000, "the pool finished in time");
	for (int i = 0; i < POOL_PAIRS; i++) {
		close(pl.sv[i][0]);
		close(pl.sv[i][1]);
	}
	close(pl.ep);
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal++;
}

static void test_signals_timeouts(void)
{
	int ep = epoll_create1(0);
	struct sigaction sa = { .sa_handler = on_signal };
	struct itimerval it = { .it_value = { 0, 50000 } };
	struct epoll_event ev;
	struct timespec ts = { 0, 30000000 };
	sigset_t block, empty;
	uint64_t t0 = now_ms();

	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	CHECK(epoll_wait(ep, &ev, 1, 100) == 0 && now_ms() - t0 >= 99, "timeout 100 ms");
	t0 = now_ms();
	CHECK(epoll_pwait2(ep, &ev, 1, &ts, NULL) == 0 && now_ms() - t0 >= 29, "pwait2 30 ms");
	setitimer(ITIMER_REAL, &it, NULL);
	got_signal = 0;
	CHECK(epoll_wait(ep, &ev, 1, 5000) == -1 && errno == EINTR && got_signal == 1,
	      "a signal interrupts a sleeping wait");
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	got_signal = 0;
	CHECK(epoll_wait(ep, &ev, 1, 50) == 0 && got_signal == 0, "blocked signal: no EINTR");
	CHECK(epoll_pwait(ep, &ev, 1, 5000, &empty) == -1 && errno == EINTR && got_signal == 1,
	      "pwait's mask lets the pending signal in");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	close(ep);
}

static void test_dup_close_fork(void)
{
	int ep = epoll_create1(0), p[2], d, status = 1;
	struct epoll_event ev;
	pid_t pid;

	CHECK(!pipe(p), "pipe");
	CHECK(!ep_add(ep, p[0], EPOLLIN, 5), "add");
	d = dup(p[0]);
	close(p[0]);
	CHECK(write(p[1], "x", 1) == 1, "write");
	CHECK(wait1(ep, 1000, &ev) == 1 && ev.data.u64 == 5, "item lives while a dup holds the file");
	close(d);
	CHECK(wait1(ep, 0, NULL) == 0, "item gone with the file's last fd");
	CHECK(!pipe(p) && !ep_add(ep, p[0], EPOLLIN, 6) && write(p[1], "y", 1) == 1, "again");
	pid = fork();
	if (pid == 0)
		_exit(wait1(ep, 1000, &ev) == 1 && ev.data.u64 == 6 ? 0 : 1);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0, "a fork child waits on the inherited instance");
	d = dup2(ep, 100);
	CHECK(d == 100 && wait1(100, 0, &ev) == 1, "dup2 of an instance");
	close(100);
	close(p[0]);
	close(p[1]);
	close(ep);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_lt_et();
	test_oneshot_errors();
	test_exclusive();
	test_nested_poll();
	test_pool();
	test_signals_timeouts();
	test_dup_close_fork();
	printf("live_selftest: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
