/* epsim run --stats: per-step cost counters of the simulator, and their totals. */
#include <string.h>
#include "stats_report.h"
#include "backend_sim.h"
#include "world.h"

/* The counters in print order, with their names. */
static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
#define F(x) { #x, offsetof(struct sim_stats, x) }
	F(syscalls),	  F(passes),	     F(fds_scanned),  F(poll_calls),    F(wq_added),
	F(wq_removed),	  F(callbacks),	     F(callbacks_queued), F(items_scanned), F(events_copied),
	F(tree_lookups),  F(bytes_in),	     F(bytes_out),
#undef F
};
#define NFIELDS (sizeof(stat_fields) / sizeof(stat_fields[0]))

static uint64_t field(const struct sim_stats *s, size_t i)
{
	uint64_t v;

	memcpy(&v, (const char *)s + stat_fields[i].off, sizeof(v));
	return v;
}

void stats_format_delta(const struct sim_stats *a, const struct sim_stats *b, char *buf,
			size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NFIELDS && pos < len; i++) {
		uint64_t d = field(b, i) - field(a, i);

		if (d)
			pos += (size_t)snprintf(buf + pos, len - pos, "%s%s=%llu", pos ? " " : "",
						stat_fields[i].name, (unsigned long long)d);
	}
}

static void print_entries(struct stats_report *r, const struct run_log *log, size_t upto)
{
	char line[10240];

	for (; r->printed < upto; r->printed++) {
		run_entry_line(&log->entries[r->printed], line, sizeof(line));
		fprintf(r->out, "%s\n", line);
	}
}

void stats_after_step(void *ctx, struct backend *b, const struct run_view *v)
{
	struct stats_report *r = ctx;
	const struct sim_stats *now = &sim_backend_world(b)->stats;
	char delta[1024];

	if (!r->header) {
		fprintf(r->out, "# epsim log 1 | backend %s %s | %s | cost counters per step\n",
			v->log->backend, v->log->version, v->log->trace);
		r->header = true;
	}
	print_entries(r, v->log, v->log->n);
	stats_format_delta(&r->last, now, delta, sizeof(delta));
	if (delta[0])
		fprintf(r->out, "#     cost: %s\n", delta);
	r->last = *now;
	r->total = *now;
}

void stats_finish(struct stats_report *r, const struct run_log *log)
{
	static const struct sim_stats zero;
	char total[1024];

	print_entries(r, log, log->n);
	stats_format_delta(&zero, &r->total, total, sizeof(total));
	fprintf(r->out, "# total cost: %s\n", total[0] ? total : "0");
}
