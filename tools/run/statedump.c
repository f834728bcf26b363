/*
 * After each step: the log lines of the step, then for every epoll instance
 * of the main process its red-black tree in order (with node colours), its
 * ready list, its overflow list and the threads asleep on its wait queue.
 */
#include <string.h>
#include "statedump.h"
#include "backend_sim.h"
#include "eventpoll.h"
#include "fdtable.h"
#include "task.h"

struct dump_ctx {
	FILE *out;
	const struct run_view *v;
};

/* The trace name that holds fd number fd now (the latest defined), or NULL. */
static const char *fd_name(const struct run_view *v, int fd)
{
	const char *best = NULL;

	for (size_t i = 0; i < v->t->nnames; i++)
		if (v->fds[i] == fd)
			best = v->t->names[i].name;
	return best;
}

static void print_item(FILE *out, const struct run_view *v, const struct epitem *epi,
		       bool colour)
{
	char mask[160];
	const char *name = NULL;
	uint64_t data = epi->event.data.u64;
	int n = -1;

	if (run_token_lookup(v->regs, data, &n, &data) && n >= 0)
		name = v->t->names[n].name;
	if (!name)
		name = fd_name(v, epi->ffd.fd);
	trace_format_events(epi->event.events, mask, sizeof(mask));
	fprintf(out, " %s%s(%s data=%llu)", colour ? (epi->rbn.rb_colour == RB_RED ? "R:" : "B:") : "",
		name ? name : "?", mask, (unsigned long long)data);
}

static void dump_instance(struct dump_ctx *d, int fd, struct eventpoll *ep)
{
	struct rb_node *rbp;
	struct list_head *pos;
	const char *name = fd_name(d->v, fd);
	int sleepers = 0;

	fprintf(d->out, "      %s: tree", name ? name : "?");
	for (rbp = rb_first_cached(&ep->rbr); rbp; rbp = rb_next(rbp))
		print_item(d->out, d->v, rb_entry(rbp, struct epitem, rbn), true);
	fprintf(d->out, "\n      %*s  rdllist", (int)strlen(name ? name : "?"), "");
	list_for_each(pos, &ep->rdllist)
		print_item(d->out, d->v, list_entry(pos, struct epitem, rdllink), false);
	if (ep->ovflist != EP_UNACTIVE_PTR) {
		fprintf(d->out, " | ovflist");
		for (struct epitem *e = ep->ovflist; e; e = e->next)
			print_item(d->out, d->v, e, false);
	}
	list_for_each(pos, &ep->wq.head)
		sleepers++;
	fprintf(d->out, " | sleepers %d\n", sleepers);
}

static void dump_fd(void *ctx, int fd, struct file *f)
{
	if (is_file_epoll(f))
		dump_instance(ctx, fd, f->private_data);
}

void statedump_after_step(void *ctx, struct backend *b, const struct run_view *v)
{
	struct statedump *sd = ctx;
	struct world *w = sim_backend_world(b);
	struct dump_ctx d = { sd->out, v };
	char line[10240];

	for (size_t i = v->log_from; i < v->log->n; i++) {
		run_entry_line(&v->log->entries[i], line, sizeof(line));
		fprintf(sd->out, "%s\n", line);
	}
	if (list_empty(&w->processes))
		return;
	fdtable_for_each(list_first_entry(&w->processes, struct sim_process, node)->files, dump_fd,
			 &d);
}
