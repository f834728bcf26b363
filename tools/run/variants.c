/* Known kernel variants (variants.h): reading the file, matching log lines. */
#include "variants.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xalloc.h"

enum { V_TRACE, V_STEP, V_KERNEL, V_GOLDEN, V_OBSERVED, V_WHY, V_NFIELDS };

static int field_error(const char *path, int line, int col, const char *msg, char *err,
		       size_t errlen)
{
	snprintf(err, errlen, "%s:%d:%d: error: %s", path, line, col, msg);
	return -1;
}

/* Split a line at tabs into exactly V_NFIELDS fields; -1 (with the column) if not. */
static int split_fields(char *s, char *f[V_NFIELDS], int *col)
{
	int n = 0;
	char *p = s;

	for (;;) {
		char *tab = strchr(p, '\t');

		if (n == V_NFIELDS) {
			*col = (int)(p - s) + 1;
			return -1;
		}
		f[n++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	*col = (int)strlen(s) + 1;
	return n == V_NFIELDS ? 0 : -1;
}

static int parse_line(const char *path, int lineno, char *s, struct variant *v, char *err,
		      size_t errlen)
{
	char *f[V_NFIELDS], *end;
	int col;
	long step;

	if (split_fields(s, f, &col) != 0)
		return field_error(path, lineno, col,
				   "expected 6 tab-separated fields: trace, step, kernel, golden, "
				   "observed, explanation", err, errlen);
	step = strtol(f[V_STEP], &end, 10);
	if (end == f[V_STEP] || *end || step < 1)
		return field_error(path, lineno, (int)(f[V_STEP] - s) + 1,
				   "the step is not a positive number", err, errlen);
	for (int i = 0; i < V_NFIELDS; i++)
		if (!f[i][0])
			return field_error(path, lineno, (int)(f[i] - s) + 1, "empty field", err,
					   errlen);
	v->trace = xstrdup(f[V_TRACE]);
	v->step = (int)step;
	v->kernel = xstrdup(f[V_KERNEL]);
	v->golden = xstrdup(f[V_GOLDEN]);
	v->observed = xstrdup(f[V_OBSERVED]);
	v->why = xstrdup(f[V_WHY]);
	v->line = lineno;
	return 0;
}

int variants_load(const char *path, struct variants *out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	out->path = xstrdup(path);
	if (!f)
		return 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		struct variant v;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		rc = parse_line(path, lineno, line, &v, err, errlen);
		if (rc == 0) {
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n++] = v;
		}
	}
	free(line);
	fclose(f);
	if (rc)
		variants_free(out);
	return rc;
}

void variants_free(struct variants *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].trace);
		free(vs->v[i].kernel);
		free(vs->v[i].golden);
		free(vs->v[i].observed);
		free(vs->v[i].why);
	}
	free(vs->v);
	free(vs->path);
	memset(vs, 0, sizeof(*vs));
}

char *variants_path_for(const char *trace_path)
{
	const char *slash = strrchr(trace_path, '/');
	size_t dir = slash ? (size_t)(slash - trace_path) + 1 : 0;
	char *p = xcalloc(dir + sizeof("variants.tsv"), 1);

	memcpy(p, trace_path, dir);
	strcpy(p + dir, "variants.tsv");
	return p;
}

char *trace_name_of(const char *trace_path)
{
	const char *slash = strrchr(trace_path, '/');
	const char *base = slash ? slash + 1 : trace_path;
	size_t n = strlen(base);
	char *name;

	if (n > 6 && strcmp(base + n - 6, ".trace") == 0)
		n -= 6;
	name = xcalloc(n + 1, 1);
	memcpy(name, base, n);
	return name;
}

/* A log line's step number, its text (up to " = ") and its result; false if it has none. */
static bool split_line(const char *l, int *step, size_t *textlen, const char **result)
{
	const char *eq = strstr(l, " = ");
	char *end;

	*step = (int)strtol(l, &end, 10);
	if (end == l || !eq)
		return false;
	*textlen = (size_t)(eq - l);
	*result = eq + 3;
	return true;
}

static bool applies(const struct variant *v, const char *name, const char *release, int step)
{
	return v->step == step && strcmp(v->trace, name) == 0 && release &&
	       fnmatch(v->kernel, release, 0) == 0;
}

const struct variant *variants_match(const struct variants *vs, const char *name,
				     const char *release, const char *g, const char *o)
{
	int gstep, ostep;
	size_t glen, olen;
	const char *gres, *ores;

	if (!split_line(g, &gstep, &glen, &gres) || !split_line(o, &ostep, &olen, &ores))
		return NULL;
	if (gstep != ostep || glen != olen || strncmp(g, o, glen) != 0)
		return NULL;
	for (size_t i = 0; i < vs->n; i++) {
		const struct variant *v = &vs->v[i];

		if (applies(v, name, release, gstep) && strcmp(v->golden, gres) == 0 &&
		    strcmp(v->observed, ores) == 0)
			return v;
	}
	return NULL;
}

const struct variant *variants_match_expect(const struct variants *vs, const char *name,
					    const char *release, int step, const char *expected,
					    const char *got)
{
	for (size_t i = 0; i < vs->n; i++) {
		const struct variant *v = &vs->v[i];

		if (applies(v, name, release, step) && strcmp(v->golden, expected) == 0 &&
		    strcmp(v->observed, got) == 0)
			return v;
	}
	return NULL;
}

size_t variants_apply(const struct variants *vs, const char *name, const char *release,
		      struct log_lines *golden, const struct log_lines *got,
		      const struct variant **first)
{
	size_t used = 0;

	if (first)
		*first = NULL;
	for (size_t i = 0; i < golden->n && i < got->n; i++) {
		const struct variant *v;

		if (strcmp(golden->lines[i], got->lines[i]) == 0)
			continue;
		v = variants_match(vs, name, release, golden->lines[i], got->lines[i]);
		if (!v)
			continue;
		free(golden->lines[i]);
		golden->lines[i] = xstrdup(got->lines[i]);
		if (first && !*first)
			*first = v;
		used++;
	}
	return used;
}
