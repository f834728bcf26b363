/*
 * epsim run --stats: the simulator's cost counters (sim/stats.h) of every
 * step, printed under the step's log lines, and their totals at the end, so
 * select, poll and epoll can be compared on one workload.
 */
#ifndef EPSIM_STATS_REPORT_H
#define EPSIM_STATS_REPORT_H

#include <stdio.h>
#include "runner.h"
#include "stats.h"

struct stats_report {
	FILE *out;
	struct sim_stats last;		/* the counters after the previous step */
	struct sim_stats total;
	size_t printed;			/* log entries printed so far */
	bool header;
};

/* A run_options.after_step observer: the step's log lines, then "#   cost: ..." if it did work. */
void stats_after_step(void *ctx, struct backend *b, const struct run_view *v);
/* After the run: the log lines not printed yet (threads still blocked), then the totals. */
void stats_finish(struct stats_report *r, const struct run_log *log);
/* The counters that differ between a and b as "name=N ...", or "" (b - a). */
void stats_format_delta(const struct sim_stats *a, const struct sim_stats *b, char *buf,
			size_t len);

#endif
