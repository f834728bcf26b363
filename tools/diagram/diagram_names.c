/*
 * Names and words shared by every diagram format: trace names for fds, files,
 * items and instances; event masks and modes; probes in words; escaping.
 */
#include <string.h>
#include <sys/epoll.h>
#include "diagram.h"
#include "eventpoll.h"

const char *dg_fd_name(const struct dg_recording *rec, size_t step, int fd)
{
	const struct dg_step *st = &rec->steps[step];
	const char *best = NULL;

	for (size_t i = 0; i < rec->t->nnames && fd >= 0; i++)
		if (st->fds[i] == fd && rec->t->names[i].step <= (int)step)
			best = rec->t->names[i].name;
	return best;
}

bool dg_token(const struct dg_recording *rec, uint64_t token, int *name, uint64_t *data)
{
	if (token < 1 || token > rec->ntokens)
		return false;
	*name = rec->tokens[token - 1].name;
	*data = rec->tokens[token - 1].data;
	return *name >= 0;
}

/* The name of the main process's lowest fd on this file, or NULL. */
static const char *dg_file_fd_name(const struct dg_recording *rec, size_t step, uint64_t file_id)
{
	const struct world_snapshot *s = &rec->steps[step].snap;

	for (size_t i = 0; i < s->nfds; i++) {
		const char *name;
		if (s->fds[i].file_id != file_id || s->fds[i].pid != s->fds[0].pid)
			continue;
		name = dg_fd_name(rec, step, s->fds[i].fd);
		if (name)
			return name;
	}
	return NULL;
}

/* The registered name of any item watching this file, or NULL. */
static const char *dg_file_item_name(const struct dg_recording *rec, size_t step,
				     uint64_t file_id)
{
	const struct world_snapshot *s = &rec->steps[step].snap;
	int name;
	uint64_t data;

	for (size_t e = 0; e < s->neps; e++)
		for (size_t i = 0; i < s->eps[e].nitems; i++)
			if (s->eps[e].items[i].file_id == file_id &&
			    dg_token(rec, s->eps[e].items[i].data, &name, &data))
				return rec->t->names[name].name;
	return NULL;
}

void dg_file_label(const struct dg_recording *rec, size_t step, uint64_t file_id, char *buf,
		   size_t len)
{
	const char *name = dg_file_fd_name(rec, step, file_id);

	if (!name)
		name = dg_file_item_name(rec, step, file_id);
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "file#%llu", (unsigned long long)file_id);
}

void dg_item_label(const struct dg_recording *rec, size_t step, const struct snap_epitem *it,
		   char *buf, size_t len)
{
	int name;
	uint64_t data;

	if (dg_token(rec, it->data, &name, &data))
		snprintf(buf, len, "%s", rec->t->names[name].name);
	else
		dg_file_label(rec, step, it->file_id, buf, len);
}

void dg_epoll_label(const struct dg_recording *rec, size_t step, const struct snap_epoll *ep,
		    char *buf, size_t len)
{
	dg_file_label(rec, step, ep->file_id, buf, len);
}

const struct snap_epoll *dg_epoll_by_id(const struct world_snapshot *s, uint64_t id)
{
	for (size_t i = 0; i < s->neps; i++)
		if (s->eps[i].id == id)
			return &s->eps[i];
	return NULL;
}

void dg_events(uint32_t events, char *buf, size_t len)
{
	if (events & EPOLLIN)
		events &= ~(uint32_t)EPOLLRDNORM;
	if (events & EPOLLOUT)
		events &= ~(uint32_t)(EPOLLWRNORM | EPOLLWRBAND);
	trace_format_events(events, buf, len);
}

void dg_mode(uint32_t events, char *buf, size_t len)
{
	const char *trig = (events & EPOLLET) ? "ET" : "LT";

	snprintf(buf, len, "%s%s%s", trig, (events & EPOLLONESHOT) ? "|ONESHOT" : "",
		 (events & EPOLLEXCLUSIVE) ? "|EXCL" : "");
}

const char *dg_thread_name(const struct dg_recording *rec, int thread)
{
	if (thread < 0 || (size_t)thread >= rec->t->nthreads)
		return "?";
	return rec->t->threads[thread].name;
}

static const char *dg_outcome_text(enum probe_outcome o)
{
	switch (o) {
	case PROBE_DISARMED:
		return "disarmed (oneshot fired): ignored";
	case PROBE_FILTERED:
		return "key not in mask: filtered";
	case PROBE_QUEUED:
		return "queued on rdllist";
	case PROBE_QUEUED_OVF:
		return "queued on ovflist";
	case PROBE_ALREADY_QUEUED:
		return "already queued";
	}
	return "?";
}

/* The name a probe's item is known by. */
static const char *dg_probe_item(const struct dg_recording *rec, const struct dg_probe *p)
{
	return p->item >= 0 ? rec->t->names[p->item].name : "?";
}

void dg_probe_text(const struct dg_recording *rec, const struct dg_probe *p, char *buf,
		   size_t len)
{
	char mask[160];

	dg_events(p->key, mask, sizeof(mask));
	switch (p->kind) {
	case PROBE_CALLBACK:
		snprintf(buf, len, "ep_poll_callback(%s, key=%s): %s", dg_probe_item(rec, p),
			 p->key ? mask : "none", dg_outcome_text(p->outcome));
		break;
	case PROBE_TASK_SLEEP:
		snprintf(buf, len, "%s sleeps", dg_thread_name(rec, p->task));
		break;
	case PROBE_TASK_WAKE:
		snprintf(buf, len, "wake up %s", dg_thread_name(rec, p->task));
		break;
	case PROBE_DELIVER:
		snprintf(buf, len, "ep_send_events: %s %s data=%llu to user space",
			 dg_probe_item(rec, p), mask, (unsigned long long)p->data);
		break;
	case PROBE_DROP:
		snprintf(buf, len, "ep_send_events: %s not ready on re-poll: dropped",
			 dg_probe_item(rec, p));
		break;
	}
}

void dg_entry_call(const struct run_entry *e, char *buf, size_t len)
{
	if (e->thread)
		snprintf(buf, len, "%s: %s", e->thread, e->text);
	else
		snprintf(buf, len, "%s", e->text);
}

void dg_xml(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

