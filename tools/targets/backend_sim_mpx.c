/* poll, select and fcntl steps on the simulator backend. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/time.h>
#include <linux/io_uring.h>
#include "backend.h"
#include "backend_sim.h"
#include "epsim.h"

/* select: the sets are the runner's bitmaps; a negative timeout is a NULL timeval. */
static long sim_select(struct world *w, int tid, const struct sys_call *c, struct timeval *tv)
{
	fd_set *sets[3];

	for (int k = 0; k < 3; k++)
		sets[k] = (fd_set *)(void *)c->fdsets[k];
	if (c->timeout_ms >= 0) {
		tv->tv_sec = (time_t)(c->timeout_ms / 1000);
		tv->tv_usec = (suseconds_t)(c->timeout_ms % 1000 * 1000);
	}
	return epsim_select(w, tid, (int)c->nfds, sets[0], sets[1], sets[2],
			    c->timeout_ms >= 0 ? tv : NULL);
}

long sim_issue_mpx(struct world *w, int tid, const struct sys_call *c, int target_tid,
		   struct timeval *tv)
{
	switch (c->nr) {
	case SYS_POLL:
		return epsim_poll_buf(w, tid, c->pfds, c->npfds, (unsigned int)c->nfds,
				      (int)c->timeout_ms);
	case SYS_SELECT:
		return sim_select(w, tid, c, tv);
	case SYS_FCNTL:
		if (c->op == F_SETOWN_EX)
			return epsim_fcntl_setown_tid(w, tid, c->fd, target_tid);
		return epsim_fcntl(w, tid, c->fd, c->op, (unsigned long)c->num);
	default:
		return -ENOSYS;
	}
}

long sim_issue_uring(struct world *w, int tid, const struct sys_call *c, struct io_uring_cqe **cqes)
{
	switch (c->nr) {
	case SYS_URING_SETUP:
		return epsim_io_uring_setup(w, tid, (unsigned int)c->num);
	case SYS_URING_POLL:
		return epsim_io_uring_poll_add(w, tid, c->fd, c->fd2, c->ev.events, c->ev.data.u64);
	case SYS_URING_READ:
		return epsim_io_uring_read(w, tid, c->fd, c->fd2, (size_t)c->num, c->ev.data.u64);
	case SYS_URING_WAIT:
		if (!*cqes)
			*cqes = calloc(SYS_MAX_EVENTS_COPY, sizeof(**cqes));
		if (!*cqes)
			return -ENOMEM;
		return epsim_io_uring_wait(w, tid, c->fd, (unsigned int)c->num, *cqes,
					   SYS_MAX_EVENTS_COPY);
	default:
		return -ENOSYS;
	}
}

void sim_fill_uring(const struct io_uring_cqe *cqes, long ret, struct sys_result *res)
{
	for (long i = 0; i < ret && cqes; i++) {
		res->events[i].events = (uint32_t)cqes[i].res;
		res->events[i].data.u64 = cqes[i].user_data;
	}
	res->nevents = ret > 0 && cqes ? (int)ret : 0;
}
