/*
 * The SVG timeline, drawn by epsim itself: steps along the x-axis, one lane
 * per thread, per epoll instance and per watched file (with a row per epitem
 * on it). Readiness is a level bar, an item on the ready list a band in its
 * mode's colour (LT blue, ET orange), callbacks and wake-ups are arrows, and
 * what each call returned is written in its thread's lane. Monospace text,
 * sized by character count, so nothing overlaps; every mark has a <title>.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include "diagram.h"
#include "diagram_draw.h"
#include "eventpoll.h"
#include "xalloc.h"

enum tl_kind { TL_KERNEL, TL_THREAD, TL_EPOLL, TL_READY, TL_ITEM };

/* What a cell's background shows. */
enum tl_fill {
	FILL_NONE,
	FILL_READY,		/* the file is ready for what is watched */
	FILL_IDLE,		/* watched, not ready / registered, not queued */
	FILL_QUEUED_LT,
	FILL_QUEUED_ET,
	FILL_OVF,
	FILL_TX,		/* taken by a transfer that has not finished */
	FILL_RDL,		/* an instance with a non-empty ready list */
	FILL_DIVERGE,		/* the kernel's log differs here */
};

struct tl_cell {
	char *text;		/* lines separated by '\n', or NULL */
	char *title;		/* tooltip, or NULL */
	enum tl_fill fill;
	bool bad;		/* drawn in red */
};

struct tl_lane {
	enum tl_kind kind;
	char label[256];
	char sub[96];		/* second header line, or "" */
	int thread;
	uint64_t ep_id, file_id;
	int fd;
	uint32_t events;	/* TL_ITEM: mask at first sight */
	int y, h;
	struct tl_cell *cells;	/* one per step */
};

enum tl_arrow_style { AR_QUEUED, AR_OVF, AR_ALREADY, AR_FILTERED, AR_DISARMED, AR_WAKE, AR_TIMEOUT };

struct tl_arrow {
	size_t step;
	size_t from, to;	/* lanes */
	enum tl_arrow_style style;
	char title[320];
	int slot;		/* position among the step's arrows */
};

struct tl {
	const struct dg_recording *rec;
	struct tl_lane *lanes;
	size_t nlanes;
	struct tl_arrow *arrows;
	size_t narrows;
	int *slots;		/* arrows per step */
	int *colx, *colw;
	int head_w, head_h, top, width, height;
	int highlight;		/* 1-based step to highlight, 0: none */
};

#define TL_LINE 15
#define TL_PAD 6
#define TL_SLOT 10
#define TL_MIN_COL 40
#define TL_MAX_LIST 6
#define TL_SLEEP_H 10	/* room under a thread's lines for its sleep band */
#define TL_KEY_ROWS 7
#define TL_KEY_H (TL_KEY_ROWS * 22 + 40)	/* the key under the lanes */

/* ---- lanes ---- */

static struct tl_lane *tl_add_lane(struct tl *tl, enum tl_kind kind)
{
	struct tl_lane *l;

	tl->lanes = xrealloc(tl->lanes, (tl->nlanes + 1) * sizeof(*tl->lanes));
	l = &tl->lanes[tl->nlanes++];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->thread = -1;
	l->fd = -1;
	l->cells = xcalloc(tl->rec->nsteps + 1, sizeof(*l->cells));
	return l;
}

static bool tl_has_ep(const struct tl *tl, uint64_t id)
{
	for (size_t i = 0; i < tl->nlanes; i++)
		if (tl->lanes[i].kind == TL_EPOLL && tl->lanes[i].ep_id == id)
			return true;
	return false;
}

static void tl_epoll_lanes(struct tl *tl)
{
	const struct dg_recording *rec = tl->rec;

	for (size_t s = rec->from; s < rec->to; s++) {
		const struct world_snapshot *snap = &rec->steps[s].snap;
		for (size_t e = 0; e < snap->neps; e++) {
			struct tl_lane *l;
			if (tl_has_ep(tl, snap->eps[e].id) || !dg_drawn(rec, snap->eps[e].file_id))
				continue;
			l = tl_add_lane(tl, TL_EPOLL);
			l->ep_id = snap->eps[e].id;
			l->file_id = snap->eps[e].file_id;
			dg_epoll_label(rec, s, &snap->eps[e], l->label, sizeof(l->label));
			snprintf(l->sub, sizeof(l->sub), "epoll");
		}
	}
}

/* Watched files, in id order, each once. */
static size_t tl_watched_files(const struct dg_recording *rec, uint64_t **out)
{
	uint64_t *ids = NULL;
	size_t n = 0;

	for (size_t s = rec->from; s < rec->to; s++) {
		const struct world_snapshot *snap = &rec->steps[s].snap;
		for (size_t e = 0; e < snap->neps; e++)
			for (size_t i = 0; i < snap->eps[e].nitems; i++) {
				uint64_t id = snap->eps[e].items[i].file_id;
				size_t k = 0;
				if (!dg_drawn(rec, id))
					continue;
				while (k < n && ids[k] != id)
					k++;
				if (k < n)
					continue;
				ids = xrealloc(ids, (n + 1) * sizeof(*ids));
				ids[n++] = id;
			}
	}
	if (n)
		qsort(ids, n, sizeof(*ids), dg_cmp_u64);
	*out = ids;
	return n;
}

static bool tl_has_item(const struct tl *tl, uint64_t ep_id, uint64_t file_id, int fd)
{
	for (size_t i = 0; i < tl->nlanes; i++) {
		const struct tl_lane *l = &tl->lanes[i];
		if (l->kind == TL_ITEM && l->ep_id == ep_id && l->file_id == file_id && l->fd == fd)
			return true;
	}
	return false;
}

/* One row per (instance, fd) that ever watched the file. */
static void tl_item_lanes(struct tl *tl, uint64_t file_id)
{
	const struct dg_recording *rec = tl->rec;

	for (size_t s = rec->from; s < rec->to; s++) {
		const struct world_snapshot *snap = &rec->steps[s].snap;
		for (size_t e = 0; e < snap->neps; e++)
			for (size_t i = 0; i < snap->eps[e].nitems; i++) {
				const struct snap_epitem *it = &snap->eps[e].items[i];
				struct tl_lane *l;
				char ep[64], item[64], mask[96], mode[32];
				if (it->file_id != file_id ||
				    tl_has_item(tl, snap->eps[e].id, file_id, it->fd))
					continue;
				l = tl_add_lane(tl, TL_ITEM);
				l->ep_id = snap->eps[e].id;
				l->file_id = file_id;
				l->fd = it->fd;
				l->events = it->events;
				dg_epoll_label(rec, s, &snap->eps[e], ep, sizeof(ep));
				dg_events(it->events & ~(EP_PRIVATE_BITS | EPOLLERR | EPOLLHUP), mask,
					  sizeof(mask));
				dg_mode(it->events, mode, sizeof(mode));
				dg_item_label(rec, s, it, item, sizeof(item));
				snprintf(l->label, sizeof(l->label), "  %s in %s: %s", item, ep, mask);
				snprintf(l->sub, sizeof(l->sub), "  %s", mode);
			}
	}
}

static void tl_file_lanes(struct tl *tl)
{
	const struct dg_recording *rec = tl->rec;
	uint64_t *ids;
	size_t n = tl_watched_files(rec, &ids);

	for (size_t i = 0; i < n; i++) {
		struct tl_lane *l = tl_add_lane(tl, TL_READY);
		size_t s = dg_first_step_with_file(rec, ids[i]);
		const struct snap_file *f = snapshot_file(&rec->steps[s].snap, ids[i]);

		l->file_id = ids[i];
		dg_file_label(rec, s, ids[i], l->label, sizeof(l->label));
		snprintf(l->sub, sizeof(l->sub), "%s ready", f ? f->type : "file");
		tl_item_lanes(tl, ids[i]);
	}
	free(ids);
}

static void tl_make_lanes(struct tl *tl)
{
	const struct dg_recording *rec = tl->rec;

	if (rec->has_kernel) {
		struct tl_lane *l = tl_add_lane(tl, TL_KERNEL);
		snprintf(l->label, sizeof(l->label), "kernel");
		snprintf(l->sub, sizeof(l->sub), "%s", rec->kernel_label);
	}
	for (size_t i = 0; i < rec->t->nthreads; i++) {
		struct tl_lane *l = tl_add_lane(tl, TL_THREAD);
		l->thread = (int)i;
		snprintf(l->label, sizeof(l->label), "%s", rec->t->threads[i].name);
		snprintf(l->sub, sizeof(l->sub), "thread");
	}
	tl_epoll_lanes(tl);
	tl_file_lanes(tl);
}

/* ---- cells ---- */

static void tl_set(struct tl_cell *c, const char *text, const char *title)
{
	free(c->text);
	c->text = text ? xstrdup(text) : NULL;
	if (title) {
		free(c->title);
		c->title = xstrdup(title);
	}
}

/* A thread's entries in one step as lines: "= 3", then one line per event. */
static void tl_thread_cell(struct tl *tl, struct tl_lane *l, size_t s)
{
	const struct dg_recording *rec = tl->rec;
	struct dg_buf text = { 0 }, title = { 0 };
	char line[10240];
	size_t from, to;

	dg_step_entries(rec, s, &from, &to);
	for (size_t i = from; i < to; i++) {
		const struct run_entry *e = &rec->res.log.entries[i];
		if (e->kind == RUN_INFO ||
		    strcmp(e->thread ? e->thread : "main", rec->t->threads[l->thread].name))
			continue;
		dg_result_lines(e, &text);
		run_entry_line(e, line, sizeof(line));
		dg_buf_line(&title, line);
	}
	tl_set(&l->cells[s], text.s, title.s);
	free(text.s);
	free(title.s);
}

static void tl_kernel_cell(struct tl *tl, struct tl_lane *l, size_t s)
{
	const struct dg_step *st = &tl->rec->steps[s];
	struct dg_buf text = { 0 }, title = { 0 };

	for (size_t i = 0; i < st->nkernel; i++) {
		dg_kernel_result(st->kernel[i], &text);
		dg_buf_line(&title, st->kernel[i]);
	}
	if (!st->kernel_differs) {
		tl_set(&l->cells[s], "same", title.s);
	} else {
		tl_set(&l->cells[s], text.s ? text.s : "(none)", title.s);
		l->cells[s].fill = FILL_DIVERGE;
		l->cells[s].bad = true;
	}
	free(text.s);
	free(title.s);
}

/* Up to TL_MAX_LIST item names of a list, then "+N". */
static void tl_list_text(const struct dg_recording *rec, size_t s, const struct snap_epoll *ep,
			 const char *what, const int *idx, size_t n, struct dg_buf *b)
{
	char name[64];

	dg_buf_add(b, what);
	if (n == 0)
		dg_buf_add(b, " -");
	for (size_t i = 0; i < n && i < TL_MAX_LIST; i++) {
		dg_buf_add(b, " ");
		if (idx[i] < 0) {
			dg_buf_add(b, "?");
			continue;
		}
		dg_item_label(rec, s, &ep->items[idx[i]], name, sizeof(name));
		dg_buf_add(b, name);
	}
	if (n > TL_MAX_LIST)
		dg_buf_printf(b, " +%zu", n - TL_MAX_LIST);
}

static void tl_epoll_cell(struct tl *tl, struct tl_lane *l, size_t s)
{
	const struct dg_recording *rec = tl->rec;
	const struct snap_epoll *ep = dg_epoll_by_id(&rec->steps[s].snap, l->ep_id);
	struct dg_buf b = { 0 };

	if (!ep)
		return;
	tl_list_text(rec, s, ep, "rdllist", ep->rdllist, ep->nrdllist, &b);
	if (ep->ovflist_active) {
		dg_buf_add(&b, "\n");
		tl_list_text(rec, s, ep, "ovflist", ep->ovflist, ep->novflist, &b);
	}
	if (ep->wq.nwaiters) {
		dg_buf_add(&b, "\nwq");
		for (size_t i = 0; i < ep->wq.nwaiters; i++)
			dg_buf_printf(&b, " %s", ep->wq.waiters[i].kind == SNAP_WAITER_TASK ?
							 ep->wq.waiters[i].task : "?");
	}
	tl_set(&l->cells[s], b.s, b.s);
	l->cells[s].fill = ep->nrdllist ? FILL_RDL : FILL_NONE;
	free(b.s);
}

/* What the items on a file watch at step s (with ERR|HUP), 0 if none. */
static uint32_t tl_interest(const struct world_snapshot *snap, uint64_t file_id)
{
	uint32_t m = 0;

	for (size_t e = 0; e < snap->neps; e++)
		for (size_t i = 0; i < snap->eps[e].nitems; i++)
			if (snap->eps[e].items[i].file_id == file_id)
				m |= snap->eps[e].items[i].events | EPOLLERR | EPOLLHUP;
	return m & ~(uint32_t)EP_PRIVATE_BITS;
}

static uint32_t tl_ready_at(const struct dg_recording *rec, size_t s, uint64_t file_id)
{
	const struct world_snapshot *snap = &rec->steps[s].snap;
	const struct snap_file *f = snapshot_file(snap, file_id);

	return f && f->has_peek ? f->ready & tl_interest(snap, file_id) : 0;
}

static void tl_ready_cell(struct tl *tl, struct tl_lane *l, size_t s)
{
	const struct dg_recording *rec = tl->rec;
	const struct world_snapshot *snap = &rec->steps[s].snap;
	const struct snap_file *f = snapshot_file(snap, l->file_id);
	uint32_t m = tl_ready_at(rec, s, l->file_id);
	char mask[160], title[512];

	if (!f || !tl_interest(snap, l->file_id))
		return;
	if (!f->has_peek) {
		tl_set(&l->cells[s], "?", "readiness unknown: this file type has no peek");
		return;
	}
	dg_events(f->ready, mask, sizeof(mask));
	snprintf(title, sizeof(title), "%s after step %zu: poll would say %s", l->label, s + 1, mask);
	dg_events(m, mask, sizeof(mask));
	l->cells[s].fill = m ? FILL_READY : FILL_IDLE;
	if (s == rec->from || m != tl_ready_at(rec, s - 1, l->file_id) || !l->cells[s - 1].fill)
		tl_set(&l->cells[s], m ? mask : "-", title);
	else
		tl_set(&l->cells[s], NULL, title);
}

static void tl_item_cell(struct tl *tl, struct tl_lane *l, size_t s)
{
	const struct dg_recording *rec = tl->rec;
	const struct snap_epoll *ep = dg_epoll_by_id(&rec->steps[s].snap, l->ep_id);
	int i = ep ? snapshot_item_index(ep, l->file_id, l->fd) : -1;
	const struct snap_epitem *it;
	char text[64], mask[96];

	if (i < 0)
		return;
	it = &ep->items[i];
	dg_events(it->events, mask, sizeof(mask));
	l->cells[s].fill = FILL_IDLE;
	if (it->rdl_pos >= 0) {
		snprintf(text, sizeof(text), "#%d", it->rdl_pos + 1);
		l->cells[s].fill = (it->events & EPOLLET) ? FILL_QUEUED_ET : FILL_QUEUED_LT;
	} else if (it->ovf_pos >= 0) {
		snprintf(text, sizeof(text), "ovf #%d", it->ovf_pos + 1);
		l->cells[s].fill = FILL_OVF;
	} else if (it->txlist) {
		snprintf(text, sizeof(text), "txlist");
		l->cells[s].fill = FILL_TX;
	} else if (!(it->events & ~(uint32_t)EP_PRIVATE_BITS)) {
		snprintf(text, sizeof(text), "disarmed");
	} else {
		text[0] = '\0';
	}
	tl_set(&l->cells[s], text[0] ? text : NULL, mask);
}

static void tl_fill_cells(struct tl *tl)
{
	for (size_t li = 0; li < tl->nlanes; li++) {
		struct tl_lane *l = &tl->lanes[li];
		for (size_t s = tl->rec->from; s < tl->rec->to; s++) {
			switch (l->kind) {
			case TL_KERNEL:
				tl_kernel_cell(tl, l, s);
				break;
			case TL_THREAD:
				tl_thread_cell(tl, l, s);
				break;
			case TL_EPOLL:
				tl_epoll_cell(tl, l, s);
				break;
			case TL_READY:
				tl_ready_cell(tl, l, s);
				break;
			case TL_ITEM:
				tl_item_cell(tl, l, s);
				break;
			}
		}
	}
}

/* ---- arrows ---- */

static long tl_find_lane(const struct tl *tl, enum tl_kind kind, uint64_t ep_id,
			 uint64_t file_id, int fd, int thread)
{
	for (size_t i = 0; i < tl->nlanes; i++) {
		const struct tl_lane *l = &tl->lanes[i];
		if (l->kind != kind)
			continue;
		if ((kind == TL_THREAD && l->thread == thread) ||
		    (kind == TL_EPOLL && l->ep_id == ep_id) ||
		    (kind == TL_READY && l->file_id == file_id) ||
		    (kind == TL_ITEM && l->ep_id == ep_id && l->file_id == file_id && l->fd == fd))
			return (long)i;
	}
	return -1;
}

static void tl_add_arrow(struct tl *tl, size_t s, long from, long to, enum tl_arrow_style st,
			 const char *title)
{
	struct tl_arrow *a;

	if (from < 0 || to < 0)
		return;
	tl->arrows = xrealloc(tl->arrows, (tl->narrows + 1) * sizeof(*tl->arrows));
	a = &tl->arrows[tl->narrows++];
	a->step = s;
	a->from = (size_t)from;
	a->to = (size_t)to;
	a->style = st;
	a->slot = tl->slots[s]++;
	snprintf(a->title, sizeof(a->title), "step %zu: %s", s + 1, title);
}

static enum tl_arrow_style tl_callback_style(enum probe_outcome o)
{
	switch (o) {
	case PROBE_QUEUED:
		return AR_QUEUED;
	case PROBE_QUEUED_OVF:
		return AR_OVF;
	case PROBE_ALREADY_QUEUED:
		return AR_ALREADY;
	case PROBE_FILTERED:
		return AR_FILTERED;
	case PROBE_DISARMED:
		break;
	}
	return AR_DISARMED;
}

/* Where a woken thread slept before step s: its instance's lane, or its file's lane. */
static long tl_wake_source(const struct tl *tl, size_t s, int thread)
{
	const struct dg_recording *rec = tl->rec;
	const char *name = rec->t->threads[thread].name;
	uint64_t ep_id = 0, file_id = 0;

	if (s == 0 || !dg_sleeper_of(&rec->steps[s - 1].snap, name, &ep_id, &file_id))
		return -1;
	if (ep_id)
		return tl_find_lane(tl, TL_EPOLL, ep_id, 0, -1, -1);
	return tl_find_lane(tl, TL_READY, 0, file_id, -1, -1);
}

static void tl_make_arrows(struct tl *tl)
{
	const struct dg_recording *rec = tl->rec;
	char text[256];

	for (size_t s = rec->from; s < rec->to; s++) {
		const struct dg_step *st = &rec->steps[s];
		for (size_t i = 0; i < st->nprobes; i++) {
			const struct dg_probe *p = &st->probes[i];
			dg_probe_text(rec, p, text, sizeof(text));
			if (p->kind == PROBE_CALLBACK)
				tl_add_arrow(tl, s, tl_find_lane(tl, TL_ITEM, p->ep_id, p->file_id, p->fd, -1),
					     tl_find_lane(tl, TL_EPOLL, p->ep_id, 0, -1, -1),
					     tl_callback_style(p->outcome), text);
			else if (p->kind == PROBE_TASK_WAKE && p->task >= 0)
				tl_add_arrow(tl, s, tl_wake_source(tl, s, p->task),
					     tl_find_lane(tl, TL_THREAD, 0, 0, -1, p->task),
					     dg_timed_out(rec, s, p) ? AR_TIMEOUT : AR_WAKE, text);
		}
	}
}

/* ---- layout ---- */

static int tl_lines(const char *s)
{
	int n = 1;

	if (!s)
		return 1;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void tl_layout(struct tl *tl)
{
	const struct dg_recording *rec = tl->rec;
	int y, x, head = 0;

	for (size_t i = 0; i < tl->nlanes; i++) {
		int w = dg_text_w(tl->lanes[i].label), ws = dg_text_w(tl->lanes[i].sub);
		head = head > w ? head : w;
		head = head > ws ? head : ws;
	}
	tl->head_w = head + 3 * TL_PAD;
	tl->colx = xcalloc(rec->nsteps + 1, sizeof(int));
	tl->colw = xcalloc(rec->nsteps + 1, sizeof(int));
	tl->head_h = 0;
	x = tl->head_w;
	for (size_t s = rec->from; s < rec->to; s++) {
		int w = TL_MIN_COL;
		char call[600];
		for (size_t i = 0; i < tl->nlanes; i++)
			w = w > dg_text_block_w(tl->lanes[i].cells[s].text) + 2 * TL_PAD ?
				    w : dg_text_block_w(tl->lanes[i].cells[s].text) + 2 * TL_PAD;
		w += tl->slots[s] ? tl->slots[s] * TL_SLOT + TL_PAD : 0;
		tl->colx[s] = x;
		tl->colw[s] = w;
		x += w;
		dg_step_call(rec, s, call, sizeof(call));
		tl->head_h = tl->head_h > dg_text_w(call) ? tl->head_h : dg_text_w(call);
	}
	tl->width = x + TL_PAD * 2;
	tl->top = 44;
	tl->head_h += 34;
	y = tl->top + tl->head_h;
	for (size_t i = 0; i < tl->nlanes; i++) {
		struct tl_lane *l = &tl->lanes[i];
		int lines = 2;
		for (size_t s = rec->from; s < rec->to; s++)
			lines = lines > tl_lines(l->cells[s].text) ? lines : tl_lines(l->cells[s].text);
		if (l->kind == TL_ITEM || l->kind == TL_READY)
			lines = lines > 2 ? lines : 2;
		l->y = y;
		l->h = lines * TL_LINE + 2 * TL_PAD + (l->kind == TL_THREAD ? TL_SLEEP_H : 0);
		y += l->h;
	}
	tl->height = y + TL_KEY_H;
}

/* ---- drawing ---- */

static const char *tl_fill_class(enum tl_fill f)
{
	static const char *const names[] = { "",    "ready", "idle", "qlt", "qet",
					     "ovf", "tx",    "rdl",  "div" };
	return names[f];
}

static void tl_draw_header(const struct tl *tl, FILE *out)
{
	const struct dg_recording *rec = tl->rec;
	char call[600];

	fprintf(out, "<text x=\"%d\" y=\"22\" class=\"title\">epsim diagram: ", TL_PAD * 2);
	dg_xml(out, rec->title);
	fprintf(out, " on the simulator%s", rec->has_kernel ? ", with the kernel's log" : "");
	dg_window_note(rec, out);
	fputs("</text>\n", out);
	for (size_t s = rec->from; s < rec->to; s++) {
		int cx = tl->colx[s] + tl->colw[s] / 2, base = tl->top + tl->head_h - 24;
		dg_step_call(rec, s, call, sizeof(call));
		if ((int)s + 1 == tl->highlight || (s % 2))
			fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"%s\"/>\n",
				tl->colx[s], tl->top, tl->colw[s], tl->height - tl->top - TL_KEY_H + 10,
				(int)s + 1 == tl->highlight ? "hl" : "zebra");
		fprintf(out, "<g><title>step %zu: ", s + 1);
		dg_xml(out, call);
		fprintf(out, "</title><text x=\"%d\" y=\"%d\" transform=\"rotate(-90 %d %d)\">", cx + 4,
			base, cx + 4, base);
		dg_xml(out, call);
		fprintf(out, "</text><text x=\"%d\" y=\"%d\" class=\"num\">%zu</text></g>\n", cx,
			tl->top + tl->head_h - 6, s + 1);
	}
}

static void tl_draw_lane_head(const struct tl_lane *l, int width, FILE *out)
{
	const char *cls = l->kind == TL_ITEM ? ((l->events & EPOLLET) ? "et" : "lt") : "lane";

	fprintf(out, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"%s\"/>\n", l->y, width,
		l->y, l->kind == TL_ITEM ? "sep2" : "sep");
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"%s\">", TL_PAD, l->y + TL_PAD + 11, cls);
	dg_xml(out, l->label);
	fprintf(out, "</text>\n<text x=\"%d\" y=\"%d\" class=\"dim\">", TL_PAD,
		l->y + TL_PAD + 11 + TL_LINE);
	dg_xml(out, l->sub);
	fputs("</text>\n", out);
}

/* The backgrounds of cells [s, e]: a band, a level bar or a baseline, by their fill. */
static void tl_draw_fill(const struct tl *tl, const struct tl_lane *l, size_t s, size_t e,
			 FILE *out)
{
	enum tl_fill f = l->cells[s].fill;
	int x = tl->colx[s], w = tl->colx[e] + tl->colw[e] - x, y = l->y + 4, h = l->h - 8;

	if (f == FILL_NONE)
		return;
	if (f == FILL_IDLE) {
		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"base%s\"/>\n", x,
			y + h, x + w, y + h, l->kind == TL_ITEM && (l->events & EPOLLET) ? " et" : "");
		return;
	}
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"%s\"/>\n", x, y, w,
		h, tl_fill_class(f));
}

static void tl_draw_text(const struct tl *tl, const struct tl_lane *l, size_t s, FILE *out)
{
	const struct tl_cell *c = &l->cells[s];
	const char *p = c->text;
	int line = 0;

	if (!c->text && !c->title)
		return;
	fputs("<g>", out);
	if (c->title) {
		fputs("<title>", out);
		dg_xml(out, c->title);
		fputs("</title>", out);
	}
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char buf[1024];
		snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"halo%s\">", tl->colx[s] + TL_PAD,
			l->y + TL_PAD + 11 + line++ * TL_LINE, c->bad ? " bad" : "");
		dg_xml(out, buf);
		fputs("</text>", out);
		p = nl ? nl + 1 : NULL;
	}
	if (!c->text)
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"hit\"/>",
			tl->colx[s], l->y, tl->colw[s], l->h);
	fputs("</g>\n", out);
}

/* A thread asleep after steps [a, b]: a dashed band from step a to the step that wakes it. */
static void tl_draw_sleep(const struct tl *tl, const struct tl_lane *l, FILE *out)
{
	const struct dg_recording *rec = tl->rec;
	const char *name = rec->t->threads[l->thread].name;

	for (size_t a = rec->from; a < rec->to; a++) {
		size_t b = a;
		int x0, x1;
		if (!dg_thread_asleep(&rec->steps[a].snap, name))
			continue;
		while (b + 1 < rec->to && dg_thread_asleep(&rec->steps[b + 1].snap, name))
			b++;
		x0 = tl->colx[a] + TL_PAD;
		x1 = b + 1 < rec->to ? tl->colx[b + 1] + TL_PAD : tl->width - TL_PAD;
		fprintf(out,
			"<g><title>%s asleep after steps %zu to %zu</title><rect x=\"%d\" y=\"%d\" "
			"width=\"%d\" height=\"6\" class=\"sleep\"/></g>\n",
			name, a + 1, b + 1, x0, l->y + l->h - TL_SLEEP_H, x1 - x0);
		a = b;
	}
}

static const char *tl_arrow_class(enum tl_arrow_style st)
{
	static const char *const names[] = { "a-q", "a-ovf", "a-al", "a-fi", "a-dis", "a-wake",
					     "a-tmo" };
	return names[st];
}

static const char *tl_arrow_marker(enum tl_arrow_style st)
{
	static const char *const names[] = { "mq", "movf", "mgrey", "mgrey", "mgrey", "mwake",
					     "mwake" };
	return names[st];
}

static void tl_draw_arrow(const struct tl *tl, const struct tl_arrow *a, FILE *out)
{
	const struct tl_lane *from = &tl->lanes[a->from], *to = &tl->lanes[a->to];
	int x = tl->colx[a->step] + tl->colw[a->step] - TL_PAD - (tl->slots[a->step] - a->slot) * TL_SLOT +
		TL_SLOT / 2;
	int y1 = from->y + from->h / 2, y2 = to->y + to->h / 2 + (to->y < from->y ? 2 : -2);

	fprintf(out, "<g><title>");
	dg_xml(out, a->title);
	fprintf(out,
		"</title><circle cx=\"%d\" cy=\"%d\" r=\"2.5\" class=\"%s\"/><line x1=\"%d\" y1=\"%d\" "
		"x2=\"%d\" y2=\"%d\" class=\"%s\" marker-end=\"url(#%s)\"/></g>\n",
		x, y1, tl_arrow_class(a->style), x, y1, x, y2, tl_arrow_class(a->style),
		tl_arrow_marker(a->style));
}

static void tl_draw_lanes(const struct tl *tl, FILE *out)
{
	for (size_t i = 0; i < tl->nlanes; i++) {
		const struct tl_lane *l = &tl->lanes[i];
		for (size_t s = tl->rec->from, e; s < tl->rec->to; s = e + 1) {
			for (e = s; e + 1 < tl->rec->to && l->cells[e + 1].fill == l->cells[s].fill;)
				e++;
			tl_draw_fill(tl, l, s, e, out);
		}
		if (l->kind == TL_THREAD)
			tl_draw_sleep(tl, l, out);
		tl_draw_lane_head(l, tl->width, out);
	}
	for (size_t i = 0; i < tl->narrows; i++)
		tl_draw_arrow(tl, &tl->arrows[i], out);
	for (size_t i = 0; i < tl->nlanes; i++)
		for (size_t s = tl->rec->from; s < tl->rec->to; s++)
			tl_draw_text(tl, &tl->lanes[i], s, out);
}

static const char tl_style[] =
	"<style>\n"
	"text{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;fill:#222}\n"
	".title{font-size:14px;font-weight:bold}\n"
	".num{text-anchor:middle;font-weight:bold}\n"
	".lane{font-weight:bold}.lt{fill:#1565c0;font-weight:bold}.et{fill:#e65100;font-weight:bold}\n"
	".dim{fill:#777}.bad{fill:#c62828;font-weight:bold}\n"
	".halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}\n"
	".sep{stroke:#999;stroke-width:1}.sep2{stroke:#ddd;stroke-width:1}\n"
	".zebra{fill:#f7f7f7}.hl{fill:#fff8c4}\n"
	".ready{fill:#c8e6c9;stroke:#2e7d32;stroke-width:1}\n"
	".base{stroke:#90a4ae;stroke-width:2}.base.et{stroke:#ffb74d}\n"
	".qlt{fill:#bbdefb;stroke:#1565c0;stroke-width:1}\n"
	".qet{fill:#ffe0b2;stroke:#e65100;stroke-width:1}\n"
	".ovf{fill:#e1bee7;stroke:#6a1b9a;stroke-width:1}\n"
	".tx{fill:#cfd8dc;stroke:#455a64;stroke-width:1}\n"
	".rdl{fill:#e3f2fd}.div{fill:#ffebee}\n"
	".sleep{fill:#eeeeee;stroke:#757575;stroke-dasharray:4 2}\n"
	".hit{fill:#fff;fill-opacity:0}\n"
	".a-q{stroke:#2e7d32;fill:#2e7d32;stroke-width:1.5}\n"
	".a-ovf{stroke:#6a1b9a;fill:#6a1b9a;stroke-width:1.5}\n"
	".a-al{stroke:#757575;fill:#757575;stroke-width:1.2;stroke-dasharray:4 2}\n"
	".a-fi{stroke:#9e9e9e;fill:#9e9e9e;stroke-width:1.2;stroke-dasharray:1 2}\n"
	".a-dis{stroke:#bdbdbd;fill:#bdbdbd;stroke-width:1.2;stroke-dasharray:1 3}\n"
	".a-wake{stroke:#e65100;fill:#e65100;stroke-width:2}\n"
	".a-tmo{stroke:#e65100;fill:#e65100;stroke-width:1.5;stroke-dasharray:5 3}\n"
	"</style>\n";

static void tl_defs(FILE *out)
{
	static const char *const m[][2] = {
		{ "mq", "#2e7d32" }, { "movf", "#6a1b9a" }, { "mgrey", "#757575" }, { "mwake", "#e65100" }
	};

	fputs("<defs>\n", out);
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		fprintf(out,
			"<marker id=\"%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
			"markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"%s\"/></marker>\n",
			m[i][0], m[i][1]);
	fputs("</defs>\n", out);
}

/* The key: what each colour and arrow means. */
static void tl_legend(const struct tl *tl, FILE *out)
{
	static const char *const boxes[][2] = {
		{ "ready", "file ready for what is watched (level)" },
		{ "qlt", "LT item on rdllist (#position)" },
		{ "qet", "ET item on rdllist (#position)" },
		{ "ovf", "item on ovflist (during a transfer)" },
		{ "tx", "item taken by a running transfer (txlist)" },
		{ "sleep", "thread asleep in a call" },
	};
	static const struct {
		enum tl_arrow_style style;
		const char *text;
	} arrows[TL_KEY_ROWS] = {
		{ AR_QUEUED, "ep_poll_callback: queued on rdllist" },
		{ AR_OVF, "ep_poll_callback: queued on ovflist" },
		{ AR_ALREADY, "ep_poll_callback: already queued" },
		{ AR_FILTERED, "ep_poll_callback: key not in the mask" },
		{ AR_DISARMED, "ep_poll_callback: ONESHOT item disarmed" },
		{ AR_WAKE, "wake-up of a sleeping thread" },
		{ AR_TIMEOUT, "wake-up: its timeout expired" },
	};
	int y = tl->height - TL_KEY_H + 14, x = TL_PAD * 2;

	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"lane\">key</text>\n", x, y);
	for (size_t i = 0; i < TL_KEY_ROWS; i++) {
		int yy = y + 10 + (int)i * 22;
		if (i < sizeof(boxes) / sizeof(boxes[0]))
			fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"30\" height=\"14\" class=\"%s\"/>"
				     "<text x=\"%d\" y=\"%d\">%s</text>\n",
				x, yy, boxes[i][0], x + 40, yy + 11, boxes[i][1]);
		fprintf(out,
			"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"%s\" marker-end=\"url(#%s)\"/>",
			x + 380, yy + 7, x + 420, yy + 7, tl_arrow_class(arrows[i].style),
			tl_arrow_marker(arrows[i].style));
		fprintf(out, "<text x=\"%d\" y=\"%d\">%s</text>\n", x + 430, yy + 11, arrows[i].text);
	}
}

static void tl_free(struct tl *tl)
{
	for (size_t i = 0; i < tl->nlanes; i++) {
		for (size_t s = tl->rec->from; s < tl->rec->to; s++) {
			free(tl->lanes[i].cells[s].text);
			free(tl->lanes[i].cells[s].title);
		}
		free(tl->lanes[i].cells);
	}
	free(tl->lanes);
	free(tl->arrows);
	free(tl->slots);
	free(tl->colx);
	free(tl->colw);
}

void dg_svg(const struct dg_recording *rec, int highlight_step, FILE *out)
{
	struct tl tl = { .rec = rec, .highlight = highlight_step };

	tl.slots = xcalloc(rec->nsteps + 1, sizeof(int));
	tl_make_lanes(&tl);
	tl_fill_cells(&tl);
	tl_make_arrows(&tl);
	tl_layout(&tl);
	if (tl.width < 900)
		tl.width = 900;
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\">\n",
		tl.width, tl.height, tl.width, tl.height);
	fputs("<title>epsim timeline: ", out);
	dg_xml(out, rec->title);
	fputs("</title>\n", out);
	fputs(tl_style, out);
	tl_defs(out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", tl.width,
		tl.height);
	tl_draw_header(&tl, out);
	tl_draw_lanes(&tl, out);
	tl_legend(&tl, out);
	fputs("</svg>\n", out);
	tl_free(&tl);
}
