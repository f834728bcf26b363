/* The two targets of the benchmarks: the simulator's C API and raw kernel system calls. */
#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "bench_target.h"
#include "epsim.h"

#define TID EPSIM_MAIN_TID

static long sim_epoll_create1(struct bench_target *t, int flags)
{
	return epsim_epoll_create1(t->w, TID, flags);
}

static long sim_eventfd(struct bench_target *t)
{
	return epsim_eventfd2(t->w, TID, 0, EFD_NONBLOCK);
}

static long sim_ctl(struct bench_target *t, int epfd, int op, int fd, struct epoll_event *ev)
{
	return epsim_epoll_ctl(t->w, TID, epfd, op, fd, ev);
}

static long sim_wait(struct bench_target *t, int epfd, struct epoll_event *out, int max,
		     int timeout_ms)
{
	return epsim_epoll_wait(t->w, TID, epfd, out, max, max, timeout_ms);
}

static long sim_write(struct bench_target *t, int fd, uint64_t value)
{
	return epsim_write(t->w, TID, fd, sizeof(value), value);
}

static long sim_read(struct bench_target *t, int fd)
{
	uint64_t v;

	return epsim_read(t->w, TID, fd, sizeof(v), &v);
}

static long sim_close(struct bench_target *t, int fd)
{
	return epsim_close(t->w, TID, fd);
}

struct bench_target *bench_sim_target(int nofile)
{
	struct world_config wc = { .nofile = nofile, .max_user_watches = 1L << 40 };
	struct bench_target *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->w = epsim_world_create(&wc);
	if (!t->w) {
		free(t);
		return NULL;
	}
	t->name = "sim";
	t->epoll_create1 = sim_epoll_create1;
	t->eventfd = sim_eventfd;
	t->ctl = sim_ctl;
	t->wait = sim_wait;
	t->write = sim_write;
	t->read = sim_read;
	t->close = sim_close;
	return t;
}

/* A raw system call's result as the simulator gives it: >= 0 or -errno. */
static long sys_ret(long r)
{
	return r < 0 ? -errno : r;
}

static long k_epoll_create1(struct bench_target *t, int flags)
{
	(void)t;
	return sys_ret(syscall(SYS_epoll_create1, flags));
}

static long k_eventfd(struct bench_target *t)
{
	(void)t;
	return sys_ret(syscall(SYS_eventfd2, 0, EFD_NONBLOCK));
}

static long k_ctl(struct bench_target *t, int epfd, int op, int fd, struct epoll_event *ev)
{
	(void)t;
	return sys_ret(syscall(SYS_epoll_ctl, epfd, op, fd, ev));
}

static long k_wait(struct bench_target *t, int epfd, struct epoll_event *out, int max,
		   int timeout_ms)
{
	(void)t;
	return sys_ret(syscall(SYS_epoll_wait, epfd, out, max, timeout_ms));
}

static long k_write(struct bench_target *t, int fd, uint64_t value)
{
	(void)t;
	return sys_ret(syscall(SYS_write, fd, &value, sizeof(value)));
}

static long k_read(struct bench_target *t, int fd)
{
	uint64_t v;

	(void)t;
	return sys_ret(syscall(SYS_read, fd, &v, sizeof(v)));
}

static long k_close(struct bench_target *t, int fd)
{
	(void)t;
	return sys_ret(syscall(SYS_close, fd));
}

struct bench_target *bench_kernel_target(void)
{
	struct bench_target *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->name = "kernel";
	t->epoll_create1 = k_epoll_create1;
	t->eventfd = k_eventfd;
	t->ctl = k_ctl;
	t->wait = k_wait;
	t->write = k_write;
	t->read = k_read;
	t->close = k_close;
	return t;
}

void bench_target_free(struct bench_target *t)
{
	if (!t)
		return;
	if (t->w)
		epsim_world_destroy(t->w);
	free(t);
}
