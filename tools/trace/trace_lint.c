/*
 * Warnings about a trace that parses but may not mean what it says. One so
 * far: a name keeps naming the fd *number* it was given, so after `close a`
 * and the creation of another file (which the kernel gives the lowest free
 * number), a later `write a` reaches that other file, as it would in a
 * program. A warning never changes a tool's exit status.
 */
#include <stdio.h>
#include <stdlib.h>
#include "trace.h"

struct lint_state {
	int *closed_line;	/* per name: the line of its close, or 0 while open */
	int *closed_step;	/* per name: the index of the step that closed it */
	bool *warned;		/* per name: warned once already */
	bool *creates;		/* per step: it defines a name (a file that takes an fd number) */
	int last_create;	/* index of the last step that created a file, or -1 */
};

static void use_name(const struct trace *t, struct lint_state *ls, const struct trace_step *st,
		     int name, FILE *f, int *count)
{
	if (name < 0 || !ls->closed_line[name] || ls->warned[name])
		return;
	if (ls->last_create <= ls->closed_step[name])
		return;	/* nothing can have taken the number yet: the use is a plain EBADF */
	ls->warned[name] = true;
	(*count)++;
	fprintf(f,
		"%s:%d:%d: warning: '%s' was closed at line %d and a file was created since: "
		"the name still stands for its fd number, which that file may now have\n",
		t->path, st->loc.line, st->loc.col, t->names[name].name, ls->closed_line[name]);
}

static void lint_step(const struct trace *t, struct lint_state *ls, size_t i, FILE *f, int *count)
{
	const struct trace_step *st = &t->steps[i];

	if (st->op == TOP_EXIT || st->op == TOP_FORK)
		return;
	if (!st->obj_bad)
		use_name(t, ls, st, st->obj, f, count);
	if (!st->obj2_bad && st->op != TOP_DUP2)
		use_name(t, ls, st, st->obj2, f, count);
	for (int k = 0; k < st->nfdargs; k++)
		if (!st->fdargs[k].bad)
			use_name(t, ls, st, st->fdargs[k].obj, f, count);
	if (st->op == TOP_DUP2 && st->obj2 >= 0)
		ls->closed_line[st->obj2] = 0;	/* the target's number names a file again */
	if (st->op == TOP_CLOSE && st->obj >= 0 && !st->obj_bad) {
		ls->closed_line[st->obj] = st->loc.line;
		ls->closed_step[st->obj] = (int)i;
	}
	if (ls->creates[i] && st->op != TOP_DUP2)	/* dup2 reuses its target's number */
		ls->last_create = (int)i;
}

int trace_lint(const struct trace *t, void *file)
{
	struct lint_state ls = { .last_create = -1 };
	FILE *f = file;
	int count = 0;

	ls.closed_line = calloc(t->nnames + 1, sizeof(int));
	ls.closed_step = calloc(t->nnames + 1, sizeof(int));
	ls.warned = calloc(t->nnames + 1, sizeof(bool));
	ls.creates = calloc(t->nsteps + 1, sizeof(bool));
	for (size_t n = 0; ls.creates && n < t->nnames; n++)
		if (t->names[n].step >= 0 && (size_t)t->names[n].step < t->nsteps)
			ls.creates[t->names[n].step] = true;
	if (ls.closed_line && ls.closed_step && ls.warned && ls.creates)
		for (size_t i = 0; i < t->nsteps; i++)
			lint_step(t, &ls, i, f, &count);
	free(ls.closed_line);
	free(ls.closed_step);
	free(ls.warned);
	free(ls.creates);
	return count;
}
