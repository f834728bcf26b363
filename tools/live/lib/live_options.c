/*
 * The environment `epsim live` sets for the library: EPSIM_LIVE_STATS (print
 * the cost counters at exit), EPSIM_LIVE_RECORD and EPSIM_LIVE_SHADOW.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "live.h"
#include "live_record.h"
#include "epsim.h"
#include "stats.h"

static struct live_state *live_exit_state;
static char live_record_path[4096];

/* Read EPSIM_LIVE_RECORD at load and hide it: only this process records, not its children. */
__attribute__((constructor)) static void live_options_early(void)
{
	const char *v = getenv("EPSIM_LIVE_RECORD");

	if (v && *v && strlen(v) < sizeof(live_record_path)) {
		strcpy(live_record_path, v);
		unsetenv("EPSIM_LIVE_RECORD");
	}
}

/* Print the run's figures on stderr (or the log). */
static void live_print_stats(void)
{
	struct live_state *st = live_exit_state;
	const struct sim_stats *s;
	const struct live_counters *c;
	char buf[1024];
	int n;

	if (!st || st->pid != getpid())
		return;
	pthread_mutex_lock(&st->lock);
	s = epsim_stats(st->w);
	c = &st->count;
	n = snprintf(buf, sizeof(buf),
		     "epsim live stats (pid %d): epoll_create %" PRIu64 ", epoll_ctl %" PRIu64
		     ", epoll_wait %" PRIu64 " (slept %" PRIu64 ", events %" PRIu64 ")\n"
		     "  kernel events %" PRIu64 ", host polls %" PRIu64 ", efault %" PRIu64 "\n"
		     "  simulator: syscalls %" PRIu64 ", poll calls %" PRIu64 ", callbacks %" PRIu64
		     ", queued %" PRIu64 ", items scanned %" PRIu64 ", events copied %" PRIu64
		     ", tree lookups %" PRIu64 "\n",
		     (int)getpid(), c->creates, c->ctls, c->waits, c->sleeps, c->wait_events,
		     c->kernel_events, c->host_polls, c->efault, (uint64_t)s->syscalls,
		     (uint64_t)s->poll_calls, (uint64_t)s->callbacks, (uint64_t)s->callbacks_queued,
		     (uint64_t)s->items_scanned, (uint64_t)s->events_copied,
		     (uint64_t)s->tree_lookups);
	pthread_mutex_unlock(&st->lock);
	if (n > (int)sizeof(buf))
		n = (int)sizeof(buf);
	live_sys(SYS_write, 2, (long)buf, n, 0, 0, 0);
}

void live_options_init(struct live_state *st)
{
	const char *v = getenv("EPSIM_LIVE_STATS");

	if (live_record_path[0])
		live_record_open(st, live_record_path, getenv("EPSIM_LIVE_RECORD_MAX"));
	v = getenv("EPSIM_LIVE_SHADOW");
	if (v && *v && strcmp(v, "0"))
		live_shadow_open(st);
	v = getenv("EPSIM_LIVE_STATS");
	if (v && *v && strcmp(v, "0")) {
		st->print_stats = true;
		live_exit_state = st;
		atexit(live_print_stats);
	}
}
