/*
 * The generator of `epsim fuzz`: a random but valid trace for a seed.
 *
 * The generator keeps a small model of what the trace has defined so far
 * (names and their kinds, threads and whether each may take another call),
 * so every name it writes is defined and no step is issued on a thread that
 * may still be blocked. What it leaves out keeps both backends
 * deterministic: main-thread waits use timeout 0, main never reads or writes
 * a file that may be blocking, a thread that may block is used for one call
 * only, timers are either disarmed or armed an hour ahead, no step sleeps,
 * and while a thread may sleep no step wakes a watched file twice. A trace
 * is of one of three modes: threads asleep in epoll waits, threads asleep in
 * reads and writes of blocking files, or neither.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "xalloc.h"

enum gen_kind { GK_EPOLL, GK_PIPE_R, GK_PIPE_W, GK_EVENTFD, GK_STREAM, GK_DGRAM, GK_TIMERFD,
		GK__COUNT };

#define KM(k) (1u << (k))
#define KM_ANY ((1u << GK__COUNT) - 1)
#define KM_FILE (KM_ANY & ~KM(GK_EPOLL))
#define KM_SOCKET (KM(GK_STREAM) | KM(GK_DGRAM))
#define KM_READABLE (KM(GK_PIPE_R) | KM(GK_EVENTFD) | KM_SOCKET | KM(GK_TIMERFD))
#define KM_WRITABLE (KM(GK_PIPE_W) | KM(GK_EVENTFD) | KM_SOCKET)

#define GEN_MAX_NAMES 64
#define GEN_MAX_THREADS 16

struct gen_name {
	char s[24];
	enum gen_kind kind;	/* the file it most likely names now */
	enum gen_kind def_kind;	/* the kind the parser gives it (dup: its source's) */
	bool closed;		/* closed: its number may now hold another file */
	bool retargeted;	/* a dup2 target: the runner may have changed its kind */
	bool unsure;		/* its file may not be of `kind` (dup2 target, dup of one) */
	bool blocking;		/* created without O_NONBLOCK (or a dup of such a file) */
};

struct gen_thread {
	char s[16];	/* "t" and a number that fits an int */
	bool idle;	/* its calls so far never block: it may take another */
};

struct gen {
	uint64_t rng;
	const struct fuzz_gen_opts *o;
	char *buf;
	size_t len, cap;
	const char *prefix;	/* "thread tN: " or "" */
	struct gen_name names[GEN_MAX_NAMES];
	int nnames;
	struct gen_thread threads[GEN_MAX_THREADS];
	int nthreads;
	int next_id;
	bool thread_mode;	/* this trace has threads that block in waits */
	bool blocking_mode;	/* this trace has blocking files, threads block in their I/O */
	/*
	 * Threads asleep in two instances, one watching the other, race when one
	 * wake-up reaches both: a thread_mode trace either has all its sleepers in
	 * one instance (sleep_ep), or no epoll fd registered in another (no_nest).
	 */
	bool no_nest;
	int sleep_ep;
	bool sleepers;	/* a thread may be asleep in a wait: no step may wake an instance twice */
};

void fuzz_gen_defaults(struct fuzz_gen_opts *o)
{
	o->min_steps = 4;
	o->max_steps = 40;
	o->max_threads = 3;
	o->features = FUZZ_F_ALL;
}

/* ------------------------------------------------------------ random */

/* splitmix64: small, fast, and a seed fully determines the sequence. */
static uint64_t next_u64(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static int rnd(struct gen *g, int n)
{
	return n <= 1 ? 0 : (int)(next_u64(g) % (uint64_t)n);
}

static bool chance(struct gen *g, int percent)
{
	return rnd(g, 100) < percent;
}

static bool has(const struct gen *g, unsigned feature)
{
	return (g->o->features & feature) != 0;
}

/* One of n strings. */
static const char *pick_str(struct gen *g, const char *const *v, int n)
{
	return v[rnd(g, n)];
}

#define PICK(g, arr) pick_str((g), (arr), (int)(sizeof(arr) / sizeof((arr)[0])))

/* ------------------------------------------------------------ output */

static void put(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < g->cap - g->len)
			break;
		g->cap = g->cap * 2 + (size_t)(n > 0 ? n : 0) + 64;
		g->buf = xrealloc(g->buf, g->cap);
	}
	g->len += (size_t)n;
}

/* Start a step line: the thread prefix, if any. */
static void begin(struct gen *g)
{
	put(g, "%s", g->prefix);
}

static void end(struct gen *g)
{
	put(g, "\n");
}

/* ------------------------------------------------------------- names */

static bool names_full(const struct gen *g)
{
	return g->nnames > GEN_MAX_NAMES - 2;
}

static void add_name(struct gen *g, const char *s, enum gen_kind kind)
{
	struct gen_name *n = &g->names[g->nnames++];

	snprintf(n->s, sizeof(n->s), "%s", s);
	n->kind = n->def_kind = kind;
	n->closed = n->retargeted = n->unsure = n->blocking = false;
}

/* The name surely names a file of a kind in mask (open, of a known file). */
static bool surely(const struct gen *g, int i, unsigned mask)
{
	return i >= 0 && !g->names[i].closed && !g->names[i].unsure &&
	       (mask & KM(g->names[i].kind));
}

/* A read or write of the name surely returns at once (no blocking file can be behind it). */
static bool never_blocks(const struct gen *g, int i)
{
	return !g->blocking_mode || (surely(g, i, KM_ANY) && !g->names[i].blocking);
}

/* The runner surely reads and writes the name as an 8-byte counter. */
static bool surely_counter(const struct gen *g, int i)
{
	return i >= 0 && !g->names[i].retargeted &&
	       (g->names[i].def_kind == GK_EVENTFD || g->names[i].def_kind == GK_TIMERFD);
}

/* A random name whose kind is in mask, open ones preferred; -1 if none. */
static int pick_name(struct gen *g, unsigned mask)
{
	int idx[GEN_MAX_NAMES], n = 0, nopen = 0;

	for (int i = 0; i < g->nnames; i++)
		if (mask & KM(g->names[i].kind) && !g->names[i].closed)
			idx[n++] = i;
	nopen = n;
	for (int i = 0; i < g->nnames; i++)
		if (mask & KM(g->names[i].kind) && g->names[i].closed)
			idx[n++] = i;
	if (n == 0)
		return -1;
	if (nopen > 0 && (nopen == n || !chance(g, 8)))
		return idx[rnd(g, nopen)];
	return idx[nopen + rnd(g, n - nopen)];
}

/* The text of a name operand for kinds in mask: a name, sometimes another kind or badfd. */
static const char *fd_word(struct gen *g, unsigned mask)
{
	int i;

	if (has(g, FUZZ_F_ERRORS) && chance(g, 2))
		return "badfd";
	i = chance(g, 7) ? pick_name(g, KM_ANY) : pick_name(g, mask);
	if (i < 0)
		i = pick_name(g, KM_ANY);
	return i < 0 ? "badfd" : g->names[i].s;
}

static int name_index(const struct gen *g, const char *s)
{
	for (int i = 0; i < g->nnames; i++)
		if (!strcmp(g->names[i].s, s))
			return i;
	return -1;
}

/* ---------------------------------------------------------- creation */

/* In a blocking-mode trace, some files are blocking: " blocking" and the names marked. */
static bool gen_blocking(struct gen *g)
{
	bool b = g->blocking_mode && chance(g, 40);

	if (b)
		put(g, " blocking");
	return b;
}

/* Mark the last n names blocking. */
static void mark_blocking(struct gen *g, int n, bool b)
{
	for (int i = g->nnames - n; i < g->nnames; i++)
		g->names[i].blocking = b;
}

static void gen_pipe(struct gen *g, int id)
{
	char s[24];
	bool b;

	begin(g);
	put(g, "pipe p%d", id);
	b = gen_blocking(g);
	end(g);
	snprintf(s, sizeof(s), "p%d.r", id);
	add_name(g, s, GK_PIPE_R);
	snprintf(s, sizeof(s), "p%d.w", id);
	add_name(g, s, GK_PIPE_W);
	mark_blocking(g, 2, b);
}

static void gen_eventfd(struct gen *g, int id)
{
	char s[24];
	bool b;

	begin(g);
	put(g, "eventfd e%d", id);
	if (chance(g, 25))
		put(g, " init=%d", chance(g, 90) ? rnd(g, 4) : rnd(g, 1000000));
	if (chance(g, 20))
		put(g, " semaphore");
	b = gen_blocking(g);
	end(g);
	snprintf(s, sizeof(s), "e%d", id);
	add_name(g, s, GK_EVENTFD);
	mark_blocking(g, 1, b);
}

static void gen_socketpair(struct gen *g, int id)
{
	bool dgram = chance(g, 40);
	enum gen_kind k = dgram ? GK_DGRAM : GK_STREAM;
	char s[24];


	/* never blocking: the simulator does not model blocking unix sockets (io-models.md) */
	begin(g);
	put(g, "socketpair s%d%s", id, dgram ? " dgram" : chance(g, 20) ? " stream" : "");
	end(g);
	snprintf(s, sizeof(s), "s%d.0", id);
	add_name(g, s, k);
	snprintf(s, sizeof(s), "s%d.1", id);
	add_name(g, s, k);
}

static void gen_timerfd(struct gen *g, int id)
{
	char s[24];

	begin(g);
	put(g, "timerfd tm%d", id);
	end(g);
	snprintf(s, sizeof(s), "tm%d", id);
	add_name(g, s, GK_TIMERFD);
}

static bool op_create_file(struct gen *g)
{
	int id = ++g->next_id, r = rnd(g, 100);

	if (names_full(g))
		return false;
	if (r < 30)
		gen_pipe(g, id);
	else if (r < 60)
		gen_eventfd(g, id);
	else if (r < 92 || !has(g, FUZZ_F_TIMERS))
		gen_socketpair(g, id);
	else
		gen_timerfd(g, id);
	return true;
}

static bool op_create_epoll(struct gen *g)
{
	int id = ++g->next_id, r = rnd(g, 100);
	char s[24];

	if (names_full(g))
		return false;
	begin(g);
	if (has(g, FUZZ_F_ERRORS) && r < 3)
		put(g, "epoll ep%d flags=1", id);
	else if (has(g, FUZZ_F_ERRORS) && r < 6)
		put(g, "epoll_create ep%d %d", id, chance(g, 50) ? 0 : -1);
	else if (r < 15)
		put(g, "epoll_create ep%d %d", id, 1 + rnd(g, 100));
	else
		put(g, "epoll ep%d%s", id, chance(g, 20) ? " cloexec" : "");
	end(g);
	snprintf(s, sizeof(s), "ep%d", id);
	add_name(g, s, GK_EPOLL);
	return true;
}

/* -------------------------------------------------------------- ctl */

static const char *const base_masks[] = {
	"in", "in", "in", "out", "out", "in|out", "in|out", "in|rdhup", "pri", "in|out|rdhup", "",
};

/* Bits the trace language has no word for. */
static const uint32_t unknown_bits[] = {
	0x800, 0x1000, 0x4000, 0x8000, 0x10000, 0x100000, 0x4000000, 0x8000000,
};

struct flag_chance {
	const char *word;
	int percent;
};

static const struct flag_chance extra_flags[] = {
	{ "et", 30 }, { "oneshot", 12 }, { "exclusive", 10 }, { "rdhup", 6 }, { "err", 4 },
	{ "hup", 4 }, { "wakeup", 3 }, { "rdnorm", 4 }, { "wrnorm", 3 }, { "rdband", 2 },
	{ "wrband", 2 }, { "msg", 2 },
};

/* An EVENTS word: a base mask and some extra flags; "" for mask 0. */
static void gen_events(struct gen *g, char *out, size_t len)
{
	size_t pos;

	snprintf(out, len, "%s", PICK(g, base_masks));
	pos = strlen(out);
	for (size_t i = 0; i < sizeof(extra_flags) / sizeof(extra_flags[0]); i++) {
		if (!chance(g, extra_flags[i].percent) || strstr(out, extra_flags[i].word))
			continue;
		pos += (size_t)snprintf(out + pos, len - pos, "%s%s", pos ? "|" : "",
					extra_flags[i].word);
	}
	if (chance(g, 4))
		snprintf(out + pos, len - pos, "%s0x%x", pos ? "|" : "",
			 unknown_bits[rnd(g, (int)(sizeof(unknown_bits) / sizeof(unknown_bits[0])))]);
}

static void gen_data(struct gen *g)
{
	int r = rnd(g, 100);

	if (r < 40)
		return;
	if (r < 85)
		put(g, " data=%d", rnd(g, 10));
	else if (r < 93)
		put(g, " data=%llu", (unsigned long long)next_u64(g));
	else
		put(g, " data=-%d", 1 + rnd(g, 3));
}

static const char *ctl_op_word(struct gen *g)
{
	static const char *const bad[] = { "0", "4", "99", "-1" };
	int r = rnd(g, 100);

	if (r < 50)
		return "add";
	if (r < 78)
		return "mod";
	if (r < 96 || !has(g, FUZZ_F_ERRORS))
		return "del";
	return PICK(g, bad);
}

/* The EP operand of ctl and wait: an epoll name, sometimes not. */
static const char *ep_word(struct gen *g)
{
	int i = pick_name(g, KM(GK_EPOLL));

	if (i < 0 || (has(g, FUZZ_F_ERRORS) && chance(g, 5)))
		return fd_word(g, KM_ANY);
	return g->names[i].s;
}

/* The FD operand of ctl: a file, or an epoll fd (nesting). */
static const char *ctl_target(struct gen *g)
{
	if (g->no_nest) {
		int i = pick_name(g, KM_FILE);
		return surely(g, i, KM_FILE) ? g->names[i].s : "badfd";
	}
	if (has(g, FUZZ_F_NEST) && chance(g, 15)) {
		int i = pick_name(g, KM(GK_EPOLL));
		if (i >= 0)
			return g->names[i].s;
	}
	return fd_word(g, KM_FILE);
}

static bool op_ctl(struct gen *g)
{
	const char *ep = ep_word(g), *op = ctl_op_word(g), *fd = ctl_target(g);
	char ev[256];
	bool del = !strcmp(op, "del");

	begin(g);
	put(g, "ctl %s %s %s", ep, op, fd);
	if (del && chance(g, 30)) {
		put(g, " ev=null");
	} else if (has(g, FUZZ_F_ERRORS) && !del && chance(g, 2)) {
		put(g, " ev=null");
	} else if (!del || chance(g, 25)) {
		gen_events(g, ev, sizeof(ev));
		if (ev[0])
			put(g, " %s", ev);
		gen_data(g);
	}
	end(g);
	return true;
}

/* ------------------------------------------------------------- waits */

/* max= for a wait: small, sometimes the default, sometimes invalid. */
static int gen_max(struct gen *g)
{
	static const int v[] = { 1, 1, 2, 2, 3, 4, 8, 0 /* default */ };

	if (has(g, FUZZ_F_ERRORS) && chance(g, 3))
		return chance(g, 50) ? -2 : -1;	/* -2: max=0, -1: max=-1 */
	return v[rnd(g, (int)(sizeof(v) / sizeof(v[0])))];
}

static void put_max(struct gen *g, int max)
{
	if (max == -2)
		put(g, " max=0");
	else if (max == -1)
		put(g, " max=-1");
	else if (max > 0)
		put(g, " max=%d", max);
}

static void put_sigmask(struct gen *g)
{
	if (has(g, FUZZ_F_SIGNALS) && chance(g, 50))
		put(g, " sigmask=%s", chance(g, 50) ? "none" : "usr1");
}

/* A buffer that holds fewer slots than max, or none. */
static void put_buf(struct gen *g, int max)
{
	if (!has(g, FUZZ_F_ERRORS))
		return;
	if (chance(g, 2))
		put(g, " buf=null");
	else if (max > 1 && chance(g, 4))
		put(g, " buf=%d", rnd(g, max));
}

/* A wait that never blocks: timeout 0. */
static bool op_wait(struct gen *g)
{
	int r = rnd(g, 100), max = gen_max(g);
	const char *ep = ep_word(g);

	begin(g);
	if (r < 70) {
		put(g, "wait %s", ep);
		put_max(g, max);
		if (chance(g, 10))
			put(g, " timeout=0");
	} else if (r < 85) {
		put(g, "pwait %s", ep);
		put_max(g, max);
		put_sigmask(g);
	} else {
		put(g, "pwait2 %s", ep);
		put_max(g, max);
		if (chance(g, 10))
			put(g, " ts=0,0");
		put_sigmask(g);
	}
	put_buf(g, max);
	end(g);
	return true;
}

/* A new thread for a call that may block; it takes no other call. NULL if none is left. */
static struct gen_thread *sleeper_thread(struct gen *g)
{
	struct gen_thread *t;

	if (g->nthreads >= g->o->max_threads || g->nthreads >= GEN_MAX_THREADS)
		return NULL;
	t = &g->threads[g->nthreads++];
	snprintf(t->s, sizeof(t->s), "t%d", g->nthreads & 0xffff);
	t->idle = false;
	g->sleepers = true;
	return t;
}

/* A wait with no timeout, on a fresh thread that is never used again. */
static bool op_thread_block(struct gen *g)
{
	struct gen_thread *t;
	int r = rnd(g, 100), max;
	int ep = !g->no_nest && g->sleep_ep >= 0 ? g->sleep_ep : pick_name(g, KM(GK_EPOLL));

	if (!g->thread_mode || !surely(g, ep, KM(GK_EPOLL)) || !(t = sleeper_thread(g)))
		return false;
	g->sleep_ep = ep;
	max = 1 + rnd(g, 3);
	put(g, "thread %s: ", t->s);
	if (r < 70)
		put(g, "wait %s max=%d timeout=-1", g->names[ep].s, max);
	else if (r < 85)
		put(g, "pwait %s max=%d timeout=-1", g->names[ep].s, max);
	else
		put(g, "pwait2 %s max=%d ts=null", g->names[ep].s, max);
	if (r >= 70)
		put_sigmask(g);
	end(g);
	return true;
}

/* ------------------------------------------------------------ read/write */


static const char *const io_sizes[] = {
	"0", "1", "1", "1", "2", "7", "8", "16", "100", "4095", "4096", "4097", "8192",
	"65536", "70000", "212992", "300000",
};

/* Sizes that a stream socket sends as one skb: at most one wake-up per write. */
static const char *const small_sizes[] = { "0", "1", "1", "2", "7", "8", "100", "4095", "4096" };

static const char *const counter_values[] = {
	"0", "1", "1", "1", "2", "3", "100", "0xfffffffffffffffe", "0xffffffffffffffff",
	"0x7fffffffffffffff",
};

/*
 * The size of a write: while a thread may sleep, one skb at most on a stream
 * socket (or on whatever file a closed name's fd number now holds).
 */
static const char *write_size(struct gen *g, int i)
{
	if (surely_counter(g, i))
		return PICK(g, counter_values);
	if (g->sleepers && !surely(g, i, KM_ANY & ~KM(GK_STREAM)))
		return PICK(g, small_sizes);
	return PICK(g, io_sizes);
}

static bool op_write(struct gen *g)
{
	const char *fd = fd_word(g, KM_WRITABLE);
	int i = name_index(g, fd);

	if (!never_blocks(g, i))
		return false;
	begin(g);
	put(g, "write %s %s", fd, write_size(g, i));
	end(g);
	return true;
}

/*
 * While a thread may sleep, a stream read takes at most one byte: each skb
 * it frees is a wake-up of the writer.
 *
 * value_unknown: the runner reads a name defined as an eventfd or timerfd as
 * an 8-byte counter even after its number went to another file (a closed
 * name, a dup of one); from a pipe or socket that reads 8 bytes of data,
 * whose contents the simulator does not model (it keeps byte counts). Such
 * reads are left out.
 */
static bool op_read(struct gen *g)
{
	const char *fd = fd_word(g, KM_READABLE);
	int i = name_index(g, fd);

	if (surely_counter(g, i) && !surely(g, i, KM(GK_EVENTFD) | KM(GK_TIMERFD)))
		return false;	/* a counter read of what may be a byte file: see value_unknown */
	if (!never_blocks(g, i))
		return false;
	begin(g);
	if (surely_counter(g, i) || chance(g, 10))
		put(g, "read %s", fd);
	else if (g->sleepers && !surely(g, i, KM_ANY & ~KM(GK_STREAM)))
		put(g, "read %s %d", fd, rnd(g, 2));
	else
		put(g, "read %s %s", fd, PICK(g, io_sizes));
	end(g);
	return true;
}

/* A read or write of a blocking file on a thread: it may sleep until a later step. */
static bool op_thread_io(struct gen *g)
{
	int i = pick_name(g, chance(g, 50) ? KM_READABLE : KM_WRITABLE);
	struct gen_thread *t;

	if (!g->blocking_mode || !surely(g, i, KM_ANY) || !g->names[i].blocking)
		return false;
	if (!(t = sleeper_thread(g)))
		return false;
	put(g, "thread %s: ", t->s);
	if (KM(g->names[i].kind) & KM_READABLE && (chance(g, 60) || g->names[i].kind == GK_PIPE_R))
		put(g, surely_counter(g, i) ? "read %s" : "read %s %d", g->names[i].s,
		    1 + rnd(g, 8192));
	else
		put(g, "write %s %s", g->names[i].s, write_size(g, i));
	end(g);
	return true;
}

/* --------------------------------------------------- close, dup, shutdown */

/* Files whose close wakes a peer more than once: not closed while a thread may sleep. */
#define KM_QUIET_CLOSE (KM_ANY & ~KM_SOCKET)

static bool op_close(struct gen *g)
{
	int i = pick_name(g, chance(g, 10) ? KM_ANY : KM_FILE);

	if (g->sleepers && !surely(g, i, KM_QUIET_CLOSE))
		i = pick_name(g, KM_QUIET_CLOSE);
	if (i < 0 || (g->sleepers && !surely(g, i, KM_QUIET_CLOSE)))
		return false;
	begin(g);
	put(g, "close %s", g->names[i].s);
	end(g);
	g->names[i].closed = true;
	return true;
}

static bool op_dup(struct gen *g)
{
	int src = pick_name(g, KM_ANY), dst, id;
	char s[24];

	if (!has(g, FUZZ_F_DUP) || src < 0 || names_full(g))
		return false;
	begin(g);
	if (chance(g, 60)) {
		id = ++g->next_id;
		snprintf(s, sizeof(s), "d%d", id);
		put(g, "dup %s %s", g->names[src].s, s);
		add_name(g, s, g->names[src].kind);
		g->names[g->nnames - 1].def_kind = g->names[src].def_kind;
		g->names[g->nnames - 1].closed = g->names[src].closed;
		g->names[g->nnames - 1].unsure = g->names[src].unsure;
		g->names[g->nnames - 1].blocking = g->names[src].blocking;
	} else {
		dst = pick_name(g, KM_ANY);
		if (g->sleepers && !surely(g, dst, KM_QUIET_CLOSE))
			dst = src;	/* dup2 onto itself closes nothing */
		put(g, "dup2 %s %s", g->names[src].s, g->names[dst].s);
		if (!g->names[src].closed && dst != src) {
			g->names[dst].kind = g->names[src].kind;
			g->names[dst].closed = false;
			g->names[dst].blocking = g->names[src].blocking;
		}
		g->names[dst].retargeted |= dst != src;
		g->names[dst].unsure |= dst != src;
	}
	end(g);
	return true;
}

static bool op_shutdown(struct gen *g)
{
	static const char *const how[] = { "rd", "wr", "rdwr" };

	if (g->sleepers || (pick_name(g, KM_SOCKET) < 0 && !chance(g, 10)))
		return false;	/* shutdown wakes both ends: not while a thread may sleep */
	begin(g);
	put(g, "shutdown %s %s", fd_word(g, KM_SOCKET), PICK(g, how));
	end(g);
	return true;
}

/* ------------------------------------------------- threads, signals, timers */

/* A thread that may take a call: an idle one or a new one. NULL if none. */
static struct gen_thread *idle_thread(struct gen *g)
{
	int idx[GEN_MAX_THREADS], n = 0;
	struct gen_thread *t;

	for (int i = 0; i < g->nthreads; i++)
		if (g->threads[i].idle)
			idx[n++] = i;
	if (n > 0 && (chance(g, 70) || g->nthreads >= g->o->max_threads))
		return &g->threads[idx[rnd(g, n)]];
	if (g->nthreads >= g->o->max_threads || g->nthreads >= GEN_MAX_THREADS)
		return NULL;
	t = &g->threads[g->nthreads++];
	snprintf(t->s, sizeof(t->s), "t%d", g->nthreads & 0xffff);
	t->idle = true;
	return t;
}

/* A call that never blocks, on a thread other than main. */
static bool op_thread_idle(struct gen *g)
{
	char prefix[32];
	struct gen_thread *t;
	int r = rnd(g, 100), before = g->nthreads;
	bool ok;

	if (!has(g, FUZZ_F_THREADS) || !(t = idle_thread(g)))
		return false;
	snprintf(prefix, sizeof(prefix), "thread %s: ", t->s);
	g->prefix = prefix;
	ok = r < 30 ? op_wait(g) : r < 60 ? op_write(g) : r < 80 ? op_read(g) : op_ctl(g);
	g->prefix = "";
	if (!ok)
		g->nthreads = before;	/* a new thread that made no call does not exist */
	return ok;
}

static bool op_signal(struct gen *g)
{
	static const char *const masks[] = { "block usr1", "unblock usr1", "set usr1", "set none" };
	int r = rnd(g, 100);

	if (!has(g, FUZZ_F_SIGNALS))
		return false;
	if (r < 35 && g->nthreads > 0) {
		put(g, "signal %s usr1\n", g->threads[rnd(g, g->nthreads)].s);
	} else if (r < 55) {
		put(g, "sigmask %s\n", PICK(g, masks));
	} else if (r < 75) {
		put(g, "signal main usr1\n");
	} else {
		put(g, "sigpending\n");
	}
	return true;
}

/* settime on a timer: disarm it, or arm it an hour ahead (never fires in a trace). */
static bool op_timer(struct gen *g)
{
	int i = pick_name(g, KM(GK_TIMERFD));

	if (!has(g, FUZZ_F_TIMERS) || i < 0)
		return false;
	begin(g);
	put(g, "settime %s initial=%s", g->names[i].s, chance(g, 50) ? "0" : "3600000");
	if (chance(g, 30))
		put(g, " interval=%d", 1 + rnd(g, 1000));
	end(g);
	return true;
}

/* ------------------------------------------------------------- driver */

typedef bool (*gen_op_fn)(struct gen *g);

struct gen_op {
	gen_op_fn fn;
	int weight;
};

static const struct gen_op gen_ops[] = {
	{ op_create_file, 7 }, { op_create_epoll, 3 }, { op_ctl, 24 }, { op_wait, 14 },
	{ op_write, 16 },      { op_read, 10 },	       { op_close, 4 }, { op_dup, 4 },
	{ op_shutdown, 3 },    { op_thread_block, 4 }, { op_thread_idle, 3 },
	{ op_signal, 3 },      { op_timer, 2 },	       { op_thread_io, 4 },
};

#define NGEN_OPS ((int)(sizeof(gen_ops) / sizeof(gen_ops[0])))

/* One step: a weighted random op; ops that cannot apply fall back to creating a file. */
static void gen_step(struct gen *g)
{
	int total = 0, r;

	for (int i = 0; i < NGEN_OPS; i++)
		total += gen_ops[i].weight;
	r = rnd(g, total);
	for (int i = 0; i < NGEN_OPS; i++) {
		if (r < gen_ops[i].weight) {
			if (!gen_ops[i].fn(g) && !op_create_file(g))
				op_wait(g);
			return;
		}
		r -= gen_ops[i].weight;
	}
}

char *fuzz_generate(uint64_t seed, const struct fuzz_gen_opts *o)
{
	struct fuzz_gen_opts def;
	struct gen *g = xcalloc(1, sizeof(*g));
	int nsteps, r;
	char *text;

	if (!o) {
		fuzz_gen_defaults(&def);
		o = &def;
	}
	g->o = o;
	g->rng = seed;
	g->prefix = "";
	g->cap = 1024;
	g->buf = xcalloc(g->cap, 1);
	nsteps = o->min_steps + rnd(g, o->max_steps - o->min_steps + 1);
	r = rnd(g, 100);
	g->thread_mode = has(g, FUZZ_F_THREADS) && r < 40;
	g->blocking_mode = has(g, FUZZ_F_BLOCKING) && has(g, FUZZ_F_THREADS) && r >= 40 && r < 65;
	g->no_nest = g->thread_mode && chance(g, 50);
	g->sleep_ep = -1;
	put(g, "# epsim fuzz --seed %llu --count 1\n", (unsigned long long)seed);
	op_create_epoll(g);
	op_create_file(g);
	for (int i = 2; i < nsteps; i++)
		gen_step(g);
	text = g->buf;
	free(g);
	return text;
}
