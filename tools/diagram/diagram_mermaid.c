/*
 * A Mermaid sequenceDiagram of a trace: threads, epoll instances and files
 * as participants; each step's call and return; inside it the callbacks
 * (file to instance) and wake-ups (instance to thread); a thread asleep in a
 * call is an activation; a note wherever a ready list changes; steps where
 * the kernel's log differs are shaded, with the kernel's result in a note.
 */
#include <stdlib.h>
#include <string.h>
#include "diagram.h"
#include "diagram_draw.h"
#include "eventpoll.h"
#include "xalloc.h"

/* Message text: no ';' (a statement break) and no '#' (an entity). */
static void mm_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == ';')
			fputc(',', out);
		else if (*s == '#')
			fputs("#35;", out);
		else if (*s == '\n')
			fputs("<br/>", out);
		else
			fputc(*s, out);
	}
}

/* The file behind fd in a snapshot's first process, 0 if none. */
static uint64_t mm_fd_file(const struct world_snapshot *s, int fd)
{
	for (size_t i = 0; i < s->nfds && fd >= 0; i++)
		if (s->fds[i].pid == s->fds[0].pid && s->fds[i].fd == fd)
			return s->fds[i].file_id;
	return 0;
}

/* The file a step acts on: its first operand, before the step (or after, for a creation). */
static uint64_t mm_target(const struct dg_recording *rec, size_t s)
{
	int obj = rec->t->steps[s].obj;
	uint64_t id = 0;

	if (obj < 0)
		return 0;
	if (s > 0 && rec->steps[s - 1].fds)
		id = mm_fd_file(&rec->steps[s - 1].snap, rec->steps[s - 1].fds[obj]);
	if (!id && rec->steps[s].fds)
		id = mm_fd_file(&rec->steps[s].snap, rec->steps[s].fds[obj]);
	return dg_drawn(rec, id) ? id : 0;
}

/* Every file the diagram mentions, each once, in id order. */
static size_t mm_files(const struct dg_recording *rec, uint64_t **out)
{
	uint64_t *ids = NULL;
	size_t n = 0;

	for (size_t s = rec->from; s < rec->to; s++) {
		const struct world_snapshot *snap = &rec->steps[s].snap;
		for (size_t i = 0; i < snap->nfiles; i++) {
			size_t k = 0;
			if (!dg_drawn(rec, snap->files[i].id))
				continue;
			while (k < n && ids[k] != snap->files[i].id)
				k++;
			if (k < n)
				continue;
			ids = xrealloc(ids, (n + 1) * sizeof(*ids));
			ids[n++] = snap->files[i].id;
		}
	}
	if (n)
		qsort(ids, n, sizeof(*ids), dg_cmp_u64);
	*out = ids;
	return n;
}

static void mm_participants(const struct dg_recording *rec, FILE *out)
{
	uint64_t *ids;
	size_t n = mm_files(rec, &ids);
	char name[64];

	for (size_t i = 0; i < rec->t->nthreads; i++)
		fprintf(out, "    participant T%zu as %s\n", i, rec->t->threads[i].name);
	for (size_t i = 0; i < n; i++) {
		size_t s = dg_first_step_with_file(rec, ids[i]);
		const struct snap_file *f = snapshot_file(&rec->steps[s].snap, ids[i]);
		dg_file_label(rec, s, ids[i], name, sizeof(name));
		fprintf(out, "    participant F%llu as %s (%s)\n", (unsigned long long)ids[i], name,
			f && !strcmp(f->type, "eventpoll") ? "epoll" : f ? f->type : "file");
	}
	free(ids);
}

/* The instance's file, looked up after the step and then before it. */
static uint64_t mm_ep_file(const struct dg_recording *rec, size_t s, uint64_t ep_id)
{
	const struct snap_epoll *ep = dg_epoll_by_id(&rec->steps[s].snap, ep_id);

	if (!ep && s > 0)
		ep = dg_epoll_by_id(&rec->steps[s - 1].snap, ep_id);
	return ep ? ep->file_id : 0;
}

/* Callbacks and wake-ups inside step s. */
static void mm_probes(const struct dg_recording *rec, size_t s, FILE *out)
{
	const struct dg_step *st = &rec->steps[s];
	char text[256];

	for (size_t i = 0; i < st->nprobes; i++) {
		const struct dg_probe *p = &st->probes[i];
		uint64_t ep_file = 0, file = 0, epf;
		if (p->kind == PROBE_CALLBACK && (epf = mm_ep_file(rec, s, p->ep_id)) != 0 &&
		    dg_drawn(rec, epf) && dg_drawn(rec, p->file_id)) {
			dg_probe_text(rec, p, text, sizeof(text));
			fprintf(out, "    F%llu-)F%llu: ", (unsigned long long)p->file_id,
				(unsigned long long)epf);
			mm_text(out, text);
			fputc('\n', out);
		} else if (p->kind == PROBE_TASK_WAKE && p->task >= 0 && s > 0 &&
			   dg_sleeper_of(&rec->steps[s - 1].snap, rec->t->threads[p->task].name,
					 &ep_file, &file)) {
			epf = ep_file ? mm_ep_file(rec, s, ep_file) : file;
			if (dg_drawn(rec, epf))
				fprintf(out, "    F%llu-)T%d: wake up\n", (unsigned long long)epf, p->task);
		}
	}
}

static int mm_thread_of(const struct dg_recording *rec, const struct run_entry *e)
{
	for (size_t i = 1; i < rec->t->nthreads && e->thread; i++)
		if (!strcmp(rec->t->threads[i].name, e->thread))
			return (int)i;
	return 0;
}

/* The step's log entries: returns, sleeps (activations) and wake-ups (deactivations). */
static void mm_entries(const struct dg_recording *rec, size_t s, FILE *out)
{
	size_t from, to;

	dg_step_entries(rec, s, &from, &to);
	for (size_t i = from; i < to; i++) {
		const struct run_entry *e = &rec->res.log.entries[i];
		int th = mm_thread_of(rec, e);
		uint64_t target = mm_target(rec, (size_t)e->src_step - 1);
		if (e->kind == RUN_INFO)
			continue;
		if (e->kind == RUN_BLOCKS) {
			fprintf(out, "    activate T%d\n    Note right of T%d: blocks\n", th, th);
			continue;
		}
		if (e->kind == RUN_PENDING) {
			fprintf(out, "    Note right of T%d: still blocked at the end\n    deactivate T%d\n",
				th, th);
			continue;
		}
		if (target)
			fprintf(out, "    F%llu-->>T%d: ", (unsigned long long)target, th);
		else
			fprintf(out, "    Note right of T%d: ", th);
		mm_text(out, "= ");
		mm_text(out, e->result);
		fputc('\n', out);
		if (e->src_step != e->step)
			fprintf(out, "    deactivate T%d\n", th);
	}
}

/* A note wherever an instance's ready list differs from the step before. */
static void mm_ready_notes(const struct dg_recording *rec, size_t s, FILE *out)
{
	const struct world_snapshot *snap = &rec->steps[s].snap;
	char name[64];

	for (size_t e = 0; e < snap->neps; e++) {
		const struct snap_epoll *ep = &snap->eps[e];
		const struct snap_epoll *was = s ? dg_epoll_by_id(&rec->steps[s - 1].snap, ep->id) : NULL;
		struct dg_buf b = { 0 };
		if (dg_same_ready_list(ep, was) || !dg_drawn(rec, ep->file_id))
			continue;
		dg_buf_add(&b, "rdllist:");
		for (size_t k = 0; k < ep->nrdllist; k++) {
			dg_item_label(rec, s, &ep->items[ep->rdllist[k]], name, sizeof(name));
			dg_buf_printf(&b, " %s", name);
		}
		if (!ep->nrdllist)
			dg_buf_add(&b, " empty");
		fprintf(out, "    Note over F%llu: ", (unsigned long long)ep->file_id);
		mm_text(out, b.s);
		fputc('\n', out);
		free(b.s);
	}
}

static void mm_kernel_note(const struct dg_recording *rec, size_t s, FILE *out)
{
	const struct dg_step *st = &rec->steps[s];
	int th = rec->t->steps[s].thread;

	fprintf(out, "    Note right of T%d: kernel (%s):", th, rec->kernel_label);
	for (size_t i = 0; i < st->nkernel; i++) {
		char call[512];
		const char *result;
		fputs("<br/>", out);
		if (dg_split_log_line(st->kernel[i], call, sizeof(call), &result)) {
			mm_text(out, call);
			mm_text(out, " = ");
			mm_text(out, result);
		} else {
			mm_text(out, st->kernel[i]);
		}
	}
	if (!st->nkernel)
		fputs(" no line for this step", out);
	fputc('\n', out);
}

static void mm_step(const struct dg_recording *rec, size_t s, FILE *out)
{
	const struct trace_step *ts = &rec->t->steps[s];
	uint64_t target = mm_target(rec, s);
	bool diverges = rec->has_kernel && rec->steps[s].kernel_differs;

	if (diverges)
		fputs("    rect rgb(255, 235, 238)\n", out);
	if (target)
		fprintf(out, "    T%d->>F%llu: %zu. ", ts->thread, (unsigned long long)target, s + 1);
	else
		fprintf(out, "    Note right of T%d: %zu. ", ts->thread, s + 1);
	mm_text(out, ts->text);
	fputc('\n', out);
	mm_probes(rec, s, out);
	mm_entries(rec, s, out);
	mm_ready_notes(rec, s, out);
	if (diverges) {
		mm_kernel_note(rec, s, out);
		fputs("    end\n", out);
	}
}

void dg_mermaid(const struct dg_recording *rec, bool fenced, FILE *out)
{
	if (fenced)
		fputs("```mermaid\n", out);
	fputs("sequenceDiagram\n", out);
	fputs("    %% epsim diagram: ", out);
	mm_text(out, rec->title);
	fputs(rec->has_kernel ? " on the simulator, with the kernel's log" : " on the simulator", out);
	dg_window_note(rec, out);
	fputc('\n', out);
	mm_participants(rec, out);
	for (size_t s = rec->from; s < rec->to; s++)
		mm_step(rec, s, out);
	if (fenced)
		fputs("```\n", out);
}
