/* The result log: building it, rendering results, canonical text and JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "runlog.h"
#include "trace.h"
#include "strbuf.h"
#include "xalloc.h"

void run_log_init(struct run_log *log, const char *trace, const char *backend,
		  const char *version)
{
	memset(log, 0, sizeof(*log));
	log->trace = xstrdup(trace);
	log->backend = xstrdup(backend);
	log->version = xstrdup(version);
}

static void run_entry_free(struct run_entry *e)
{
	for (int i = 0; i < e->nevents; i++)
		free(e->events[i].name);
	free(e->events);
	free(e->thread);
	free(e->text);
	free(e->result);
	free(e->suffix);
}

void run_log_free(struct run_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		run_entry_free(&log->entries[i]);
	free(log->entries);
	free(log->trace);
	free(log->backend);
	free(log->version);
	memset(log, 0, sizeof(*log));
}

static void render_events(const struct run_entry *e, char *buf, size_t len, size_t *pos)
{
	char mask[160];

	for (int i = 0; i < e->nevents; i++) {
		trace_format_events(e->events[i].events, mask, sizeof(mask));
		sb_put(buf, len, pos, " [");
		sb_put(buf, len, pos, e->events[i].name);
		sb_put(buf, len, pos, " ");
		sb_put(buf, len, pos, mask);
		sb_put(buf, len, pos, " data=");
		sb_put_u64(buf, len, pos, e->events[i].data);
		sb_put(buf, len, pos, "]");
	}
}

void run_entry_render(const struct run_entry *e, char *buf, size_t len)
{
	char tmp[64];
	size_t pos = 0;

	buf[0] = '\0';
	if (e->kind == RUN_BLOCKS) {
		sb_put(buf, len, &pos, "blocks");
		return;
	}
	if (e->kind == RUN_PENDING) {
		sb_put(buf, len, &pos, "still blocked");
		return;
	}
	if (e->watchdog) {
		sb_put(buf, len, &pos, "watchdog");
		return;
	}
	if (e->ret < 0) {
		sb_put(buf, len, &pos, trace_errno_name((int)-e->ret));
		return;
	}
	sb_put_long(buf, len, &pos, e->ret);
	if (e->vkind == RV_VALUE) {
		sb_put(buf, len, &pos, " value=");
		sb_put_u64(buf, len, &pos, e->value);
	} else if (e->vkind == RV_SIGSET) {
		sb_put(buf, len, &pos, " pending=");
		trace_format_sigset(e->value, tmp, sizeof(tmp));
		sb_put(buf, len, &pos, tmp);
	} else if (e->vkind == RV_ERRNO) {	/* SO_ERROR: " error=ECONNRESET", or " error=0" */
		sb_put(buf, len, &pos, " error=");
		sb_put(buf, len, &pos, e->value ? trace_errno_name((int)e->value) : "0");
	}
	render_events(e, buf, len, &pos);
	if (e->suffix && e->suffix[0]) {
		sb_put(buf, len, &pos, " ");
		sb_put(buf, len, &pos, e->suffix);
	}
}

void run_log_add(struct run_log *log, const struct run_entry *e)
{
	struct run_entry *n;
	char res[8192];

	if (log->n == log->cap) {
		log->cap = log->cap ? log->cap * 2 : 64;
		log->entries = xrealloc(log->entries, log->cap * sizeof(*log->entries));
	}
	n = &log->entries[log->n++];
	*n = *e;
	n->thread = e->thread ? xstrdup(e->thread) : NULL;
	n->text = xstrdup(e->text);
	n->suffix = e->suffix ? xstrdup(e->suffix) : NULL;
	n->events = NULL;
	if (e->nevents > 0) {
		n->events = xcalloc((size_t)e->nevents, sizeof(*n->events));
		for (int i = 0; i < e->nevents; i++) {
			n->events[i] = e->events[i];
			n->events[i].name = xstrdup(e->events[i].name);
		}
	}
	if (e->kind == RUN_INFO) {
		n->result = xstrdup(e->result);
		return;
	}
	run_entry_render(n, res, sizeof(res));
	n->result = xstrdup(res);
}

/* "STEP THREAD: CALL = RESULT", the step padded to 3 and the call to 40 columns. */
void run_entry_line(const struct run_entry *e, char *buf, size_t len)
{
	const char *sep = e->kind == RUN_DONE ? " = " : e->kind == RUN_INFO ? " : " : " ... ";
	size_t pos = 0, call;

	buf[0] = '\0';
	if (e->kind == RUN_PENDING) {
		sb_put(buf, len, &pos, "end");
	} else {
		sb_put_u64(buf, len, &pos, (uint64_t)(e->step > 0 ? e->step : 0));
		sb_put_padded(buf, len, &pos, "", 0, 3);
	}
	sb_put(buf, len, &pos, " ");
	call = pos;
	if (e->thread) {
		sb_put(buf, len, &pos, e->thread);
		sb_put(buf, len, &pos, ": ");
	}
	sb_put_padded(buf, len, &pos, e->text, call, 40);
	sb_put(buf, len, &pos, sep);
	sb_put(buf, len, &pos, e->result);
}

void run_log_print_text(const struct run_log *log, FILE *f)
{
	char line[10240];

	fprintf(f, "# epsim log 1 | backend %s %s | %s\n", log->backend, log->version, log->trace);
	for (size_t i = 0; i < log->n; i++) {
		run_entry_line(&log->entries[i], line, sizeof(line));
		fputs(line, f);
		fputc('\n', f);
	}
}

/* Print s as a JSON string. */
void run_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const char *kind_name(enum run_entry_kind k)
{
	return k == RUN_DONE ? "done" : k == RUN_BLOCKS ? "blocks" : k == RUN_INFO ? "info" : "pending";
}

static void json_entry(FILE *f, const struct run_entry *e)
{
	char mask[160];

	fprintf(f, "{\"step\":%d,\"issued_at\":%d,\"kind\":\"%s\",\"thread\":", e->step,
		e->src_step, kind_name(e->kind));
	run_json_str(f, e->thread ? e->thread : "main");
	fprintf(f, ",\"call\":");
	run_json_str(f, e->text);
	fprintf(f, ",\"result\":");
	run_json_str(f, e->result);
	if (e->kind == RUN_DONE && !e->watchdog) {
		fprintf(f, ",\"ret\":%ld", e->ret < 0 ? -1 : e->ret);
		if (e->ret < 0) {
			fprintf(f, ",\"errno\":");
			run_json_str(f, trace_errno_name((int)-e->ret));
		}
	}
	if (e->vkind != RV_NONE)
		fprintf(f, ",\"value\":%llu", (unsigned long long)e->value);
	if (e->nevents > 0) {
		fprintf(f, ",\"events\":[");
		for (int i = 0; i < e->nevents; i++) {
			trace_format_events(e->events[i].events, mask, sizeof(mask));
			fprintf(f, "%s{\"fd\":", i ? "," : "");
			run_json_str(f, e->events[i].name);
			fprintf(f, ",\"events\":");
			run_json_str(f, mask);
			fprintf(f, ",\"mask\":%u,\"data\":%llu}", e->events[i].events,
				(unsigned long long)e->events[i].data);
		}
		fprintf(f, "]");
	}
	fprintf(f, "}");
}

void run_log_print_json(const struct run_log *log, FILE *f)
{
	fprintf(f, "{\"schema\":1,\"trace\":");
	run_json_str(f, log->trace);
	fprintf(f, ",\"backend\":");
	run_json_str(f, log->backend);
	fprintf(f, ",\"version\":");
	run_json_str(f, log->version);
	fprintf(f, ",\"steps\":[\n");
	for (size_t i = 0; i < log->n; i++) {
		json_entry(f, &log->entries[i]);
		fprintf(f, "%s\n", i + 1 < log->n ? "," : "");
	}
	fprintf(f, "]}\n");
}
