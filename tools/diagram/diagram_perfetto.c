/*
 * Chrome trace-event JSON (opens in ui.perfetto.dev and chrome://tracing).
 * Time is logical: each step gets a stretch of microseconds long enough for
 * its probes, so the output is byte-stable. Tracks:
 *   pid 1 "threads": a "steps" track with one slice per step, then one track
 *     per trace thread: its system calls as slices (a blocking call spans from
 *     the step that issued it to the step that woke it), inside them
 *     ep_send_events with a slice per delivered item, and instants for
 *     callbacks, sleeps and wake-ups; flow arrows lead from the callback that
 *     queued an item to the delivery that reported it;
 *   pid 2 "files": a counter per watched file with its readiness bits;
 *   pid 3 "epoll": a counter per instance with its ready-list length.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include "diagram.h"
#include "runlog.h"
#include "diagram_draw.h"
#include "eventpoll.h"
#include "xalloc.h"

#define PF_GAP 20	/* between two probes */
#define PF_LEAD 40	/* from a step's start to its first probe */
#define PF_TAIL 80	/* from its last probe to its end */

struct pf {
	const struct dg_recording *rec;
	FILE *out;
	uint64_t *start;	/* per step drawn: its first microsecond; [to]: the end */
	bool first;		/* no event written yet */
	long *flow_out;		/* per (step, probe): the flow a callback starts, or 0 */
	long *flow_in;		/* per (step, probe): the flow a delivery ends, or 0 */
	size_t *flow_base;	/* per step: its first index in flow_out and flow_in */
};

static uint64_t pf_ts(const struct pf *pf, size_t s, size_t i)
{
	return pf->start[s] + PF_LEAD + PF_GAP * i;
}

static void pf_times(struct pf *pf)
{
	const struct dg_recording *rec = pf->rec;
	size_t total = 0;

	pf->start = xcalloc(rec->nsteps + 1, sizeof(uint64_t));
	pf->flow_base = xcalloc(rec->nsteps + 1, sizeof(size_t));
	for (size_t s = rec->from; s < rec->to; s++) {
		size_t n = rec->steps[s].nprobes;
		pf->start[s + 1] = pf->start[s] + PF_LEAD + PF_GAP * (n ? n - 1 : 0) + PF_TAIL;
		pf->flow_base[s] = total;
		total += n;
	}
	pf->flow_out = xcalloc(total + 1, sizeof(long));
	pf->flow_in = xcalloc(total + 1, sizeof(long));
}

/* Start an event object: the comma between events, and the common fields. */
static void pf_event(struct pf *pf, const char *ph, const char *name, int pid, int tid,
		     uint64_t ts)
{
	fputs(pf->first ? "\n" : ",\n", pf->out);
	pf->first = false;
	fprintf(pf->out, "{\"ph\":\"%s\",\"name\":", ph);
	run_json_str(pf->out, name);
	fprintf(pf->out, ",\"pid\":%d,\"tid\":%d,\"ts\":%llu", pid, tid, (unsigned long long)ts);
}

static void pf_meta(struct pf *pf, const char *what, int pid, int tid, const char *name,
		    int sort)
{
	pf_event(pf, "M", what, pid, tid, 0);
	fputs(",\"args\":{\"name\":", pf->out);
	run_json_str(pf->out, name);
	fputs("}}", pf->out);
	pf_event(pf, "M", tid ? "thread_sort_index" : "process_sort_index", pid, tid, 0);
	fprintf(pf->out, ",\"args\":{\"sort_index\":%d}}", sort);
}

static void pf_metadata(struct pf *pf)
{
	const struct dg_recording *rec = pf->rec;

	pf_meta(pf, "process_name", 1, 0, "threads", 1);
	pf_meta(pf, "thread_name", 1, 1, "steps", 0);
	for (size_t i = 0; i < rec->t->nthreads; i++)
		pf_meta(pf, "thread_name", 1, (int)i + 2, rec->t->threads[i].name, (int)i + 1);
	pf_meta(pf, "process_name", 2, 0, "files: readiness", 2);
	pf_meta(pf, "process_name", 3, 0, "epoll: ready-list length", 3);
}

/* The "steps" track: one slice per step, with the kernel's lines when annotated. */
static void pf_steps(struct pf *pf)
{
	const struct dg_recording *rec = pf->rec;
	char call[600], name[700];

	for (size_t s = rec->from; s < rec->to; s++) {
		const struct dg_step *st = &rec->steps[s];
		bool differs = rec->has_kernel && st->kernel_differs;
		dg_step_call(rec, s, call, sizeof(call));
		snprintf(name, sizeof(name), "%s%zu: %s", differs ? "DIVERGES " : "", s + 1, call);
		pf_event(pf, "X", name, 1, 1, pf->start[s]);
		fprintf(pf->out, ",\"dur\":%llu,\"cat\":\"step\",\"args\":{\"step\":%zu",
			(unsigned long long)(pf->start[s + 1] - pf->start[s] - 1), s + 1);
		if (rec->has_kernel) {
			struct dg_buf b = { 0 };
			for (size_t i = 0; i < st->nkernel; i++)
				dg_buf_line(&b, st->kernel[i]);
			fprintf(pf->out, ",\"kernel_differs\":%s,\"kernel\":", differs ? "true" : "false");
			run_json_str(pf->out, b.s ? b.s : "");
			free(b.s);
		}
		fputs("}}", pf->out);
	}
}

/* When thread th's part of step s ends: after its last probe, or a little into the step. */
static uint64_t pf_thread_end(const struct pf *pf, size_t s, int th)
{
	const struct dg_step *st = &pf->rec->steps[s];
	uint64_t end = pf->start[s] + PF_LEAD + PF_GAP;

	for (size_t i = 0; i < st->nprobes; i++)
		if (st->probes[i].ctx == th || st->probes[i].task == th)
			end = pf_ts(pf, s, i) + PF_GAP * 3 / 4;
	return end;
}

static int pf_thread_of(const struct dg_recording *rec, const struct run_entry *e)
{
	for (size_t i = 1; i < rec->t->nthreads && e->thread; i++)
		if (!strcmp(rec->t->threads[i].name, e->thread))
			return (int)i;
	return 0;
}

/* One system call as a slice, from the step that issued it to the step it ended in. */
static void pf_call(struct pf *pf, const struct run_entry *e, size_t end_step)
{
	const struct dg_recording *rec = pf->rec;
	int th = pf_thread_of(rec, e);
	size_t s0 = (size_t)e->src_step - 1 > rec->from ? (size_t)e->src_step - 1 : rec->from;
	uint64_t t0 = pf->start[s0] + 1;
	uint64_t t1 = e->kind == RUN_PENDING ? pf->start[rec->to] - 2 :
					       pf_thread_end(pf, end_step, th);

	pf_event(pf, "X", e->text, 1, th + 2, t0);
	fprintf(pf->out, ",\"dur\":%llu,\"cat\":\"syscall\",\"args\":{\"step\":%d,\"result\":",
		(unsigned long long)(t1 - t0), e->src_step);
	run_json_str(pf->out, e->kind == RUN_PENDING ? "still blocked" : e->result);
	fputs("}}", pf->out);
}

/* Calls: every entry that finished (or never did); a blocked call is drawn when it ends. */
static void pf_calls(struct pf *pf)
{
	const struct dg_recording *rec = pf->rec;

	for (size_t s = rec->from; s < rec->to; s++) {
		size_t from, to;
		dg_step_entries(rec, s, &from, &to);
		for (size_t i = from; i < to; i++) {
			const struct run_entry *e = &rec->res.log.entries[i];
			if (e->kind == RUN_DONE || e->kind == RUN_PENDING)
				pf_call(pf, e, s);
		}
	}
}

static const char *pf_outcome(enum probe_outcome o)
{
	static const char *const names[] = { "disarmed", "filtered", "queued", "queued on ovflist",
					     "already queued" };
	return names[o];
}

/* The callback that queued the item of delivery (s, i): the item's latest queueing callback,
 * unless an earlier delivery already answered it (an LT item re-queued by ep_send_events). */
static void pf_match_flow(struct pf *pf, size_t s, size_t i, long *next)
{
	const struct dg_probe *d = &pf->rec->steps[s].probes[i];

	for (size_t ss = s + 1; ss-- > pf->rec->from;) {
		const struct dg_step *st = &pf->rec->steps[ss];
		for (size_t k = ss == s ? i : st->nprobes; k-- > 0;) {
			const struct dg_probe *p = &st->probes[k];
			long *out = &pf->flow_out[pf->flow_base[ss] + k];
			if (p->kind != PROBE_CALLBACK || p->ep_id != d->ep_id ||
			    p->file_id != d->file_id || p->fd != d->fd ||
			    (p->outcome != PROBE_QUEUED && p->outcome != PROBE_QUEUED_OVF))
				continue;
			if (!*out)
				*out = pf->flow_in[pf->flow_base[s] + i] = ++*next;
			return;
		}
	}
}

/* Pair every delivery with the callback that queued its item (flow arrows). */
static void pf_match_flows(struct pf *pf)
{
	long next = 0;

	for (size_t s = pf->rec->from; s < pf->rec->to; s++)
		for (size_t i = 0; i < pf->rec->steps[s].nprobes; i++)
			if (pf->rec->steps[s].probes[i].kind == PROBE_DELIVER)
				pf_match_flow(pf, s, i, &next);
}

static void pf_callback(struct pf *pf, size_t s, size_t i)
{
	const struct dg_probe *p = &pf->rec->steps[s].probes[i];
	const char *item = p->item >= 0 ? pf->rec->t->names[p->item].name : "?";
	char name[160], mask[160];

	dg_events(p->key, mask, sizeof(mask));
	snprintf(name, sizeof(name), "ep_poll_callback %s: %s", item, pf_outcome(p->outcome));
	pf_event(pf, "i", name, 1, p->ctx + 2, pf_ts(pf, s, i));
	fputs(",\"s\":\"t\",\"cat\":\"callback\",\"args\":{\"key\":", pf->out);
	run_json_str(pf->out, p->key ? mask : "none");
	fprintf(pf->out, ",\"ewake\":%d}}", p->ewake);
	if (!pf->flow_out[pf->flow_base[s] + i])
		return;
	pf_event(pf, "s", "queued → delivered", 1, p->ctx + 2, pf_ts(pf, s, i));
	fprintf(pf->out, ",\"cat\":\"flow\",\"id\":%ld}", pf->flow_out[pf->flow_base[s] + i]);
}

/* A run of deliveries by one thread: ep_send_events with a slice per item. */
static size_t pf_send_events(struct pf *pf, size_t s, size_t i)
{
	const struct dg_step *st = &pf->rec->steps[s];
	int th = st->probes[i].ctx;
	size_t j = i;
	char text[256];

	while (j + 1 < st->nprobes && st->probes[j + 1].ctx == th &&
	       (st->probes[j + 1].kind == PROBE_DELIVER || st->probes[j + 1].kind == PROBE_DROP))
		j++;
	pf_event(pf, "X", "ep_send_events", 1, th + 2, pf_ts(pf, s, i) - 4);
	fprintf(pf->out, ",\"dur\":%llu,\"cat\":\"epoll\"}",
		(unsigned long long)(pf_ts(pf, s, j) + 10 - (pf_ts(pf, s, i) - 4)));
	for (size_t k = i; k <= j; k++) {
		long flow = pf->flow_in[pf->flow_base[s] + k];
		dg_probe_text(pf->rec, &st->probes[k], text, sizeof(text));
		pf_event(pf, "X", text + strlen("ep_send_events: "), 1, th + 2, pf_ts(pf, s, k));
		fputs(",\"dur\":8,\"cat\":\"epoll\"}", pf->out);
		if (!flow)
			continue;
		pf_event(pf, "f", "queued → delivered", 1, th + 2, pf_ts(pf, s, k) + 1);
		fprintf(pf->out, ",\"cat\":\"flow\",\"bp\":\"e\",\"id\":%ld}", flow);
	}
	return j;
}

static void pf_task_instant(struct pf *pf, size_t s, size_t i)
{
	const struct dg_probe *p = &pf->rec->steps[s].probes[i];
	char text[128];

	dg_probe_text(pf->rec, p, text, sizeof(text));
	pf_event(pf, "i", text, 1, (p->kind == PROBE_TASK_SLEEP ? p->task : p->ctx) + 2,
		 pf_ts(pf, s, i));
	fputs(",\"s\":\"t\",\"cat\":\"sched\"}", pf->out);
}

static void pf_probes(struct pf *pf)
{
	const struct dg_recording *rec = pf->rec;

	for (size_t s = rec->from; s < rec->to; s++) {
		const struct dg_step *st = &rec->steps[s];
		for (size_t i = 0; i < st->nprobes; i++) {
			switch (st->probes[i].kind) {
			case PROBE_CALLBACK:
				pf_callback(pf, s, i);
				break;
			case PROBE_DELIVER:
			case PROBE_DROP:
				i = pf_send_events(pf, s, i);
				break;
			case PROBE_TASK_SLEEP:
			case PROBE_TASK_WAKE:
				pf_task_instant(pf, s, i);
				break;
			}
		}
	}
}

/* Readiness bits of every watched file, and each instance's ready-list length, on change. */
static void pf_counters(struct pf *pf)
{
	const struct dg_recording *rec = pf->rec;
	char name[96], label[64];

	for (size_t s = rec->from; s < rec->to; s++) {
		const struct world_snapshot *snap = &rec->steps[s].snap;
		const struct world_snapshot *was = s ? &rec->steps[s - 1].snap : NULL;
		uint64_t ts = pf->start[s + 1] - PF_TAIL / 2;
		for (size_t i = 0; i < snap->nfiles; i++) {
			const struct snap_file *f = &snap->files[i];
			const struct snap_file *g = was ? snapshot_file(was, f->id) : NULL;
			if (!f->has_peek || (g && g->ready == f->ready))
				continue;
			dg_file_label(rec, s, f->id, label, sizeof(label));
			snprintf(name, sizeof(name), "ready: %s", label);
			pf_event(pf, "C", name, 2, 0, ts);
			fprintf(pf->out, ",\"args\":{\"in\":%d,\"out\":%d,\"err\":%d,\"hup\":%d}}",
				!!(f->ready & EPOLLIN), !!(f->ready & EPOLLOUT), !!(f->ready & EPOLLERR),
				!!(f->ready & EPOLLHUP));
		}
		for (size_t e = 0; e < snap->neps; e++) {
			const struct snap_epoll *ep = &snap->eps[e];
			const struct snap_epoll *old = was ? dg_epoll_by_id(was, ep->id) : NULL;
			if (old && old->nrdllist == ep->nrdllist)
				continue;
			dg_epoll_label(rec, s, ep, label, sizeof(label));
			snprintf(name, sizeof(name), "rdllist: %s", label);
			pf_event(pf, "C", name, 3, 0, ts);
			fprintf(pf->out, ",\"args\":{\"len\":%zu}}", ep->nrdllist);
		}
	}
}

void dg_perfetto(const struct dg_recording *rec, FILE *out)
{
	struct pf pf = { .rec = rec, .out = out, .first = true };

	pf_times(&pf);
	pf_match_flows(&pf);
	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"epsim diagram\",\"trace\":", out);
	run_json_str(out, rec->title);
	fputs(",\"time\":\"logical: one stretch of microseconds per step\"},\n\"traceEvents\":[", out);
	pf_metadata(&pf);
	pf_steps(&pf);
	pf_calls(&pf);
	pf_probes(&pf);
	pf_counters(&pf);
	fputs("\n]}\n", out);
	free(pf.start);
	free(pf.flow_out);
	free(pf.flow_in);
	free(pf.flow_base);
}
