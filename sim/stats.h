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
	uint64_t syscalls;		/* select, poll and epoll_wait calls entered */
	uint64_t fds_scanned;		/* select/poll: fd slots walked, per pass over the set */
	uint64_t bytes_in;		/* bytes copied from user space (fd sets, pollfds, timeouts, events) */
	uint64_t bytes_out;		/* bytes copied to user space */
	uint64_t passes;		/* select/poll: scans of the whole set (1 + one per wake-up) */
};

#endif
