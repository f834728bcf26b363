/* Comparing result logs: canonical lines, golden files, the first divergence. */
#include <stdlib.h>
#include <string.h>
#include "logdiff.h"
#include "xalloc.h"

static void push(struct log_lines *l, const char *s)
{
	l->lines = xrealloc(l->lines, (l->n + 1) * sizeof(char *));
	l->lines[l->n++] = xstrdup(s);
}

void log_lines_from_log(const struct run_log *log, struct log_lines *out)
{
	char line[10240];

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < log->n; i++) {
		run_entry_line(&log->entries[i], line, sizeof(line));
		push(out, line);
	}
}

int log_lines_from_file(const char *path, struct log_lines *out)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (!f)
		return -1;
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		push(out, line);
	}
	free(line);
	fclose(f);
	return 0;
}

void log_lines_free(struct log_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->lines[i]);
	free(l->lines);
	memset(l, 0, sizeof(*l));
}

static void show_context(const struct log_lines *l, const char *name, size_t at, int context,
			 FILE *out)
{
	size_t from = at > (size_t)context ? at - (size_t)context : 0;
	size_t to = at + (size_t)context + 1;

	fprintf(out, "  %s:\n", name);
	for (size_t i = from; i < to && i < l->n; i++)
		fprintf(out, "  %c %s\n", i == at ? '>' : ' ', l->lines[i]);
	if (at >= l->n)
		fprintf(out, "  > (end of log)\n");
}

int log_lines_diff(const struct log_lines *a, const char *aname, const struct log_lines *b,
		   const char *bname, int context, FILE *out)
{
	size_t i = 0;

	while (i < a->n && i < b->n && strcmp(a->lines[i], b->lines[i]) == 0)
		i++;
	if (i == a->n && i == b->n)
		return 0;
	if (out) {
		fprintf(out, "first divergence at log line %zu:\n", i + 1);
		show_context(a, aname, i, context, out);
		show_context(b, bname, i, context, out);
	}
	return 1;
}
