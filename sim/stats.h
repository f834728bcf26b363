/* Cost counters: what each call did, for comparing epoll with poll and select. */
#ifndef EPSIM_STATS_H
#define EPSIM_STATS_H

#include <stdint.h>

struct sim_stats {
	uint64_t poll_calls;		/* ->poll methods called */
	uint64_t wq_added;		/* wait-queue entries added */
	uint64_t wq_removed;		/* wait-queue entries removed */
	uint64_t wakeups;		/* __wake_up walks */
	uint64_t callbacks;		/* ep_poll_callback invocations */
	uint64_t callbacks_queued;	/* ... that put an item on rdllist or ovflist */
	uint64_t items_scanned;		/* items taken off the ready list by ep_send_events */
	uint64_t events_copied;		/* events copied to user space */
	uint64_t bytes_copied;		/* bytes copied to and from user space */
	uint64_t tree_lookups;		/* ep_find calls */
};

#endif
