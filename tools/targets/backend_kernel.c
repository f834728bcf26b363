/*
 * The kernel backend: every sys_call runs as the real system call on this
 * machine's Linux kernel, so traces can be compared against the simulator.
 *
 * Design
 *
 * Threads. Every trace thread, the main thread 0 included, is a real pthread
 * (a "worker") that owns a one-call command slot guarded by its own mutex:
 * submit() puts the call in the slot (QUEUED), the worker runs it (RUNNING)
 * and leaves the result in the slot (FINISHED) until it is taken, which
 * makes the slot IDLE again. A thread whose slot is not IDLE is busy:
 * submit() returns -1 (a finished call not yet reported counts as busy).
 * Calls are made with raw syscall() so we know exactly which system call
 * runs (glibc may turn epoll_wait into epoll_pwait, for instance).
 *
 * Asleep. A worker is "asleep in its call" when /proc/self/task/TID/stat
 * shows state 'S' and /proc/self/task/TID/syscall shows the number of the
 * system call it was handed, on two consecutive checks about 1 ms apart.
 * Only calls that can block (epoll_wait, read, write, sleep) are ever
 * considered asleep; other calls are simply waited for. That also keeps the
 * /proc reads (which briefly open fds) away from calls that create fds, so
 * fd numbers stay deterministic.
 *
 * submit(). On thread 0 it waits for the call to finish. On another thread
 * it returns 1 when the call finished, or 0 once the worker is asleep in it.
 *
 * Watchdog. Waiting is bounded: watchdog_ms for most calls, timeout_ms +
 * watchdog_ms for an epoll_wait with timeout_ms >= 0, num + watchdog_ms for
 * a sleep. When thread 0 overruns, the worker is interrupted with SIGUSR2,
 * whose handler does nothing and is installed without SA_RESTART, so the
 * system call fails with EINTR; the signal is repeated every 10 ms until the
 * worker is done (a signal that lands just before the syscall is entered is
 * lost). The result carries watchdog = true. Another thread that is neither
 * finished nor asleep when its bound passes is left pending: submit() returns
 * 0 and a later settle() reports the call when it finishes.
 *
 * settle(). Waits (bounded by watchdog_ms) until every worker but thread 0
 * is IDLE, FINISHED or stably asleep, then reports every FINISHED call
 * through done() in increasing thread order. A worker still running when
 * the bound passes stays pending and is reported by a later settle().
 *
 * fd tracking. open() records the fds already open (from /proc/self/fd):
 * those are never closed, and a close() or dup2() aimed at one of them is
 * refused with -EBADF instead of touching the harness's own files. Every fd
 * a call creates (epoll_create*, pipe2, eventfd2, socketpair, dup, dup2) is
 * recorded, a close() forgets it, and close() of the backend closes what is
 * left (never 0-2). The set and its rules are kernel_fds.c; the system
 * calls themselves kernel_calls.c.
 *
 * Processes. `fork` makes a real child (kproc.c) whose only thread serves
 * the calls of its runner thread over a channel; that thread's worker here is
 * a proxy that forwards each call and waits for the answer. The child keeps
 * its own record of the fds it may touch (kernel_child.c: a copy of the
 * forking process's at fork time, then its own creations and closes), so a
 * file made in a child is named and usable there and in the children it
 * forks in turn (a child's fork is done by its call server). Signals go to
 * the real task: tgkill(tgid, tid) with the child's pid for its thread.
 *
 * close(). Stops every worker, interrupting a blocked one with the signal
 * until it returns, joins it and waits for its task to leave /proc, closes
 * the tracked fds and restores the previous SIGUSR2 disposition. The only
 * global state is the reference count that lets several open backends share
 * the signal handler.
 */
#include "backend.h"
#include "uffd_stall.h"
#include "kproc.h"
#include "kernel_calls.h"
#include "kernel_fds.h"
#include "kernel_child.h"
#include "kernel_signals.h"
#include "kernel_asleep.h"
#include "kernel_tcp.h"
#include "kernel_mpx.h"
#include "kernel_uring.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define WAKE_SIGNAL KERNEL_WAKE_SIGNAL
#define DEFAULT_WATCHDOG_MS 2000
#define POLL_MS 1		/* between two asleep checks */
#define KICK_MS 10		/* between two interrupting signals */
#define TASK_GONE_MS 1000	/* bound on a joined task leaving /proc */
#define EP_MAX_EVENTS ((int)(INT_MAX / sizeof(struct epoll_event)))
#define MAX_SLEEP_MS (1000LL * 1000 * 1000 * 1000)

/* ---------------------------------------------------------------- time */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static struct timespec ms_from_now(long long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---------------------------------------------------------- structures */

enum slot_state { SLOT_IDLE, SLOT_QUEUED, SLOT_RUNNING, SLOT_FINISHED };

struct worker {
	struct backend *b;
	pthread_t th;
	pid_t tid;		/* 0 until the worker has started */
	pthread_mutex_t lock;
	pthread_cond_t cmd_cv;	/* a call was queued, or stop */
	pthread_cond_t done_cv;	/* a call finished, the worker started or exited */
	enum slot_state state;
	bool stop, exited;
	atomic_bool cancel;	/* stop restarting an interrupted sleep */
	int stable;		/* consecutive asleep checks (settle) */
	atomic_bool in_call;	/* inside the system call of its call (kernel_asleep.h) */
	struct sys_call call;
	struct sys_result res;
	struct kproc proc;	/* a child process's thread: calls go to it (proc.pid != 0) */
	struct task_proc tp;	/* the /proc files settle reads: this thread's, or the child's */
	bool stalled;		/* its wait's copy to user space is stalled (stall=N) */
	bool proxy;		/* forwards to a child process: blocks the trace signals */
	void *stall_addr;	/* the userfaultfd-registered pages of that buffer */
	size_t stall_len;
};

struct backend {
	int watchdog_ms;
	char release[sizeof(((struct utsname *)0)->release)];
	pthread_mutex_t fd_lock;
	struct fdset preexisting;	/* open before us: never touched */
	struct fdset created;		/* made by calls and still open */
	struct worker **workers;	/* indexed by thread number */
	int nworkers;			/* length of workers[] */
	struct sys_result *scratch;	/* settle's copy of a result */
	struct uffd_stall *uffd;	/* opened at the first stalled wait */
	struct kernel_tcp *tcp;		/* ports of our TCP sockets, for settling (kernel_tcp.c) */
	struct kernel_urings *urings;	/* our io_uring rings and read buffers (kernel_uring.c) */
	sigset_t opener_mask;		/* the opening thread's mask, blocking the trace signals while open */
	bool opener_masked;
};

/*
 * A wait whose copy into slot k stalls: slots [0, k) lie on ordinary pages
 * ending at a page boundary, slot k and on lie on pages registered with
 * userfaultfd, so the kernel's copy stops in a fault until the runner
 * releases the pages (SYS_UNSTALL).
 */
static long stall_wait(struct worker *w, const struct sys_call *c, struct sys_result *res)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), esz = sizeof(struct epoll_event);
	int slots = c->maxevents < SYS_MAX_EVENTS_COPY ? c->maxevents : SYS_MAX_EVENTS_COPY;
	int k = c->stall_slot < slots ? c->stall_slot : slots;
	size_t head = kernel_round_page((size_t)k * esz, page);
	size_t tail = kernel_round_page((size_t)(slots - k) * esz + 1, page);
	char *map = mmap(NULL, head + tail, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct epoll_event *start;
	long r;

	if (map == MAP_FAILED)
		return -errno;
	memset(map, 0, head);	/* present: only the tail faults */
	start = (struct epoll_event *)(map + head - (size_t)k * esz);
	r = uffd_stall_register(w->b->uffd, map + head, tail);
	if (r == 0) {
		pthread_mutex_lock(&w->lock);
		w->stall_addr = map + head;
		w->stall_len = tail;
		pthread_mutex_unlock(&w->lock);
		r = kernel_wait_syscall(c, start);
	}
	if (r > 0) {
		res->nevents = r < slots ? (int)r : slots;
		memcpy(res->events, start, (size_t)res->nevents * esz);
	}
	munmap(map, head + tail);
	return r;
}

/* The fds of the main process as kfds_own_only's callback sees them (fd_lock held). */
static bool own_fd_cb(void *ctx, int fd)
{
	return fdset_has(ctx, fd);
}

/* A call of the main process: only to fds the backend created, and their record kept. */
static void execute_here(struct worker *w)
{
	struct backend *b = w->b;
	struct sys_call *c = &w->call;
	struct sys_result *res = &w->res;

	pthread_mutex_lock(&b->fd_lock);
	kfds_own_only(&b->created, c);
	kernel_mpx_own_fds(c, own_fd_cb, &b->created);	/* the fds inside poll's and select's arrays */
	pthread_mutex_unlock(&b->fd_lock);
	if (c->has_stall && c->maxevents > 0 && c->maxevents <= EP_MAX_EVENTS && b->uffd) {
		res->ret = stall_wait(w, c, res);
	} else {
		atomic_store(&w->in_call, true);
		res->ret = kernel_uring_is_call(c->nr) ? kernel_uring_call(b->urings, c, res)
						       : kernel_run_syscall(c, res, &w->cancel);
		atomic_store(&w->in_call, false);
	}
	if (c->nr == SYS_CLOSE && res->ret == 0)
		kernel_uring_forget(b->urings, c->fd);	/* a ring's mappings go with its fd */
	pthread_mutex_lock(&b->fd_lock);
	kfds_track(&b->created, c, res);
	kernel_tcp_track(b->tcp, c, res);
	pthread_mutex_unlock(&b->fd_lock);
}

static void execute(struct worker *w)
{
	struct backend *b = w->b;
	struct sys_result *res = &w->res;
	int victim = kfds_closing_fd(&w->call);

	res->ret = 0;
	res->watchdog = false;
	res->fds[0] = res->fds[1] = -1;
	res->value = 0;
	res->nevents = 0;
	if (victim >= 0 && fdset_has(&b->preexisting, victim)) {
		res->ret = -EBADF;	/* not ours: never touch the harness's fds */
		return;
	}
	if (w->proc.pid) {	/* the thread of a child process: its call server runs the call */
		if (kproc_call(&w->proc, &w->call, res) < 0)
			res->ret = -ESRCH;
		return;
	}
	execute_here(w);
}

/* ------------------------------------------------------------- workers */

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, WAKE_SIGNAL);
	if (!w->proxy)	/* a trace thread takes the trace signals; a child's proxy never does */
		kernel_trace_signals_add(&set);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	pthread_mutex_lock(&w->lock);
	w->tid = (pid_t)syscall(SYS_gettid);
	pthread_cond_broadcast(&w->done_cv);
	for (;;) {
		while (w->state != SLOT_QUEUED && !w->stop)
			pthread_cond_wait(&w->cmd_cv, &w->lock);
		if (w->stop)
			break;
		w->state = SLOT_RUNNING;
		pthread_mutex_unlock(&w->lock);
		execute(w);
		pthread_mutex_lock(&w->lock);
		w->state = SLOT_FINISHED;
		pthread_cond_broadcast(&w->done_cv);
	}
	w->exited = true;
	pthread_cond_broadcast(&w->done_cv);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int worker_init_sync(struct worker *w)
{
	pthread_condattr_t ca;
	int rc;

	if (pthread_condattr_init(&ca) != 0)
		return -1;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_mutex_init(&w->lock, NULL);
	if (rc == 0 && (rc = pthread_cond_init(&w->cmd_cv, &ca)) != 0)
		pthread_mutex_destroy(&w->lock);
	if (rc == 0 && (rc = pthread_cond_init(&w->done_cv, &ca)) != 0) {
		pthread_cond_destroy(&w->cmd_cv);
		pthread_mutex_destroy(&w->lock);
	}
	pthread_condattr_destroy(&ca);
	return rc == 0 ? 0 : -1;
}

static void worker_destroy_sync(struct worker *w)
{
	pthread_cond_destroy(&w->done_cv);
	pthread_cond_destroy(&w->cmd_cv);
	pthread_mutex_destroy(&w->lock);
}

static struct worker *worker_start(struct backend *b, const char *name, bool proxy)
{
	struct worker *w = calloc(1, sizeof(*w));
	char short_name[16];

	if (!w)
		return NULL;
	w->b = b;
	w->proxy = proxy;
	w->tp.stat_fd = w->tp.syscall_fd = -1;
	atomic_init(&w->cancel, false);
	if (worker_init_sync(w) != 0) {
		free(w);
		return NULL;
	}
	if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
		worker_destroy_sync(w);
		free(w);
		return NULL;
	}
	snprintf(short_name, sizeof(short_name), "%s", name ? name : "epsim");
	pthread_setname_np(w->th, short_name);
	pthread_mutex_lock(&w->lock);
	while (w->tid == 0)
		pthread_cond_wait(&w->done_cv, &w->lock);
	pthread_mutex_unlock(&w->lock);
	task_proc_open(&w->tp, getpid(), w->tid);
	return w;
}

static bool task_exists(pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
	return access(path, F_OK) == 0;
}

/*
 * Signal the worker every KICK_MS while it runs a call, until `done` holds.
 * Repeated because a signal that lands just before the syscall is lost.
 * Lock held.
 */
static void kick_until(struct worker *w, bool (*done)(const struct worker *))
{
	while (!done(w)) {
		struct timespec t = ms_from_now(KICK_MS);

		if (w->state == SLOT_RUNNING)
			pthread_kill(w->th, WAKE_SIGNAL);
		pthread_cond_timedwait(&w->done_cv, &w->lock, &t);
	}
}

static bool has_exited(const struct worker *w)
{
	return w->exited;
}

static bool has_finished(const struct worker *w)
{
	return w->state == SLOT_FINISHED;
}

/* Stop, interrupt and join the worker, then free it. */
static void worker_stop(struct worker *w)
{
	long long gone_by = now_ms() + TASK_GONE_MS;

	pthread_mutex_lock(&w->lock);
	w->stop = true;
	atomic_store(&w->cancel, true);
	pthread_cond_signal(&w->cmd_cv);
	kick_until(w, has_exited);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->th, NULL);
	while (task_exists(w->tid) && now_ms() < gone_by)
		sleep_ms(POLL_MS);
	worker_destroy_sync(w);
	task_proc_close(&w->tp);
	free(w);
}

/* The worker's current call can block and it looks asleep in it. */
static bool worker_looks_asleep(struct worker *w)
{
	if (w->proc.pid)	/* a child process's only thread: its call server has no mark here */
		return kernel_asleep_in_call(&w->tp, w->call.nr, true);
	return kernel_asleep_in_call(&w->tp, w->call.nr, atomic_load(&w->in_call));
}

/* ------------------------------------------------------------ submit */

static long long call_bound_ms(const struct sys_call *c, int watchdog_ms)
{
	int timeout = (int)c->timeout_ms;	/* what the kernel is given */

	switch (c->nr) {
	case SYS_EPOLL_WAIT:
	case SYS_EPOLL_PWAIT:
		return timeout >= 0 ? (long long)timeout + watchdog_ms : watchdog_ms;
	case SYS_EPOLL_PWAIT2:
		if (c->ts_null || c->ts_sec < 0 || c->ts_sec > 3600)
			return watchdog_ms;
		return c->ts_sec * 1000 + c->ts_nsec / 1000000 + watchdog_ms;
	case SYS_NANOSLEEP:
		if (c->num <= 0)
			return watchdog_ms;
		return (c->num < MAX_SLEEP_MS ? c->num : MAX_SLEEP_MS) + watchdog_ms;
	case SYS_POLL:
	case SYS_SELECT:
		return c->timeout_ms >= 0 ? c->timeout_ms + watchdog_ms : watchdog_ms;
	default:
		return watchdog_ms;
	}
}

static void result_copy(struct sys_result *dst, const struct sys_result *src)
{
	dst->ret = src->ret;
	dst->watchdog = src->watchdog;
	dst->fds[0] = src->fds[0];
	dst->fds[1] = src->fds[1];
	dst->value = src->value;
	dst->nevents = src->nevents;
	memcpy(dst->events, src->events,
	       (size_t)src->nevents * sizeof(struct epoll_event));
}

/* Take the finished result out of the slot. Lock held. */
static void slot_take(struct worker *w, struct sys_result *res)
{
	result_copy(res, &w->res);
	w->state = SLOT_IDLE;
}

/* Queue the call; false if the worker is busy. */
static bool slot_post(struct worker *w, const struct sys_call *call)
{
	bool ok;

	pthread_mutex_lock(&w->lock);
	ok = w->state == SLOT_IDLE;
	if (ok) {
		w->call = *call;
		w->state = SLOT_QUEUED;
		atomic_store(&w->cancel, false);
		pthread_cond_signal(&w->cmd_cv);
	}
	pthread_mutex_unlock(&w->lock);
	return ok;
}

/* Thread 0: wait for the call, cutting it at the watchdog bound. */
static int submit_main(struct worker *w, long long bound_ms, struct sys_result *res)
{
	struct timespec until = ms_from_now(bound_ms);
	bool cut = false;

	pthread_mutex_lock(&w->lock);
	while (w->state != SLOT_FINISHED) {
		if (pthread_cond_timedwait(&w->done_cv, &w->lock, &until) == ETIMEDOUT &&
		    w->state != SLOT_FINISHED) {
			cut = true;
			atomic_store(&w->cancel, true);
			kick_until(w, has_finished);
		}
	}
	w->res.watchdog = cut;
	slot_take(w, res);
	pthread_mutex_unlock(&w->lock);
	return 1;
}

/* Another thread: 1 when finished, 0 once asleep (or still running at the bound). */
static int submit_other(struct worker *w, long long bound_ms, struct sys_result *res)
{
	long long deadline = now_ms() + bound_ms;
	int stable = 0;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct timespec t;
		bool asleep;

		if (w->state == SLOT_FINISHED) {
			slot_take(w, res);
			pthread_mutex_unlock(&w->lock);
			return 1;
		}
		if (stable >= 2 || now_ms() >= deadline)
			break;
		t = ms_from_now(POLL_MS);
		pthread_cond_timedwait(&w->done_cv, &w->lock, &t);
		if (w->state == SLOT_FINISHED)
			continue;
		pthread_mutex_unlock(&w->lock);
		asleep = worker_looks_asleep(w);
		pthread_mutex_lock(&w->lock);
		stable = asleep ? stable + 1 : 0;
	}
	pthread_mutex_unlock(&w->lock);
	return 0;
}

static struct worker *worker_get(struct backend *b, int thread)
{
	if (thread < 0 || thread >= b->nworkers)
		return NULL;
	return b->workers[thread];
}

static int thread_new(struct backend *b, int thread, const char *name, bool proxy);

static bool worker_idle(struct worker *w)
{
	bool idle;

	pthread_mutex_lock(&w->lock);
	idle = w->state == SLOT_IDLE;
	pthread_mutex_unlock(&w->lock);
	return idle;
}

/*
 * The child of fork called on thread `by`: a child of the main process
 * (its call server has a copy of our fds and of by's signal mask), or, when
 * `by` is a child's thread, a grandchild forked by that child's call server.
 */
static int fork_process(struct backend *b, struct worker *by, struct kproc *child)
{
	struct kernel_child *k;
	struct kproc_server srv;
	uint64_t blocked = 0;
	int r;

	if (by->proc.pid)
		return kproc_fork_from(&by->proc, child);
	if (kernel_thread_sigblk(getpid(), by->tid, &blocked) != 0)
		return -errno ? -errno : -EIO;
	pthread_mutex_lock(&b->fd_lock);
	k = kernel_child_new(&b->created);
	pthread_mutex_unlock(&b->fd_lock);
	if (!k)
		return -ENOMEM;
	srv.run = kernel_child_run;
	srv.ctx = k;
	r = kproc_fork(child, &srv, blocked);
	kernel_child_free(k);	/* the child has its own copy */
	return r;
}

/* fork on thread `thread`: a child process whose thread becomes runner thread fd2 (a proxy worker forwards to it). */
static int submit_fork(struct backend *b, int thread, const struct sys_call *call,
		       struct sys_result *res)
{
	struct worker *by = worker_get(b, thread), *w;

	if (!by || !worker_idle(by))
		return -1;
	memset(res, 0, offsetof(struct sys_result, events));
	res->fds[0] = res->fds[1] = -1;
	if (thread_new(b, call->fd2, "child", true) < 0) {
		res->ret = -EINVAL;
		return 1;
	}
	w = b->workers[call->fd2];
	res->ret = fork_process(b, by, &w->proc);
	if (res->ret < 0) {
		w->proc.pid = 0;
		worker_stop(w);
		b->workers[call->fd2] = NULL;
		return 1;
	}
	task_proc_close(&w->tp);	/* the proxy's own files: settle reads the child's */
	task_proc_open(&w->tp, w->proc.pid, w->proc.pid);
	return 1;
}

/* exit: the child process ends (SIGKILL, reaped); its proxy worker goes. */
static int submit_exit(struct backend *b, const struct sys_call *call, struct sys_result *res)
{
	struct worker *w = worker_get(b, call->fd2);

	memset(res, 0, offsetof(struct sys_result, events));
	res->fds[0] = res->fds[1] = -1;
	if (!w || !w->proc.pid) {
		res->ret = -ESRCH;
		return 1;
	}
	kproc_kill(&w->proc);
	worker_stop(w);
	b->workers[call->fd2] = NULL;
	return 1;
}

/* Release a worker's stalled copy: its wait goes on. */
static int unstall(struct backend *b, struct worker *w)
{
	int r;

	pthread_mutex_lock(&w->lock);
	r = w->stalled ? uffd_stall_release(b->uffd, w->stall_addr, w->stall_len) : -EINVAL;
	w->stalled = false;
	pthread_mutex_unlock(&w->lock);
	return r;
}

/* SYS_UNSTALL is the runner's own action, done here, not on a thread. */
static int submit_unstall(struct backend *b, const struct sys_call *call, struct sys_result *res)
{
	struct worker *target = worker_get(b, call->fd2);

	memset(res, 0, offsetof(struct sys_result, events));
	res->fds[0] = res->fds[1] = -1;
	res->ret = target ? unstall(b, target) : -EINVAL;
	return 1;
}

/* After posting a stalled wait: it finished at once (1), or its copy faulted (0). */
static int submit_stalled(struct backend *b, struct worker *w, long long bound_ms,
			  struct sys_result *res)
{
	long long deadline = now_ms() + bound_ms;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		if (w->state == SLOT_FINISHED) {
			slot_take(w, res);
			pthread_mutex_unlock(&w->lock);
			return 1;
		}
		pthread_mutex_unlock(&w->lock);
		if (uffd_stall_wait_fault(b->uffd, POLL_MS) == 1) {
			pthread_mutex_lock(&w->lock);
			w->stalled = true;
			pthread_mutex_unlock(&w->lock);
			return 0;
		}
		if (now_ms() >= deadline)
			return 0;
	}
}

static int kernel_submit(struct backend *b, int thread, const struct sys_call *call,
			 struct sys_result *res)
{
	struct worker *w = worker_get(b, thread);
	struct sys_call resolved;
	long long bound;

	if (!w || !call || !res || !kernel_call_signals_harmless(call))
		return -1;
	if (call->nr == SYS_UNSTALL)
		return submit_unstall(b, call, res);
	if (call->nr == SYS_FORK)
		return submit_fork(b, thread, call, res);
	if (call->nr == SYS_EXIT)
		return submit_exit(b, call, res);
	if (call->has_stall && thread != 0 && !b->uffd && !(b->uffd = uffd_stall_open()))
		return -1;
	if (call->nr == SYS_KILL) {
		/* kill PROC: the pid of a child, or ours for main (whose other threads block the signal) */
		struct worker *target = worker_get(b, call->fd2);
		if (!target || (!target->proc.pid && call->fd2 != 0))
			return -1;
		resolved = *call;
		resolved.num = target->proc.pid ? target->proc.pid : getpid();
		call = &resolved;
	}
	if (call->nr == SYS_TGKILL || (call->nr == SYS_FCNTL && call->op == F_SETOWN_EX)) {
		/* the runner names a thread; the kernel wants its tid (and tgkill its tgid) */
		struct worker *target = worker_get(b, call->fd2);
		if (!target)
			return -1;
		resolved = *call;
		resolved.fd2 = target->proc.pid ? (int)target->proc.pid : (int)target->tid;
		if (call->nr == SYS_TGKILL)
			resolved.num = target->proc.pid ? target->proc.pid : getpid();
		call = &resolved;
	}
	if (!slot_post(w, call))
		return -1;
	bound = call_bound_ms(call, b->watchdog_ms);
	if (call->has_stall && thread != 0)
		return submit_stalled(b, w, bound, res);
	if (thread == 0)
		return submit_main(w, bound, res);
	return submit_other(w, bound, res);
}

/* ------------------------------------------------------------ settle */

/* One settle round for a worker: true if it is idle, finished or stably asleep. */
static bool worker_settled(struct worker *w)
{
	enum slot_state st;

	pthread_mutex_lock(&w->lock);
	st = w->state;
	pthread_mutex_unlock(&w->lock);
	if (st == SLOT_IDLE || st == SLOT_FINISHED || w->stalled)
		return true;
	w->stable = worker_looks_asleep(w) ? w->stable + 1 : 0;
	return w->stable >= 2;
}

static void settle_wait(struct backend *b)
{
	long long deadline = now_ms() + b->watchdog_ms;

	for (int i = 1; i < b->nworkers; i++)
		if (b->workers[i])
			b->workers[i]->stable = 0;
	for (;;) {
		bool all = true;

		for (int i = 1; i < b->nworkers; i++)
			if (b->workers[i] && !worker_settled(b->workers[i]))
				all = false;
		if (all || now_ms() >= deadline)
			return;
		sleep_ms(POLL_MS);
	}
}

static int kernel_settle(struct backend *b, backend_done_fn done, void *ctx)
{
	kernel_tcp_quiesce(b->tcp, KERNEL_TCP_SETTLE_MS);	/* loopback TCP work first: it may wake threads */
	settle_wait(b);
	kernel_tcp_quiesce(b->tcp, KERNEL_TCP_SETTLE_MS);
	for (int i = 1; i < b->nworkers; i++) {
		struct worker *w = b->workers[i];
		bool finished;

		if (!w)
			continue;
		pthread_mutex_lock(&w->lock);
		finished = w->state == SLOT_FINISHED;
		if (finished)
			slot_take(w, b->scratch);
		pthread_mutex_unlock(&w->lock);
		if (finished && done)
			done(ctx, i, b->scratch);
	}
	return 0;
}

/* ------------------------------------------------------- open / close */

/* A worker for runner thread `thread`: a trace thread, or a child's proxy. */
static int thread_new(struct backend *b, int thread, const char *name, bool proxy)
{
	if (thread <= 0 || worker_get(b, thread))
		return -1;
	if (thread >= b->nworkers) {
		struct worker **p = realloc(b->workers, (size_t)(thread + 1) * sizeof(*p));

		if (!p)
			return -1;
		memset(p + b->nworkers, 0,
		       (size_t)(thread + 1 - b->nworkers) * sizeof(*p));
		b->workers = p;
		b->nworkers = thread + 1;
	}
	b->workers[thread] = worker_start(b, name, proxy);
	return b->workers[thread] ? 0 : -1;
}

static int kernel_thread_new(struct backend *b, int thread, const char *name)
{
	return thread_new(b, thread, name, false);
}

static void close_created_fds(struct backend *b)
{
	for (size_t fd = 3; fd < b->created.len; fd++)
		if (b->created.has[fd] && !fdset_has(&b->preexisting, (int)fd))
			close((int)fd);
}

static void kernel_close(struct backend *b)
{
	if (!b)
		return;
	for (int i = 0; i < b->nworkers; i++)
		if (b->workers[i] && b->workers[i]->stalled)
			unstall(b, b->workers[i]);
	for (int i = 0; i < b->nworkers; i++)
		if (b->workers[i] && b->workers[i]->proc.pid)
			kproc_kill(&b->workers[i]->proc);
	for (int i = 0; i < b->nworkers; i++)
		if (b->workers[i])
			worker_stop(b->workers[i]);
	uffd_stall_close(b->uffd);
	close_created_fds(b);
	kernel_urings_free(b->urings);
	if (b->opener_masked)	/* a process signal nobody took is handled here, by the no-op handler */
		pthread_sigmask(SIG_SETMASK, &b->opener_mask, NULL);
	kernel_signals_release();
	pthread_mutex_destroy(&b->fd_lock);
	free(b->workers);
	fdset_free(&b->created);
	fdset_free(&b->preexisting);
	free(b->scratch);
	kernel_tcp_free(b->tcp);
	free(b);
}

/* Parse the "tfd: N events: X data: Y" lines of /proc/self/fdinfo/EPFD. */
static int kernel_fdinfo(struct backend *b, int epfd, struct sys_fdinfo_item *items, int max)
{
	char path[64], line[256];
	FILE *f;
	int n = 0;

	if (!fdset_has(&b->created, epfd))
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", epfd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct sys_fdinfo_item it;
		unsigned long long data;
		if (sscanf(line, "tfd: %d events: %x data: %llx", &it.tfd, &it.events, &data) != 3)
			continue;
		it.data = data;
		if (n < max)
			items[n] = it;
		n++;
	}
	fclose(f);
	return n;
}

static const char *kernel_version(struct backend *b)
{
	return b->release;
}

static struct backend *open_fail(struct backend *b, char *err, size_t errlen,
				 const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "kernel backend: %s: %s", what, strerror(errno));
	kernel_close(b);
	return NULL;
}

static struct backend *kernel_open(const struct backend_config *cfg, char *err,
				   size_t errlen)
{
	struct backend *b = calloc(1, sizeof(*b));
	struct utsname u;

	if (!b) {
		if (err && errlen)
			snprintf(err, errlen, "kernel backend: out of memory");
		return NULL;
	}
	b->watchdog_ms = cfg && cfg->watchdog_ms > 0 ? cfg->watchdog_ms
						     : DEFAULT_WATCHDOG_MS;
	pthread_mutex_init(&b->fd_lock, NULL);
	if (kernel_signals_acquire() != 0) {
		pthread_mutex_destroy(&b->fd_lock);
		free(b);
		if (err && errlen)
			snprintf(err, errlen, "kernel backend: sigaction: %s",
				 strerror(errno));
		return NULL;
	}
	b->opener_masked = kernel_block_trace_signals(&b->opener_mask);
	if (uname(&u) != 0)
		return open_fail(b, err, errlen, "uname");
	snprintf(b->release, sizeof(b->release), "%s", u.release);
	if (fdset_scan_open(&b->preexisting) != 0)
		return open_fail(b, err, errlen, "scanning /proc/self/fd");
	b->scratch = malloc(sizeof(*b->scratch));
	b->workers = calloc(1, sizeof(*b->workers));
	b->tcp = kernel_tcp_new();
	b->urings = kernel_urings_new();
	if (!b->scratch || !b->workers || !b->tcp || !b->urings)
		return open_fail(b, err, errlen, "allocating");
	b->nworkers = 1;
	b->workers[0] = worker_start(b, "main", false);
	if (!b->workers[0])
		return open_fail(b, err, errlen, "starting the main thread");
	return b;
}

const struct backend_ops kernel_backend_ops = {
	.name = "kernel",
	.open = kernel_open,
	.close = kernel_close,
	.version = kernel_version,
	.thread_new = kernel_thread_new,
	.submit = kernel_submit,
	.settle = kernel_settle,
	.fdinfo = kernel_fdinfo,
};
