/*
 * Graphviz DOT of the simulator's state after one step: per epoll instance a
 * cluster with its red-black tree of epitems (red and black nodes, NIL
 * leaves, ordering=out so left stays left), the ready list chained beside it
 * with dashed links to the tree nodes, the overflow list while a transfer
 * runs, and the threads asleep on wq; then a table of the watched files.
 */
#include <string.h>
#include <sys/epoll.h>
#include "diagram.h"
#include "diagram_draw.h"
#include "eventpoll.h"

#define DOT_RED "#c62828"
#define DOT_BLACK "#212121"

/* A DOT string literal. */
static void dot_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void dot_item_node(const struct dg_recording *rec, size_t s, const struct snap_epoll *ep,
			  size_t i, FILE *out)
{
	const struct snap_epitem *it = &ep->items[i];
	char name[64], mask[160], mode[32];
	int tname;
	uint64_t data = it->data;

	dg_item_label(rec, s, it, name, sizeof(name));
	dg_token(rec, it->data, &tname, &data);
	dg_events(it->events & ~(uint32_t)EP_PRIVATE_BITS, mask, sizeof(mask));
	if (!(it->events & ~(uint32_t)EP_PRIVATE_BITS))
		snprintf(mask, sizeof(mask), "disarmed");
	dg_mode(it->events, mode, sizeof(mode));
	fprintf(out, "    e%llu_n%zu [label=<<b>", (unsigned long long)ep->id, i);
	dg_xml(out, name);
	fprintf(out, "</b><br/><font point-size=\"9\">key (file %llu, fd %d)<br/>",
		(unsigned long long)it->file_id, it->fd);
	dg_xml(out, mask);
	fprintf(out, " %s data=%llu%s</font>>, fillcolor=\"%s\"];\n", mode, (unsigned long long)data,
		it->txlist ? "<br/>taken by a running transfer" : "",
		it->colour == RB_RED ? DOT_RED : DOT_BLACK);
}

/* An edge to a child, or to a NIL leaf of its own. */
static void dot_child(const struct snap_epoll *ep, size_t i, int child, const char *side,
		      FILE *out)
{
	unsigned long long id = (unsigned long long)ep->id;

	if (child >= 0) {
		fprintf(out, "    e%llu_n%zu -> e%llu_n%d [tooltip=\"%s\"];\n", id, i, id, child, side);
		return;
	}
	fprintf(out, "    e%llu_nil%zu%c [shape=box, label=\"NIL\", width=0.3, height=0.15, "
		     "fontsize=7, fillcolor=\"" DOT_BLACK "\", fontcolor=white];\n",
		id, i, side[0]);
	fprintf(out, "    e%llu_n%zu -> e%llu_nil%zu%c [tooltip=\"%s\"];\n", id, i, id, i, side[0], side);
}

static void dot_tree(const struct dg_recording *rec, size_t s, const struct snap_epoll *ep,
		     FILE *out)
{
	fputs("    node [shape=box, style=\"rounded,filled\", fontcolor=white, color=\"#555555\"];\n",
	      out);
	if (ep->root < 0) {
		fprintf(out, "    e%llu_nil [label=\"rbr: empty (NIL)\", fillcolor=\"" DOT_BLACK "\"];\n",
			(unsigned long long)ep->id);
		return;
	}
	for (size_t i = 0; i < ep->nitems; i++)
		dot_item_node(rec, s, ep, i, out);
	for (size_t i = 0; i < ep->nitems; i++) {
		dot_child(ep, i, ep->items[i].left, "left", out);
		dot_child(ep, i, ep->items[i].right, "right", out);
	}
}

/* The link to entry k of a chain: from the head, or from entry k-1. */
static void dot_chain(FILE *out, unsigned long long id, const char *what, size_t k)
{
	if (k == 0)
		fprintf(out, "    e%llu_%s -> e%llu_%s0;\n", id, what, id, what);
	else
		fprintf(out, "    e%llu_%s%zu -> e%llu_%s%zu;\n", id, what, k - 1, id, what, k);
}

/* A list head and its entries in a row, each linked to its tree node. */
static void dot_list(const struct dg_recording *rec, size_t s, const struct snap_epoll *ep,
		     const char *what, const int *idx, size_t n, FILE *out)
{
	unsigned long long id = (unsigned long long)ep->id;
	char name[64];

	fprintf(out, "    e%llu_%s [shape=cds, style=filled, fillcolor=\"#e3f2fd\", fontcolor=black, "
		     "label=\"%s%s\"];\n",
		id, what, what, n ? "" : ": empty");
	for (size_t k = 0; k < n; k++) {
		if (idx[k] >= 0)
			dg_item_label(rec, s, &ep->items[idx[k]], name, sizeof(name));
		fprintf(out, "    e%llu_%s%zu [shape=box, style=filled, fillcolor=\"%s\", "
			     "fontcolor=black, label=",
			id, what, k, strcmp(what, "ovflist") ? "#bbdefb" : "#e1bee7");
		dot_str(out, idx[k] >= 0 ? name : "?");
		fputs("];\n", out);
		dot_chain(out, id, what, k);
	}
}

static void dot_list_links(const struct snap_epoll *ep, const char *what, const int *idx,
			   size_t n, FILE *out)
{
	unsigned long long id = (unsigned long long)ep->id;

	fprintf(out, "    { rank=same; e%llu_%s;", id, what);
	for (size_t k = 0; k < n; k++)
		fprintf(out, " e%llu_%s%zu;", id, what, k);
	fputs(" }\n", out);
	for (size_t k = 0; k < n; k++)
		if (idx[k] >= 0)
			fprintf(out, "    e%llu_%s%zu -> e%llu_n%d [style=dashed, color=\"#1565c0\", "
				     "arrowhead=none, constraint=false];\n",
				id, what, k, id, idx[k]);
}

static void dot_sleepers(const struct snap_epoll *ep, FILE *out)
{
	unsigned long long id = (unsigned long long)ep->id;

	fprintf(out, "    e%llu_wq [shape=cds, style=filled, fillcolor=\"#ffe0b2\", fontcolor=black, "
		     "label=\"wq%s\"];\n",
		id, ep->wq.nwaiters ? "" : ": no sleepers");
	for (size_t k = 0; k < ep->wq.nwaiters; k++) {
		const struct snap_waiter *w = &ep->wq.waiters[k];
		fprintf(out, "    e%llu_wq%zu [shape=ellipse, style=filled, fillcolor=\"#fff3e0\", "
			     "fontcolor=black, label=\"%s%s\"];\n",
			id, k, w->kind == SNAP_WAITER_TASK ? w->task : "?",
			w->exclusive ? " (exclusive)" : "");
		dot_chain(out, id, "wq", k);
	}
	fprintf(out, "    { rank=same; e%llu_wq;", id);
	for (size_t k = 0; k < ep->wq.nwaiters; k++)
		fprintf(out, " e%llu_wq%zu;", id, k);
	fputs(" }\n", out);
}

static void dot_instance(const struct dg_recording *rec, size_t s, const struct snap_epoll *ep,
			 FILE *out)
{
	unsigned long long id = (unsigned long long)ep->id;
	char name[64], title[256];

	dg_epoll_label(rec, s, ep, name, sizeof(name));
	snprintf(title, sizeof(title), "%s: struct eventpoll (%zu item%s)", name, ep->nitems,
		 ep->nitems == 1 ? "" : "s");
	fprintf(out, "  subgraph cluster_ep%llu {\n    label=", id);
	dot_str(out, title);
	fputs(";\n    style=rounded; color=\"#90a4ae\"; ordering=out;\n", out);
	dot_tree(rec, s, ep, out);
	dot_list(rec, s, ep, "rdllist", ep->rdllist, ep->nrdllist, out);
	dot_list_links(ep, "rdllist", ep->rdllist, ep->nrdllist, out);
	if (ep->ovflist_active) {
		dot_list(rec, s, ep, "ovflist", ep->ovflist, ep->novflist, out);
		dot_list_links(ep, "ovflist", ep->ovflist, ep->novflist, out);
	}
	dot_sleepers(ep, out);
	fputs("  }\n", out);
}

/* The entries of a wait queue, from its head: instances by name for epitems, threads by name. */
static void dot_waiters(const struct dg_recording *rec, size_t s, const struct snap_waitq *q,
			FILE *out)
{
	char name[64];

	if (!q->nwaiters)
		fputs(" -", out);
	for (size_t i = 0; i < q->nwaiters; i++) {
		const struct snap_waiter *w = &q->waiters[i];
		const struct snap_epoll *ep = dg_epoll_by_id(&rec->steps[s].snap, w->ep_id);
		if (w->kind == SNAP_WAITER_EPITEM && ep)
			dg_epoll_label(rec, s, ep, name, sizeof(name));
		else
			snprintf(name, sizeof(name), "%s", w->kind == SNAP_WAITER_TASK ? w->task : "?");
		fprintf(out, " %s", w->kind == SNAP_WAITER_EPITEM ? "item of " : "");
		dg_xml(out, name);
		if (w->exclusive)
			fputs(" (excl)", out);
	}
}

/* One row of the files table: name, type, readiness, wait queues. */
static void dot_file_row(const struct dg_recording *rec, size_t s, const struct snap_file *f,
			 FILE *out)
{
	char name[64], mask[160];

	dg_file_label(rec, s, f->id, name, sizeof(name));
	dg_events(f->ready, mask, sizeof(mask));
	fputs("      <tr><td align=\"left\">", out);
	dg_xml(out, name);
	fprintf(out, "</td><td align=\"left\">%s</td><td align=\"left\">", f->type);
	dg_xml(out, f->has_peek ? mask : "?");
	fputs("</td><td align=\"left\">", out);
	for (size_t q = 0; q < f->nqueues; q++) {
		fprintf(out, "%s:", f->queues[q].name);
		dot_waiters(rec, s, &f->queues[q], out);
		fputs("<br align=\"left\"/>", out);
	}
	fputs("</td></tr>\n", out);
}

static void dot_files(const struct dg_recording *rec, size_t s, FILE *out)
{
	const struct world_snapshot *snap = &rec->steps[s].snap;

	if (!snap->nfiles)
		return;
	fputs("  files [shape=plaintext, fontcolor=black, label=<\n"
	      "    <table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">\n"
	      "      <tr><td><b>file</b></td><td><b>type</b></td><td><b>poll now</b></td>"
	      "<td><b>wait queue entries</b></td></tr>\n",
	      out);
	for (size_t i = 0; i < snap->nfiles; i++)
		if (dg_drawn(rec, snap->files[i].id))
			dot_file_row(rec, s, &snap->files[i], out);
	fputs("    </table>>];\n", out);
}

void dg_dot(const struct dg_recording *rec, size_t step, FILE *out)
{
	size_t s = step ? step - 1 : 0;
	char call[600], title[1024];

	fputs("digraph epsim {\n", out);
	if (s < rec->from || s >= rec->to) {
		fputs("  empty [label=\"no step drawn\"];\n}\n", out);
		return;
	}
	dg_step_call(rec, s, call, sizeof(call));
	snprintf(title, sizeof(title), "%s after step %zu: %s%s", rec->title, s + 1, call,
		 rec->nhidden ? " (some files and instances not drawn)" : "");
	fputs("  graph [fontname=\"DejaVu Sans Mono\", fontsize=13, labelloc=t, nodesep=0.25, "
	      "ranksep=0.4, label=",
	      out);
	dot_str(out, title);
	fputs("];\n  node [fontname=\"DejaVu Sans Mono\", fontsize=11];\n"
	      "  edge [fontname=\"DejaVu Sans Mono\", fontsize=9, color=\"#555555\"];\n",
	      out);
	for (size_t i = 0; i < rec->steps[s].snap.neps; i++)
		if (dg_drawn(rec, rec->steps[s].snap.eps[i].file_id))
			dot_instance(rec, s, &rec->steps[s].snap.eps[i], out);
	dot_files(rec, s, out);
	fputs("}\n", out);
}
