/*
 * Inline expectations (`=> TEXT`): normalised at parse time to the form the
 * result log renders, so that a value is compared, not its spelling; and
 * matched against a rendered result, one of its alternatives at a time.
 * The rules are documented in docs/trace-language.md ("Expectations").
 */
#include <stdlib.h>
#include <string.h>
#include "strbuf.h"
#include "trace.h"

#define EXPECT_MAX 8192	/* a normalised expectation never grows past this */

struct expect_out {
	char *buf;
	size_t len, pos;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Decimal or 0x hex, no sign: the number the trace language reads. */
static bool parse_unsigned(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;
	int base = 10;

	if (n == 0)
		return false;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < n; i++) {
		int d;
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return false;
		if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false;
		x = x * (uint64_t)base + (uint64_t)d;
	}
	*v = x;
	return true;
}

static void put_n(struct expect_out *o, const char *s, size_t n)
{
	char tmp[EXPECT_MAX];

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	sb_put(o->buf, o->len, &o->pos, tmp);
}

/* A number as decimal, anything else as written. */
static void put_number(struct expect_out *o, const char *s, size_t n)
{
	uint64_t v;

	if (parse_unsigned(s, n, &v))
		sb_put_u64(o->buf, o->len, &o->pos, v);
	else
		put_n(o, s, n);
}

/* An event mask ("out|in", "0x5") in the order trace_format_events renders it. */
static void put_events(struct expect_out *o, const char *s, size_t n)
{
	char tmp[256], mask[160];
	uint32_t ev;

	if (n >= sizeof(tmp)) {
		put_n(o, s, n);
		return;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (trace_parse_events(tmp, &ev) != 0) {
		put_n(o, s, n);
		return;
	}
	trace_format_events(ev, mask, sizeof(mask));
	sb_put(o->buf, o->len, &o->pos, mask);
}

/* A signal set ("usr2|usr1") in the order trace_format_sigset renders it. */
static void put_sigset(struct expect_out *o, const char *s, size_t n)
{
	char tmp[256], out[256];
	uint64_t set = 0;
	char *save = NULL;

	if (n >= sizeof(tmp) || (n == 1 && s[0] == '0')) {
		put_n(o, s, n);
		return;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	for (char *e = strtok_r(tmp, "|", &save); e; e = strtok_r(NULL, "|", &save)) {
		int sig = trace_signal_value(e);
		if (sig <= 0) {
			put_n(o, s, n);
			return;
		}
		set |= 1ULL << (sig - 1);
	}
	trace_format_sigset(set, out, sizeof(out));
	sb_put(o->buf, o->len, &o->pos, out);
}

/* One `key=value` word outside or inside brackets. */
static void put_keyed(struct expect_out *o, const char *w, size_t n)
{
	const char *eq = memchr(w, '=', n);
	size_t k = eq ? (size_t)(eq - w) + 1 : 0;

	if (!eq) {
		put_n(o, w, n);
		return;
	}
	put_n(o, w, k);
	if ((k == 5 && !memcmp(w, "data=", 5)) || (k == 6 && !memcmp(w, "value=", 6)))
		put_number(o, w + k, n - k);
	else if (k == 8 && !memcmp(w, "pending=", 8))
		put_sigset(o, w + k, n - k);
	else
		put_n(o, w + k, n - k);
}

/* The ops whose result brackets are `[NAME MASK data=D]`. */
static bool is_wait_op(enum trace_opcode op)
{
	return op == TOP_WAIT || op == TOP_PWAIT || op == TOP_PWAIT2;
}

/*
 * One bracket: its words (without the brackets). A wait's is NAME MASK
 * [data=D], a missing data= matching any data (data=*); a poll's is NAME EVENTS.
 */
static void put_bracket(struct expect_out *o, enum trace_opcode op, const char *s, size_t n)
{
	size_t i = 0, word = 0;
	bool has_data = false;

	sb_put(o->buf, o->len, &o->pos, "[");
	while (i < n) {
		size_t st = i;
		while (i < n && s[i] != ' ')
			i++;
		if (word)
			sb_put(o->buf, o->len, &o->pos, " ");
		if (word == 1 && (is_wait_op(op) || op == TOP_POLL))
			put_events(o, s + st, i - st);
		else
			put_keyed(o, s + st, i - st);
		has_data |= i - st > 5 && !memcmp(s + st, "data=", 5);
		word++;
		while (i < n && s[i] == ' ')
			i++;
	}
	if (is_wait_op(op) && word == 2 && !has_data)
		sb_put(o->buf, o->len, &o->pos, " data=*");	/* any data */
	sb_put(o->buf, o->len, &o->pos, "]");
}

/* One alternative, already in single-spaced words with tight brackets. */
static void put_alternative(struct expect_out *o, enum trace_opcode op, const char *s, size_t n)
{
	size_t i = 0;
	bool first = true;

	while (i < n) {
		size_t st = i;
		if (!first)
			sb_put(o->buf, o->len, &o->pos, " ");
		if (s[i] == '[') {
			const char *close = memchr(s + i, ']', n - i);
			size_t end = close ? (size_t)(close - s) : n;
			put_bracket(o, op, s + i + 1, end - i - 1);
			i = close ? end + 1 : n;
		} else {
			while (i < n && s[i] != ' ')
				i++;
			if (first)
				put_number(o, s + st, i - st);
			else
				put_keyed(o, s + st, i - st);
		}
		first = false;
		while (i < n && s[i] == ' ')
			i++;
	}
}

/* Single spaces between words, none just inside brackets. */
static size_t squeeze(const char *s, size_t n, char *out)
{
	size_t at = 0;
	bool space = false;

	for (size_t i = 0; i < n; i++) {
		if (is_blank(s[i])) {
			space = true;
			continue;
		}
		if (space && at > 0 && out[at - 1] != '[' && s[i] != ']')
			out[at++] = ' ';
		space = false;
		out[at++] = s[i];
	}
	out[at] = '\0';
	return at;
}

/* A result the log gives a call that never completed: never a value to expect. */
static bool never_a_result(const char *alt)
{
	return !strcmp(alt, "blocks") || !strcmp(alt, "still blocked") || !strcmp(alt, "watchdog");
}

int trace_expect_normalise(enum trace_opcode op, const char *s, size_t n, char **out,
			   const char **why)
{
	char *sq = malloc(n + 1), *buf = malloc(EXPECT_MAX);
	struct expect_out o = { buf, EXPECT_MAX, 0 };
	size_t len, from = 0;

	*out = NULL;
	*why = NULL;
	if (!sq || !buf) {
		free(sq);
		free(buf);
		return -1;
	}
	buf[0] = '\0';
	len = squeeze(s, n, sq);
	for (size_t i = 0; i <= len; i++) {
		bool bar = i < len && sq[i] == '|' && (i == 0 || sq[i - 1] == ' ') &&
			   (i + 1 == len || sq[i + 1] == ' ');
		if (i < len && !bar)
			continue;
		size_t a = from, b = i;	/* the alternative sq[a, b) without its spaces */
		while (a < b && sq[a] == ' ')
			a++;
		while (b > a && sq[b - 1] == ' ')
			b--;
		if (a == b) {
			*why = "empty alternative in expectation (alternatives are 'A | B')";
			break;
		}
		size_t at = o.pos;
		if (at)
			sb_put(buf, EXPECT_MAX, &o.pos, " | ");
		at = o.pos;
		put_alternative(&o, op, sq + a, b - a);
		if (never_a_result(buf + at)) {
			*why = "a call that does not complete fails its expectation: expect its result";
			break;
		}
		from = i + 1;
	}
	free(sq);
	if (*why) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* One alternative a[0, n) against a whole result; "data=*" matches any data=D. */
static bool alt_matches(const char *a, size_t n, const char *got)
{
	size_t i = 0;

	while (i < n) {
		if (a[i] == '*' && i >= 5 && !memcmp(a + i - 5, "data=", 5)) {
			if (*got < '0' || *got > '9')
				return false;
			while (*got >= '0' && *got <= '9')
				got++;
			i++;
			continue;
		}
		if (*got != a[i])
			return false;
		got++;
		i++;
	}
	return *got == '\0';
}

bool trace_expect_matches(const char *expect, const char *got)
{
	for (const char *a = expect; a;) {
		const char *bar = strstr(a, " | ");
		size_t n = bar ? (size_t)(bar - a) : strlen(a);
		if (alt_matches(a, n, got))
			return true;
		a = bar ? bar + 3 : NULL;
	}
	return false;
}

bool trace_expect_has_alternatives(const char *expect)
{
	return expect && strstr(expect, " | ") != NULL;
}
