/*
 * The library's state: one world per process behind one lock, the fd kinds,
 * the program threads' simulated tasks, and the settle step after every call
 * (wake the real threads whose parked call finished, refresh the epoll fds'
 * readability). An LD_PRELOAD library is entered through the program's calls
 * only, so the state is reached through one process-wide pointer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "live.h"
#include "epsim.h"
#include "ep_internal.h"
#include "fdtable.h"
#include "task.h"

static struct live_state *live_state_ptr;
static pthread_once_t live_once = PTHREAD_ONCE_INIT;
static pthread_key_t live_thread_key;
static __thread struct live_thread *live_tls;

uint64_t live_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void live_advance(struct live_state *st)
{
	world_advance(st->w, live_now_ns());
}

enum live_fdkind live_kind(int fd)
{
	struct live_state *st = __atomic_load_n(&live_state_ptr, __ATOMIC_ACQUIRE);

	if (!st || fd < 0 || fd >= LIVE_MAX_FDS)
		return LIVE_FD_NONE;
	return (enum live_fdkind)__atomic_load_n(&st->fdkind[fd], __ATOMIC_RELAXED);
}

void live_set_kind(struct live_state *st, int fd, enum live_fdkind k)
{
	if (fd >= 0 && fd < LIVE_MAX_FDS)
		__atomic_store_n(&st->fdkind[fd], (unsigned char)k, __ATOMIC_RELAXED);
}

int live_private_fd(struct live_state *st, int fd)
{
	struct rlimit rl;
	long base = 3, nfd;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur / 2 > 3)
		base = (long)(rl.rlim_cur / 2);	/* out of the way of the program's lowest-free fds */
	nfd = live_sys(SYS_fcntl, fd, F_DUPFD_CLOEXEC, base, 0, 0, 0);

	if (nfd < 0)
		nfd = live_sys(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0, 0, 0, 0);
	if (nfd < 0)
		return (int)nfd;
	live_sys(SYS_close, fd, 0, 0, 0, 0, 0);
	live_set_kind(st, (int)nfd, LIVE_FD_PRIVATE);
	return (int)nfd;
}

/* A thread that exits hands its simulated task to the next new thread. */
static void live_thread_exit(void *p)
{
	struct live_thread *th = p;
	struct live_state *st = live_state_ptr;

	if (!st || th->gen != st->gen)
		return;
	pthread_mutex_lock(&st->lock);
	th->next = st->free_threads;
	st->free_threads = th;
	pthread_mutex_unlock(&st->lock);
}

static void live_init_once(void)
{
	struct live_state *st = calloc(1, sizeof(*st));
	struct world_config cfg = { 0 };

	if (!st)
		return;
	st->nofile = LIVE_MAX_FDS;	/* any fd the kernel gives the program fits the simulated table */
	cfg.nofile = st->nofile;
	st->fdkind = mmap(NULL, LIVE_MAX_FDS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	st->w = epsim_world_create(&cfg);
	if (st->fdkind == MAP_FAILED || !st->w) {
		if (st->w)
			epsim_world_destroy(st->w);
		free(st);
		return;
	}
	st->w->now = live_now_ns();
	pthread_mutex_init(&st->lock, NULL);
	INIT_LIST_HEAD(&st->instances);
	st->pid = getpid();
	st->gen = 1;
	st->kep = -1;
	st->helper_stop[0] = st->helper_stop[1] = -1;
	pthread_key_create(&live_thread_key, live_thread_exit);
	live_log_open(st);
	live_options_init(st);
	live_fork_init(st);
	__atomic_store_n(&live_state_ptr, st, __ATOMIC_RELEASE);
}

struct live_state *live_state_peek(void)
{
	return __atomic_load_n(&live_state_ptr, __ATOMIC_ACQUIRE);
}

struct live_state *live_get(void)
{
	struct live_state *st;

	pthread_once(&live_once, live_init_once);
	st = live_state_ptr;
	if (!st)
		return NULL;
	if (st->pid != getpid())	/* a vfork child shares our memory: keep out of it */
		return NULL;
	pthread_mutex_lock(&st->lock);
	if (st->forked)
		live_fork_fixup(st);
	live_advance(st);
	return st;
}

void live_put(struct live_state *st)
{
	live_settle(st);
	pthread_mutex_unlock(&st->lock);
}

/* Give the calling thread a simulated task of its own. */
static struct live_thread *live_thread_new(struct live_state *st)
{
	struct live_thread *th = calloc(1, sizeof(*th));
	long fd;
	int tid;

	if (!th)
		return NULL;
	fd = live_sys(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK, 0, 0, 0, 0);
	if (fd < 0 || (fd = live_private_fd(st, (int)fd)) < 0) {
		free(th);
		return NULL;
	}
	tid = st->ntids == 0 ? EPSIM_MAIN_TID : epsim_thread_create(st->w, EPSIM_MAIN_TID, "thread");
	if (tid < 0 || tid >= (1 << 20)) {
		live_sys(SYS_close, fd, 0, 0, 0, 0, 0);
		free(th);
		return NULL;
	}
	if (tid >= st->ntids) {
		int n = tid * 2 + 8;
		struct live_thread **m = realloc(st->by_tid, (size_t)n * sizeof(*m));
		if (!m) {
			live_sys(SYS_close, fd, 0, 0, 0, 0, 0);
			free(th);
			return NULL;
		}
		memset(m + st->ntids, 0, (size_t)(n - st->ntids) * sizeof(*m));
		st->by_tid = m;
		st->ntids = n;
	}
	th->sim_tid = tid;
	th->wakefd = (int)fd;
	st->by_tid[tid] = th;
	return th;
}

struct live_thread *live_self(struct live_state *st)
{
	struct live_thread *th = live_tls;

	if (th && th->gen == st->gen)
		return th;
	th = st->free_threads;
	if (th)
		st->free_threads = th->next;
	else
		th = live_thread_new(st);
	if (!th)
		return NULL;
	th->gen = st->gen;
	th->notified = false;
	live_tls = th;
	pthread_setspecific(live_thread_key, th);
	return th;
}

struct fdtable *live_files(struct live_state *st)
{
	return world_find_task(st->w, EPSIM_MAIN_TID)->proc->files;
}

/* The calling thread's record without creating one (fork handling). */
struct live_thread *live_self_peek(void)
{
	return live_tls;
}

struct live_instance *live_find_instance(struct live_state *st, int fd)
{
	struct file *f;
	struct list_head *pos;

	if (live_kind(fd) != LIVE_FD_EPOLL)
		return NULL;
	f = fd_lookup(live_files(st), fd);
	list_for_each(pos, &st->instances) {
		struct live_instance *in = list_entry(pos, struct live_instance, node);
		if (in->file == f)
			return in;
	}
	return NULL;
}

/* Keep the visible fd's pipe holding one byte exactly when the instance has events. */
static void live_refresh(struct live_instance *in)
{
	bool want = ep_events_available(in->file->private_data);
	char b = 0;

	if (want == in->readable)
		return;
	if (want)
		live_sys(SYS_write, in->wfd, (long)&b, 1, 0, 0, 0);
	else
		live_sys(SYS_read, in->rfd, (long)&b, 1, 0, 0, 0);
	in->readable = want;
}

void live_settle(struct live_state *st)
{
	struct list_head *pos;
	uint64_t one = 1;

	list_for_each(pos, &st->w->completed) {
		struct sim_task *t = list_entry(pos, struct sim_task, done_node);
		struct live_thread *th = t->tid < st->ntids ? st->by_tid[t->tid] : NULL;
		if (th && !th->notified) {
			th->notified = true;
			live_sys(SYS_write, th->wakefd, (long)&one, sizeof(one), 0, 0, 0);
		}
	}
	list_for_each(pos, &st->instances)
		live_refresh(list_entry(pos, struct live_instance, node));
}
