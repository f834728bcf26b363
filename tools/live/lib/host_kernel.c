/*
 * Where host files' wake-ups come from: one private kernel epoll per world,
 * every host file registered EPOLLET for all events, and a helper thread that
 * turns each kernel event into one keyed wake_up on the host file's simulated
 * wait queue (under the world's lock), then settles the world so sleepers the
 * wake-up finished get their real thread woken. A thread about to wait drains
 * the kernel epoll itself first, so a wake-up that happened before the call
 * is seen by it, as with the kernel's synchronous wake-ups.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uthash.h>
#include "live.h"
#include "live_record.h"
#include "file.h"
#include "world.h"

#define HOST_KERNEL_EVENTS (EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDHUP | EPOLLERR | EPOLLHUP | \
			    EPOLLET)
#define HOST_KERNEL_BATCH 256

/* cookie -> host file: a kernel event may arrive for a file released meanwhile. */
struct host_entry {
	uint64_t cookie;
	struct file *file;
	UT_hash_handle hh;
};

static struct host_entry *host_map(struct live_state *st)
{
	return st->host_map;
}

/* The kernel epoll, made on first use. */
static int host_kernel_fd(struct live_state *st)
{
	long fd;

	if (st->kep >= 0)
		return st->kep;
	fd = live_sys(SYS_epoll_create1, EPOLL_CLOEXEC, 0, 0, 0, 0, 0);
	if (fd < 0)
		return (int)fd;
	st->kep = live_private_fd(st, (int)fd);
	return st->kep;
}

int host_kernel_register(struct live_state *st, int realfd, struct file *f, uint64_t *cookie)
{
	struct epoll_event ev = { .events = HOST_KERNEL_EVENTS };
	struct host_entry *e, *map = host_map(st);
	int kep = host_kernel_fd(st);
	long r;

	*cookie = 0;
	if (kep < 0)
		return kep;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->cookie = ++st->next_cookie;
	e->file = f;
	ev.data.u64 = e->cookie;
	r = live_sys(SYS_epoll_ctl, kep, EPOLL_CTL_ADD, realfd, (long)&ev, 0, 0);
	if (r < 0) {
		free(e);
		return (int)r;
	}
	HASH_ADD(hh, map, cookie, sizeof(e->cookie), e);
	st->host_map = map;
	live_logf(st, "fd %d is host file %" PRIu64, realfd, e->cookie);
	*cookie = e->cookie;
	r = host_kernel_start(st);
	return r < 0 ? (int)r : 0;
}

void host_kernel_unregister(struct live_state *st, uint64_t cookie, int realfd)
{
	struct host_entry *e, *map = host_map(st);

	HASH_FIND(hh, map, &cookie, sizeof(cookie), e);
	if (e) {
		HASH_DEL(map, e);
		free(e);
	}
	st->host_map = map;
	if (realfd >= 0)
		live_sys(SYS_epoll_ctl, st->kep, EPOLL_CTL_DEL, realfd, 0, 0, 0);
}

void host_kernel_dispatch(struct live_state *st, uint64_t cookie, uint32_t events)
{
	struct host_entry *e, *map = host_map(st);

	HASH_FIND(hh, map, &cookie, sizeof(cookie), e);
	live_logf(st, "kernel event %#x for host file %" PRIu64 "%s", events, cookie,
		  e ? "" : " (gone)");
	if (!e)
		return;
	st->count.kernel_events++;
	live_record_wake(st, e->file, events);
	host_file_wake(e->file, events & ~(uint32_t)EPOLLET);
}

void host_kernel_drain(struct live_state *st)
{
	struct epoll_event evs[HOST_KERNEL_BATCH];
	long n;

	if (st->kep < 0)
		return;
	do {
		n = live_sys(SYS_epoll_wait, st->kep, (long)evs, HOST_KERNEL_BATCH, 0, 0, 0);
		for (long i = 0; i < n; i++)
			host_kernel_dispatch(st, evs[i].data.u64, evs[i].events);
	} while (n == HOST_KERNEL_BATCH);
	world_run(st->w);
}

/*
 * The helper thread: it waits for the kernel epoll to have events, then takes
 * the lock and drains it. Every drain happens under the lock, so a thread
 * that drains before its epoll_wait sees every wake-up the kernel already had.
 */
static void *host_kernel_loop(void *arg)
{
	struct live_state *st = arg;

	for (;;) {
		struct pollfd p = { .fd = st->kep, .events = POLLIN, .revents = 0 };
		long n = live_sys(SYS_poll, (long)&p, 1, -1, 0, 0, 0);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return NULL;
		pthread_mutex_lock(&st->lock);
		if (st->pid != getpid()) {	/* never after a fork: the child makes its own */
			pthread_mutex_unlock(&st->lock);
			return NULL;
		}
		live_advance(st);
		host_kernel_drain(st);
		live_settle(st);
		pthread_mutex_unlock(&st->lock);
	}
}

int host_kernel_start(struct live_state *st)
{
	sigset_t all, old;
	pthread_attr_t attr;
	int err;

	if (st->helper_running)
		return 0;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);	/* signals are for the program's threads */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	err = pthread_create(&st->helper, &attr, host_kernel_loop, st);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	st->helper_running = true;
	live_logf(st, "kernel epoll %d watched by a helper thread", st->kep);
	return 0;
}

/* In a fork child: a kernel epoll of its own, with every host file registered again. */
void host_kernel_after_fork(struct live_state *st)
{
	struct host_entry *e, *tmp, *map = host_map(st);
	int old = st->kep;

	st->helper_running = false;
	st->kep = -1;
	if (old >= 0) {
		live_set_kind(st, old, LIVE_FD_NONE);
		live_sys(SYS_close, old, 0, 0, 0, 0, 0);
	}
	if (!map || host_kernel_fd(st) < 0)
		return;
	HASH_ITER(hh, map, e, tmp) {
		struct epoll_event ev = { .events = HOST_KERNEL_EVENTS, .data.u64 = e->cookie };
		if (host_file_realfd(e->file) >= 0)
			live_sys(SYS_epoll_ctl, st->kep, EPOLL_CTL_ADD, host_file_realfd(e->file), (long)&ev,
			 0, 0);
	}
	host_kernel_start(st);
}
