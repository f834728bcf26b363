/*
 * select() (fs/select.c core_sys_select/do_select): the fd sets are bitmaps of
 * FDS_BYTES(n) bytes copied in and out; n is clamped to the fd table's size;
 * a set bit for a closed fd is EBADF; each file is polled with a key made of
 * the sets it is in, and the poller sleeps on every queue like poll() does.
 */
#include <errno.h>
#include <string.h>
#include "select.h"
#include "alloc.h"
#include "fdtable.h"
#include "signals.h"
#include "task.h"
#include "world.h"

#define NSEC_PER_SEC 1000000000LL
#define USEC_PER_SEC 1000000LL

/* Models fd_set_bits: in, out, ex and the three result sets, FDS_LONGS(n) longs each. */
struct fd_set_bits {
	unsigned long *in, *out, *ex;
	unsigned long *res_in, *res_out, *res_ex;
};

/* The state of one select() call, kept while its thread sleeps. */
struct select_call {
	struct poll_wqueues table;
	struct poll_timeout to;
	int n;			/* the bits do_select walks (max_select_fd) */
	struct fd_set_bits fds;
	unsigned long *bits;	/* the one allocation behind fds */
};

/* Models the open_fds test of max_select_fd(): is fd open in the caller's table. */
static bool fd_is_open(const struct sim_task *t, int fd)
{
	return fd_lookup(t->proc->files, fd) != NULL;
}

/* Models max_select_fd(): EBADF for a set bit on a closed fd, else the highest set fd + 1. */
static int max_select_fd(const struct sim_task *t, int n, const struct fd_set_bits *fds)
{
	int max = 0;

	for (size_t w = 0; w < FDS_LONGS((size_t)n); w++) {
		unsigned long set = fds->in[w] | fds->out[w] | fds->ex[w];

		for (int j = 0; set && j < (int)FDS_BITPERLONG; j++, set >>= 1) {
			int fd = (int)(w * FDS_BITPERLONG) + j;

			if (!(set & 1) || fd >= n)
				continue;
			if (!fd_is_open(t, fd))
				return -EBADF;
			max = fd + 1;
		}
	}
	return max;
}

/* Models wait_key_set(): the events this fd is asked for, from the sets it is in. */
static void wait_key_set(poll_table *wait, unsigned long in, unsigned long out, unsigned long bit)
{
	wait->_key = POLLEX_SET;
	if (in & bit)
		wait->_key |= POLLIN_SET;
	if (out & bit)
		wait->_key |= POLLOUT_SET;
}

/* Models select_poll_one(): poll one fd (POLLNVAL if it went away). */
static __poll_t select_poll_one(struct sim_task *t, int fd, poll_table *wait, unsigned long in,
				unsigned long out, unsigned long bit)
{
	struct file *f = fd_lookup(t->proc->files, fd);

	if (!f)
		return EPOLLNVAL;
	wait_key_set(wait, in, out, bit);
	return file_can_poll(f) ? vfs_poll(f, wait) : DEFAULT_POLLMASK;
}

/* One word of the scan: poll each fd whose bit is set, record the ready ones. */
static int do_select_word(struct sim_task *t, struct select_call *c, size_t w)
{
	struct fd_set_bits *fds = &c->fds;
	unsigned long in = fds->in[w], out = fds->out[w], ex = fds->ex[w], all = in | out | ex;
	unsigned long res[3] = { 0, 0, 0 }, bit = 1;
	poll_table *wait = &c->table.pt;
	int retval = 0;

	for (int i = (int)(w * FDS_BITPERLONG); all && bit && i < c->n; i++, bit <<= 1) {
		__poll_t mask;

		if (!(bit & all))
			continue;
		mask = select_poll_one(t, i, wait, in, out, bit);
		for (int k = 0; k < 3; k++) {
			static const __poll_t sets[3] = { POLLIN_SET, POLLOUT_SET, POLLEX_SET };
			unsigned long want = k == 0 ? in : k == 1 ? out : ex;

			if ((mask & sets[k]) && (want & bit)) {
				res[k] |= bit;
				retval++;
				wait->_qproc = NULL;
			}
		}
	}
	if (res[0])
		fds->res_in[w] = res[0];
	if (res[1])
		fds->res_out[w] = res[1];
	if (res[2])
		fds->res_ex[w] = res[2];
	return retval;
}

/* One pass of do_select() over the sets: the number of (fd, set) pairs ready. */
static int do_select_scan(struct sim_task *t, struct select_call *c)
{
	int retval = 0;

	t->world->stats.passes++;
	t->world->stats.fds_scanned += (uint64_t)c->n;
	for (size_t w = 0; w < FDS_LONGS((size_t)c->n); w++)
		retval += do_select_word(t, c, w);
	return retval;
}

static long do_select_continue(struct sim_task *t);
static void do_select_cancel(struct sim_task *t);

/* Models the do_select() loop. */
static long do_select_loop(struct sim_task *t)
{
	struct select_call *c = t->call_state;

	for (;;) {
		int retval = do_select_scan(t, c);

		c->table.pt._qproc = NULL;
		if (retval || c->to.timed_out || signal_pending(t))
			return retval;
		if (c->table.error)
			return c->table.error;
		if (poll_schedule_prepare(t, &c->table, &c->to))
			return task_sleep(t, do_select_continue, do_select_cancel);
	}
}

/* The user's sets and timeval of a parked call: kept beside the call state. */
struct select_user {
	int n;			/* core_sys_select's n (clamped): what is copied back */
	fd_set *set[3];
	struct timeval *tvp;
};

/* Models set_fd_set() for the three sets: the results go back to user space. */
static void select_copy_out(struct world *w, const struct select_user *u,
			    const struct fd_set_bits *fds)
{
	unsigned long *res[3] = { fds->res_in, fds->res_out, fds->res_ex };
	size_t bytes = FDS_BYTES((size_t)u->n);

	for (int k = 0; k < 3; k++) {
		if (!u->set[k])
			continue;
		memcpy(u->set[k], res[k], bytes);
		w->stats.bytes_out += bytes;
	}
}

/* Models poll_select_copy_remaining() for a timeval: the time left goes back to user space. */
static void select_copy_remaining(struct world *w, const struct poll_timeout *to,
				  struct timeval *tvp)
{
	uint64_t left;

	if (!tvp || to->zero)
		return;
	left = to->end > w->now ? to->end - w->now : 0;
	tvp->tv_sec = (time_t)(left / NSEC_PER_SEC);
	tvp->tv_usec = (suseconds_t)(left % NSEC_PER_SEC / 1000);
	w->stats.bytes_out += sizeof(*tvp);
}

/* Both halves of a select call's state, in one allocation; call first, as the loop reads it. */
struct select_state {
	struct select_call call;
	struct select_user user;
};

static long do_select_finish(struct sim_task *t, long ret)
{
	struct select_state *s = t->call_state;
	struct world *w = t->world;

	if (ret == -EPSIM_PENDING)
		return ret;
	poll_freewait(&s->call.table);
	if (ret == 0 && signal_pending(t))
		ret = -EINTR;	/* -ERESTARTNOHAND: no handler restarts it */
	else if (ret >= 0)
		select_copy_out(w, &s->user, &s->call.fds);
	select_copy_remaining(w, &s->call.to, s->user.tvp);
	sim_free(w, s->call.bits);
	sim_free(w, s);
	t->call_state = NULL;
	return ret;
}

/* Re-enter a parked select() after a wake-up, a signal or its timeout. */
static long do_select_continue(struct sim_task *t)
{
	struct select_state *s = t->call_state;

	poll_schedule_done(t, &s->call.table, &s->call.to);
	return do_select_finish(t, do_select_loop(t));
}

/* The thread goes away while parked: leave the queues, free everything. */
static void do_select_cancel(struct sim_task *t)
{
	struct select_state *s = t->call_state;

	poll_freewait(&s->call.table);
	sim_free(t->world, s->call.bits);
	sim_free(t->world, s);
	t->call_state = NULL;
}

const struct poll_wqueues *do_select_parked_table(const struct sim_task *t)
{
	if (t->state == TASK_IDLE || t->resume != do_select_continue)
		return NULL;
	return &((const struct select_state *)t->call_state)->call.table;
}

/* Models get_fd_set() for the three sets, and zero_fd_set() for the results. */
static long select_copy_in(struct sim_task *t, struct select_state *s)
{
	size_t longs = FDS_LONGS((size_t)s->user.n), bytes = FDS_BYTES((size_t)s->user.n);
	unsigned long *bits = sim_zalloc(t->world, 6 * (longs ? longs : 1) * sizeof(long));
	unsigned long **in[3] = { &s->call.fds.in, &s->call.fds.out, &s->call.fds.ex };

	if (!bits)
		return -ENOMEM;
	s->call.bits = bits;
	for (int k = 0; k < 3; k++) {
		*in[k] = bits + (size_t)k * longs;
		if (s->user.set[k]) {
			memcpy(*in[k], s->user.set[k], bytes);
			t->world->stats.bytes_in += bytes;
		}
	}
	s->call.fds.res_in = bits + 3 * longs;
	s->call.fds.res_out = bits + 4 * longs;
	s->call.fds.res_ex = bits + 5 * longs;
	return 0;
}

/* A call that ends before its scan loop: the time left is still written back. */
static long select_early_exit(struct sim_task *t, struct select_state *s,
			      const struct poll_timeout *to, struct timeval *tvp, long ret)
{
	select_copy_remaining(t->world, to, tvp);
	if (s) {
		sim_free(t->world, s->call.bits);
		sim_free(t->world, s);
	}
	return ret;
}

/* Models do_select()'s set-up: max_select_fd, the wait table, the no-wait case. */
static long do_select(struct sim_task *t, struct select_state *s)
{
	int max = max_select_fd(t, s->user.n, &s->call.fds);

	if (max < 0)
		return select_early_exit(t, s, &s->call.to, s->user.tvp, max);
	s->call.n = max;
	poll_initwait(&s->call.table, t);
	if (s->call.to.zero) {
		s->call.table.pt._qproc = NULL;
		s->call.to.timed_out = true;
	}
	t->call_state = s;
	return do_select_finish(t, do_select_loop(t));
}

/* Models core_sys_select(): clamp n to the table's size, copy the sets in, select. */
static long core_sys_select(struct sim_task *t, int n, fd_set *sets[3], struct timeval *tvp,
			    const struct poll_timeout *to)
{
	struct select_state *s;
	int max_fds = fdtable_max_fds(t->proc->files);
	long ret;

	if (n < 0)
		return select_early_exit(t, NULL, to, tvp, -EINVAL);
	if (n > max_fds)
		n = max_fds;
	s = sim_zalloc(t->world, sizeof(*s));
	if (!s)
		return select_early_exit(t, NULL, to, tvp, -ENOMEM);
	s->user.n = n;
	s->user.tvp = tvp;
	memcpy(s->user.set, sets, sizeof(s->user.set));
	s->call.to = *to;
	ret = select_copy_in(t, s);
	if (ret == 0)
		return do_select(t, s);
	return select_early_exit(t, s, to, tvp, ret);
}

/* Models poll_select_set_timeout() for sys_select's timeval: EINVAL unless normalisable. */
static long select_timeout(const struct timeval *tv, int64_t *ns)
{
	int64_t sec = (int64_t)tv->tv_sec + tv->tv_usec / USEC_PER_SEC;
	int64_t nsec = (int64_t)(tv->tv_usec % USEC_PER_SEC) * 1000;

	if (sec < 0 || nsec < 0)
		return -EINVAL;
	if (sec > (INT64_MAX - nsec) / NSEC_PER_SEC)
		*ns = INT64_MAX;	/* timespec64_add_safe saturates */
	else
		*ns = sec * NSEC_PER_SEC + nsec;
	return 0;
}

long do_sys_select(struct sim_task *t, int n, fd_set *inp, fd_set *outp, fd_set *exp,
		   struct timeval *tvp)
{
	fd_set *sets[3] = { inp, outp, exp };
	struct poll_timeout to;
	int64_t ns = -1;

	t->world->stats.syscalls++;
	if (tvp) {
		t->world->stats.bytes_in += sizeof(*tvp);
		if (select_timeout(tvp, &ns))
			return -EINVAL;
	}
	poll_timeout_init(&to, t, ns);
	return core_sys_select(t, n, sets, tvp, &to);
}
