/*
 * --record FILE: the run's epoll calls written as a trace that replays them on
 * the simulator (so `epsim run --state` logs the simulator's state after every
 * step and `epsim diagram` draws it). Host files become eventfd stand-ins:
 * readable exactly when the real file was readable (as the kernel told us),
 * and each kernel wake-up of a readable file is a `write 0` on the stand-in (a
 * wake-up that changes no readiness, which edge-triggered items see as a new
 * edge). Waits are replayed as non-blocking waits where the real ones returned;
 * the real result follows as a comment.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uthash.h>
#include "live.h"
#include "live_record.h"
#include "fdtable.h"
#include "file.h"

#define REC_BUF 65536
#define REC_MAX_STEPS_DEFAULT 5000
#define REC_MAX_FDS 4096	/* fds above this are not recorded */

/* A host file's stand-in in the recorded trace. */
struct rec_host {
	const struct file *file;
	int name;
	bool in;		/* the stand-in is readable */
	UT_hash_handle hh;
};

struct live_rec {
	int fd;
	pid_t pid;
	char buf[REC_BUF];
	size_t len;
	long steps, max_steps;
	int next_name;
	int fdname[REC_MAX_FDS];	/* fd -> name number + 1; 0: none */
	char fdprefix[REC_MAX_FDS];	/* 'e' an instance, 'h' a host stand-in, 'd' a dup */
	struct rec_host *hosts;
};

static void rec_flush(struct live_rec *r)
{
	size_t off = 0;

	while (off < r->len) {
		long n = live_sys(SYS_write, r->fd, (long)(r->buf + off), (long)(r->len - off), 0, 0, 0);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	r->len = 0;
}

static void rec_line(struct live_rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rec_line(struct live_rec *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->len > REC_BUF - 512)
		rec_flush(r);
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, REC_BUF - r->len - 1, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len += (size_t)n < REC_BUF - r->len - 1 ? (size_t)n : REC_BUF - r->len - 1;
	r->buf[r->len++] = '\n';
}

/* The recorder, if this process records and has steps left. */
static struct live_rec *rec_of(struct live_state *st)
{
	struct live_rec *r = st->rec;

	if (!r || r->pid != getpid())
		return NULL;
	if (r->steps >= r->max_steps) {
		if (r->steps++ == r->max_steps) {
			rec_line(r, "# recording stopped after %ld steps (EPSIM_LIVE_RECORD_MAX)",
				 r->max_steps);
			rec_flush(r);
		}
		return NULL;
	}
	r->steps++;
	return r;
}

static void rec_atexit_flush(void);
static struct live_rec *rec_exit_rec;

static void rec_atexit_flush(void)
{
	if (rec_exit_rec && rec_exit_rec->pid == getpid())
		rec_flush(rec_exit_rec);
}

void live_record_open(struct live_state *st, const char *path, const char *max)
{
	struct live_rec *r = calloc(1, sizeof(*r));
	long fd;

	if (!r)
		return;
	fd = live_sys(SYS_open, (long)path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, 0, 0, 0);
	if (fd < 0) {
		free(r);
		return;
	}
	r->fd = live_private_fd(st, (int)fd);
	r->pid = getpid();
	r->max_steps = max && atol(max) > 0 ? atol(max) : REC_MAX_STEPS_DEFAULT;
	st->rec = r;
	rec_exit_rec = r;
	atexit(rec_atexit_flush);
	rec_line(r, "# recorded by epsim live (pid %d): host files are eventfd stand-ins,", (int)r->pid);
	rec_line(r, "# waits are replayed where the real ones returned (docs/live-mode.md)");
}

/* The trace name of fd ("ep1", "h2", "d3"), or NULL if not recorded. */
static const char *rec_name(struct live_rec *r, int fd, char *buf, size_t len)
{
	if (fd < 0 || fd >= REC_MAX_FDS || !r->fdname[fd])
		return NULL;
	snprintf(buf, len, "%c%d", r->fdprefix[fd] == 'e' ? 'e' : r->fdprefix[fd],
		 r->fdname[fd] - 1);
	if (r->fdprefix[fd] == 'e')
		snprintf(buf, len, "ep%d", r->fdname[fd] - 1);
	return buf;
}

static int rec_new_name(struct live_rec *r, int fd, char prefix)
{
	if (fd < 0 || fd >= REC_MAX_FDS)
		return -1;
	r->fdname[fd] = ++r->next_name;
	r->fdprefix[fd] = prefix;
	return r->next_name - 1;
}

void live_record_create(struct live_state *st, int flags, long ret)
{
	struct live_rec *r = ret >= 0 ? rec_of(st) : NULL;
	int name;

	if (!r || (name = rec_new_name(r, (int)ret, 'e')) < 0)
		return;
	rec_line(r, "epoll ep%d%s", name, flags & EPOLL_CLOEXEC ? " cloexec" : "");
}

/* The stand-in of a host file, made (as an eventfd readable like the file) on first sight. */
static struct rec_host *rec_host(struct live_state *st, struct live_rec *r, int fd)
{
	struct file *f = fd_lookup(live_files(st), fd);
	struct rec_host *h;
	char nb[32];

	if (!file_is_host(f))
		return NULL;
	HASH_FIND_PTR(r->hosts, &f, h);
	if (h)
		return h;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->file = f;
	h->in = f->f_op->peek && (f->f_op->peek(f) & EPOLLIN);
	h->name = rec_new_name(r, fd, 'h');
	HASH_ADD_PTR(r->hosts, file, h);
	rec_line(r, "eventfd h%d%s   # fd %d (%s)", h->name, h->in ? " init=1" : "", fd,
		 rec_name(r, fd, nb, sizeof(nb)) ? f->f_op->name : "?");
	return h;
}

/* The event words of a mask, as the trace language writes them. */
static void rec_events(uint32_t ev, char *buf, size_t len)
{
	snprintf(buf, len, "%#x", ev);
}

void live_record_ctl(struct live_state *st, int epfd, int op, int fd,
		     const struct epoll_event *ev, long ret)
{
	struct live_rec *r = rec_of(st);
	char en[32], fn[32], evs[32];

	if (!r || !rec_name(r, epfd, en, sizeof(en)))
		return;
	if (!rec_name(r, fd, fn, sizeof(fn)) && rec_host(st, r, fd))
		rec_name(r, fd, fn, sizeof(fn));
	if (!rec_name(r, fd, fn, sizeof(fn)))
		snprintf(fn, sizeof(fn), "badfd");
	rec_events(ev->events, evs, sizeof(evs));
	if (op == EPOLL_CTL_DEL)
		rec_line(r, "ctl %s del %s   # live: = %ld", en, fn, ret);
	else
		rec_line(r, "ctl %s %s %s %s data=%#" PRIx64 "   # live: = %ld", en,
			 op == EPOLL_CTL_ADD ? "add" : op == EPOLL_CTL_MOD ? "mod" : "99", fn, evs,
			 (uint64_t)ev->data.u64, ret);
}

/* Before a replayed wait: stand-ins of files that stopped being readable are read empty. */
static void rec_sync(struct live_rec *r)
{
	struct rec_host *h, *tmp;

	HASH_ITER(hh, r->hosts, h, tmp) {
		if (h->in && h->file->f_op->peek && !(h->file->f_op->peek(h->file) & EPOLLIN)) {
			rec_line(r, "read h%d", h->name);
			h->in = false;
		}
	}
}

void live_record_wait(struct live_state *st, int epfd, int maxevents, int64_t timeout_ns,
		      const struct epoll_event *events, long ret)
{
	struct live_rec *r = rec_of(st);
	char en[32], line[256];
	size_t off = 0;

	if (!r || !rec_name(r, epfd, en, sizeof(en)))
		return;
	rec_sync(r);
	for (long i = 0; events && i < ret && i < 8 && off < sizeof(line) - 48; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " [%#x data=%#" PRIx64 "]",
					events[i].events, (uint64_t)events[i].data.u64);
	line[off] = '\0';
	rec_line(r, "wait %s max=%d   # live: timeout=%lldms = %ld%s%s", en,
		 maxevents > 4096 ? 4096 : maxevents, (long long)(timeout_ns / 1000000), ret, line,
		 ret > 8 ? " ..." : "");
}

void live_record_wake(struct live_state *st, const struct file *f, uint32_t events)
{
	struct live_rec *r = st->rec;
	struct rec_host *h;

	if (!r || r->pid != getpid() || r->steps >= r->max_steps)
		return;
	HASH_FIND_PTR(r->hosts, &f, h);
	if (!h || !(events & EPOLLIN))
		return;
	r->steps++;
	rec_line(r, "write h%d %d", h->name, h->in ? 0 : 1);
	h->in = true;
}

void live_record_close(struct live_state *st, int fd)
{
	struct live_rec *r = rec_of(st);
	char n[32];

	if (!r || !rec_name(r, fd, n, sizeof(n)))
		return;
	rec_line(r, "close %s", n);
	r->fdname[fd] = 0;
}

void live_record_dup(struct live_state *st, int oldfd, int newfd)
{
	struct live_rec *r = rec_of(st);
	char n[32];
	int name;

	if (!r || !rec_name(r, oldfd, n, sizeof(n)) || newfd < 0 || newfd >= REC_MAX_FDS)
		return;
	if (r->fdname[newfd])
		live_record_close(st, newfd);
	name = rec_new_name(r, newfd, 'd');
	rec_line(r, "dup %s d%d", n, name);
}

/* A host file is gone: its stand-in is forgotten (its fds were closed in the trace). */
void live_record_forget(struct live_state *st, const struct file *f)
{
	struct live_rec *r = st->rec;
	struct rec_host *h;

	if (!r)
		return;
	HASH_FIND_PTR(r->hosts, &f, h);
	if (h) {
		HASH_DEL(r->hosts, h);
		free(h);
	}
}
