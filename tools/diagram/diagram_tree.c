/*
 * One epoll instance after one step, as SVG (the HTML page's drawing): its
 * red-black tree with NIL leaves, laid out in key order (x) and depth (y),
 * the items on the ready list outlined with their position, and below it
 * the rdllist, ovflist, wq and poll_wait chains.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include "diagram.h"
#include "diagram_draw.h"
#include "eventpoll.h"
#include "xalloc.h"

#define TR_PAD 10
#define TR_TOP 24	/* above the root: room for its rdllist position */
#define TR_LEVEL 58	/* from one depth to the next */
#define TR_NODE_H 34
#define TR_NIL_W 26
#define TR_NIL_H 14
#define TR_GAP 8
#define TR_ROW 34	/* one list row */

/* A node or NIL leaf of the drawing. */
struct tr_box {
	int item;		/* index in ep->items, -1 for NIL */
	int depth;
	int parent;		/* box index, -1 for the root */
	int x, w;		/* left edge and width */
	char name[64];
};

struct tr {
	const struct dg_recording *rec;
	size_t step;
	const struct snap_epoll *ep;
	struct tr_box *boxes;
	size_t n;
	int width, tree_h;
};

/* Boxes in key order with NIL leaves between: NIL, node, NIL, node, ..., NIL. */
static void tr_walk(struct tr *tr, int item, int depth, int parent)
{
	struct tr_box *b;
	int me;

	if (item < 0) {
		b = &tr->boxes[tr->n++];
		*b = (struct tr_box){ .item = -1, .depth = depth, .parent = parent, .w = TR_NIL_W };
		return;
	}
	tr_walk(tr, tr->ep->items[item].left, depth + 1, -2 - item);
	me = (int)tr->n++;
	b = &tr->boxes[me];
	*b = (struct tr_box){ .item = item, .depth = depth, .parent = parent };
	dg_item_label(tr->rec, tr->step, &tr->ep->items[item], b->name, sizeof(b->name));
	b->w = dg_text_w(b->name) + 2 * TR_PAD;
	if (b->w < 48)
		b->w = 48;
	tr_walk(tr, tr->ep->items[item].right, depth + 1, me);
}

/* Left children were walked before their parent had a box: -2-item stands for it. */
static void tr_fix_parents(struct tr *tr)
{
	for (size_t i = 0; i < tr->n; i++) {
		int p = tr->boxes[i].parent;
		if (p > -2)
			continue;
		for (size_t k = 0; k < tr->n; k++)
			if (tr->boxes[k].item == -2 - p)
				tr->boxes[i].parent = (int)k;
	}
}

static void tr_layout(struct tr *tr)
{
	int x = TR_PAD, depth = 0;

	tr->boxes = xcalloc(2 * tr->ep->nitems + 2, sizeof(*tr->boxes));
	tr_walk(tr, tr->ep->root, 0, -1);
	tr_fix_parents(tr);
	for (size_t i = 0; i < tr->n; i++) {
		tr->boxes[i].x = x;
		x += tr->boxes[i].w + TR_GAP;
		depth = depth > tr->boxes[i].depth ? depth : tr->boxes[i].depth;
	}
	tr->width = x + TR_PAD;
	tr->tree_h = TR_TOP + depth * TR_LEVEL + TR_NODE_H + TR_PAD;
}

static int tr_cx(const struct tr_box *b)
{
	return b->x + b->w / 2;
}

static int tr_y(const struct tr_box *b)
{
	return TR_TOP + b->depth * TR_LEVEL;
}

static void tr_edges(const struct tr *tr, FILE *out)
{
	for (size_t i = 0; i < tr->n; i++) {
		const struct tr_box *b = &tr->boxes[i], *p;
		if (b->parent < 0)
			continue;
		p = &tr->boxes[b->parent];
		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"edge\"/>\n", tr_cx(p),
			tr_y(p) + TR_NODE_H, tr_cx(b), tr_y(b));
	}
}

static void tr_node(const struct tr *tr, const struct tr_box *b, FILE *out)
{
	const struct snap_epitem *it = &tr->ep->items[b->item];
	char mask[160], mode[32];
	int y = tr_y(b);

	dg_events(it->events & ~(uint32_t)EP_PRIVATE_BITS, mask, sizeof(mask));
	dg_mode(it->events, mode, sizeof(mode));
	fprintf(out, "<g class=\"node %s%s\"><title>", it->colour == RB_RED ? "red" : "black",
		it->rdl_pos >= 0 ? " queued" : it->txlist ? " txlist" : it->ovf_pos >= 0 ? " ovf" : "");
	dg_xml(out, b->name);
	fprintf(out, ": key (file %llu, fd %d), %s node, events %s %s, data %llu%s</title>",
		(unsigned long long)it->file_id, it->fd, it->colour == RB_RED ? "red" : "black", mask,
		mode, (unsigned long long)it->data,
		it->rdl_pos >= 0 ? ", on rdllist" : it->txlist ? ", taken by a running transfer" : "");
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\"/>", b->x, y, b->w,
		TR_NODE_H);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"nm\">", tr_cx(b), y + 14);
	dg_xml(out, b->name);
	fprintf(out, "</text><text x=\"%d\" y=\"%d\" class=\"fd\">fd %d</text>", tr_cx(b), y + 28,
		it->fd);
	if (it->rdl_pos >= 0)
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"pos\">#%d</text>", b->x + b->w - 2, y - 3,
			it->rdl_pos + 1);
	fputs("</g>\n", out);
}

static void tr_nodes(const struct tr *tr, FILE *out)
{
	for (size_t i = 0; i < tr->n; i++) {
		const struct tr_box *b = &tr->boxes[i];
		if (b->item >= 0) {
			tr_node(tr, b, out);
			continue;
		}
		fprintf(out, "<g class=\"nil\"><title>NIL</title><rect x=\"%d\" y=\"%d\" width=\"%d\" "
			     "height=\"%d\" rx=\"2\"/><text x=\"%d\" y=\"%d\">NIL</text></g>\n",
			b->x, tr_y(b), b->w, TR_NIL_H, tr_cx(b), tr_y(b) + 10);
	}
}

/* One chain: a head label, then its entries as boxes joined by arrows. */
static void tr_chain(const struct tr *tr, FILE *out, int y, const char *cls, char **names,
		     size_t n, const char *empty)
{
	int x = TR_PAD + 90;
	struct dg_buf all = { 0 };

	for (size_t i = 0; i < n; i++)
		dg_buf_printf(&all, "%s%s", i ? " " : "", names[i]);
	fprintf(out, "<g class=\"chain %s\" data-items=\"", cls);
	dg_xml(out, all.s ? all.s : "");
	fprintf(out, "\"><text x=\"%d\" y=\"%d\" class=\"head\">%s</text>", TR_PAD, y + 17, cls);
	if (!n)
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"empty\">%s</text>", x, y + 17, empty);
	for (size_t i = 0; i < n; i++) {
		int w = dg_text_w(names[i]) + 16;
		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"link\" "
			     "marker-end=\"url(#tr-arrow-%zu-%llu)\"/>",
			x - 22, y + 13, x - 3, y + 13, tr->step + 1, (unsigned long long)tr->ep->id);
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"24\" rx=\"4\"/>", x, y + 1, w);
		fprintf(out, "<text x=\"%d\" y=\"%d\">", x + 8, y + 17);
		dg_xml(out, names[i]);
		fputs("</text>", out);
		x += w + 26;
	}
	fputs("</g>\n", out);
	free(all.s);
}

/* Names of a list's items (idx into ep->items). */
static char **tr_item_names(const struct tr *tr, const int *idx, size_t n)
{
	char **names = xcalloc(n + 1, sizeof(char *));

	for (size_t i = 0; i < n; i++) {
		char name[64] = "?";
		if (idx[i] >= 0)
			dg_item_label(tr->rec, tr->step, &tr->ep->items[idx[i]], name, sizeof(name));
		names[i] = xstrdup(name);
	}
	return names;
}

/* Names of a wait queue's entries: threads, or the instances whose items wait there. */
static char **tr_waiter_names(const struct tr *tr, const struct snap_waitq *q)
{
	char **names = xcalloc(q->nwaiters + 1, sizeof(char *));
	const struct world_snapshot *snap = &tr->rec->steps[tr->step].snap;

	for (size_t i = 0; i < q->nwaiters; i++) {
		const struct snap_waiter *w = &q->waiters[i];
		const struct snap_epoll *ep = dg_epoll_by_id(snap, w->ep_id);
		char name[96] = "?";
		if (w->kind == SNAP_WAITER_TASK)
			snprintf(name, sizeof(name), "%s%s", w->task, w->exclusive ? " (excl)" : "");
		else if (w->kind == SNAP_WAITER_EPITEM && ep)
			dg_epoll_label(tr->rec, tr->step, ep, name, sizeof(name));
		names[i] = xstrdup(name);
	}
	return names;
}

static void tr_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The widest chain, to size the drawing. */
static int tr_chain_w(char **names, size_t n)
{
	int w = TR_PAD + 90;

	for (size_t i = 0; i < n; i++)
		w += dg_text_w(names[i]) + 16 + 26;
	return w + TR_PAD;
}

static void tr_lists(const struct tr *tr, int y, FILE *out)
{
	const struct snap_epoll *ep = tr->ep;
	char **rdl = tr_item_names(tr, ep->rdllist, ep->nrdllist);
	char **ovf = tr_item_names(tr, ep->ovflist, ep->novflist);
	char **wq = tr_waiter_names(tr, &ep->wq), **pw = tr_waiter_names(tr, &ep->poll_wait);

	tr_chain(tr, out, y, "rdllist", rdl, ep->nrdllist, "empty");
	tr_chain(tr, out, y + TR_ROW, "ovflist", ovf, ep->novflist,
		 ep->ovflist_active ? "empty (a transfer runs)" : "EP_UNACTIVE_PTR");
	tr_chain(tr, out, y + 2 * TR_ROW, "wq", wq, ep->wq.nwaiters, "no sleepers");
	tr_chain(tr, out, y + 3 * TR_ROW, "poll_wait", pw, ep->poll_wait.nwaiters,
		 "no outer pollers");
	tr_free_names(rdl, ep->nrdllist);
	tr_free_names(ovf, ep->novflist);
	tr_free_names(wq, ep->wq.nwaiters);
	tr_free_names(pw, ep->poll_wait.nwaiters);
}

static int tr_lists_w(const struct tr *tr)
{
	const struct snap_epoll *ep = tr->ep;
	char **rdl = tr_item_names(tr, ep->rdllist, ep->nrdllist);
	char **wq = tr_waiter_names(tr, &ep->wq);
	int a = tr_chain_w(rdl, ep->nrdllist), b = tr_chain_w(wq, ep->wq.nwaiters);

	tr_free_names(rdl, ep->nrdllist);
	tr_free_names(wq, ep->wq.nwaiters);
	a = a > b ? a : b;
	return a > 420 ? a : 420;
}

void dg_svg_instance(const struct dg_recording *rec, size_t step, const struct snap_epoll *ep,
		     FILE *out)
{
	struct tr tr = { .rec = rec, .step = step, .ep = ep };
	int w, h, lists_w;

	tr_layout(&tr);
	lists_w = tr_lists_w(&tr);
	w = tr.width > lists_w ? tr.width : lists_w;
	h = tr.tree_h + 4 * TR_ROW + TR_PAD;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"instance\" width=\"%d\" "
		     "height=\"%d\" viewBox=\"0 0 %d %d\">\n",
		w, h, w, h);
	fprintf(out, "<defs><marker id=\"tr-arrow-%zu-%llu\" viewBox=\"0 0 10 10\" refX=\"9\" "
		     "refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path "
		     "d=\"M0,0L10,5L0,10z\" fill=\"#555\"/></marker></defs>\n",
		step + 1, (unsigned long long)ep->id);
	tr_edges(&tr, out);
	tr_nodes(&tr, out);
	tr_lists(&tr, tr.tree_h, out);
	fputs("</svg>\n", out);
	free(tr.boxes);
}
