/*
 * The recorder behind every diagram: runs a trace on the simulator with a
 * probe sink attached, and after each step keeps a snapshot of the world, the
 * step's probes (resolved to trace names) and its log entries; then lays the
 * kernel's log lines, if given, beside the simulator's.
 *
 * The thread a probe ran in is inferred, since probes do not carry it: the
 * step's own thread runs first, then the threads it woke, in wake-up order
 * (the world's run queue). A thread's turn ends when it goes back to sleep, or
 * when it has made the deliveries its log entry shows and a woken thread waits.
 *
 * ep_poll_callback reports itself when it returns, after the wake-ups it did
 * (and after the callbacks of outer instances it set off, for nested epoll).
 * The recorder moves each callback in front of what it caused, so probes read
 * as cause, then effect, and dg_probe.cause links an effect to its callback.
 */
#include <stdlib.h>
#include <string.h>
#include "diagram.h"
#include "diagram_draw.h"
#include "backend_sim.h"
#include "eventpoll.h"
#include "world.h"
#include "xalloc.h"

/* The recorder's state during the run. */
struct dg_run {
	struct dg_recording *rec;
	struct dg_probe *buf;		/* probes of the step being run */
	size_t n, cap;
	size_t cap_tokens;
};

static int dg_thread_index(const struct trace *t, const char *name)
{
	for (size_t i = 0; i < t->nthreads; i++)
		if (!strcmp(t->threads[i].name, name))
			return (int)i;
	return -1;
}

/* The probe sink: copy out what the probe points at; tokens are resolved after the step. */
static void dg_on_probe(void *ctx, const struct sim_probe *p)
{
	struct dg_run *r = ctx;
	struct dg_probe *d;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->buf = xrealloc(r->buf, r->cap * sizeof(*r->buf));
	}
	d = &r->buf[r->n++];
	memset(d, 0, sizeof(*d));
	d->kind = p->kind;
	d->outcome = p->outcome;
	d->key = p->key;
	d->ewake = p->ewake;
	d->task = p->task ? dg_thread_index(r->rec->t, p->task->name) : -1;
	d->ctx = -1;
	d->item = -1;
	d->fd = -1;
	if (p->ep)
		d->ep_id = p->ep->id;
	if (p->epi) {
		d->file_id = p->epi->ffd.file->f_id;
		d->fd = p->epi->ffd.fd;
		d->data = p->epi->event.data.u64;	/* the token until the step ends */
	}
}

static void dg_on_open(void *ctx, struct backend *b)
{
	struct world *w = sim_backend_world(b);

	w->probe.fn = dg_on_probe;
	w->probe.ctx = ctx;
}

/* Copy the registration tokens made so far (they are dense from 1). */
static void dg_copy_tokens(struct dg_run *r, const struct reg_table *regs)
{
	struct dg_recording *rec = r->rec;
	int name;
	uint64_t data;

	while (run_token_lookup(regs, rec->ntokens + 1, &name, &data)) {
		if (rec->ntokens == r->cap_tokens) {
			r->cap_tokens = r->cap_tokens ? r->cap_tokens * 2 : 16;
			rec->tokens = xrealloc(rec->tokens, r->cap_tokens * sizeof(*rec->tokens));
		}
		rec->tokens[rec->ntokens++] = (struct dg_token){ name, data };
	}
}

/* Deliveries each thread made in this step, from its log entries. */
static int *dg_expected_deliveries(const struct dg_recording *rec, const struct run_log *log,
				   size_t from, size_t to)
{
	int *want = xcalloc(rec->t->nthreads + 1, sizeof(int));

	for (size_t i = from; i < to; i++) {
		const struct run_entry *e = &log->entries[i];
		int th = e->thread ? dg_thread_index(rec->t, e->thread) : 0;
		if (e->kind == RUN_DONE && th >= 0 && e->nevents > 0)
			want[th] += e->nevents;
	}
	return want;
}

/* The turn-taking of one step's threads (see the comment at the top). */
struct dg_turns {
	int cur;		/* thread whose turn it is, -1 between turns */
	int *queue;		/* woken threads waiting for their turn */
	size_t head, n;
	int *want;		/* deliveries left per thread */
	int first;		/* the step's own thread */
};

static void dg_next_turn(struct dg_turns *tt)
{
	tt->cur = tt->head < tt->n ? tt->queue[tt->head++] : -1;
}

static void dg_turn_probe(struct dg_turns *tt, struct dg_probe *p)
{
	bool delivers = p->kind == PROBE_DELIVER || p->kind == PROBE_DROP;

	if (delivers && (tt->cur < 0 || tt->want[tt->cur] <= 0) && tt->head < tt->n)
		dg_next_turn(tt);
	p->ctx = tt->cur >= 0 ? tt->cur : tt->first;
	if (p->kind == PROBE_DELIVER && tt->want[p->ctx] > 0)
		tt->want[p->ctx]--;
	if (p->kind == PROBE_TASK_WAKE && p->task >= 0)
		tt->queue[tt->n++] = p->task;
	if (p->kind == PROBE_TASK_SLEEP && p->task == tt->cur)
		dg_next_turn(tt);
}

static void dg_attribute(const struct dg_recording *rec, const struct run_view *v,
			 struct dg_probe *probes, size_t n)
{
	struct dg_turns tt = { 0 };

	tt.first = v->t->steps[v->step].thread;
	tt.cur = tt.first;
	tt.queue = xcalloc(n + 1, sizeof(int));
	tt.want = dg_expected_deliveries(rec, v->log, v->log_from, v->log->n);
	for (size_t i = 0; i < n; i++)
		dg_turn_probe(&tt, &probes[i]);
	free(tt.queue);
	free(tt.want);
}

/* Whether probe p (the head of a group) was caused by callback c: a wake-up of a thread
 * asleep on c's instance, or the callback of an outer instance watching c's instance. */
static bool dg_caused_by(const struct dg_recording *rec, const struct world_snapshot *before,
			 const struct world_snapshot *after, const struct dg_probe *c,
			 const struct dg_probe *p)
{
	const struct snap_epoll *ep = before ? dg_epoll_by_id(before, c->ep_id) : NULL;
	uint64_t ep_id = 0, file_id = 0;

	if (!ep)
		ep = dg_epoll_by_id(after, c->ep_id);
	if (p->kind == PROBE_CALLBACK)
		return ep && p->file_id == ep->file_id;
	if (p->kind != PROBE_TASK_WAKE || p->task < 0 || !before)
		return false;
	return dg_sleeper_of(before, rec->t->threads[p->task].name, &ep_id, &file_id) &&
	       ep_id == c->ep_id;
}

/* Move probes[i] to j, the rest of [j, i) one up; what moved now has it as its cause. */
static void dg_rotate(struct dg_probe *probes, size_t j, size_t i)
{
	struct dg_probe c = probes[i];

	memmove(&probes[j + 1], &probes[j], (i - j) * sizeof(*probes));
	probes[j] = c;
	for (size_t k = j + 1; k <= i; k++)
		probes[k].cause = probes[k].cause < 0 ? (int)j : probes[k].cause + 1;
}

/* Put each callback before the groups of probes it caused (see the comment at the top). */
static void dg_order_causes(const struct dg_recording *rec, const struct world_snapshot *before,
			    const struct world_snapshot *after, struct dg_probe *probes, size_t n)
{
	size_t *start = xcalloc(n + 1, sizeof(size_t));	/* group ending at k starts at start[k] */

	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		start[i] = i;
		probes[i].cause = -1;
		if (probes[i].kind != PROBE_CALLBACK)
			continue;
		while (j > 0 && probes[start[j - 1]].cause < 0 &&
		       dg_caused_by(rec, before, after, &probes[i], &probes[start[j - 1]]))
			j = start[j - 1];
		if (j < i)
			dg_rotate(probes, j, i);
		start[i] = j;
	}
	free(start);
}

/* Replace each item probe's token by the trace name and data it stands for. */
static void dg_resolve_tokens(const struct dg_recording *rec, struct dg_probe *probes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct dg_probe *p = &probes[i];
		int name = -1;
		uint64_t data = p->data;

		if (p->fd < 0)
			continue;
		if (dg_token(rec, p->data, &name, &data))
			p->item = name;
		p->data = data;
	}
}

static void dg_after_step(void *ctx, struct backend *b, const struct run_view *v)
{
	struct dg_run *r = ctx;
	struct dg_recording *rec = r->rec;
	struct dg_step *st = &rec->steps[v->step];

	dg_copy_tokens(r, v->regs);
	st->log_from = v->log_from;
	st->log_to = v->log->n;
	rec->nsteps = v->step + 1;
	if (v->step + 1 < rec->from || v->step >= rec->to) {
		r->n = 0;	/* outside the window (and the step before it): log only */
		return;
	}
	if (world_snapshot_take(sim_backend_world(b), &st->snap) != 0) {
		fprintf(stderr, "epsim: out of memory\n");
		exit(2);
	}
	st->fds = xcalloc(v->t->nnames + 1, sizeof(int));
	memcpy(st->fds, v->fds, v->t->nnames * sizeof(int));
	dg_resolve_tokens(rec, r->buf, r->n);
	dg_attribute(rec, v, r->buf, r->n);
	dg_order_causes(rec, v->step ? &rec->steps[v->step - 1].snap : NULL, &st->snap, r->buf,
			r->n);
	st->probes = r->n ? xcalloc(r->n, sizeof(*r->buf)) : NULL;
	if (r->n)
		memcpy(st->probes, r->buf, r->n * sizeof(*r->buf));
	st->nprobes = r->n;
	r->n = 0;
}

/* The trace file's lines, for the page that shows it. */
static void dg_read_source(struct dg_recording *rec, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return;
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		rec->source = xrealloc(rec->source, (rec->nsource + 1) * sizeof(char *));
		rec->source[rec->nsource++] = xstrdup(line);
	}
	free(line);
	fclose(f);
}

/* The step a log line belongs to (1-based), from its first word; "end" is the last step. */
static size_t dg_line_step(const char *line, size_t nsteps)
{
	if (!strncmp(line, "end", 3))
		return nsteps;
	return (size_t)strtoul(line, NULL, 10);
}

static void dg_push_line(struct dg_step *st, const char *line)
{
	st->kernel = xrealloc(st->kernel, (st->nkernel + 1) * sizeof(char *));
	st->kernel[st->nkernel++] = xstrdup(line);
}

/* Whether the kernel's lines for step i equal the simulator's. */
static bool dg_step_differs(const struct dg_recording *rec, size_t i)
{
	const struct dg_step *st = &rec->steps[i];
	size_t to = i + 1 == rec->nsteps ? rec->res.log.n : st->log_to;
	char line[10240];

	if (to - st->log_from != st->nkernel)
		return true;
	for (size_t k = st->log_from; k < to; k++) {
		run_entry_line(&rec->res.log.entries[k], line, sizeof(line));
		if (strcmp(line, st->kernel[k - st->log_from]))
			return true;
	}
	return false;
}

static void dg_annotate(struct dg_recording *rec, const struct log_lines *kernel,
			const char *label)
{
	rec->has_kernel = true;
	rec->kernel_label = xstrdup(label ? label : "kernel");
	for (size_t i = 0; i < kernel->n; i++) {
		size_t s = dg_line_step(kernel->lines[i], rec->nsteps);
		if (s >= 1 && s <= rec->nsteps)
			dg_push_line(&rec->steps[s - 1], kernel->lines[i]);
	}
	for (size_t i = 0; i < rec->nsteps; i++)
		rec->steps[i].kernel_differs = dg_step_differs(rec, i);
}

static char *dg_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return xstrdup(s ? s + 1 : path);
}

/* The window of steps to draw, [from, to), from the 1-based first and last asked for. */
static void dg_window(size_t nsteps, const struct dg_options *o, size_t *from, size_t *to)
{
	size_t first = o && o->first ? o->first : 1, last = o ? o->last : 0;

	*from = first - 1 < nsteps ? first - 1 : nsteps;
	*to = last ? last : *from + DG_MAX_STEPS;
	if (*to > nsteps)
		*to = nsteps;
	if (*to < *from)
		*to = *from;
}

/* The files and instances drawn: the first DG_MAX_OBJECTS by creation seen in the window. */
static void dg_pick_drawn(struct dg_recording *rec)
{
	uint64_t *ids = NULL;
	size_t n = 0;

	for (size_t s = rec->from; s < rec->to; s++)
		for (size_t i = 0; i < rec->steps[s].snap.nfiles; i++) {
			uint64_t id = rec->steps[s].snap.files[i].id;
			if (n && bsearch(&id, ids, n, sizeof(*ids), dg_cmp_u64))
				continue;
			ids = xrealloc(ids, (n + 1) * sizeof(*ids));
			ids[n++] = id;
			qsort(ids, n, sizeof(*ids), dg_cmp_u64);
		}
	rec->drawn = ids;
	rec->ndrawn = n < DG_MAX_OBJECTS ? n : DG_MAX_OBJECTS;
	rec->nhidden = n - rec->ndrawn;
}

bool dg_drawn(const struct dg_recording *rec, uint64_t file_id)
{
	return rec->ndrawn && bsearch(&file_id, rec->drawn, rec->ndrawn, sizeof(uint64_t), dg_cmp_u64);
}

int dg_record(const struct trace *t, const struct dg_options *opt, struct dg_recording *rec,
	      char *err, size_t errlen)
{
	struct dg_run r = { .rec = rec };
	struct run_options o = { 0 };

	memset(rec, 0, sizeof(*rec));
	rec->t = t;
	rec->title = dg_basename(t->path);
	rec->steps = xcalloc(t->nsteps + 1, sizeof(*rec->steps));
	dg_window(t->nsteps, opt, &rec->from, &rec->to);
	o.on_open = dg_on_open;
	o.after_step = dg_after_step;
	o.after_step_ctx = &r;
	if (run_trace(t, &sim_backend_ops, &o, &rec->res, err, errlen) != 0) {
		free(r.buf);
		dg_recording_free(rec);
		return -1;
	}
	free(r.buf);
	rec->log_end = rec->nsteps ? rec->steps[rec->nsteps - 1].log_to : 0;
	dg_read_source(rec, t->path);
	dg_pick_drawn(rec);
	if (opt && opt->kernel)
		dg_annotate(rec, opt->kernel, opt->kernel_label);
	return 0;
}

static void dg_free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

void dg_recording_free(struct dg_recording *rec)
{
	for (size_t i = 0; rec->steps && i < rec->t->nsteps; i++) {
		struct dg_step *st = &rec->steps[i];
		world_snapshot_free(&st->snap);
		free(st->probes);
		free(st->fds);
		dg_free_lines(st->kernel, st->nkernel);
	}
	free(rec->steps);
	dg_free_lines(rec->source, rec->nsource);
	run_result_free(&rec->res);
	free(rec->tokens);
	free(rec->title);
	free(rec->kernel_label);
	free(rec->drawn);
	memset(rec, 0, sizeof(*rec));
}
