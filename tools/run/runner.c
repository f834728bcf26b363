/*
 * The runner: turns each trace step into one system call on a backend, keeps
 * the names-to-fds map and the registration tokens, and writes the log. The
 * same code drives both backends, so a step means the same thing on each.
 *
 * Event data: epoll returns only the data word, so the runner registers every
 * fd with a token of its own and maps a returned token back to the fd name and
 * the data the trace gave. The kernel never interprets the data word.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include "runner.h"
#include "run_expect.h"
#include "run_mpx.h"
#include "run_limits.h"
#include "strbuf.h"
#include "xalloc.h"

/* One registration made by a ctl step: what a returned token stands for. */
struct reg {
	int name;
	uint64_t data;
};

struct reg_table {
	struct reg *regs;
	size_t n, cap;
};

struct pending {
	bool busy;
	int step;	/* index of the step that issued the call */
	int stalled_ep;	/* name of the instance whose transfer it stalled (stall=N), or -1 */
};

#define FDINFO_MAX 65536	/* items read per instance */
#define FDINFO_LIST_MAX 16	/* larger sets are logged as a size and a digest */
#define MPX_TEXT_LEN 8192

struct fdinfo_seen;

struct run_state {
	const struct trace *t;
	const struct backend_ops *ops;
	struct backend *b;
	struct run_result *res;
	int *fds;		/* per name: fd number, -1 before creation */
	enum trace_kind *kinds;	/* per name: the kind of file it names now (dup2 changes it) */
	bool *thread_started;
	struct pending *pending;
	struct reg_table regs;
	struct sys_result *sr;
	size_t cur;		/* the step being run */
	struct fdinfo_seen *fdinfo_last; /* per name: the interest set last seen and logged */
	struct sys_fdinfo_item *fdinfo_buf; /* one instance's set as just read */
	struct run_entry *done;	/* completions collected by one settle */
	size_t ndone;
	bool check;		/* check the backend's invariants after every step */
	struct run_fds open;	/* the fds the trace holds open (run_limits.h) */
	struct mpx_buf *mpx;	/* per thread: the memory of its poll or select call (run_mpx.h) */
	char *mpx_text;		/* the suffix of a poll, select or fcntl result */
	enum run_expect_state *expect_state; /* per step: whether its expectation was compared */
};

static int name_fd(const struct run_state *s, int name, bool bad)
{
	if (bad || name < 0)
		return -1;
	return s->fds[name];
}

/* eventfd and timerfd reads and writes move one 8-byte value. */
static bool name_is_counter(const struct run_state *s, int name)
{
	return name >= 0 && (s->kinds[name] == TK_EVENTFD || s->kinds[name] == TK_TIMERFD);
}

/* A new token for a ctl step: index in regs, offset so 0 is never a token. */
static uint64_t reg_token(struct reg_table *r, int name, uint64_t data)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->regs = xrealloc(r->regs, r->cap * sizeof(*r->regs));
	}
	r->regs[r->n].name = name;
	r->regs[r->n].data = data;
	return ++r->n;
}

bool run_token_lookup(const struct reg_table *r, uint64_t token, int *name, uint64_t *data)
{
	if (token < 1 || token > r->n)
		return false;
	*name = r->regs[token - 1].name;
	*data = r->regs[token - 1].data;
	return true;
}

static void build_ctl(struct run_state *s, const struct trace_step *st, struct sys_call *c)
{
	c->nr = SYS_EPOLL_CTL;
	c->fd = name_fd(s, st->obj, st->obj_bad);
	c->fd2 = name_fd(s, st->obj2, st->obj2_bad);
	c->op = st->ctl_op;
	c->ev_null = st->ev_null;
	c->ev.events = st->events;
	c->ev.data.u64 = reg_token(&s->regs, st->obj2, st->data);
}

static void build_wait(struct run_state *s, const struct trace_step *st, struct sys_call *c)
{
	c->nr = SYS_EPOLL_WAIT;
	c->fd = name_fd(s, st->obj, st->obj_bad);
	c->maxevents = st->maxevents;
	c->timeout_ms = st->timeout_ms;
	c->buf = st->buf == TBUF_NULL ? SYS_BUF_NULL : SYS_BUF_VALID;
	c->buf_slots = st->buf == TBUF_SLOTS ? st->buf_slots : TRACE_BUF_SLOTS;
	if (c->maxevents > 0 && c->buf_slots > c->maxevents)
		c->buf_slots = c->maxevents;
	if (c->maxevents <= 0)
		c->buf_slots = 0;
	c->has_stall = st->has_stall;
	c->stall_slot = st->stall_slot;
}

static int blocking_flag(const struct trace_step *st)
{
	return (st->flags & TF_BLOCKING) ? 0 : O_NONBLOCK;
}

static int cloexec_flag(const struct trace_step *st)
{
	return (st->flags & TF_CLOEXEC) ? O_CLOEXEC : 0;
}

/* The temporary signal mask of pwait and pwait2. */
static void build_sigmask(const struct trace_step *st, struct sys_call *c)
{
	c->has_sigmask = st->has_sigmask;
	c->sigmask = st->sigmask;
	c->sigsetsize = st->sigsetsize;
}

/* The TCP calls: socket, bind, listen, connect, accept, SO_LINGER, SO_ERROR; fill and drain. */
static void build_call_tcp(const struct trace_step *st, struct sys_call *c)
{
	int sock_flags = ((st->flags & TF_BLOCKING) ? 0 : SOCK_NONBLOCK) |
			 ((st->flags & TF_CLOEXEC) ? SOCK_CLOEXEC : 0);

	switch (st->op) {
	case TOP_SOCKET:
		c->nr = SYS_SOCKET;
		c->flags = sock_flags;
		break;
	case TOP_BIND:
		c->nr = SYS_BIND;
		break;
	case TOP_LISTEN:
		c->nr = SYS_LISTEN;
		break;
	case TOP_CONNECT:
		c->nr = SYS_CONNECT;	/* fd2: the target whose local address is connected to */
		break;
	case TOP_ACCEPT:
		c->nr = SYS_ACCEPT4;
		c->fd2 = -1;
		c->flags = sock_flags;
		break;
	case TOP_LINGER:
		c->nr = SYS_SO_LINGER;
		break;
	case TOP_SOERROR:
		c->nr = SYS_SO_ERROR;
		break;
	case TOP_FILL:
		c->nr = SYS_FILL;
		break;
	case TOP_DRAIN:
		c->nr = SYS_DRAIN;
		break;
	default:
		break;
	}
}

/*
 * io_uring: a request's user_data is a registration token shifted left once,
 * its low bit telling a poll (res is an event mask) from a read (res is a count).
 */
static void build_uring(struct run_state *s, const struct trace_step *st, struct sys_call *c)
{
	static const enum sys_nr nrs[] = { SYS_URING_SETUP, SYS_URING_POLL, SYS_URING_READ,
					   SYS_URING_WAIT };

	c->nr = nrs[st->op - TOP_URING];
	c->ev.events = st->events;
	if (st->op == TOP_URING_POLL || st->op == TOP_URING_READ)
		c->ev.data.u64 = reg_token(&s->regs, st->obj2, st->data) << 1 |
				 (st->op == TOP_URING_POLL);
}

/* The calls added for signals, pwait/pwait2 and timerfd. */
static void build_call_more(struct run_state *s, const struct trace_step *st, struct sys_call *c)
{
	switch (st->op) {
	case TOP_PWAIT:
		build_wait(s, st, c);
		c->nr = SYS_EPOLL_PWAIT;
		build_sigmask(st, c);
		break;
	case TOP_PWAIT2:
		build_wait(s, st, c);
		c->nr = SYS_EPOLL_PWAIT2;
		c->ts_null = st->ts_null;
		c->ts_sec = st->ts_sec;
		c->ts_nsec = st->ts_nsec;
		build_sigmask(st, c);
		break;
	case TOP_SIGNAL:
		c->nr = SYS_TGKILL;
		c->fd2 = st->target;
		c->op = st->sig;
		break;
	case TOP_KILL:
		c->nr = SYS_KILL;
		c->fd2 = st->target;
		c->op = st->sig;
		break;
	case TOP_SIGMASK:
		c->nr = SYS_SIGPROCMASK;
		c->op = st->how;
		c->sigmask = st->sigmask;
		break;
	case TOP_SIGPENDING:
		c->nr = SYS_SIGPENDING;
		break;
	case TOP_TIMERFD:
		c->nr = SYS_TIMERFD_CREATE;
		c->flags = blocking_flag(st) | cloexec_flag(st);
		break;
	case TOP_SETTIME:
		c->nr = SYS_TIMERFD_SETTIME;
		c->interval_ms = st->interval_ms;
		break;
	case TOP_UNSTALL:
		c->nr = SYS_UNSTALL;
		c->fd2 = st->target;
		break;
	case TOP_FORK:
		c->nr = SYS_FORK;
		c->fd2 = st->target;
		break;
	case TOP_EXIT:
		c->nr = SYS_EXIT;
		c->fd2 = st->target;
		break;
	case TOP_SIGNALFD:
		c->nr = SYS_SIGNALFD;
		c->sigmask = st->sigmask;
		c->flags = blocking_flag(st) | cloexec_flag(st);
		break;
	case TOP_POLL:
	case TOP_SELECT:
	case TOP_FCNTL:
		mpx_build_call(st, s->fds, &s->mpx[st->thread], c);
		break;
	case TOP_URING:
	case TOP_URING_POLL:
	case TOP_URING_READ:
	case TOP_URING_WAIT:
		build_uring(s, st, c);
		break;
	default:
		build_call_tcp(st, c);
		break;
	}
}

/* Build the system call of one step. */
static void build_call(struct run_state *s, const struct trace_step *st, struct sys_call *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = name_fd(s, st->obj, st->obj_bad);
	c->fd2 = name_fd(s, st->obj2, st->obj2_bad);
	c->num = st->num;
	switch (st->op) {
	case TOP_EPOLL:
		c->nr = SYS_EPOLL_CREATE1;
		c->flags = (st->flags & TF_RAW_FLAGS) ? (int)st->num : cloexec_flag(st);
		break;
	case TOP_EPOLL_CREATE:
		c->nr = SYS_EPOLL_CREATE;
		break;
	case TOP_PIPE:
		c->nr = SYS_PIPE2;
		c->flags = blocking_flag(st) | cloexec_flag(st);
		break;
	case TOP_EVENTFD:
		c->nr = SYS_EVENTFD2;
		c->num = (long long)st->init;
		c->flags = blocking_flag(st) | cloexec_flag(st) |
			   ((st->flags & TF_SEMAPHORE) ? EFD_SEMAPHORE : 0);
		break;
	case TOP_SOCKETPAIR:
		c->nr = SYS_SOCKETPAIR;
		c->op = (st->flags & TF_DGRAM) ? SOCK_DGRAM : SOCK_STREAM;
		c->flags = ((st->flags & TF_BLOCKING) ? 0 : SOCK_NONBLOCK) |
			   ((st->flags & TF_CLOEXEC) ? SOCK_CLOEXEC : 0);
		break;
	case TOP_CTL:
		build_ctl(s, st, c);
		break;
	case TOP_WAIT:
		build_wait(s, st, c);
		break;
	case TOP_READ:
		c->nr = SYS_READ;
		c->fd_is_counter = name_is_counter(s, st->obj);
		c->fd_is_siginfo = st->obj >= 0 && s->kinds[st->obj] == TK_SIGNALFD;
		break;
	case TOP_WRITE:
		c->nr = SYS_WRITE;
		c->fd_is_counter = name_is_counter(s, st->obj);
		break;
	case TOP_CLOSE:
		c->nr = SYS_CLOSE;
		break;
	case TOP_DUP:
		c->nr = SYS_DUP;
		break;
	case TOP_DUP2:
		c->nr = SYS_DUP2;
		break;
	case TOP_SHUTDOWN:
		c->nr = SYS_SHUTDOWN;
		c->op = st->how;
		break;
	case TOP_SLEEP:
		c->nr = SYS_NANOSLEEP;
		break;
	default:
		build_call_more(s, st, c);
		break;
	}
}

/* The names a creating step defines, in order (pipe: .r .w; socketpair: .0 .1). */
/* fork starts the child's thread; exit ends it, and with it any call it was blocked in. */
static void apply_process(struct run_state *s, size_t step, const struct sys_result *r)
{
	const struct trace_step *st = &s->t->steps[step];

	if (r->ret < 0 || (st->op != TOP_FORK && st->op != TOP_EXIT))
		return;
	if (st->op == TOP_EXIT && s->pending[st->target].busy)
		s->expect_state[s->pending[st->target].step] = REXP_EXITED;
	s->thread_started[st->target] = st->op == TOP_FORK;
	s->pending[st->target].busy = false;
}

static void apply_fds(struct run_state *s, size_t step, const struct sys_result *r)
{
	const struct trace_step *st = &s->t->steps[step];
	int k = 0;

	if (st->op == TOP_DUP2 && r->ret >= 0 && st->obj >= 0 && st->obj2 >= 0)
		s->kinds[st->obj2] = s->kinds[st->obj]; /* the target now names the source's file */

	for (size_t i = 0; i < s->t->nnames; i++) {
		if (s->t->names[i].step != (int)step || k >= 2)
			continue;
		s->fds[i] = r->ret < 0 ? -1 : r->fds[k++];
	}
}

/* Steps whose success returns a new fd number. */
static bool creates_fd(enum trace_opcode op)
{
	return op == TOP_EPOLL || op == TOP_EPOLL_CREATE || op == TOP_EVENTFD || op == TOP_DUP ||
	       op == TOP_DUP2 || op == TOP_TIMERFD || op == TOP_SIGNALFD || op == TOP_SOCKET || op == TOP_ACCEPT ||
	       op == TOP_URING;
}

static bool is_wait(enum trace_opcode op)
{
	return op == TOP_WAIT || op == TOP_PWAIT || op == TOP_PWAIT2;
}

/* Turn a backend result into a log entry. */
static void make_entry(struct run_state *s, size_t step, int thread, const struct sys_result *r,
		       struct run_entry *e, struct run_event *evs)
{
	const struct trace_step *st = &s->t->steps[step];

	memset(e, 0, sizeof(*e));
	e->step = (int)s->cur + 1;
	e->src_step = (int)step + 1;
	e->kind = RUN_DONE;
	e->thread = thread ? s->t->threads[thread].name : NULL;
	e->text = st->text;
	e->ret = creates_fd(st->op) && r->ret > 0 ? 0 : r->ret; /* logs name fds, never number them */
	e->watchdog = r->watchdog;
	if (st->op == TOP_READ && r->ret >= 0 &&
	    (name_is_counter(s, st->obj) || (st->obj >= 0 && s->kinds[st->obj] == TK_SIGNALFD)))
		e->vkind = RV_VALUE;
	if (st->op == TOP_SIGPENDING && r->ret >= 0)
		e->vkind = RV_SIGSET;
	if (st->op == TOP_SOERROR && r->ret >= 0)
		e->vkind = RV_ERRNO;
	e->value = r->value;
	if ((st->op == TOP_POLL || st->op == TOP_SELECT || st->op == TOP_FCNTL) && !r->watchdog) {
		mpx_render(s->t, st, s->fds, &s->mpx[thread], &e->ret, s->mpx_text, MPX_TEXT_LEN);
		e->suffix = s->mpx_text;
	}
	if (st->op == TOP_URING_WAIT && r->ret > 0 && !r->watchdog) {
		uring_render(s->t, &s->regs, r, s->mpx_text, MPX_TEXT_LEN);
		e->suffix = s->mpx_text;
	}
	if (!is_wait(st->op) || r->ret <= 0 || r->watchdog)
		return;
	e->nevents = r->nevents;
	e->events = evs;
	for (int i = 0; i < r->nevents; i++) {
		uint64_t tok = r->events[i].data.u64, data = tok;
		int name = -1;
		run_token_lookup(&s->regs, tok, &name, &data);
		evs[i].name = name >= 0 ? s->t->names[name].name : "?";
		evs[i].events = r->events[i].events;
		evs[i].data = data;
	}
}

/* Log a finished call of `step` on `thread` and check its expectation. */
static void log_done(struct run_state *s, size_t step, int thread, const struct sys_result *r)
{
	struct run_event *evs = xcalloc((size_t)(r->nevents > 0 ? r->nevents : 1), sizeof(*evs));
	struct run_entry e;

	make_entry(s, step, thread, r, &e, evs);
	run_log_add(&s->res->log, &e);
	free(evs);
	s->expect_state[step] = REXP_DONE;
	run_expect_check(s->t, step, s->res->log.entries[s->res->log.n - 1].result, r->watchdog,
			 s->res);
	run_fds_note(&s->open, &s->t->steps[step],
		     name_fd(s, s->t->steps[step].obj, s->t->steps[step].obj_bad), r);
	apply_fds(s, step, r);
	apply_process(s, step, r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One fdinfo item as "[name events data=D]", named through its registration token. */
static char *fdinfo_item_text(struct run_state *s, const struct sys_fdinfo_item *it)
{
	char mask[160], buf[320];
	uint64_t data = it->data;
	size_t pos = 0;
	int name = -1;

	run_token_lookup(&s->regs, it->data, &name, &data);
	trace_format_events(it->events, mask, sizeof(mask));
	buf[0] = '\0';
	sb_put(buf, sizeof(buf), &pos, "[");
	sb_put(buf, sizeof(buf), &pos, name >= 0 ? s->t->names[name].name : "?");
	sb_put(buf, sizeof(buf), &pos, " ");
	sb_put(buf, sizeof(buf), &pos, mask);
	sb_put(buf, sizeof(buf), &pos, " data=");
	sb_put_u64(buf, sizeof(buf), &pos, data);
	sb_put(buf, sizeof(buf), &pos, "]");
	return xstrdup(buf);
}

/* The thread whose stalled transfer holds instance `name`'s mutex, or -1. */
static int stalled_instance(const struct run_state *s, int name)
{
	for (size_t i = 0; name >= 0 && i < s->t->nthreads; i++)
		if (s->pending[i].busy && s->pending[i].stalled_ep == name)
			return (int)i;
	return -1;
}

/* A step that would take the mutex of an instance a stalled transfer holds blocks for ever. */
static int check_not_stalled(struct run_state *s, const struct trace_step *st, char *err,
			     size_t errlen)
{
	int held = stalled_instance(s, st->obj);

	if (held < 0 && st->op == TOP_CTL)
		held = stalled_instance(s, st->obj2);
	if (held < 0 || st->op == TOP_CLOSE || st->op == TOP_UNSTALL)
		return 0;
	snprintf(err, errlen,
		 "%s:%d:%d: error: '%s' is in a transfer stalled by thread '%s': unstall it first",
		 s->t->path, st->loc.line, st->loc.col, s->t->names[s->pending[held].stalled_ep].name,
		 s->t->threads[held].name);
	return -1;
}

/* The raw interest set last seen per epoll name, to skip rendering an unchanged set. */
struct fdinfo_seen {
	struct sys_fdinfo_item *items;
	int n;
	char *text;	/* the set as last logged */
};

/* Render fdinfo items as a sorted set of "[name events data=D]". */
static void fdinfo_text(struct run_state *s, const struct sys_fdinfo_item *items, int n,
			char *line, size_t len)
{
	char **texts = xcalloc((size_t)n + 1, sizeof(char *));
	uint64_t hash = 14695981039346656037ULL;	/* FNV-1a over the sorted set */
	size_t pos = 0;

	for (int i = 0; i < n; i++)
		texts[i] = fdinfo_item_text(s, &items[i]);
	qsort(texts, (size_t)n, sizeof(char *), cmp_str);
	line[0] = '\0';
	sb_put(line, len, &pos, n ? "" : "(empty)");
	for (int i = 0; i < n; i++) {
		for (const char *c = texts[i]; *c; c++)
			hash = (hash ^ (unsigned char)*c) * 1099511628211ULL;
		if (n <= FDINFO_LIST_MAX) {
			sb_put(line, len, &pos, i ? " " : "");
			sb_put(line, len, &pos, texts[i]);
		}
		free(texts[i]);
	}
	if (n > FDINFO_LIST_MAX)	/* a large set is logged as its size and a digest */
		snprintf(line, len, "%d items fnv=%016llx", n, (unsigned long long)hash);
	free(texts);
}

/*
 * After each step: the interest set of every epoll instance whose set changed,
 * as /proc/self/fdinfo shows it. Tree order follows kernel addresses, so the
 * set is logged sorted: only the set is compared.
 */
/* Steps that can drop items from every instance: a final close removes them silently. */
static bool closes_files(enum trace_opcode op)
{
	return op == TOP_CLOSE || op == TOP_DUP2 || op == TOP_EXIT;
}

/*
 * Which epoll names this step may have changed: the step's own operands and
 * those of the calls that finished in it; every instance after a close.
 */
static void mark_touched(struct run_state *s, size_t step, size_t log_from, bool *touched)
{
	const struct trace_step *st = &s->t->steps[step];

	if (closes_files(st->op)) {
		memset(touched, 1, s->t->nnames);
		return;
	}
	if (st->obj >= 0)
		touched[st->obj] = true;
	if (st->obj2 >= 0)
		touched[st->obj2] = true;
	for (size_t i = log_from; i < s->res->log.n; i++) {
		const struct trace_step *done = &s->t->steps[s->res->log.entries[i].src_step - 1];
		if (s->res->log.entries[i].kind == RUN_DONE && done->obj >= 0)
			touched[done->obj] = true;
	}
}

/* Read one instance's interest set; log it if it changed since last logged. */
static void log_fdinfo_of(struct run_state *s, size_t name, size_t step)
{
	struct fdinfo_seen *seen = &s->fdinfo_last[name];
	char line[8192], title[160];
	size_t tpos = 0;
	struct run_entry e;
	int n = s->ops->fdinfo(s->b, s->fds[name], s->fdinfo_buf, FDINFO_MAX);

	if (n < 0)
		return;
	n = n > FDINFO_MAX ? FDINFO_MAX : n;
	if (n == seen->n &&
	    (n == 0 || !memcmp(s->fdinfo_buf, seen->items, (size_t)n * sizeof(*seen->items))))
		return;
	seen->items = xrealloc(seen->items, ((size_t)n + 1) * sizeof(*seen->items));
	seen->n = n;
	memcpy(seen->items, s->fdinfo_buf, (size_t)n * sizeof(*seen->items));
	fdinfo_text(s, s->fdinfo_buf, n, line, sizeof(line));
	if (strcmp(line, seen->text ? seen->text : "(empty)") == 0)
		return;
	free(seen->text);
	seen->text = xstrdup(line);
	title[0] = '\0';
	sb_put(title, sizeof(title), &tpos, "fdinfo ");
	sb_put(title, sizeof(title), &tpos, s->t->names[name].name);
	memset(&e, 0, sizeof(e));
	e.step = (int)s->cur + 1;
	e.src_step = (int)step + 1;
	e.kind = RUN_INFO;
	e.text = title;
	e.result = line;
	run_log_add(&s->res->log, &e);
}

static void log_fdinfo_changes(struct run_state *s, size_t step, size_t log_from)
{
	bool *touched;

	if (!s->ops->fdinfo)
		return;
	touched = xcalloc(s->t->nnames + 1, sizeof(bool));
	mark_touched(s, step, log_from, touched);
	for (size_t i = 0; i < s->t->nnames; i++) {
		if (!touched[i] || s->t->names[i].kind != TK_EPOLL || s->fds[i] < 0)
			continue;
		if (stalled_instance(s, (int)i) >= 0)
			continue; /* reading fdinfo takes the instance mutex a stalled transfer holds */
		log_fdinfo_of(s, i, step);
	}
	free(touched);
}

static void log_blocks(struct run_state *s, size_t step, int thread, enum run_entry_kind kind)
{
	struct run_entry e;

	memset(&e, 0, sizeof(e));
	e.step = (int)s->cur + 1;
	e.src_step = (int)step + 1;
	e.kind = kind;
	e.thread = s->t->threads[thread].name;
	e.text = s->t->steps[step].text;
	run_log_add(&s->res->log, &e);
}

/* settle callback: completions are logged in thread order (by name). */
static void on_done(void *ctx, int thread, const struct sys_result *r)
{
	struct run_state *s = ctx;

	s->pending[thread].busy = false;
	s->pending[thread].stalled_ep = -1;
	log_done(s, (size_t)s->pending[thread].step, thread, r);
}

static int cmp_thread_name(const void *a, const void *b, void *ctx)
{
	const struct trace *t = ctx;
	return strcmp(t->threads[*(const int *)a].name, t->threads[*(const int *)b].name);
}

/* Settle and log what finished, in the order of thread names. */
static int settle(struct run_state *s)
{
	size_t first = s->res->log.n;

	if (s->ops->settle(s->b, on_done, s) < 0)
		return -1;
	/* stable order independent of wake-up order: sort this step's completions by thread name */
	size_t n = s->res->log.n - first;
	if (n > 1) {
		struct run_entry *e = &s->res->log.entries[first];
		for (size_t i = 1; i < n; i++) {
			struct run_entry tmp = e[i];
			size_t j = i;
			while (j > 0 && strcmp(e[j - 1].thread, tmp.thread) > 0) {
				e[j] = e[j - 1];
				j--;
			}
			e[j] = tmp;
		}
	}
	return 0;
}

static int start_thread(struct run_state *s, int thread, char *err, size_t errlen)
{
	const struct trace_step *st = &s->t->steps[s->cur];

	if (thread == 0 || s->thread_started[thread])
		return 0;
	if (s->t->threads[thread].process) { /* made by its fork step, or gone after exit */
		snprintf(err, errlen, "%s:%d:%d: error: thread '%s': its process is not running",
			 s->t->path, st->loc.line, st->loc.col, s->t->threads[thread].name);
		return -1;
	}
	if (s->ops->thread_new(s->b, thread, s->t->threads[thread].name) < 0) {
		snprintf(err, errlen, "%s:%d:%d: error: cannot start thread '%s'", s->t->path,
			 st->loc.line, st->loc.col, s->t->threads[thread].name);
		return -1;
	}
	s->thread_started[thread] = true;
	return 0;
}

/* With --check: the backend's invariants hold after the step, or the run stops. */
static int check_invariants(struct run_state *s, const struct trace_step *st, char *err,
			    size_t errlen)
{
	char why[400];

	if (!s->check || !s->ops->check || s->ops->check(s->b, why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "%s:%d:%d: error: invariant violated after step %zu: %s", s->t->path,
		 st->loc.line, st->loc.col, s->cur + 1, why);
	return -1;
}

static int run_step(struct run_state *s, size_t i, char *err, size_t errlen)
{
	const struct trace_step *st = &s->t->steps[i];
	struct sys_call call;
	size_t log_from;
	int r;

	s->cur = i;
	if (start_thread(s, st->thread, err, errlen))
		return -1;
	if ((st->op == TOP_SIGNAL || st->op == TOP_KILL || (st->op == TOP_FCNTL && st->how == TFC_SETOWN)) &&
	    start_thread(s, st->target, err, errlen))
		return -1;
	if (s->pending[st->thread].busy) {
		snprintf(err, errlen, "%s:%d:%d: error: thread '%s' is still blocked in step %d",
			 s->t->path, st->loc.line, st->loc.col, s->t->threads[st->thread].name,
			 s->pending[st->thread].step + 1);
		return -1;
	}
	if (check_not_stalled(s, st, err, errlen))
		return -1;
	build_call(s, st, &call);
	if (run_limits_step(&s->open, s->t, st, &call, err, errlen))
		return -1;
	r = s->ops->submit(s->b, st->thread, &call, s->sr);
	if (r < 0) {
		snprintf(err, errlen, "%s:%d:%d: error: the backend refused the call", s->t->path,
			 st->loc.line, st->loc.col);
		return -1;
	}
	log_from = s->res->log.n;
	if (r == 1) {
		log_done(s, i, st->thread, s->sr);
	} else {
		s->pending[st->thread].busy = true;
		s->pending[st->thread].step = (int)i;
		s->pending[st->thread].stalled_ep = st->has_stall ? st->obj : -1;
		s->expect_state[i] = REXP_BLOCKED;
		log_blocks(s, i, st->thread, RUN_BLOCKS);
	}
	if (settle(s)) {
		snprintf(err, errlen, "%s:%d:%d: error: the backend could not settle the threads",
			 s->t->path, st->loc.line, st->loc.col);
		return -1;
	}
	log_fdinfo_changes(s, i, log_from);
	return check_invariants(s, st, err, errlen);
}

/* Threads still asleep when the trace ends are logged as such, by name. */
static void log_still_pending(struct run_state *s)
{
	int *order = xcalloc(s->t->nthreads, sizeof(int));
	size_t n = 0;

	for (size_t i = 1; i < s->t->nthreads; i++)
		if (s->pending[i].busy)
			order[n++] = (int)i;
	qsort_r(order, n, sizeof(int), cmp_thread_name, (void *)s->t);
	for (size_t i = 0; i < n; i++)
		log_blocks(s, (size_t)s->pending[order[i]].step, order[i], RUN_PENDING);
	free(order);
}

static void state_free(struct run_state *s)
{
	for (size_t i = 0; s->fdinfo_last && i < s->t->nnames; i++)
		free(s->fdinfo_last[i].text);
	for (size_t i = 0; s->fdinfo_last && i < s->t->nnames; i++)
		free(s->fdinfo_last[i].items);
	free(s->fdinfo_buf);
	free(s->fdinfo_last);
	free(s->fds);
	free(s->kinds);
	free(s->thread_started);
	free(s->pending);
	free(s->regs.regs);
	free(s->sr);
	run_fds_free(&s->open);
	for (size_t i = 0; s->mpx && i < s->t->nthreads; i++)
		mpx_buf_free(&s->mpx[i]);
	free(s->mpx);
	free(s->mpx_text);
	free(s->expect_state);
}

int run_trace(const struct trace *t, const struct backend_ops *ops, const struct run_options *o,
	      struct run_result *res, char *err, size_t errlen)
{
	struct run_state s = { .t = t, .ops = ops, .res = res };
	size_t step;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	s.expect_state = xcalloc(t->nsteps + 1, sizeof(*s.expect_state));
	if (run_limits_trace(t, err, errlen) || !(s.b = ops->open(o ? &o->cfg : NULL, err, errlen))) {
		run_expect_finish(t, s.expect_state, true, 0, res);
		free(s.expect_state);
		return -1;
	}
	s.check = o && o->cfg.check;
	run_log_init(&res->log, t->path, ops->name, ops->version(s.b));
	if (o && o->on_open)
		o->on_open(o->after_step_ctx, s.b);
	s.fds = xcalloc(t->nnames + 1, sizeof(int));
	for (size_t i = 0; i < t->nnames; i++)
		s.fds[i] = -1;
	s.thread_started = xcalloc(t->nthreads + 1, sizeof(bool));
	s.pending = xcalloc(t->nthreads + 1, sizeof(struct pending));
	s.sr = xcalloc(1, sizeof(*s.sr));
	s.fdinfo_last = xcalloc(t->nnames + 1, sizeof(*s.fdinfo_last));
	s.fdinfo_buf = xcalloc(FDINFO_MAX, sizeof(*s.fdinfo_buf));
	s.kinds = xcalloc(t->nnames + 1, sizeof(*s.kinds));
	s.mpx = xcalloc(t->nthreads + 1, sizeof(*s.mpx));
	s.mpx_text = xcalloc(MPX_TEXT_LEN, 1);
	for (size_t i = 0; i < t->nnames; i++)
		s.kinds[i] = t->names[i].kind;
	for (step = 0; step < t->nsteps && rc == 0; step++) {
		size_t from = res->log.n;
		rc = run_step(&s, step, err, errlen);
		if (rc == 0 && o && o->after_step) {
			struct run_view v = { t, step, s.fds, &res->log, from, &s.regs };
			o->after_step(o->after_step_ctx, s.b, &v);
		}
	}
	if (rc == 0)
		log_still_pending(&s);
	/* every expectation not compared by now failed: none passes unchecked */
	run_expect_finish(t, s.expect_state, rc != 0, rc != 0 ? step - 1 : t->nsteps, res);
	ops->close(s.b);
	state_free(&s);
	return rc;
}

void run_result_free(struct run_result *res)
{
	run_log_free(&res->log);
	for (size_t i = 0; i < res->nmismatches; i++) {
		free(res->mismatches[i].expected);
		free(res->mismatches[i].got);
		free(res->mismatches[i].why);
	}
	free(res->mismatches);
	memset(res, 0, sizeof(*res));
}
