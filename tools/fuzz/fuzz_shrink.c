/*
 * The shrinker of `epsim fuzz`: reduce a trace that satisfies a predicate
 * (it diverges) to a small one that still does.
 *
 * A trace is handled as its list of step lines (comments and blank lines
 * dropped). Three passes repeat until none makes progress or the budget of
 * predicate calls is spent:
 *   1. delta debugging (ddmin) over lines: remove chunks, halving them;
 *   2. removal of one step together with every step that uses a name it
 *      defines (so most candidates still parse);
 *   3. fewer names: drop a step that defines names and make the steps that
 *      used them use another name instead;
 *   4. simpler arguments, line by line: drop a word (an option or a flag
 *      list), drop one flag of a `|` list, make a number 0, 1 or half.
 * A candidate that does not parse is never given to the predicate. Numbers
 * that are times (timeout=, initial=, interval=, ts=) only shrink to 0, so
 * no candidate depends on how fast real time runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "trace.h"
#include "xalloc.h"

#define DEFAULT_MAX_TESTS 5000
#define MAX_WORDS 64

struct lines {
	char **v;
	size_t n;
};

struct shrinker {
	fuzz_pred_fn pred;
	void *ctx;
	int tests, max_tests;
	struct lines cur;
};

/* ------------------------------------------------------------- lines */

static bool blank_or_comment(const char *s)
{
	s += strspn(s, " \t");
	return *s == '\0' || *s == '#';
}

static void lines_split(const char *text, struct lines *l)
{
	const char *p = text;

	memset(l, 0, sizeof(*l));
	while (*p) {
		size_t n = strcspn(p, "\n");
		char *s = xcalloc(n + 1, 1);

		memcpy(s, p, n);
		if (n && s[n - 1] == '\r')
			s[n - 1] = '\0';
		if (!blank_or_comment(s)) {
			l->v = xrealloc(l->v, (l->n + 1) * sizeof(char *));
			l->v[l->n++] = s;
		} else {
			free(s);
		}
		p += n + (p[n] == '\n');
	}
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The lines not marked in skip (may be NULL), as text. */
static char *lines_join(const struct lines *l, const bool *skip)
{
	size_t len = 1, pos = 0;
	char *s;

	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	s = xcalloc(len, 1);
	for (size_t i = 0; i < l->n; i++) {
		if (skip && skip[i])
			continue;
		pos += (size_t)sprintf(s + pos, "%s\n", l->v[i]);
	}
	return s;
}

/* Keep only the lines not marked in skip. */
static void lines_drop(struct lines *l, const bool *skip)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (skip[i])
			free(l->v[i]);
		else
			l->v[k++] = l->v[i];
	}
	l->n = k;
}

/* ------------------------------------------------------------- tests */

static bool out_of_budget(const struct shrinker *s)
{
	return s->tests >= s->max_tests;
}

/* Does this candidate parse and satisfy the predicate? */
static bool test_text(struct shrinker *s, const char *text)
{
	if (out_of_budget(s) || fuzz_count_steps(text) < 0)
		return false;
	s->tests++;
	return s->pred(s->ctx, text);
}

/* Try the current lines without those in skip; keep the result if it still holds. */
static bool try_drop(struct shrinker *s, const bool *skip)
{
	char *text = lines_join(&s->cur, skip);
	bool ok = test_text(s, text);

	free(text);
	if (ok)
		lines_drop(&s->cur, skip);
	return ok;
}

/* ------------------------------------------------------- 1. ddmin */

/* Remove chunk `c` of `nchunks` (by line index). */
static bool try_chunk(struct shrinker *s, size_t c, size_t nchunks)
{
	size_t n = s->cur.n, from = c * n / nchunks, to = (c + 1) * n / nchunks;
	bool *skip = xcalloc(n + 1, sizeof(bool));
	bool ok;

	for (size_t i = from; i < to; i++)
		skip[i] = true;
	ok = to > from && try_drop(s, skip);
	free(skip);
	return ok;
}

static bool pass_ddmin(struct shrinker *s)
{
	size_t nchunks = 2;
	bool progress = false;

	while (s->cur.n >= 2 && !out_of_budget(s)) {
		bool reduced = false;

		if (nchunks > s->cur.n)
			nchunks = s->cur.n;
		for (size_t c = 0; c < nchunks && !reduced; c++)
			reduced = try_chunk(s, c, nchunks);
		if (reduced) {
			progress = true;
			nchunks = nchunks > 2 ? nchunks - 1 : 2;
			continue;
		}
		if (nchunks >= s->cur.n)
			break;
		nchunks = nchunks * 2 < s->cur.n ? nchunks * 2 : s->cur.n;
	}
	return progress;
}

/* ---------------------------------------------- 2. steps and their users */

/* Does step j use a name defined by a step marked in skip, or signal a thread that no kept step
 * before it has used? */
static bool uses_dropped(const struct trace *t, size_t j, const bool *skip)
{
	const struct trace_step *st = &t->steps[j];
	int names[2] = { st->obj, st->obj2 };

	for (int k = 0; k < 2; k++)
		if (names[k] >= 0 && skip[t->names[names[k]].step])
			return true;
	if (st->op != TOP_SIGNAL || st->target <= 0)
		return false;
	for (size_t i = 0; i < j; i++)
		if (!skip[i] && t->steps[i].thread == st->target)
			return false;
	return true;
}

/* Mark in skip every step that depends, directly or not, on a marked one. */
static void close_over_users(const struct trace *t, bool *skip)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t j = 0; j < t->nsteps; j++) {
			if (!skip[j] && uses_dropped(t, j, skip)) {
				skip[j] = true;
				changed = true;
			}
		}
	}
}

/* Remove step i and its users. */
static bool try_step_closure(struct shrinker *s, size_t i)
{
	char *text = lines_join(&s->cur, NULL);
	struct trace *t = NULL;
	struct trace_error err;
	bool *skip, ok = false;

	if (trace_parse("shrink", text, strlen(text), &t, &err) == 0 && t->nsteps == s->cur.n) {
		skip = xcalloc(s->cur.n + 1, sizeof(bool));
		skip[i] = true;
		close_over_users(t, skip);
		ok = try_drop(s, skip);
		free(skip);
	}
	trace_free(t);
	free(text);
	return ok;
}

static bool pass_closure(struct shrinker *s)
{
	bool progress = false;

	for (size_t i = s->cur.n; i-- > 0 && !out_of_budget(s);) {
		if (try_step_closure(s, i)) {
			progress = true;
			if (i > s->cur.n)
				i = s->cur.n;
		}
	}
	return progress;
}

/* ------------------------------------------------------ 3. fewer names */

/* Is word w (of length n) one of the names step `def` defines? */
static bool defined_by(const struct trace *t, size_t def, const char *w, size_t n)
{
	for (size_t k = 0; k < t->nnames; k++)
		if (t->names[k].step == (int)def && strlen(t->names[k].name) == n &&
		    !strncmp(t->names[k].name, w, n))
			return true;
	return false;
}

/* Line with every word that is a name defined by step def replaced by `by`. */
static char *rename_words(const struct trace *t, size_t def, const char *line, const char *by)
{
	size_t cap = strlen(line) * (strlen(by) + 1) + 1, pos = 0;
	char *out = xcalloc(cap, 1);
	const char *p = line;

	while (*p) {
		size_t sp = strspn(p, " \t"), n;

		memcpy(out + pos, p, sp);
		pos += sp;
		p += sp;
		n = strcspn(p, " \t");
		if (n && defined_by(t, def, p, n)) {
			pos += (size_t)sprintf(out + pos, "%s", by);
		} else {
			memcpy(out + pos, p, n);
			pos += n;
		}
		p += n;
	}
	return out;
}

/* Drop step def and make every later step use name `by` for the names it defined. */
static bool try_rename(struct shrinker *s, const struct trace *t, size_t def, const char *by)
{
	struct lines cand = { xcalloc(s->cur.n, sizeof(char *)), 0 };
	char *text;
	bool ok;

	for (size_t i = 0; i < s->cur.n; i++) {
		if (i == def)
			continue;
		cand.v[cand.n++] = i > def ? rename_words(t, def, s->cur.v[i], by)
					   : xstrdup(s->cur.v[i]);
	}
	text = lines_join(&cand, NULL);
	ok = test_text(s, text);
	free(text);
	if (ok) {
		lines_free(&s->cur);
		s->cur = cand;
	} else {
		lines_free(&cand);
	}
	return ok;
}

/* One renaming that holds, for some step that defines names; false if none. */
static bool rename_once(struct shrinker *s)
{
	char *text = lines_join(&s->cur, NULL);
	struct trace *t = NULL;
	struct trace_error err;
	bool ok = false;

	if (trace_parse("shrink", text, strlen(text), &t, &err) == 0 && t->nsteps == s->cur.n) {
		for (size_t k = 0; k < t->nnames && !ok && !out_of_budget(s); k++) {
			size_t def = (size_t)t->names[k].step;
			for (size_t b = 0; b < t->nnames && !ok && !out_of_budget(s); b++)
				if (t->names[b].step != (int)def)
					ok = try_rename(s, t, def, t->names[b].name);
		}
	}
	trace_free(t);
	free(text);
	return ok;
}

static bool pass_rename(struct shrinker *s)
{
	bool progress = false;

	while (!out_of_budget(s) && rename_once(s))
		progress = true;
	return progress;
}

/* ---------------------------------------------------- 4. arguments */

struct words {
	char *w[MAX_WORDS];
	int n;
	int first;	/* index of the op word (after a thread prefix) */
};

static void words_split(const char *line, struct words *ws)
{
	const char *p = line;

	ws->n = 0;
	ws->first = 0;
	while (*p && ws->n < MAX_WORDS) {
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (!n)
			break;
		ws->w[ws->n] = xcalloc(n + 1, 1);
		memcpy(ws->w[ws->n++], p, n);
		p += n;
	}
	if (ws->n > 0 && !strcmp(ws->w[0], "thread"))
		for (int i = 1; i < ws->n; i++)
			if (strchr(ws->w[i], ':')) {
				ws->first = i + 1;
				break;
			}
}

static void words_free(struct words *ws)
{
	for (int i = 0; i < ws->n; i++)
		free(ws->w[i]);
	ws->n = 0;
}

/* The line with word k replaced by repl (NULL: removed). */
static char *words_join(const struct words *ws, int k, const char *repl)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < ws->n; i++)
		len += strlen(ws->w[i]) + 1;
	len += repl ? strlen(repl) : 0;
	s = xcalloc(len, 1);
	for (int i = 0; i < ws->n; i++) {
		const char *w = i == k ? repl : ws->w[i];
		if (!w)
			continue;
		if (*s)
			strcat(s, " ");
		strcat(s, w);
	}
	return s;
}

/* Try line i as `line`; keep it if the trace still satisfies the predicate. */
static bool try_line(struct shrinker *s, size_t i, char *line)
{
	char *old = s->cur.v[i], *text;
	bool ok;

	if (!strcmp(old, line)) {
		free(line);
		return false;
	}
	s->cur.v[i] = line;
	text = lines_join(&s->cur, NULL);
	ok = test_text(s, text);
	free(text);
	if (ok) {
		free(old);
		return true;
	}
	s->cur.v[i] = old;
	free(line);
	return false;
}

/* Keys whose numbers are times: only 0 is tried, never a small positive time. */
static bool is_time_key(const char *word)
{
	return !strncmp(word, "timeout=", 8) || !strncmp(word, "initial=", 8) ||
	       !strncmp(word, "interval=", 9) || !strncmp(word, "ts=", 3);
}

/* The word with element e of its '|' list removed; NULL if it has no such element. */
static char *without_element(const char *word, int e)
{
	const char *eq = strchr(word, '='), *list = eq ? eq + 1 : word, *p = list;
	char *out = xcalloc(strlen(word) + 1, 1);
	int idx = 0;
	bool found = false;

	memcpy(out, word, (size_t)(list - word));
	while (strchr(list, '|')) {	/* one element per round, until the last */
		size_t n = strcspn(p, "|");

		if (idx == e) {
			found = true;
		} else {
			if (out[list - word] != '\0')
				strcat(out, "|");
			strncat(out, p, n);
		}
		idx++;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	if (!found) {
		free(out);
		return NULL;
	}
	return out;
}

/* Candidates for a numeric word (or key=number): "0", "1", half. n is filled; 0 if not numeric. */
static int number_candidates(const char *word, char cand[3][64])
{
	const char *eq = strchr(word, '='), *v = eq ? eq + 1 : word;
	int klen = eq ? (int)(eq - word + 1) : 0, n = 0;
	unsigned long long x;
	char *end;

	if (*v == '\0' || strchr(v, ',') || strchr(v, '|'))
		return 0;
	if (*v == '-') {
		x = 0;
		strtoll(v, &end, 0);
	} else {
		x = strtoull(v, &end, 0);
	}
	if (*end != '\0' || end == v)
		return 0;
	snprintf(cand[n++], 64, "%.*s0", klen, word);
	if (is_time_key(word))
		return n;
	snprintf(cand[n++], 64, "%.*s1", klen, word);
	if (x > 2)
		snprintf(cand[n++], 64, "%.*s%llu", klen, word, x / 2);
	return n;
}

/* One simplification of word k of line i that still holds; false if none. */
static bool simplify_word(struct shrinker *s, size_t i, const struct words *ws, int k)
{
	char cand[3][64];
	int n;

	if (try_line(s, i, words_join(ws, k, NULL)))
		return true;
	for (int e = 0;; e++) {
		char *w = without_element(ws->w[k], e);
		if (!w)
			break;
		bool ok = try_line(s, i, words_join(ws, k, w));
		free(w);
		if (ok)
			return true;
	}
	n = number_candidates(ws->w[k], cand);
	for (int c = 0; c < n; c++)	/* the smallest that works */
		if (try_line(s, i, words_join(ws, k, cand[c])))
			return true;
	return false;
}

/* Simplify line i until no word can be made simpler. */
static bool simplify_line(struct shrinker *s, size_t i)
{
	bool progress = false, again = true;

	while (again && !out_of_budget(s)) {
		struct words ws;

		again = false;
		words_split(s->cur.v[i], &ws);
		for (int k = ws.first + 1; k < ws.n && !again; k++)
			again = simplify_word(s, i, &ws, k);
		words_free(&ws);
		progress |= again;
	}
	return progress;
}

static bool pass_arguments(struct shrinker *s)
{
	bool progress = false;

	for (size_t i = 0; i < s->cur.n && !out_of_budget(s); i++)
		progress |= simplify_line(s, i);
	return progress;
}

/* ------------------------------------------------------------- driver */

char *fuzz_shrink(const char *text, fuzz_pred_fn pred, void *ctx, int max_tests,
		  struct fuzz_shrink_stats *st)
{
	struct shrinker s = { .pred = pred, .ctx = ctx };
	char *out;
	bool progress = true;

	s.max_tests = max_tests > 0 ? max_tests : DEFAULT_MAX_TESTS;
	lines_split(text, &s.cur);
	if (st)
		st->steps_before = (int)s.cur.n;
	while (progress && !out_of_budget(&s)) {
		progress = pass_ddmin(&s);
		progress |= pass_closure(&s);
		progress |= pass_rename(&s);
		progress |= pass_arguments(&s);
	}
	out = lines_join(&s.cur, NULL);
	if (st) {
		st->tests = s.tests;
		st->steps_after = (int)s.cur.n;
	}
	lines_free(&s.cur);
	return out;
}
