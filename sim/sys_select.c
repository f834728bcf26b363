/* The select/poll entry points of the C API (epsim.h), and the cost counters. */
#include <errno.h>
#include <string.h>
#include "epsim.h"
#include "select.h"
#include "sys_entry.h"

long epsim_poll(struct world *w, int tid, struct pollfd *fds, unsigned int nfds, int timeout_ms)
{
	return epsim_poll_buf(w, tid, fds, nfds, nfds, timeout_ms);
}

/* Models sys_poll(): a negative timeout waits forever. */
long epsim_poll_buf(struct world *w, int tid, struct pollfd *fds, unsigned int nvalid,
		    unsigned int nfds, int timeout_ms)
{
	struct sim_task *t = sys_current(w, tid);
	int64_t ns = timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000;

	if (!t)
		return -ESRCH;
	return sys_exit(w, t, do_sys_poll(t, fds, nvalid, nfds, ns));
}

/* Models sys_select(). */
long epsim_select(struct world *w, int tid, int nfds, fd_set *rfds, fd_set *wfds, fd_set *efds,
		  struct timeval *tv)
{
	struct sim_task *t = sys_current(w, tid);

	if (!t)
		return -ESRCH;
	return sys_exit(w, t, do_sys_select(t, nfds, rfds, wfds, efds, tv));
}

const struct sim_stats *epsim_stats(const struct world *w)
{
	return &w->stats;
}

void epsim_stats_reset(struct world *w)
{
	memset(&w->stats, 0, sizeof(w->stats));
}
