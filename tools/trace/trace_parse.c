/*
 * The trace parser: one pass over the text, line by line. Each line is
 * checked byte by byte, cut into words, and handed to the parser of its op.
 * The language is documented in docs/trace-language.md.
 */
#include "trace.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define MAX_LINE 4096		/* bytes in a line, without its line ending */
#define MAX_WORDS (MAX_LINE / 2 + 1)
#define MAX_STEPS 10000000
#define MAX_THREADS 1024	/* including main */

/* Name map values that are not an index in trace.names: the base of a pair. */
#define BASE_PIPE (-2)
#define BASE_SOCKETPAIR (-3)

/* trace_parse with another step limit; a test hook, not part of trace.h. */
int trace_parse_with_limit(const char *path, const char *text, size_t len, size_t max_steps,
			   struct trace **out, struct trace_error *err);

/*
 * ---- a map from strings to ints: open addressing, FNV-1a ----
 * Keys are not copied: they point into strings the trace owns, which do not
 * move (a pair's base "p" is the first bytes of its name "p.r").
 */

struct map_slot {
	const char *key;	/* NULL: free slot */
	uint32_t len;
	uint32_t hash;
	int value;
};

struct map {
	struct map_slot *slots;
	size_t cap;		/* a power of two, or 0 */
	size_t count;
};

static uint32_t hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* The slot holding key, or the free slot where it would go. */
static struct map_slot *map_slot(const struct map *m, const char *key, size_t len, uint32_t hash)
{
	size_t i = hash & (m->cap - 1);

	for (;; i = (i + 1) & (m->cap - 1)) {
		struct map_slot *s = &m->slots[i];

		if (!s->key || (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0))
			return s;
	}
}

static bool map_find(const struct map *m, const char *key, size_t len, int *value)
{
	const struct map_slot *s;

	if (m->cap == 0)
		return false;
	s = map_slot(m, key, len, hash_bytes(key, len));
	if (s->key && value)
		*value = s->value;
	return s->key != NULL;
}

static int map_grow(struct map *m)
{
	struct map old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -1;
	}
	for (size_t i = 0; i < old.cap; i++) {
		const struct map_slot *s = &old.slots[i];

		if (s->key)
			*map_slot(m, s->key, s->len, s->hash) = *s;
	}
	free(old.slots);
	return 0;
}

/* Add a key that is not in the map yet (key must outlive the map); -1: out of memory. */
static int map_add(struct map *m, const char *key, size_t len, int value)
{
	uint32_t hash = hash_bytes(key, len);

	if ((m->count + 1) * 2 > m->cap && map_grow(m) < 0)
		return -1;
	*map_slot(m, key, len, hash) = (struct map_slot){
		.key = key, .len = (uint32_t)len, .hash = hash, .value = value,
	};
	m->count++;
	return 0;
}

static void map_free(struct map *m)
{
	free(m->slots);
	*m = (struct map){ 0 };
}

/* ---- parser state and errors ---- */

struct word {
	const char *s;
	int len;
	int col;
};

struct parser {
	struct trace *t;
	struct trace_error *err;
	struct map names;	/* name -> index in t->names, or BASE_* */
	struct map threads;	/* thread name -> index in t->threads */
	size_t steps_cap, names_cap, threads_cap;
	size_t max_steps;
	int line;
	struct word *words;	/* MAX_WORDS, the words of the current line */
};

/* The op words of a line and what surrounds them. */
struct line {
	const struct word *w;	/* w[0] is the op */
	int n;
	int end_col;		/* the column just past the last word */
	int thread;
	const char *expect;	/* the text after `=>`, or NULL */
	int expect_len;
	int arrow_col;		/* column of `=>` */
};

/* The operands of an op, consumed left to right. */
struct args {
	const struct word *w;
	int n, i;
	int end_col;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, int col, const char *fmt, ...)
{
	va_list ap;

	p->err->loc = (struct trace_loc){ p->line, col };
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int fail_oom(struct parser *p)
{
	return fail(p, 1, "out of memory");
}

/*
 * arr (an array of *cap elements of size sz, used of them in use) with room
 * for one more: the same or a moved array, or NULL with an error (arr stays).
 */
static void *reserve(struct parser *p, void *arr, size_t *cap, size_t used, size_t sz)
{
	size_t ncap;
	void *n;

	if (used < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / sz) {
		fail_oom(p);
		return NULL;
	}
	n = realloc(arr, ncap * sz);
	if (!n) {
		fail_oom(p);
		return NULL;
	}
	*cap = ncap;
	return n;
}

static char *dup_bytes(const char *s, size_t len)
{
	char *c = malloc(len + 1);

	if (c) {
		memcpy(c, s, len);
		c[len] = '\0';
	}
	return c;
}

/* The len bytes at b (no NUL among them) are exactly the string s. */
static bool bytes_are(const char *b, int len, const char *s)
{
	for (int i = 0; i < len; i++)
		if (s[i] != b[i])	/* also stops at the end of a shorter s */
			return false;
	return s[len] == '\0';
}

static bool word_is(const struct word *w, const char *s)
{
	return bytes_are(w->s, w->len, s);
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* [A-Za-z_][A-Za-z0-9_]* */
static bool is_ident(const char *s, int len)
{
	if (len < 1 || !is_ident_start(s[0]))
		return false;
	for (int i = 1; i < len; i++)
		if (!is_ident_char(s[i]))
			return false;
	return true;
}

/* ---- numbers ---- */

struct range {
	long long min;
	unsigned long long max;
};

static const struct range R_INT = { INT_MIN, INT_MAX };
static const struct range R_U32 = { 0, UINT32_MAX };
static const struct range R_U64 = { 0, UINT64_MAX };
static const struct range R_S64_U64 = { LLONG_MIN, UINT64_MAX };
static const struct range R_S64 = { LLONG_MIN, LLONG_MAX };
static const struct range R_NONNEG_LL = { 0, LLONG_MAX };
static const struct range R_NONNEG_INT = { 0, INT_MAX };
static const struct range R_BUF = { 0, TRACE_BUF_SLOTS };
static const struct range R_REPEAT = { 1, 100000 };

static int digit_value(char c, unsigned base)
{
	int d = -1;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (base == 16 && c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (base == 16 && c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	return d;
}

/*
 * Scan -?(0x[0-9a-fA-F]+|[0-9]+). false on bad syntax; *overflow when the
 * magnitude does not fit in 64 bits.
 */
static bool scan_number(const char *s, int len, bool *neg, uint64_t *mag, bool *overflow)
{
	unsigned base = 10;
	int i = 0;

	*neg = len > 0 && s[0] == '-';
	i += *neg;
	if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	if (i >= len)
		return false;
	*mag = 0;
	*overflow = false;
	for (; i < len; i++) {
		int d = digit_value(s[i], base);

		if (d < 0)
			return false;
		if (*mag > (UINT64_MAX - (unsigned)d) / base)
			*overflow = true;
		*mag = *mag * base + (unsigned)d;
	}
	return true;
}

/* Parse a number in range r; the result is the value's 64-bit two's complement. */
static int parse_number(struct parser *p, const char *s, int len, int col, struct range r,
			uint64_t *out)
{
	bool neg, overflow, ok;
	uint64_t mag;

	if (!scan_number(s, len, &neg, &mag, &overflow))
		return fail(p, col, "bad number '%.*s'", len, s);
	/* -min computed without overflowing LLONG_MIN */
	ok = mag <= (neg ? (r.min < 0 ? (uint64_t)(-(r.min + 1)) + 1 : 0) : r.max);
	if (overflow || !ok)
		return fail(p, col, "number '%.*s' out of range (%lld..%llu)", len, s, r.min, r.max);
	*out = neg ? (uint64_t)0 - mag : mag;
	return 0;
}

static int word_number(struct parser *p, const struct word *w, struct range r, uint64_t *out)
{
	return parse_number(p, w->s, w->len, w->col, r, out);
}

/* Convert a parsed number that is known to lie in an int range. */
static int to_int(uint64_t v)
{
	return (int)(int64_t)v;
}

/* ---- names ---- */

/* The kind of the name at index i, for `dup`. */
static enum trace_kind name_kind(const struct parser *p, int i)
{
	return i < 0 ? TK_DUP : p->t->names[i].kind;
}

static int check_new_name(struct parser *p, const struct word *w)
{
	if (!is_ident(w->s, w->len))
		return fail(p, w->col, "bad name '%.*s'", w->len, w->s);
	if (word_is(w, "badfd"))
		return fail(p, w->col, "name 'badfd' is reserved");
	if (map_find(&p->names, w->s, (size_t)w->len, NULL))
		return fail(p, w->col, "name '%.*s' already defined", w->len, w->s);
	return 0;
}

/* Append a name (known to be new) to the trace; *index is its index. */
static int add_name(struct parser *p, const char *s, size_t len, enum trace_kind kind, int *index)
{
	struct trace *t = p->t;
	struct trace_name *n;

	if (t->nnames >= INT_MAX)
		return fail(p, 1, "too many names");
	n = reserve(p, t->names, &p->names_cap, t->nnames, sizeof(*t->names));
	if (!n)
		return -1;
	t->names = n;
	n = &t->names[t->nnames];
	n->name = dup_bytes(s, len);
	if (!n->name)
		return fail_oom(p);
	n->kind = kind;
	n->step = (int)t->nsteps;
	if (map_add(&p->names, n->name, len, (int)t->nnames) < 0) {
		free(n->name);
		return fail_oom(p);
	}
	*index = (int)t->nnames++;
	return 0;
}

/* Define a single name (epoll, eventfd, dup). */
static int define_name(struct parser *p, const struct word *w, enum trace_kind kind, int *index)
{
	if (check_new_name(p, w) < 0)
		return -1;
	return add_name(p, w->s, (size_t)w->len, kind, index);
}

/* Define BASE.a and BASE.b (pipe, socketpair); BASE itself is taken too. */
static int define_pair(struct parser *p, const struct word *w, int base_value, const char sfx[2],
		       const enum trace_kind kinds[2], int index[2])
{
	char buf[MAX_LINE + 3];

	if (check_new_name(p, w) < 0)
		return -1;
	memcpy(buf, w->s, (size_t)w->len);
	buf[w->len] = '.';
	for (int i = 0; i < 2; i++) {
		buf[w->len + 1] = sfx[i];
		if (add_name(p, buf, (size_t)w->len + 2, kinds[i], &index[i]) < 0)
			return -1;
	}
	/* the key "p" is the start of the name "p.r" */
	if (map_add(&p->names, p->t->names[index[0]].name, (size_t)w->len, base_value) < 0)
		return fail_oom(p);
	return 0;
}

/* An fd operand: a defined name or `badfd`. */
static int fd_operand(struct parser *p, const struct word *w, int *obj, bool *bad)
{
	int v;

	if (word_is(w, "badfd")) {
		*obj = -1;
		*bad = true;
		return 0;
	}
	if (!map_find(&p->names, w->s, (size_t)w->len, &v))
		return fail(p, w->col, "undefined name '%.*s'", w->len, w->s);
	if (v == BASE_PIPE)
		return fail(p, w->col, "'%.*s' is a pipe: use %.*s.r or %.*s.w", w->len, w->s,
			    w->len, w->s, w->len, w->s);
	if (v == BASE_SOCKETPAIR)
		return fail(p, w->col, "'%.*s' is a socketpair: use %.*s.0 or %.*s.1", w->len,
			    w->s, w->len, w->s, w->len, w->s);
	*obj = v;
	return 0;
}

/* ---- operands and options ---- */

/* The next positional operand, or NULL with an error. */
static const struct word *positional(struct parser *p, struct args *a, const char *what)
{
	const struct word *w;

	if (a->i >= a->n) {
		fail(p, a->end_col, "missing argument: %s", what);
		return NULL;
	}
	w = &a->w[a->i];
	if (memchr(w->s, '=', (size_t)w->len)) {
		fail(p, w->col, "missing argument: %s", what);
		return NULL;
	}
	a->i++;
	return w;
}

static int fd_positional(struct parser *p, struct args *a, const char *what, int *obj, bool *bad)
{
	const struct word *w = positional(p, a, what);

	return w ? fd_operand(p, w, obj, bad) : -1;
}

static int num_positional(struct parser *p, struct args *a, const char *what, struct range r,
			  uint64_t *out)
{
	const struct word *w = positional(p, a, what);

	return w ? word_number(p, w, r, out) : -1;
}

enum opt {
	O_CLOEXEC, O_FLAGS, O_BLOCKING, O_INIT, O_SEMAPHORE, O_STREAM, O_DGRAM,
	O_DATA, O_EV, O_MAX, O_TIMEOUT, O_BUF, O_SIGMASK, O_SIGSETSIZE, O_TS, O_INITIAL,
	O_INTERVAL, O_STALL, O_NFDS, O_RSET, O_WSET, O_ESET, O_ENTRIES, O_MIN, O_EVENTS, O__COUNT
};

#define OPT(o) (1u << (o))

static const struct opt_def {
	const char *name;
	bool has_value;
} opt_defs[O__COUNT] = {
	[O_CLOEXEC] = { "cloexec", false },
	[O_FLAGS] = { "flags", true },
	[O_BLOCKING] = { "blocking", false },
	[O_INIT] = { "init", true },
	[O_SEMAPHORE] = { "semaphore", false },
	[O_STREAM] = { "stream", false },
	[O_DGRAM] = { "dgram", false },
	[O_DATA] = { "data", true },
	[O_EV] = { "ev", true },
	[O_MAX] = { "max", true },
	[O_TIMEOUT] = { "timeout", true },
	[O_BUF] = { "buf", true },
	[O_SIGMASK] = { "sigmask", true },
	[O_SIGSETSIZE] = { "sigsetsize", true },
	[O_TS] = { "ts", true },
	[O_INITIAL] = { "initial", true },
	[O_INTERVAL] = { "interval", true },
	[O_STALL] = { "stall", true },
	[O_NFDS] = { "nfds", true },
	[O_RSET] = { "r", true },
	[O_WSET] = { "w", true },
	[O_ESET] = { "e", true },
	[O_ENTRIES] = { "entries", true },
	[O_MIN] = { "min", true },
	[O_EVENTS] = { "EVENTS", false },	/* ctl's event mask: any word without '=' */
};

/* Options that cannot be given together. */
static const enum opt conflicts[][2] = {
	{ O_CLOEXEC, O_FLAGS },
	{ O_STREAM, O_DGRAM },
	{ O_EV, O_EVENTS },
	{ O_EV, O_DATA },
	{ O_TS, O_TIMEOUT },
};

/* The options seen so far on a line. */
struct opts {
	unsigned allowed;
	const struct word *seen[O__COUNT];
};

/* The allowed option named by the first keylen bytes of w, or O__COUNT. */
static enum opt opt_lookup(const struct opts *os, const struct word *w, int keylen)
{
	for (int o = 0; o < O_EVENTS; o++)
		if ((os->allowed & OPT(o)) && bytes_are(w->s, keylen, opt_defs[o].name))
			return (enum opt)o;
	return O__COUNT;
}

static int events_value(struct parser *p, const struct word *w, uint32_t *out)
{
	char elem[MAX_LINE + 1];
	uint32_t mask = 0;
	int i = 0;

	for (;;) {
		int j = i;
		uint32_t bits;
		uint64_t v;

		while (j < w->len && w->s[j] != '|')
			j++;
		if (j == i)
			return fail(p, w->col + i, "empty event flag in '%.*s'", w->len, w->s);
		if (w->s[i] >= '0' && w->s[i] <= '9') {
			if (parse_number(p, w->s + i, j - i, w->col + i, R_U32, &v) < 0)
				return -1;
			bits = (uint32_t)v;
		} else {
			memcpy(elem, w->s + i, (size_t)(j - i));
			elem[j - i] = '\0';
			if (trace_parse_events(elem, &bits) != 0)
				return fail(p, w->col + i, "unknown event flag '%s'", elem);
		}
		mask |= bits;
		if (j == w->len)
			break;
		i = j + 1;
	}
	*out = mask;
	return 0;
}

/* ctl op: add|mod|del or a number. */
static int ctl_op_value(struct parser *p, const struct word *w, int *out)
{
	uint64_t v;

	if (word_is(w, "add"))
		*out = EPOLL_CTL_ADD;
	else if (word_is(w, "mod"))
		*out = EPOLL_CTL_MOD;
	else if (word_is(w, "del"))
		*out = EPOLL_CTL_DEL;
	else if ((w->s[0] >= '0' && w->s[0] <= '9') || w->s[0] == '-') {
		if (word_number(p, w, R_INT, &v) < 0)
			return -1;
		*out = to_int(v);
	} else
		return fail(p, w->col, "bad ctl op '%.*s' (expected add, mod, del or a number)",
			    w->len, w->s);
	return 0;
}

static int buf_value(struct parser *p, const struct word *v, struct trace_step *st)
{
	uint64_t n;

	if (word_is(v, "null")) {
		st->buf = TBUF_NULL;
		return 0;
	}
	if (!((v->s[0] >= '0' && v->s[0] <= '9') || v->s[0] == '-'))
		return fail(p, v->col, "bad value '%.*s' for option 'buf' (expected null or a number)",
			    v->len, v->s);
	if (word_number(p, v, R_BUF, &n) < 0)
		return -1;
	st->buf = TBUF_SLOTS;
	st->buf_slots = to_int(n);
	return 0;
}

/* A signal set: `none` or names joined with '|'. */
static int sigset_value(struct parser *p, const struct word *w, uint64_t *out)
{
	char elem[MAX_LINE + 1];
	int i = 0;

	*out = 0;
	if (word_is(w, "none"))
		return 0;
	for (;;) {
		int j = i, sig;

		while (j < w->len && w->s[j] != '|')
			j++;
		memcpy(elem, w->s + i, (size_t)(j - i));
		elem[j - i] = '\0';
		sig = trace_signal_value(elem);
		if (sig < 0)
			return fail(p, w->col + i, "unknown signal '%s' (expected usr1, io or none)", elem);
		*out |= 1ULL << (sig - 1);
		if (j == w->len)
			return 0;
		i = j + 1;
	}
}

/* pwait2's ts=null or ts=SEC,NSEC (either may be negative, to test EINVAL). */
static int ts_value(struct parser *p, const struct word *v, struct trace_step *st)
{
	const char *comma = memchr(v->s, ',', (size_t)v->len);
	int seclen;
	uint64_t n;

	if (word_is(v, "null")) {
		st->ts_null = true;
		return 0;
	}
	if (!comma)
		return fail(p, v->col, "bad value '%.*s' for option 'ts' (expected null or SEC,NSEC)",
			    v->len, v->s);
	seclen = (int)(comma - v->s);
	if (parse_number(p, v->s, seclen, v->col, R_S64, &n) < 0)
		return -1;
	st->ts_sec = (long long)n;
	if (parse_number(p, comma + 1, v->len - seclen - 1, v->col + seclen + 1, R_S64, &n) < 0)
		return -1;
	st->ts_nsec = (long long)n;
	return 0;
}

/* Apply a value option; v is the value part of the word. */
static int fdset_value(struct parser *p, const struct word *v, struct trace_step *st,
		       uint32_t set);
static int nfds_value(struct parser *p, const struct word *v, struct trace_step *st);

static int apply_value(struct parser *p, enum opt o, const struct word *v, struct trace_step *st)
{
	uint64_t n = 0;

	switch (o) {
	case O_NFDS:
		return nfds_value(p, v, st);
	case O_RSET:
		return fdset_value(p, v, st, TSEL_R);
	case O_WSET:
		return fdset_value(p, v, st, TSEL_W);
	case O_ESET:
		return fdset_value(p, v, st, TSEL_E);
	case O_ENTRIES:
		return word_number(p, v, R_U32, &n) < 0 ? -1 : (st->num = (long long)n, 0);
	case O_MIN:
		return word_number(p, v, R_U32, &n) < 0 ? -1 : (st->num = (long long)n, 0);
	case O_FLAGS:
		st->flags |= TF_RAW_FLAGS;
		if (word_number(p, v, R_INT, &n) < 0)
			return -1;
		st->num = to_int(n);
		return 0;
	case O_INIT:
		return word_number(p, v, R_U32, &st->init);
	case O_DATA:
		st->has_data = true;
		return word_number(p, v, R_S64_U64, &st->data);
	case O_EV:
		if (!word_is(v, "null"))
			return fail(p, v->col, "bad value '%.*s' for option 'ev' (expected null)",
				    v->len, v->s);
		st->ev_null = true;
		return 0;
	case O_MAX:
		if (word_number(p, v, R_INT, &n) < 0)
			return -1;
		st->maxevents = to_int(n);
		return 0;
	case O_TIMEOUT:
		if (word_number(p, v, R_INT, &n) < 0)
			return -1;
		st->timeout_ms = to_int(n);
		return 0;
	case O_BUF:
		return buf_value(p, v, st);
	case O_SIGMASK:
		st->has_sigmask = true;
		return sigset_value(p, v, &st->sigmask);
	case O_SIGSETSIZE:
		if (word_number(p, v, R_INT, &n) < 0)
			return -1;
		st->sigsetsize = to_int(n);
		return 0;
	case O_TS:
		return ts_value(p, v, st);
	case O_INITIAL:
		if (word_number(p, v, R_NONNEG_INT, &n) < 0)
			return -1;
		st->num = (long long)n;
		return 0;
	case O_INTERVAL:
		if (word_number(p, v, R_NONNEG_INT, &n) < 0)
			return -1;
		st->interval_ms = (long long)n;
		return 0;
	case O_STALL:
		if (st->thread == 0)
			return fail(p, v->col, "stall= needs a thread: the stalled call must not be the main thread's");
		if (word_number(p, v, R_BUF, &n) < 0)
			return -1;
		st->has_stall = true;
		st->stall_slot = to_int(n);
		return 0;
	default:
		return 0;
	}
}

/* Apply a flag word (or ctl's event mask). */
static int apply_flag(struct parser *p, enum opt o, const struct word *w, struct trace_step *st)
{
	switch (o) {
	case O_CLOEXEC:
		st->flags |= TF_CLOEXEC;
		return 0;
	case O_BLOCKING:
		st->flags |= TF_BLOCKING;
		return 0;
	case O_SEMAPHORE:
		st->flags |= TF_SEMAPHORE;
		return 0;
	case O_DGRAM:
		st->flags |= TF_DGRAM;
		return 0;
	case O_EVENTS:
		return events_value(p, w, &st->events);
	default:
		return 0;
	}
}

/* Record option o given by word w: duplicates and conflicts are errors. */
static int note_option(struct parser *p, struct opts *os, enum opt o, const struct word *w)
{
	if (os->seen[o] && o == O_EVENTS)
		return fail(p, w->col, "unexpected argument '%.*s' (join event flags with '|')",
			    w->len, w->s);
	if (os->seen[o])
		return fail(p, w->col, "duplicate option '%s'", opt_defs[o].name);
	for (size_t i = 0; i < sizeof(conflicts) / sizeof(conflicts[0]); i++) {
		const struct word *x;

		if (conflicts[i][0] == o)
			x = os->seen[conflicts[i][1]];
		else if (conflicts[i][1] == o)
			x = os->seen[conflicts[i][0]];
		else
			continue;
		if (x)
			return fail(p, w->col, "'%.*s' conflicts with '%.*s'", w->len, w->s,
				    x->len, x->s);
	}
	os->seen[o] = w;
	return 0;
}

static int parse_key_value(struct parser *p, struct opts *os, const struct word *w,
			   struct trace_step *st)
{
	int keylen = (int)((const char *)memchr(w->s, '=', (size_t)w->len) - w->s);
	enum opt o = opt_lookup(os, w, keylen);
	struct word v = { w->s + keylen + 1, w->len - keylen - 1, w->col + keylen + 1 };

	if (keylen == 0)
		return fail(p, w->col, "unexpected argument '%.*s'", w->len, w->s);
	if (o == O__COUNT)
		return fail(p, w->col, "unknown option '%.*s'", keylen, w->s);
	if (!opt_defs[o].has_value)
		return fail(p, w->col, "option '%s' takes no value", opt_defs[o].name);
	if (v.len == 0)
		return fail(p, v.col, "missing value for option '%s'", opt_defs[o].name);
	if (note_option(p, os, o, w) < 0)
		return -1;
	return apply_value(p, o, &v, st);
}

static int parse_flag_word(struct parser *p, struct opts *os, const struct word *w,
			   struct trace_step *st)
{
	enum opt o = opt_lookup(os, w, w->len);

	if (o != O__COUNT && opt_defs[o].has_value)
		return fail(p, w->col, "option '%s' needs a value (%s=...)", opt_defs[o].name,
			    opt_defs[o].name);
	if (o == O__COUNT && (os->allowed & OPT(O_EVENTS)))
		o = O_EVENTS;
	if (o == O__COUNT)
		return fail(p, w->col, "unexpected argument '%.*s'", w->len, w->s);
	if (note_option(p, os, o, w) < 0)
		return -1;
	return apply_flag(p, o, w, st);
}

/* The rest of the operands: options from `allowed`, in any order. */
static int parse_options(struct parser *p, struct args *a, struct trace_step *st, unsigned allowed)
{
	struct opts os = { .allowed = allowed };

	for (; a->i < a->n; a->i++) {
		const struct word *w = &a->w[a->i];
		int rc = memchr(w->s, '=', (size_t)w->len) ? parse_key_value(p, &os, w, st)
							   : parse_flag_word(p, &os, w, st);

		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- ops ---- */

static int parse_epoll(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w = positional(p, a, "NAME");

	if (!w || define_name(p, w, TK_EPOLL, &st->obj) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_CLOEXEC) | OPT(O_FLAGS));
}

static int parse_epoll_create(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w = positional(p, a, "NAME");
	uint64_t size;

	if (!w || define_name(p, w, TK_EPOLL, &st->obj) < 0)
		return -1;
	if (num_positional(p, a, "SIZE", R_INT, &size) < 0)
		return -1;
	st->num = to_int(size);
	return parse_options(p, a, st, 0);
}

static int parse_pipe(struct parser *p, struct args *a, struct trace_step *st)
{
	static const enum trace_kind kinds[2] = { TK_PIPE_R, TK_PIPE_W };
	const struct word *w = positional(p, a, "NAME");
	int idx[2];

	if (!w || define_pair(p, w, BASE_PIPE, "rw", kinds, idx) < 0)
		return -1;
	st->obj = idx[0];
	st->obj2 = idx[1];
	return parse_options(p, a, st, OPT(O_BLOCKING));
}

static int parse_eventfd(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w = positional(p, a, "NAME");

	if (!w || define_name(p, w, TK_EVENTFD, &st->obj) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_INIT) | OPT(O_SEMAPHORE) | OPT(O_BLOCKING));
}

static int parse_socketpair(struct parser *p, struct args *a, struct trace_step *st)
{
	static const enum trace_kind kinds[2] = { TK_SOCKET, TK_SOCKET };
	const struct word *w = positional(p, a, "NAME");
	int idx[2];

	if (!w || define_pair(p, w, BASE_SOCKETPAIR, "01", kinds, idx) < 0)
		return -1;
	st->obj = idx[0];
	st->obj2 = idx[1];
	return parse_options(p, a, st, OPT(O_STREAM) | OPT(O_DGRAM) | OPT(O_BLOCKING));
}

static int parse_ctl(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w;

	if (fd_positional(p, a, "EP", &st->obj, &st->obj_bad) < 0)
		return -1;
	w = positional(p, a, "OP");
	if (!w || ctl_op_value(p, w, &st->ctl_op) < 0)
		return -1;
	if (fd_positional(p, a, "FD", &st->obj2, &st->obj2_bad) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_EVENTS) | OPT(O_DATA) | OPT(O_EV));
}

static int parse_wait(struct parser *p, struct args *a, struct trace_step *st)
{
	if (fd_positional(p, a, "EP", &st->obj, &st->obj_bad) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_MAX) | OPT(O_TIMEOUT) | OPT(O_BUF) | OPT(O_STALL));
}

static int parse_read(struct parser *p, struct args *a, struct trace_step *st)
{
	uint64_t n = 1;

	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	if (a->i < a->n && !memchr(a->w[a->i].s, '=', (size_t)a->w[a->i].len) &&
	    num_positional(p, a, "N", R_NONNEG_LL, &n) < 0)
		return -1;
	st->num = (long long)n;
	return parse_options(p, a, st, 0);
}

static int parse_write(struct parser *p, struct args *a, struct trace_step *st)
{
	uint64_t n;

	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	if (num_positional(p, a, "N", R_U64, &n) < 0)
		return -1;
	st->num = (long long)n;	/* above LLONG_MAX: the same 64 bits; read as (uint64_t)num */
	return parse_options(p, a, st, 0);
}

static int parse_close(struct parser *p, struct args *a, struct trace_step *st)
{
	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	return parse_options(p, a, st, 0);
}

static int parse_dup(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w;

	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	w = positional(p, a, "NEWNAME");
	if (!w || define_name(p, w, name_kind(p, st->obj), &st->obj2) < 0)
		return -1;
	return parse_options(p, a, st, 0);
}

static int parse_dup2(struct parser *p, struct args *a, struct trace_step *st)
{
	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	if (fd_positional(p, a, "TARGET", &st->obj2, &st->obj2_bad) < 0)
		return -1;
	return parse_options(p, a, st, 0);
}

static int parse_shutdown(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w;

	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	w = positional(p, a, "HOW");
	if (!w)
		return -1;
	if (word_is(w, "rd"))
		st->how = SHUT_RD;
	else if (word_is(w, "wr"))
		st->how = SHUT_WR;
	else if (word_is(w, "rdwr"))
		st->how = SHUT_RDWR;
	else
		return fail(p, w->col, "bad shutdown mode '%.*s' (expected rd, wr or rdwr)",
			    w->len, w->s);
	return parse_options(p, a, st, 0);
}

static int parse_sleep(struct parser *p, struct args *a, struct trace_step *st)
{
	uint64_t ms = 0;

	if (num_positional(p, a, "MS", R_NONNEG_INT, &ms) < 0)
		return -1;
	st->num = (long long)ms;
	return parse_options(p, a, st, 0);
}

static int parse_pwait(struct parser *p, struct args *a, struct trace_step *st)
{
	if (fd_positional(p, a, "EP", &st->obj, &st->obj_bad) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_MAX) | OPT(O_TIMEOUT) | OPT(O_BUF) | OPT(O_SIGMASK) |
					       OPT(O_SIGSETSIZE) | OPT(O_STALL));
}

static int parse_pwait2(struct parser *p, struct args *a, struct trace_step *st)
{
	if (fd_positional(p, a, "EP", &st->obj, &st->obj_bad) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_MAX) | OPT(O_TS) | OPT(O_BUF) | OPT(O_SIGMASK) |
					       OPT(O_SIGSETSIZE) | OPT(O_STALL));
}

/* A thread operand: main or a thread already used in the trace. */
static int thread_positional(struct parser *p, struct args *a, int *index)
{
	const struct word *w = positional(p, a, "THREAD");

	if (!w)
		return -1;
	if (!map_find(&p->threads, w->s, (size_t)w->len, index))
		return fail(p, w->col, "unknown thread '%.*s' (use a thread before signalling it)",
			    w->len, w->s);
	return 0;
}

static int parse_signal(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w;
	uint64_t set;

	if (thread_positional(p, a, &st->target) < 0)
		return -1;
	w = positional(p, a, "SIG");
	if (!w || sigset_value(p, w, &set) < 0)
		return -1;
	if (set == 0 || (set & (set - 1)))
		return fail(p, w->col, "expected one signal, not '%.*s'", w->len, w->s);
	st->sig = __builtin_ctzll(set) + 1;
	return parse_options(p, a, st, 0);
}

/* kill PROC SIG: PROC is main or a process made by fork; SIG as for signal. */
static int parse_kill(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w = a->i < a->n ? &a->w[a->i] : NULL;

	if (parse_signal(p, a, st) < 0)
		return -1;
	if (st->target != 0 && !p->t->threads[st->target].process)
		return fail(p, w->col, "'%.*s' is not main or a process made by fork", w->len, w->s);
	return 0;
}

static int parse_sigmask(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w = positional(p, a, "HOW");

	if (!w)
		return -1;
	if (word_is(w, "block"))
		st->how = SIG_BLOCK;
	else if (word_is(w, "unblock"))
		st->how = SIG_UNBLOCK;
	else if (word_is(w, "set"))
		st->how = SIG_SETMASK;
	else
		return fail(p, w->col, "bad sigmask mode '%.*s' (expected block, unblock or set)",
			    w->len, w->s);
	w = positional(p, a, "SIGS");
	if (!w || sigset_value(p, w, &st->sigmask) < 0)
		return -1;
	return parse_options(p, a, st, 0);
}

static int parse_sigpending(struct parser *p, struct args *a, struct trace_step *st)
{
	return parse_options(p, a, st, 0);
}

static int parse_timerfd(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w = positional(p, a, "NAME");

	if (!w || define_name(p, w, TK_TIMERFD, &st->obj) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_BLOCKING) | OPT(O_CLOEXEC));
}

static int parse_settime(struct parser *p, struct args *a, struct trace_step *st)
{
	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_INITIAL) | OPT(O_INTERVAL));
}

/* ---- TCP over loopback (socket, bind, listen, connect, accept, linger, soerror) ---- */

#define TRACE_DEFAULT_BACKLOG 16

static int parse_socket(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w = positional(p, a, "NAME");

	if (!w || define_name(p, w, TK_TCP, &st->obj) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_BLOCKING) | OPT(O_CLOEXEC));
}

/* bind FD, soerror FD, fill FD, drain FD: one fd operand, no options. */
static int parse_fd_only(struct parser *p, struct args *a, struct trace_step *st)
{
	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	return parse_options(p, a, st, 0);
}

static int parse_listen(struct parser *p, struct args *a, struct trace_step *st)
{
	uint64_t n = TRACE_DEFAULT_BACKLOG;

	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	if (a->i < a->n && !memchr(a->w[a->i].s, '=', (size_t)a->w[a->i].len) &&
	    num_positional(p, a, "BACKLOG", R_INT, &n) < 0)
		return -1;
	st->num = to_int(n);
	return parse_options(p, a, st, 0);
}

static int parse_connect(struct parser *p, struct args *a, struct trace_step *st)
{
	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	if (fd_positional(p, a, "TARGET", &st->obj2, &st->obj2_bad) < 0)
		return -1;
	return parse_options(p, a, st, 0);
}

static int parse_accept(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w;

	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	w = positional(p, a, "NEWNAME");
	if (!w || define_name(p, w, TK_TCP, &st->obj2) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_BLOCKING) | OPT(O_CLOEXEC));
}

static int parse_linger(struct parser *p, struct args *a, struct trace_step *st)
{
	uint64_t secs = 0;

	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	if (num_positional(p, a, "SECS", R_NONNEG_INT, &secs) < 0)
		return -1;
	st->num = (long long)secs;
	return parse_options(p, a, st, 0);
}

static int parse_unstall(struct parser *p, struct args *a, struct trace_step *st)
{
	if (thread_positional(p, a, &st->target) < 0)
		return -1;
	return parse_options(p, a, st, 0);
}

/* ---- poll, select, fcntl ---- */

static const struct range R_NFDS = { INT_MIN, UINT32_MAX };

/* nfds=N of poll (an unsigned int: a negative N wraps, as in C) and select (an int). */
static int nfds_value(struct parser *p, const struct word *v, struct trace_step *st)
{
	uint64_t n;

	if (word_number(p, v, R_NFDS, &n) < 0)
		return -1;
	st->has_nfds = true;
	st->nfds = (long long)(int64_t)n;
	return 0;
}

/* Append one fd to a poll or select step. */
static int add_fdarg(struct parser *p, struct trace_step *st, const struct trace_fdarg *fa)
{
	struct trace_fdarg *n = realloc(st->fdargs, ((size_t)st->nfdargs + 1) * sizeof(*n));

	if (!n)
		return fail_oom(p);
	st->fdargs = n;
	st->fdargs[st->nfdargs++] = *fa;
	return 0;
}

/* select's r=, w=, e=: fd names joined with ','. */
static int fdset_value(struct parser *p, const struct word *v, struct trace_step *st,
		       uint32_t set)
{
	int i = 0;

	for (;;) {
		int j = i;
		struct trace_fdarg fa = { .events = set };
		struct word w;

		while (j < v->len && v->s[j] != ',')
			j++;
		w = (struct word){ v->s + i, j - i, v->col + i };
		if (w.len == 0)
			return fail(p, w.col, "empty fd name in '%.*s'", v->len, v->s);
		if (fd_operand(p, &w, &fa.obj, &fa.bad) < 0)
			return -1;
		if (fa.bad)
			return fail(p, w.col, "badfd cannot be in a select set");
		if (add_fdarg(p, st, &fa) < 0)
			return -1;
		if (j == v->len)
			return 0;
		i = j + 1;
	}
}

/* One pollfd of poll: FD:EVENTS. */
static int pollfd_operand(struct parser *p, const struct word *w, struct trace_step *st)
{
	const char *colon = memchr(w->s, ':', (size_t)w->len);
	struct trace_fdarg fa = { 0 };
	struct word name, ev;

	if (!colon)
		return fail(p, w->col, "expected FD:EVENTS, not '%.*s'", w->len, w->s);
	name = (struct word){ w->s, (int)(colon - w->s), w->col };
	ev = (struct word){ colon + 1, w->len - name.len - 1, w->col + name.len + 1 };
	if (name.len == 0)
		return fail(p, w->col, "missing fd before ':' in '%.*s'", w->len, w->s);
	if (ev.len == 0)
		return fail(p, ev.col, "missing events after ':' in '%.*s'", w->len, w->s);
	if (fd_operand(p, &name, &fa.obj, &fa.bad) < 0 || events_value(p, &ev, &fa.events) < 0)
		return -1;
	if (fa.events > 0xffff)
		return fail(p, ev.col, "poll events '%.*s' out of range (pollfd.events is 16 bits)",
			    ev.len, ev.s);
	return add_fdarg(p, st, &fa);
}

static int parse_poll(struct parser *p, struct args *a, struct trace_step *st)
{
	for (; a->i < a->n && !memchr(a->w[a->i].s, '=', (size_t)a->w[a->i].len); a->i++)
		if (pollfd_operand(p, &a->w[a->i], st) < 0)
			return -1;
	return parse_options(p, a, st, OPT(O_TIMEOUT) | OPT(O_NFDS));
}

static int parse_select(struct parser *p, struct args *a, struct trace_step *st)
{
	return parse_options(p, a, st,
			     OPT(O_RSET) | OPT(O_WSET) | OPT(O_ESET) | OPT(O_TIMEOUT) | OPT(O_NFDS));
}

/* fcntl setfl's FLAGS: nonblock, async, append, direct, noatime or numbers, joined with '|'. */
static int oflags_value(struct parser *p, const struct word *w, long long *out)
{
	char elem[MAX_LINE + 1];
	uint64_t flags = 0;
	int i = 0;

	for (;;) {
		int j = i;
		unsigned int bits;
		uint64_t v;

		while (j < w->len && w->s[j] != '|')
			j++;
		if (j == i)
			return fail(p, w->col + i, "empty flag in '%.*s'", w->len, w->s);
		memcpy(elem, w->s + i, (size_t)(j - i));
		elem[j - i] = '\0';
		if (elem[0] >= '0' && elem[0] <= '9') {
			if (parse_number(p, elem, j - i, w->col + i, R_U32, &v) < 0)
				return -1;
			flags |= v;
		} else if (trace_parse_oflag(elem, &bits) == 0) {
			flags |= bits;
		} else {
			return fail(p, w->col + i, "unknown file flag '%s'", elem);
		}
		if (j == w->len)
			break;
		i = j + 1;
	}
	*out = (long long)flags;
	return 0;
}

/* fcntl setsig's SIG: a signal name, or a number (0: SIGIO, the default; 65: EINVAL). */
static int setsig_value(struct parser *p, const struct word *w, int *sig)
{
	uint64_t set;

	if (w->s[0] >= '0' && w->s[0] <= '9') {
		if (word_number(p, w, R_NONNEG_INT, &set) < 0)
			return -1;
		*sig = to_int(set);
		return 0;
	}
	if (sigset_value(p, w, &set) < 0)
		return -1;
	if (set == 0 || (set & (set - 1)))
		return fail(p, w->col, "expected one signal, not '%.*s'", w->len, w->s);
	*sig = __builtin_ctzll(set) + 1;
	return 0;
}

static int parse_fcntl(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w;

	if (fd_positional(p, a, "FD", &st->obj, &st->obj_bad) < 0)
		return -1;
	w = positional(p, a, "CMD");
	if (!w)
		return -1;
	if (word_is(w, "getfl")) {
		st->how = TFC_GETFL;
	} else if (word_is(w, "setfl")) {
		st->how = TFC_SETFL;
		w = positional(p, a, "FLAGS");
		if (!w || oflags_value(p, w, &st->num) < 0)
			return -1;
	} else if (word_is(w, "setown")) {
		st->how = TFC_SETOWN;
		if (thread_positional(p, a, &st->target) < 0)
			return -1;
	} else if (word_is(w, "setsig")) {
		st->how = TFC_SETSIG;
		w = positional(p, a, "SIG");
		if (!w || setsig_value(p, w, &st->sig) < 0)
			return -1;
	} else {
		return fail(p, w->col, "bad fcntl command '%.*s' (expected getfl, setfl, setown or setsig)",
			    w->len, w->s);
	}
	return parse_options(p, a, st, 0);
}

/* ---- io_uring ---- */

static const struct range R_URING_LEN = { 0, 1 << 20 };

static int parse_uring(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w = positional(p, a, "NAME");

	if (!w || define_name(p, w, TK_URING, &st->obj) < 0)
		return -1;
	st->num = 8;	/* entries */
	return parse_options(p, a, st, OPT(O_ENTRIES));
}

static int parse_uring_poll(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w;

	if (fd_positional(p, a, "RING", &st->obj, &st->obj_bad) < 0 ||
	    fd_positional(p, a, "FD", &st->obj2, &st->obj2_bad) < 0)
		return -1;
	w = positional(p, a, "EVENTS");
	if (!w || events_value(p, w, &st->events) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_DATA));
}

static int parse_uring_read(struct parser *p, struct args *a, struct trace_step *st)
{
	uint64_t n;

	if (fd_positional(p, a, "RING", &st->obj, &st->obj_bad) < 0 ||
	    fd_positional(p, a, "FD", &st->obj2, &st->obj2_bad) < 0 ||
	    num_positional(p, a, "N", R_URING_LEN, &n) < 0)
		return -1;
	st->num = (long long)n;
	return parse_options(p, a, st, OPT(O_DATA));
}

static int parse_uring_wait(struct parser *p, struct args *a, struct trace_step *st)
{
	if (fd_positional(p, a, "RING", &st->obj, &st->obj_bad) < 0)
		return -1;
	st->num = 0;	/* min */
	return parse_options(p, a, st, OPT(O_MIN));
}

static int thread_index(struct parser *p, const struct word *name, int len, int *index);

/* fork NAME: NAME must be new; it becomes the child's (only) thread. */
static int parse_fork(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w = positional(p, a, "NAME");
	int index;

	if (!w)
		return -1;
	if (!is_ident(w->s, w->len))
		return fail(p, w->col, "bad process name '%.*s'", w->len, w->s);
	if (map_find(&p->threads, w->s, (size_t)w->len, &index))
		return fail(p, w->col, "'%.*s' is already a thread", w->len, w->s);
	if (thread_index(p, w, w->len, &st->target) < 0)
		return -1;
	p->t->threads[st->target].process = true;
	return parse_options(p, a, st, 0);
}

static int parse_exit(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w = a->i < a->n ? &a->w[a->i] : NULL;

	if (thread_positional(p, a, &st->target) < 0)
		return -1;
	if (!p->t->threads[st->target].process)
		return fail(p, w->col, "'%.*s' is not a process made by fork", w->len, w->s);
	return parse_options(p, a, st, 0);
}

static int parse_signalfd(struct parser *p, struct args *a, struct trace_step *st)
{
	const struct word *w = positional(p, a, "NAME");

	if (!w || define_name(p, w, TK_SIGNALFD, &st->obj) < 0)
		return -1;
	w = positional(p, a, "SIGS");
	if (!w || sigset_value(p, w, &st->sigmask) < 0)
		return -1;
	return parse_options(p, a, st, OPT(O_BLOCKING) | OPT(O_CLOEXEC));
}

typedef int (*op_parser)(struct parser *, struct args *, struct trace_step *);

static const op_parser op_parsers[TOP__COUNT] = {
	[TOP_EPOLL] = parse_epoll,
	[TOP_EPOLL_CREATE] = parse_epoll_create,
	[TOP_PIPE] = parse_pipe,
	[TOP_EVENTFD] = parse_eventfd,
	[TOP_SOCKETPAIR] = parse_socketpair,
	[TOP_CTL] = parse_ctl,
	[TOP_WAIT] = parse_wait,
	[TOP_READ] = parse_read,
	[TOP_WRITE] = parse_write,
	[TOP_CLOSE] = parse_close,
	[TOP_DUP] = parse_dup,
	[TOP_DUP2] = parse_dup2,
	[TOP_SHUTDOWN] = parse_shutdown,
	[TOP_SLEEP] = parse_sleep,
	[TOP_PWAIT] = parse_pwait,
	[TOP_PWAIT2] = parse_pwait2,
	[TOP_SIGNAL] = parse_signal,
	[TOP_KILL] = parse_kill,
	[TOP_SIGMASK] = parse_sigmask,
	[TOP_SIGPENDING] = parse_sigpending,
	[TOP_TIMERFD] = parse_timerfd,
	[TOP_SETTIME] = parse_settime,
	[TOP_UNSTALL] = parse_unstall,
	[TOP_FORK] = parse_fork,
	[TOP_EXIT] = parse_exit,
	[TOP_SIGNALFD] = parse_signalfd,
	[TOP_SOCKET] = parse_socket,
	[TOP_BIND] = parse_fd_only,
	[TOP_LISTEN] = parse_listen,
	[TOP_CONNECT] = parse_connect,
	[TOP_ACCEPT] = parse_accept,
	[TOP_LINGER] = parse_linger,
	[TOP_SOERROR] = parse_fd_only,
	[TOP_FILL] = parse_fd_only,
	[TOP_DRAIN] = parse_fd_only,
	[TOP_POLL] = parse_poll,
	[TOP_SELECT] = parse_select,
	[TOP_FCNTL] = parse_fcntl,
	[TOP_URING] = parse_uring,
	[TOP_URING_POLL] = parse_uring_poll,
	[TOP_URING_READ] = parse_uring_read,
	[TOP_URING_WAIT] = parse_uring_wait,
};

/* ---- lines ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;	/* overlong */
	else if (c == 0xed)
		hi = 0x9f;	/* surrogates */
	else if (c == 0xf0)
		lo = 0x90;	/* overlong */
	else if (c == 0xf4)
		hi = 0x8f;	/* above U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * The length of the code part of a line (up to a `#` comment), which may hold
 * only tabs and printable ASCII; -1 on a bad byte.
 */
static long check_code_bytes(struct parser *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i] != '#'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c != '\t' && (c < 0x20 || c > 0x7e))
			return fail(p, (int)i + 1, "invalid byte 0x%02x", c);
	}
	return (long)i;
}

/* Inside comments (bytes from..n of the line): also UTF-8, still no control bytes. */
static int check_comment_bytes(struct parser *p, const char *s, size_t from, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = from; i < n;) {
		size_t k;

		if (u[i] < 0x80) {
			if (u[i] != '\t' && (u[i] < 0x20 || u[i] == 0x7f))
				return fail(p, (int)i + 1, "invalid byte 0x%02x", u[i]);
			i++;
			continue;
		}
		k = utf8_seq_len(u + i, n - i);
		if (k == 0)
			return fail(p, (int)i + 1, "invalid UTF-8 byte 0x%02x in comment", u[i]);
		i += k;
	}
	return 0;
}

/* Cut the code part of a line into words, up to `=>`. */
static void split_words(struct parser *p, const char *s, size_t n, struct line *ln)
{
	size_t i = 0;
	int count = 0;

	*ln = (struct line){ .w = p->words, .end_col = 1 };
	for (;;) {
		size_t start;

		while (i < n && is_blank(s[i]))
			i++;
		if (i >= n)
			break;
		if (n - i >= 2 && s[i] == '=' && s[i + 1] == '>') {
			ln->arrow_col = (int)i + 1;
			ln->expect = s + i + 2;
			ln->expect_len = (int)(n - i - 2);
			break;
		}
		start = i;
		while (i < n && !is_blank(s[i]))
			i++;
		p->words[count++] = (struct word){ s + start, (int)(i - start), (int)start + 1 };
		ln->end_col = (int)i + 1;
	}
	ln->n = count;
}

/* The index of thread `name`, adding it on first use. */
static int thread_index(struct parser *p, const struct word *name, int len, int *index)
{
	struct trace *t = p->t;
	struct trace_thread *th;

	if (map_find(&p->threads, name->s, (size_t)len, index))
		return 0;
	if (t->nthreads >= MAX_THREADS)
		return fail(p, name->col, "too many threads (max %d)", MAX_THREADS);
	th = reserve(p, t->threads, &p->threads_cap, t->nthreads, sizeof(*th));
	if (!th)
		return -1;
	t->threads = th;
	th = &t->threads[t->nthreads];
	th->process = false;	/* until a fork step makes it a process (realloc'd memory) */
	th->name = dup_bytes(name->s, (size_t)len);
	if (!th->name)
		return fail_oom(p);
	if (map_add(&p->threads, th->name, (size_t)len, (int)t->nthreads) < 0) {
		free(th->name);
		return fail_oom(p);
	}
	*index = (int)t->nthreads++;
	return 0;
}

/* `thread NAME:` or `thread NAME :` before the op. */
static int parse_thread_prefix(struct parser *p, struct line *ln)
{
	const struct word *name;
	int len, skip;

	if (ln->n == 0 || !word_is(&ln->w[0], "thread"))
		return 0;
	if (ln->n < 2 || word_is(&ln->w[1], ":"))
		return fail(p, ln->n < 2 ? ln->end_col : ln->w[1].col, "missing thread name");
	name = &ln->w[1];
	len = name->len;
	if (name->s[len - 1] == ':') {
		len--;
		skip = 2;
	} else if (ln->n >= 3 && word_is(&ln->w[2], ":")) {
		skip = 3;
	} else {
		return fail(p, ln->n >= 3 ? ln->w[2].col : ln->end_col,
			    "expected ':' after thread name");
	}
	if (!is_ident(name->s, len))
		return fail(p, name->col, "bad thread name '%.*s'", len, name->s);
	if (thread_index(p, name, len, &ln->thread) < 0)
		return -1;
	ln->end_col = ln->w[skip - 1].col + ln->w[skip - 1].len;
	ln->w += skip;
	ln->n -= skip;
	return 0;
}

/* The words joined by single spaces. */
static char *join_words(const struct word *w, int n)
{
	size_t len = 0, at = 0;
	char *s;

	for (int i = 0; i < n; i++)
		len += (size_t)w[i].len + 1;
	s = malloc(len ? len : 1);
	if (!s)
		return NULL;
	for (int i = 0; i < n; i++) {
		if (i > 0)
			s[at++] = ' ';
		memcpy(s + at, w[i].s, (size_t)w[i].len);
		at += (size_t)w[i].len;
	}
	s[at] = '\0';
	return s;
}

/* Fill the expectation of st from the line. */
static int parse_expect(struct parser *p, const struct line *ln, struct trace_step *st)
{
	const char *why = NULL;
	int i = 0;

	if (!ln->expect)
		return 0;
	while (i < ln->expect_len && is_blank(ln->expect[i]))
		i++;
	if (i == ln->expect_len)
		return fail(p, ln->arrow_col + 2, "missing expectation after '=>'");
	st->expect_loc = (struct trace_loc){ p->line, ln->arrow_col + 2 + i };
	if (trace_expect_normalise(st->op, ln->expect, (size_t)ln->expect_len, &st->expect, &why) == 0)
		return 0;
	return why ? fail(p, st->expect_loc.col, "%s", why) : fail_oom(p);
}

static int lookup_op(struct parser *p, const struct word *w, enum trace_opcode *op)
{
	for (int i = 0; i < TOP__COUNT; i++) {
		if (word_is(w, trace_op_name((enum trace_opcode)i))) {
			*op = (enum trace_opcode)i;
			return 0;
		}
	}
	return fail(p, w->col, "unknown op '%.*s'", w->len, w->s);
}

static void free_step(struct trace_step *st)
{
	free(st->text);
	free(st->expect);
	free(st->fdargs);
}

/* Parse the op words of a line into st (its strings owned by st even on error). */
static int parse_step(struct parser *p, const struct line *ln, struct trace_step *st)
{
	enum trace_opcode op = TOP_EPOLL;
	struct args a = { ln->w + 1, ln->n - 1, 0, ln->end_col };

	if (lookup_op(p, &ln->w[0], &op) < 0)
		return -1;
	if (p->t->nsteps >= p->max_steps)
		return fail(p, ln->w[0].col, "too many steps (max %zu)", p->max_steps);
	*st = (struct trace_step){
		.loc = { p->line, ln->w[0].col }, .op = op, .thread = ln->thread,
		.obj = -1, .obj2 = -1, .maxevents = 16, .buf = TBUF_DEFAULT,
		.sigsetsize = 8, .target = -1,
	};
	if (op_parsers[op](p, &a, st) < 0 || parse_expect(p, ln, st) < 0)
		return -1;
	st->text = join_words(ln->w, ln->n);
	return st->text ? 0 : fail_oom(p);
}

static int parse_op_line(struct parser *p, const struct line *ln)
{
	struct trace *t = p->t;
	struct trace_step st = { 0 };
	struct trace_step *steps = NULL;

	if (parse_step(p, ln, &st) == 0)
		steps = reserve(p, t->steps, &p->steps_cap, t->nsteps, sizeof(st));
	if (!steps) {
		free_step(&st);
		return -1;
	}
	t->steps = steps;
	t->steps[t->nsteps++] = st;
	return 0;
}

static int parse_line_body(struct parser *p, const char *s, size_t n);

/* `repeat N: TEMPLATE` at the start of a line, or 0 if the line does not start so. */
static size_t repeat_prefix(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i < 7 || memcmp(s + i, "repeat", 6) != 0 || (s[i + 6] != ' ' && s[i + 6] != '\t'))
		return 0;
	return i + 6;
}

/* Expand `repeat N: TEMPLATE`: N lines, with `$i` replaced by 0 .. N-1. */
static int parse_repeat(struct parser *p, const char *s, size_t n, size_t at)
{
	char buf[MAX_LINE + 1], num[24];
	size_t i = at, start, colon;
	uint64_t count;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	start = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	colon = i;
	if (colon == start || colon >= n || s[colon] != ':')
		return fail(p, (int)start + 1, "expected 'repeat N:' with N a number");
	if (parse_number(p, s + start, (int)(colon - start), (int)start + 1, R_REPEAT, &count) < 0)
		return -1;
	for (uint64_t k = 0; k < count; k++) {
		size_t len = colon + 1, j;
		memset(buf, ' ', len);	/* keep the template's columns */
		for (j = colon + 1; j < n; j++) {
			size_t add = 1;
			const char *from = s + j;
			if (s[j] == '$' && j + 1 < n && s[j + 1] == 'i') {
				add = (size_t)snprintf(num, sizeof(num), "%llu", (unsigned long long)k);
				from = num;
				j++;
			}
			if (len + add > MAX_LINE)
				return fail(p, (int)j + 1, "line too long after 'repeat' (max %d bytes)",
					    MAX_LINE);
			memcpy(buf + len, from, add);
			len += add;
		}
		if (parse_line_body(p, buf, len) < 0)
			return -1;
	}
	return 0;
}

static int parse_line(struct parser *p, const char *s, size_t n)
{
	size_t rep;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n > MAX_LINE)
		return fail(p, MAX_LINE + 1, "line too long (max %d bytes)", MAX_LINE);
	rep = repeat_prefix(s, n);
	if (rep)
		return parse_repeat(p, s, n, rep);
	return parse_line_body(p, s, n);
}

static int parse_line_body(struct parser *p, const char *s, size_t n)
{
	struct line ln;
	long code;

	code = check_code_bytes(p, s, n);
	if (code < 0 || check_comment_bytes(p, s, (size_t)code, n) < 0)
		return -1;
	split_words(p, s, (size_t)code, &ln);
	if (ln.n == 0 && !ln.expect)
		return 0;
	if (parse_thread_prefix(p, &ln) < 0)
		return -1;
	if (ln.n == 0)
		return fail(p, ln.expect ? ln.arrow_col : ln.end_col, "missing op");
	return parse_op_line(p, &ln);
}

static int parse_lines(struct parser *p, const char *text, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		if (p->line == INT_MAX)
			return fail(p, 1, "too many lines");
		p->line++;
		if (parse_line(p, text + pos, end - pos) < 0)
			return -1;
		pos = end + 1;
	}
	return 0;
}

/* ---- the trace ---- */

static int parser_init(struct parser *p, const char *path, size_t max_steps,
		       struct trace_error *err)
{
	struct word main_name = { "main", 4, 1 };
	int index;

	*p = (struct parser){ .err = err, .max_steps = max_steps };
	p->t = calloc(1, sizeof(*p->t));
	p->words = malloc(MAX_WORDS * sizeof(*p->words));
	if (!p->t || !p->words)
		return fail_oom(p);
	p->t->path = strdup(path ? path : "-");
	if (!p->t->path)
		return fail_oom(p);
	return thread_index(p, &main_name, 4, &index);
}

static void parser_done(struct parser *p)
{
	map_free(&p->names);
	map_free(&p->threads);
	free(p->words);
}

int trace_parse_with_limit(const char *path, const char *text, size_t len, size_t max_steps,
			   struct trace **out, struct trace_error *err)
{
	struct trace_error dummy;
	struct parser p;
	int rc;

	if (!err)
		err = &dummy;
	*err = (struct trace_error){ 0 };
	if (!text)
		len = 0;
	rc = parser_init(&p, path, max_steps, err);
	if (rc == 0)
		rc = parse_lines(&p, text, len);
	parser_done(&p);
	if (rc < 0) {
		trace_free(p.t);
		p.t = NULL;
	}
	if (out)
		*out = p.t;
	else
		trace_free(p.t);
	return rc;
}

int trace_parse(const char *path, const char *text, size_t len, struct trace **out,
		struct trace_error *err)
{
	return trace_parse_with_limit(path, text, len, MAX_STEPS, out, err);
}

/* Read a whole file into a malloc'd buffer; -1 with errno set. */
static int read_all(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, used = 0;
	char *b = NULL;

	if (!f)
		return -1;
	for (;;) {
		if (used == cap) {
			char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(b, cap ? cap * 2 : 65536);

			if (!nb) {
				free(b);
				fclose(f);
				errno = ENOMEM;
				return -1;
			}
			b = nb;
			cap = cap ? cap * 2 : 65536;
		}
		used += fread(b + used, 1, cap - used, f);
		if (used < cap)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		free(b);
		fclose(f);
		errno = e ? e : EIO;
		return -1;
	}
	fclose(f);
	*buf = b;
	*len = used;
	return 0;
}

int trace_parse_file(const char *path, struct trace **out, struct trace_error *err)
{
	struct trace_error dummy;
	char *buf, ebuf[128];
	size_t len;
	int rc;

	if (!err)
		err = &dummy;
	if (out)
		*out = NULL;
	if (!path || read_all(path, &buf, &len) < 0) {
		const char *why = path ? strerror_r(errno, ebuf, sizeof(ebuf)) : "no path";

		*err = (struct trace_error){ 0 };
		snprintf(err->msg, sizeof(err->msg), "cannot read file: %s", why);
		return -1;
	}
	rc = trace_parse(path, buf, len, out, err);
	free(buf);
	return rc;
}

void trace_free(struct trace *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nsteps; i++)
		free_step(&t->steps[i]);
	for (size_t i = 0; i < t->nnames; i++)
		free(t->names[i].name);
	for (size_t i = 0; i < t->nthreads; i++)
		free(t->threads[i].name);
	free(t->steps);
	free(t->names);
	free(t->threads);
	free(t->path);
	free(t);
}

void trace_error_print(const char *path, const struct trace_error *err, void *file)
{
	FILE *f = file ? file : stderr;

	if (!path)
		path = "-";
	if (err->loc.line <= 0)
		fprintf(f, "%s: error: %s\n", path, err->msg);
	else
		fprintf(f, "%s:%d:%d: error: %s\n", path, err->loc.line, err->loc.col, err->msg);
}
