/* Legal races in result logs (lograce.h). */
#include <stdlib.h>
#include <string.h>
#include "lograce.h"
#include "xalloc.h"

/*
 * If line is a completion ("STEP  [THREAD: ]TEXT  = RESULT") of step st's
 * call, its RESULT; else NULL.
 */
static const char *completion_of(const struct trace *t, const struct trace_step *st,
				 const char *line)
{
	const char *p = line, *name = t->threads[st->thread].name;
	size_t n;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == line || *p != ' ')
		return NULL;	/* "end" lines and headers are never completions */
	while (*p == ' ')
		p++;
	if (st->thread != 0) {
		n = strlen(name);
		if (strncmp(p, name, n) != 0 || strncmp(p + n, ": ", 2) != 0)
			return NULL;
		p += n + 2;
	}
	n = strlen(st->text);
	if (strncmp(p, st->text, n) != 0)
		return NULL;
	p += n;
	while (*p == ' ')
		p++;
	return strncmp(p, "= ", 2) == 0 ? p + 2 : NULL;
}

/* The raced step whose call line is, or NULL; *result set to its RESULT. */
static const struct trace_step *raced_step_of(const struct trace *t, const char *line,
					      const char **result)
{
	for (size_t i = 0; i < t->nsteps; i++) {
		const struct trace_step *st = &t->steps[i];
		if (!trace_expect_has_alternatives(st->expect))
			continue;
		*result = completion_of(t, st, line);
		if (*result)
			return st;
	}
	return NULL;
}

static bool has_races(const struct trace *t)
{
	for (size_t i = 0; i < t->nsteps; i++)
		if (trace_expect_has_alternatives(t->steps[i].expect))
			return true;
	return false;
}

void log_race_set_aside(const struct trace *t, struct log_lines *l, struct log_lines *aside)
{
	size_t keep = 0;
	const char *res;

	memset(aside, 0, sizeof(*aside));
	if (!has_races(t))
		return;
	for (size_t i = 0; i < l->n; i++) {
		if (raced_step_of(t, l->lines[i], &res)) {
			aside->lines = xrealloc(aside->lines, (aside->n + 1) * sizeof(char *));
			aside->lines[aside->n++] = l->lines[i];
		} else {
			l->lines[keep++] = l->lines[i];
		}
	}
	l->n = keep;
}

/* Every raced line of l has a result among its step's alternatives; else 1, reported. */
static int check_results(const struct trace *t, const struct log_lines *l, const char *name,
			 FILE *out)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *res = NULL;
		const struct trace_step *st = raced_step_of(t, l->lines[i], &res);
		if (st && trace_expect_matches(st->expect, res))
			continue;
		if (out)
			fprintf(out, "raced call in %s: '%s' is none of '%s' (line %d)\n", name,
				l->lines[i], st ? st->expect : "?", st ? st->loc.line : 0);
		return 1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The raced calls completed in l, as "t1: wait ep" per line, sorted. */
static char **call_keys(const struct trace *t, const struct log_lines *l)
{
	char **keys = xcalloc(l->n + 1, sizeof(char *));

	for (size_t i = 0; i < l->n; i++) {
		const char *res = NULL;
		const struct trace_step *st = raced_step_of(t, l->lines[i], &res);
		size_t n = strlen(t->threads[st->thread].name) + strlen(st->text) + 4;
		keys[i] = xcalloc(n, 1);
		snprintf(keys[i], n, "%s: %s", t->threads[st->thread].name, st->text);
	}
	qsort(keys, l->n, sizeof(char *), cmp_str);
	return keys;
}

static void keys_free(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

/* Both logs complete the same raced calls, as many times each; else 1, reported. */
static int same_calls(const struct trace *t, const struct log_lines *a, const char *aname,
		      const struct log_lines *b, const char *bname, FILE *out)
{
	char **ka = call_keys(t, a), **kb = call_keys(t, b);
	size_t i = 0;
	int rc = 0;

	while (i < a->n && i < b->n && strcmp(ka[i], kb[i]) == 0)
		i++;
	if (i < a->n || i < b->n) {
		rc = 1;
		if (out)
			fprintf(out, "raced calls differ: %s completes '%s', %s completes '%s'\n",
				aname, i < a->n ? ka[i] : "(nothing more)", bname,
				i < b->n ? kb[i] : "(nothing more)");
	}
	keys_free(ka, a->n);
	keys_free(kb, b->n);
	return rc;
}

int log_race_diff(const struct trace *t, struct log_lines *a, const char *aname,
		  struct log_lines *b, const char *bname, FILE *out)
{
	struct log_lines sa, sb;
	int rc;

	log_race_set_aside(t, a, &sa);
	log_race_set_aside(t, b, &sb);
	rc = check_results(t, &sa, aname, out) || check_results(t, &sb, bname, out) ||
	     same_calls(t, &sa, aname, &sb, bname, out);
	log_lines_free(&sa);
	log_lines_free(&sb);
	return rc;
}
