/* Helpers the diagram formats share (diagram_draw.h). */
#include <stdlib.h>
#include <string.h>
#include "diagram_draw.h"
#include "xalloc.h"

static void dg_buf_reserve(struct dg_buf *b, size_t more)
{
	if (b->n + more + 1 <= b->cap)
		return;
	b->cap = (b->n + more + 1) * 2;
	b->s = xrealloc(b->s, b->cap);
}

void dg_buf_add(struct dg_buf *b, const char *s)
{
	size_t n = strlen(s);

	dg_buf_reserve(b, n);
	memcpy(b->s + b->n, s, n + 1);
	b->n += n;
}

void dg_buf_printf(struct dg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	dg_buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

void dg_buf_line(struct dg_buf *b, const char *s)
{
	if (b->n)
		dg_buf_add(b, "\n");
	dg_buf_add(b, s);
}

/* Characters, counting a UTF-8 sequence as one. */
static size_t dg_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

int dg_text_w(const char *s)
{
	return s ? (int)((dg_chars(s, strlen(s)) * DG_CHAR_W10 + 9) / 10) : 0;
}

int dg_text_block_w(const char *s)
{
	int w = 0;

	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		int lw = (int)((dg_chars(s, n) * DG_CHAR_W10 + 9) / 10);
		w = w > lw ? w : lw;
		s = nl ? nl + 1 : NULL;
	}
	return w;
}

int dg_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

size_t dg_first_step_with_file(const struct dg_recording *rec, uint64_t file_id)
{
	for (size_t s = rec->from; s < rec->to; s++)
		if (snapshot_file(&rec->steps[s].snap, file_id))
			return s;
	return 0;
}

void dg_step_call(const struct dg_recording *rec, size_t step, char *buf, size_t len)
{
	const struct trace_step *st = &rec->t->steps[step];

	if (st->thread)
		snprintf(buf, len, "%s: %s", rec->t->threads[st->thread].name, st->text);
	else
		snprintf(buf, len, "%s", st->text);
}

/* "[c in data=3] [a in data=1]" as lines "c in", "a in". */
static void dg_bracket_lines(const char *s, struct dg_buf *b)
{
	while ((s = strchr(s, '[')) != NULL) {
		const char *end = strchr(s, ']'), *data = strstr(s, " data=");
		size_t n;
		char item[256];
		if (!end)
			return;
		n = (size_t)((data && data < end ? data : end) - s - 1);
		snprintf(item, sizeof(item), "%.*s", (int)n, s + 1);
		dg_buf_line(b, item);
		s = end;
	}
}

/* "3 [c in data=3]" -> "= 3" and the event lines; other results as they are. */
static void dg_result_text(const char *prefix, const char *result, struct dg_buf *b)
{
	const char *br = strstr(result, " [");
	char head[256];

	if (!strcmp(result, "blocks") || !strcmp(result, "still blocked")) {
		snprintf(head, sizeof(head), "%s%s", prefix, result);
		dg_buf_line(b, head);
		return;
	}
	snprintf(head, sizeof(head), "%s= %.*s", prefix, (int)(br ? (size_t)(br - result) : strlen(result)),
		 result);
	dg_buf_line(b, head);
	if (br)
		dg_bracket_lines(br, b);
}

void dg_result_lines(const struct run_entry *e, struct dg_buf *b)
{
	dg_result_text("", e->result, b);
}

bool dg_split_log_line(const char *line, char *call, size_t clen, const char **result)
{
	const char *p = line, *sep = NULL;
	size_t n, seplen = 0;

	for (size_t i = 0; i < 3; i++) {
		static const char *const seps[] = { " = ", " ... ", " : " };
		const char *at = strstr(line, seps[i]);
		if (at && (!sep || at < sep)) {
			sep = at;
			seplen = strlen(seps[i]);
		}
	}

	if (!sep)
		return false;
	while (*p && *p != ' ')
		p++;	/* the step number or "end" */
	while (*p == ' ')
		p++;
	n = sep > p ? (size_t)(sep - p) : 0;
	while (n > 0 && p[n - 1] == ' ')
		n--;
	snprintf(call, clen, "%.*s", (int)n, p);
	*result = sep + seplen;
	return true;
}

void dg_kernel_result(const char *line, struct dg_buf *b)
{
	char call[512], prefix[64] = "";
	const char *result, *colon;

	if (!dg_split_log_line(line, call, sizeof(call), &result)) {
		dg_buf_line(b, line);
		return;
	}
	if (!strncmp(call, "fdinfo ", 7)) {	/* a RUN_INFO line: the interest set */
		dg_buf_printf(b, "%s%s:", b->n ? "\n" : "", call);
		if (*result == '[')
			dg_bracket_lines(result, b);
		else
			dg_buf_printf(b, "\n%s", result);
		return;
	}
	colon = strstr(call, ": ");
	if (colon && (size_t)(colon - call) < sizeof(prefix) - 2 &&
	    !memchr(call, ' ', (size_t)(colon - call)))
		snprintf(prefix, sizeof(prefix), "%.*s: ", (int)(colon - call), call);
	dg_result_text(prefix, result, b);
}

bool dg_thread_asleep(const struct world_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->ntasks; i++)
		if (!strcmp(s->tasks[i].name, name))
			return s->tasks[i].state == TASK_SLEEPING;
	return false;
}

static bool dg_queue_has(const struct snap_waitq *q, const char *name)
{
	for (size_t i = 0; i < q->nwaiters; i++)
		if (q->waiters[i].kind == SNAP_WAITER_TASK && !strcmp(q->waiters[i].task, name))
			return true;
	return false;
}

bool dg_sleeper_of(const struct world_snapshot *s, const char *name, uint64_t *ep_id,
		   uint64_t *file_id)
{
	for (size_t i = 0; i < s->neps; i++)
		if (dg_queue_has(&s->eps[i].wq, name)) {
			*ep_id = s->eps[i].id;
			return true;
		}
	for (size_t i = 0; i < s->nfiles; i++)
		for (size_t q = 0; q < s->files[i].nqueues; q++)
			if (dg_queue_has(&s->files[i].queues[q], name)) {
				*file_id = s->files[i].id;
				return true;
			}
	return false;
}

void dg_step_entries(const struct dg_recording *rec, size_t s, size_t *from, size_t *to)
{
	*from = rec->steps[s].log_from;
	*to = s + 1 == rec->nsteps ? rec->res.log.n : rec->steps[s].log_to;
}

bool dg_same_ready_list(const struct snap_epoll *ep, const struct snap_epoll *was)
{
	if (!was)
		return ep->nrdllist == 0;
	if (was->nrdllist != ep->nrdllist)
		return false;
	for (size_t k = 0; k < ep->nrdllist; k++) {
		const struct snap_epitem *a = &ep->items[ep->rdllist[k]];
		const struct snap_epitem *b = &was->items[was->rdllist[k]];
		if (a->file_id != b->file_id || a->fd != b->fd)
			return false;
	}
	return true;
}

bool dg_timed_out(const struct dg_recording *rec, size_t s, const struct dg_probe *p)
{
	const char *name = dg_thread_name(rec, p->task);
	size_t from, to;

	if (p->kind != PROBE_TASK_WAKE || p->cause >= 0)
		return false;
	dg_step_entries(rec, s, &from, &to);
	for (size_t i = from; i < to; i++) {
		const struct run_entry *e = &rec->res.log.entries[i];
		if (e->kind == RUN_DONE && e->step != e->src_step && e->ret == 0 &&
		    !strcmp(e->thread ? e->thread : "main", name) &&
		    rec->t->steps[e->src_step - 1].op == TOP_WAIT)
			return true;
	}
	return false;
}

void dg_window_note(const struct dg_recording *rec, FILE *out)
{
	if (rec->from > 0 || rec->to < rec->nsteps)
		fprintf(out, " (steps %zu-%zu of %zu)", rec->from + 1, rec->to, rec->nsteps);
	if (rec->nhidden)
		fprintf(out, " (%zu more files and instances not drawn)", rec->nhidden);
}
