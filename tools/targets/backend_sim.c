/*
 * The simulator backend: each system call of a trace goes to the simulated
 * kernel (sim/epsim.h). Time is the world's virtual clock: a call of the main
 * thread that sleeps lets virtual time run until it finishes, and a call that
 * could never finish is cut by the same watchdog bound the kernel backend uses.
 * Another thread's sleep parks it while the trace goes on, as on the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "backend.h"
#include "backend_sim.h"
#include "epsim.h"
#include "task.h"
#include "eventpoll.h"
#include "fdtable.h"
#include "kprofile.h"
#include "world_check.h"
#include "xalloc.h"

#define SIM_MAX_THREADS 256	/* RUN_MAX_THREADS (run_limits.h) */

struct sim_thread {
	int tid;
	struct epoll_event buf[SYS_MAX_EVENTS_COPY]; /* the thread's user buffer */
	struct sys_call call;	/* the call in progress */
	struct timeval tv;	/* select's timeout, which the call writes back */
	uint64_t value;		/* an eventfd/timerfd read's value, written when the read ends */
	struct io_uring_cqe *cqes; /* uring_wait's reaped completions (SYS_MAX_EVENTS_COPY), made on use */
	bool busy;
};

struct backend {
	struct world *w;
	int watchdog_ms;
	struct sys_result *scratch;	/* settle's result */
	struct sim_thread *threads[SIM_MAX_THREADS];
	struct sim_alloc_report *alloc_report;	/* filled at close, if asked for */
	char version[32];		/* sim_version()'s text for a non-default profile */
};

struct world *sim_backend_world(struct backend *b)
{
	return b->w;
}

int sim_backend_tid(struct backend *b, int thread)
{
	return thread >= 0 && thread < SIM_MAX_THREADS && b->threads[thread] ?
		       b->threads[thread]->tid : -1;
}

static struct backend *sim_open(const struct backend_config *cfg, char *err, size_t errlen)
{
	struct world_config wc = { 0 };
	struct backend *b = xcalloc(1, sizeof(*b));

	wc.max_user_watches = cfg ? cfg->max_user_watches : 0;
	wc.alloc_fail_at = cfg ? cfg->alloc_fail_at : 0;
	wc.kernel_release = cfg ? cfg->kernel_release : 0;
	b->watchdog_ms = cfg && cfg->watchdog_ms > 0 ? cfg->watchdog_ms : 2000;
	b->alloc_report = cfg ? cfg->alloc_report : NULL;
	b->w = epsim_world_create(&wc);
	if (!b->w) {
		snprintf(err, errlen, "cannot create a simulated world%s",
			 wc.alloc_fail_at ? " (allocation failed on purpose)" : "");
		if (b->alloc_report)
			*b->alloc_report = (struct sim_alloc_report){ .allocs = wc.alloc_fail_at,
								      .failed = 1 };
		free(b);
		return NULL;
	}
	b->scratch = xcalloc(1, sizeof(*b->scratch));
	b->threads[0] = xcalloc(1, sizeof(struct sim_thread));
	b->threads[0]->tid = EPSIM_MAIN_TID;
	return b;
}

static void sim_close(struct backend *b)
{
	if (!b)
		return;
	if (b->alloc_report) {
		b->alloc_report->allocs = b->w->alloc_count;
		b->alloc_report->failed = b->w->alloc_failed;
		b->alloc_report->absorbed = b->w->alloc_absorbed;
		b->alloc_report->leaked = world_destroy_leaks(b->w);
	} else {
		epsim_world_destroy(b->w);
	}
	free(b->scratch);
	for (int i = 0; i < SIM_MAX_THREADS; i++) {
		if (b->threads[i])
			free(b->threads[i]->cqes);
		free(b->threads[i]);
	}
	free(b);
}

/* "epsim" for the default profile, "epsim kernel 6.12" for another. */
static const char *sim_version(struct backend *b)
{
	int rel = b->w->kernel_release;

	if (rel == KPROFILE_DEFAULT)
		return "epsim";
	snprintf(b->version, sizeof(b->version), "epsim kernel %d.%d", KREL_MAJOR(rel),
		 KREL_MINOR(rel));
	return b->version;
}

static int sim_thread_new(struct backend *b, int thread, const char *name)
{
	int tid;

	if (thread <= 0 || thread >= SIM_MAX_THREADS || b->threads[thread])
		return -1;
	tid = epsim_thread_create(b->w, EPSIM_MAIN_TID, name);
	if (tid < 0)
		return -1;
	b->threads[thread] = xcalloc(1, sizeof(struct sim_thread));
	b->threads[thread]->tid = tid;
	return 0;
}

/* Issue an epoll_wait into the thread's own buffer. */
static long sim_wait(struct backend *b, struct sim_thread *th, const struct sys_call *c)
{
	struct epoll_event *buf = c->buf == SYS_BUF_NULL ? NULL : th->buf;
	int nvalid = c->buf_slots < SYS_MAX_EVENTS_COPY ? c->buf_slots : SYS_MAX_EVENTS_COPY;

	return epsim_epoll_wait(b->w, th->tid, c->fd, buf, nvalid, c->maxevents,
				(int)c->timeout_ms);
}

/* epoll_pwait and epoll_pwait2 into the thread's own buffer. */
static long sim_pwait(struct backend *b, struct sim_thread *th, const struct sys_call *c)
{
	struct epoll_event *buf = c->buf == SYS_BUF_NULL ? NULL : th->buf;
	int nvalid = c->buf_slots < SYS_MAX_EVENTS_COPY ? c->buf_slots : SYS_MAX_EVENTS_COPY;
	const uint64_t *mask = c->has_sigmask ? &c->sigmask : NULL;
	int64_t ts[2] = { c->ts_sec, c->ts_nsec };

	if (c->nr == SYS_EPOLL_PWAIT)
		return epsim_epoll_pwait(b->w, th->tid, c->fd, buf, nvalid, c->maxevents,
					 (int)c->timeout_ms, mask, (size_t)c->sigsetsize);
	return epsim_epoll_pwait2(b->w, th->tid, c->fd, buf, nvalid, c->maxevents,
				  c->ts_null ? NULL : ts, mask, (size_t)c->sigsetsize);
}

/* connect: the port of the target's own address first (its errors are the step's). */
static long sim_connect(struct world *w, int tid, const struct sys_call *c)
{
	long port = epsim_getsockname_port(w, tid, c->fd2);

	return port < 0 ? port : epsim_connect_loopback(w, tid, c->fd, (unsigned int)port);
}

/* fill and drain move data in blocks of this size (the kernel backend's too). */
#define FILL_BLOCK 65536

/* The TCP calls: socket, bind, listen, connect, accept4, SO_LINGER, SO_ERROR; fill, drain. */
static long sim_issue_tcp(struct world *w, int tid, const struct sys_call *c,
			  struct sys_result *res)
{
	int soerr = 0;
	long ret;

	switch (c->nr) {
	case SYS_SOCKET:
		return epsim_socket(w, tid, AF_INET, SOCK_STREAM | c->flags, 0);
	case SYS_BIND:
		return epsim_bind_loopback(w, tid, c->fd);
	case SYS_LISTEN:
		return epsim_listen(w, tid, c->fd, (int)c->num);
	case SYS_CONNECT:
		return sim_connect(w, tid, c);
	case SYS_ACCEPT4:
		return epsim_accept4(w, tid, c->fd, c->flags);
	case SYS_SO_LINGER:
		return epsim_setsockopt_linger(w, tid, c->fd, 1, (int)c->num);
	case SYS_SO_ERROR:
		ret = epsim_getsockopt_error(w, tid, c->fd, &soerr);
		res->value = (uint64_t)soerr;
		return ret;
	case SYS_FILL:
		while ((ret = epsim_write(w, tid, c->fd, FILL_BLOCK, 0)) > 0)
			;
		return ret;
	case SYS_DRAIN:
		while ((ret = epsim_read(w, tid, c->fd, FILL_BLOCK, NULL)) > 0)
			;
		return ret;
	default:
		return -ENOSYS;
	}
}

/* fork: the child's only thread becomes runner thread `thread`. */
static long sim_fork(struct backend *b, struct sim_thread *th, int thread)
{
	int tid;

	if (thread <= 0 || thread >= SIM_MAX_THREADS || b->threads[thread])
		return -EINVAL;
	tid = epsim_fork(b->w, th->tid, "child");
	if (tid < 0)
		return tid;
	b->threads[thread] = xcalloc(1, sizeof(struct sim_thread));
	b->threads[thread]->tid = tid;
	return 0;
}

/* exit: the child process ends; its runner thread is gone. */
static long sim_exit(struct backend *b, int thread)
{
	struct sim_thread *child = thread > 0 && thread < SIM_MAX_THREADS ? b->threads[thread] : NULL;
	long r;

	if (!child)
		return -ESRCH;
	r = epsim_exit(b->w, child->tid);
	free(child);
	b->threads[thread] = NULL;
	return r;
}

/* signal THREAD SIG: tgkill(tgid of THREAD, tid of THREAD, SIG), whichever process THREAD is in. */
static long sim_tgkill(struct backend *b, int tid, const struct sys_call *c)
{
	int target = sim_backend_tid(b, c->fd2);

	return epsim_tgkill(b->w, tid, epsim_getpid(b->w, target), target, c->op);
}

/* The calls added for signals and timerfd. */
static long sim_issue_more(struct backend *b, struct sim_thread *th, const struct sys_call *c,
			   struct sys_result *res)
{
	struct world *w = b->w;
	int tid = th->tid;

	switch (c->nr) {
	case SYS_EPOLL_PWAIT:
	case SYS_EPOLL_PWAIT2:
		return sim_pwait(b, th, c);
	case SYS_TGKILL:
		return sim_tgkill(b, tid, c);
	case SYS_KILL:
		return epsim_kill(w, tid, epsim_getpid(w, sim_backend_tid(b, c->fd2)), c->op);
	case SYS_SIGPROCMASK:
		return epsim_sigprocmask(w, tid, c->op, c->sigmask, NULL);
	case SYS_SIGPENDING:
		return epsim_sigpending(w, tid, &res->value);
	case SYS_TIMERFD_CREATE:
		return epsim_timerfd_create(w, tid, c->flags);
	case SYS_UNSTALL:
		return epsim_unstall(w, tid, sim_backend_tid(b, c->fd2));
	case SYS_FORK:
		return sim_fork(b, th, c->fd2);
	case SYS_SIGNALFD:
		return epsim_signalfd(w, tid, c->sigmask, c->flags);
	case SYS_EXIT:
		return sim_exit(b, c->fd2);
	case SYS_POLL:
	case SYS_SELECT:
	case SYS_FCNTL:
		return sim_issue_mpx(w, tid, c, sim_backend_tid(b, c->fd2), &th->tv);
	case SYS_URING_SETUP:
	case SYS_URING_POLL:
	case SYS_URING_READ:
	case SYS_URING_WAIT:
		return sim_issue_uring(w, tid, c, &th->cqes);
	case SYS_TIMERFD_SETTIME:
		return epsim_timerfd_settime(w, tid, c->fd, (uint64_t)c->num,
					     (uint64_t)c->interval_ms);
	default:
		return sim_issue_tcp(w, tid, c, res);
	}
}

/* Issue one call; results that come back at once fill res. */
static long sim_issue(struct backend *b, struct sim_thread *th, const struct sys_call *c,
		      struct sys_result *res)
{
	struct world *w = b->w;
	int tid = th->tid;

	switch (c->nr) {
	case SYS_EPOLL_CREATE:
		return epsim_epoll_create(w, tid, (int)c->num);
	case SYS_EPOLL_CREATE1:
		return epsim_epoll_create1(w, tid, c->flags);
	case SYS_EPOLL_CTL:
		return epsim_epoll_ctl(w, tid, c->fd, c->op, c->fd2, c->ev_null ? NULL : &c->ev);
	case SYS_EPOLL_WAIT:
		return sim_wait(b, th, c);
	case SYS_PIPE2:
		return epsim_pipe2(w, tid, res->fds, c->flags);
	case SYS_EVENTFD2:
		return epsim_eventfd2(w, tid, (uint64_t)c->num, c->flags);
	case SYS_SOCKETPAIR:
		return epsim_socketpair(w, tid, AF_UNIX, c->op | c->flags, 0, res->fds);
	case SYS_READ:	/* a blocking read may park: its value lands in the thread's own slot */
		return epsim_read(w, tid, c->fd,
				  c->fd_is_counter ? 8 : c->fd_is_siginfo ? 128 : (size_t)c->num,
				  &th->value);
	case SYS_WRITE:	/* a byte write sends zeros, as the kernel backend's buffer holds */
		return epsim_write(w, tid, c->fd, c->fd_is_counter ? 8 : (size_t)c->num,
				   c->fd_is_counter ? (uint64_t)c->num : 0);
	case SYS_CLOSE:
		return epsim_close(w, tid, c->fd);
	case SYS_DUP:
		return epsim_dup(w, tid, c->fd);
	case SYS_DUP2:
		return epsim_dup2(w, tid, c->fd, c->fd2);
	case SYS_SHUTDOWN:
		return epsim_shutdown(w, tid, c->fd, c->op);
	case SYS_NANOSLEEP:	/* main lets virtual time run; another thread sleeps while the trace goes on */
		if (th != b->threads[0])
			return epsim_nanosleep(w, tid, (uint64_t)(c->num > 0 ? c->num : 0));
		epsim_sleep(w, (uint64_t)c->num);
		return 0;
	default:
		return sim_issue_more(b, th, c, res);
	}
}

static bool is_wait_call(enum sys_nr nr)
{
	return nr == SYS_EPOLL_WAIT || nr == SYS_EPOLL_PWAIT || nr == SYS_EPOLL_PWAIT2;
}

/* The longest a main-thread call may sleep before the watchdog, in virtual ns. */
static uint64_t sim_call_bound_ns(const struct sys_call *c, int watchdog_ms)
{
	uint64_t ns = (uint64_t)watchdog_ms * 1000000;

	if ((c->nr == SYS_EPOLL_WAIT || c->nr == SYS_EPOLL_PWAIT) && c->timeout_ms > 0)
		ns += (uint64_t)c->timeout_ms * 1000000;
	if (c->nr == SYS_EPOLL_PWAIT2 && !c->ts_null && c->ts_sec >= 0 && c->ts_sec <= 3600 &&
	    c->ts_nsec >= 0)
		ns += (uint64_t)c->ts_sec * 1000000000 + (uint64_t)c->ts_nsec;
	if ((c->nr == SYS_POLL || c->nr == SYS_SELECT) && c->timeout_ms > 0)
		ns += (uint64_t)c->timeout_ms * 1000000;
	return ns;
}

/* Fill res from a finished call's return value. */
static void sim_fill(struct sim_thread *th, long ret, struct sys_result *res)
{
	res->ret = ret;
	if (is_wait_call(th->call.nr) && ret > 0) {
		res->nevents = (int)ret;
		memcpy(res->events, th->buf, (size_t)ret * sizeof(struct epoll_event));
	}
	if (ret >= 0 && th->call.nr != SYS_PIPE2 && th->call.nr != SYS_SOCKETPAIR)
		res->fds[0] = (int)ret;
	if (th->call.nr == SYS_READ)
		res->value = th->value;
	if (th->call.nr == SYS_URING_WAIT)
		sim_fill_uring(th->cqes, ret, res);
}

/* The main thread slept: let virtual time run until its call ends or the watchdog bound. */
static long sim_run_main_until_done(struct backend *b, struct sim_thread *th)
{
	struct world *w = b->w;
	uint64_t limit = w->now + sim_call_bound_ns(&th->call, b->watchdog_ms);
	long ret;

	for (;;) {
		if (epsim_take_result(w, th->tid, &ret))
			return ret;
		uint64_t next = world_next_timer(w);
		if (next > limit) {
			world_advance(w, limit);
			if (epsim_take_result(w, th->tid, &ret))
				return ret;
			return -EPSIM_PENDING;
		}
		world_advance(w, next);
	}
}

/* Cut a call that would never end: the thread leaves it as if interrupted. */
static void sim_cut(struct backend *b, struct sim_thread *th)
{
	struct sim_task *t = world_find_task(b->w, th->tid);

	if (t && t->state != TASK_IDLE && t->cancel) {
		t->cancel(t);
		task_cancel_timer(t);
		t->state = TASK_IDLE;
		list_del_init(&t->run_node);
	}
}

static int sim_submit(struct backend *b, int thread, const struct sys_call *call,
		      struct sys_result *res)
{
	struct sim_thread *th = thread >= 0 && thread < SIM_MAX_THREADS ? b->threads[thread] : NULL;
	long ret;

	if (!th || th->busy)
		return -1;
	memset(res, 0, offsetof(struct sys_result, events));
	th->call = *call;
	if (call->has_stall)
		epsim_stall_next_copy(b->w, th->tid, call->stall_slot);
	ret = sim_issue(b, th, call, res);
	if (ret == -EPSIM_PENDING && thread == 0) {
		ret = sim_run_main_until_done(b, th);
		if (ret == -EPSIM_PENDING) {
			sim_cut(b, th);
			res->watchdog = true;
			return 1;
		}
	}
	/* parked, but woken and finished within its own step: done, as the kernel backend sees it */
	if (ret == -EPSIM_PENDING)
		epsim_take_result(b->w, th->tid, &ret);
	if (ret == -EPSIM_PENDING) {
		th->busy = true;
		return 0;
	}
	sim_fill(th, ret, res);
	return 1;
}

static int sim_settle(struct backend *b, backend_done_fn done, void *ctx)
{
	struct sys_result *res = b->scratch;

	if (list_empty(&b->w->completed))
		return 0;
	for (int i = 1; i < SIM_MAX_THREADS; i++) {
		struct sim_thread *th = b->threads[i];
		long ret;
		if (!th || !th->busy || !epsim_take_result(b->w, th->tid, &ret))
			continue;
		memset(res, 0, offsetof(struct sys_result, events));
		th->busy = false;
		sim_fill(th, ret, res);
		done(ctx, i, res);
	}
	return 0;
}

/* Models ep_show_fdinfo(): one line per item, in tree order. */
static int sim_fdinfo(struct backend *b, int epfd, struct sys_fdinfo_item *items, int max)
{
	struct sim_task *t = world_find_task(b->w, EPSIM_MAIN_TID);
	struct file *f = t ? fd_lookup(t->proc->files, epfd) : NULL;
	struct eventpoll *ep;
	struct rb_node *rbp;
	int n = 0;

	if (!f)
		return -EBADF;
	if (!is_file_epoll(f))
		return 0; /* fdinfo of another file has no tfd lines */
	ep = f->private_data;
	for (rbp = rb_first_cached(&ep->rbr); rbp; rbp = rb_next(rbp), n++) {
		struct epitem *epi = rb_entry(rbp, struct epitem, rbn);
		if (n < max) {
			items[n].tfd = epi->ffd.fd;
			items[n].events = epi->event.events;
			items[n].data = epi->event.data.u64;
		}
	}
	return n;
}

/* The world's invariants (world_check.h). */
static int sim_check(struct backend *b, char *why, size_t len)
{
	return world_check(b->w, why, len);
}

const struct backend_ops sim_backend_ops = {
	.name = "sim",
	.open = sim_open,
	.close = sim_close,
	.version = sim_version,
	.thread_new = sim_thread_new,
	.submit = sim_submit,
	.settle = sim_settle,
	.fdinfo = sim_fdinfo,
	.check = sim_check,
};
