/*
 * --shadow: every simulated instance has a kernel epoll kept in step (each
 * epoll_ctl is made on both), and after each epoll_wait the kernel instance
 * is asked too (timeout 0) and the two answers are compared. The two harvest
 * at different moments, so most differences are readiness timing; what timing
 * cannot explain is reported: an event with data no item has, an event with
 * bits outside its item's interest, a different epoll_ctl result, or a
 * level-triggered item that the kernel reports, that is ready on the real
 * file, and that the simulator does not have on its ready list even after
 * every kernel wake-up reached it (a lost wake-up).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uthash.h>
#include "live.h"
#include "live_record.h"
#include "ep_internal.h"
#include "fdtable.h"
#include "file.h"

#define SHADOW_MAX 65536	/* events one kernel wait of the shadow harvests at most */

/* One item as registered: (instance, fd) -> interest. */
struct shadow_key {
	const void *ep;
	int fd;
};

struct shadow_item {
	struct shadow_key key;
	uint32_t events;
	uint64_t data;
	UT_hash_handle hh;
};

struct shadow_inst {
	const struct file *file;	/* the simulated instance */
	int kfd;			/* its kernel epoll */
	UT_hash_handle hh;
};

struct live_shadow {
	struct shadow_inst *insts;
	struct shadow_item *items;
	uint64_t waits, timing, unexplained, ctl_diff;
	struct epoll_event *kev;
	int kevcap;
};

static struct live_state *shadow_exit_state;

static void shadow_summary(void)
{
	struct live_state *st = shadow_exit_state;
	struct live_shadow *s;
	char buf[256];
	int n;

	if (!st || st->pid != getpid() || !(s = st->shadow))
		return;
	n = snprintf(buf, sizeof(buf),
		     "epsim live shadow (pid %d): %" PRIu64 " waits compared, %" PRIu64
		     " differences from readiness timing, %" PRIu64 " unexplained, %" PRIu64
		     " epoll_ctl results differ\n",
		     (int)getpid(), s->waits, s->timing, s->unexplained, s->ctl_diff);
	live_sys(SYS_write, 2, (long)buf, n, 0, 0, 0);
}

void live_shadow_open(struct live_state *st)
{
	st->shadow = calloc(1, sizeof(*st->shadow));
	if (!st->shadow)
		return;
	shadow_exit_state = st;
	atexit(shadow_summary);
}

static void shadow_report(struct live_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void shadow_report(struct live_state *st, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "epsim live shadow (pid %d): ", (int)getpid());

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	live_sys(SYS_write, 2, (long)buf, n, 0, 0, 0);
	(void)st;
}

/* The kernel epoll of the instance behind fd, made on first use. */
static int shadow_kfd(struct live_state *st, int fd)
{
	struct live_shadow *s = st->shadow;
	struct live_instance *in = live_find_instance(st, fd);
	struct shadow_inst *si;
	long k;

	if (!in)
		return -1;
	HASH_FIND_PTR(s->insts, &in->file, si);
	if (si)
		return si->kfd;
	k = live_sys(SYS_epoll_create1, EPOLL_CLOEXEC, 0, 0, 0, 0, 0);
	si = k >= 0 ? calloc(1, sizeof(*si)) : NULL;
	if (!si)
		return -1;
	si->file = in->file;
	si->kfd = live_private_fd(st, (int)k);
	HASH_ADD_PTR(s->insts, file, si);
	return si->kfd;
}

static struct shadow_item *shadow_find(struct live_shadow *s, const void *ep, int fd)
{
	struct shadow_key k;
	struct shadow_item *it;

	memset(&k, 0, sizeof(k));
	k.ep = ep;
	k.fd = fd;
	HASH_FIND(hh, s->items, &k, sizeof(k), it);
	return it;
}

/* Keep the table of registrations as the simulator now has it. */
static void shadow_track(struct live_shadow *s, const void *ep, int op, int fd,
			 const struct epoll_event *ev)
{
	struct shadow_item *it = shadow_find(s, ep, fd);

	if (op == EPOLL_CTL_DEL) {
		if (it) {
			HASH_DEL(s->items, it);
			free(it);
		}
		return;
	}
	if (!it && (it = calloc(1, sizeof(*it)))) {
		it->key.ep = ep;
		it->key.fd = fd;
		HASH_ADD(hh, s->items, key, sizeof(it->key), it);
	}
	if (it) {
		it->events = ev->events;
		it->data = ev->data.u64;
	}
}

void live_shadow_create(struct live_state *st, int fd)
{
	if (st->shadow && fd >= 0)
		shadow_kfd(st, fd);
}

/* The instance is gone: so are its kernel twin and its registrations. */
void live_shadow_forget(struct live_state *st, const struct file *file)
{
	struct live_shadow *s = st->shadow;
	struct shadow_inst *si;
	struct shadow_item *it, *tmp;

	if (!s)
		return;
	HASH_FIND_PTR(s->insts, &file, si);
	if (si) {
		HASH_DEL(s->insts, si);
		live_set_kind(st, si->kfd, LIVE_FD_NONE);
		live_sys(SYS_close, si->kfd, 0, 0, 0, 0, 0);
		free(si);
	}
	HASH_ITER(hh, s->items, it, tmp) {
		if (it->key.ep == file) {
			HASH_DEL(s->items, it);
			free(it);
		}
	}
}

void live_shadow_ctl(struct live_state *st, int epfd, int op, int fd,
		     const struct epoll_event *ev, long ret)
{
	struct live_shadow *s = st->shadow;
	int kfd = s ? shadow_kfd(st, epfd) : -1;
	int target = fd;
	long kret;

	/* no event to mirror; or an fd of the library's own, which the kernel would take */
	if (kfd < 0 || ret == -EFAULT || live_kind(fd) == LIVE_FD_PRIVATE)
		return;
	if (live_kind(fd) == LIVE_FD_EPOLL && (target = shadow_kfd(st, fd)) < 0)
		return;
	kret = live_sys(SYS_epoll_ctl, kfd, op, target, (long)ev, 0, 0);
	if (kret != ret && !(ret == 0 && kret == -EEXIST)) {
		s->ctl_diff++;
		shadow_report(st, "epoll_ctl(%d, op %d, fd %d, %#x): kernel %ld, simulator %ld", epfd,
			      op, fd, ev->events, kret, ret);
	}
	if (ret == 0)
		shadow_track(s, live_find_instance(st, epfd)->file, op, fd, ev);
}

/* The registration whose data is `data`, or NULL. */
static struct shadow_item *shadow_by_data(struct live_shadow *s, const void *ep, uint64_t data)
{
	struct shadow_item *it, *tmp;

	HASH_ITER(hh, s->items, it, tmp)
		if (it->key.ep == ep && it->data == data)
			return it;
	return NULL;
}

static bool shadow_on_rdllist(const struct eventpoll *ep, int fd)
{
	const struct list_head *pos;

	list_for_each(pos, &ep->rdllist)
		if (list_entry(pos, struct epitem, rdllink)->ffd.fd == fd)
			return true;
	return ep->ovflist != EP_UNACTIVE_PTR;
}

static bool shadow_in(const struct epoll_event *evs, long n, uint64_t data)
{
	for (long i = 0; i < n; i++)
		if (evs[i].data.u64 == data)
			return true;
	return false;
}

/* A kernel event the simulator did not give: timing, or a lost wake-up. */
static void shadow_kernel_only(struct live_state *st, struct live_instance *in,
			       const struct epoll_event *kev, int epfd)
{
	struct live_shadow *s = st->shadow;
	struct shadow_item *it = shadow_by_data(s, in->file, kev->data.u64);
	struct pollfd p = { .fd = it ? it->key.fd : -1, .events = (short)(it ? it->events : 0) };

	if (it && !(it->events & (EPOLLET | EPOLLONESHOT)) && live_kind(it->key.fd) == LIVE_FD_HOST &&
	    live_sys(SYS_poll, (long)&p, 1, 0, 0, 0, 0) == 1 && !(p.revents & POLLNVAL) &&
	    !shadow_on_rdllist(in->file->private_data, it->key.fd)) {
		s->unexplained++;
		shadow_report(st, "epoll_wait(%d): kernel reports fd %d %#x, ready now, not on the "
			      "simulator's ready list", epfd, it->key.fd, kev->events);
		return;
	}
	s->timing++;
	if (it && (it->events & EPOLLONESHOT)) {	/* re-arm: the simulator still has it armed */
		struct epoll_event ev = { .events = it->events, .data.u64 = it->data };
		live_sys(SYS_epoll_ctl, shadow_kfd(st, epfd), EPOLL_CTL_MOD, it->key.fd, (long)&ev, 0,
			 0);
	}
}

/* An event the simulator gave: its data and bits must match a registration. */
static void shadow_sim_event(struct live_state *st, struct live_instance *in,
			     const struct epoll_event *ev, int epfd, long kn)
{
	struct live_shadow *s = st->shadow;
	struct shadow_item *it = shadow_by_data(s, in->file, ev->data.u64);

	if (!it || (ev->events & ~(it->events | EPOLLERR | EPOLLHUP))) {
		s->unexplained++;
		shadow_report(st, "epoll_wait(%d): simulator reports %#x data=%#" PRIx64 ": %s", epfd,
			      ev->events, (uint64_t)ev->data.u64,
			      it ? "bits outside the item's interest" : "no item has that data");
		return;
	}
	if (!shadow_in(s->kev, kn, ev->data.u64)) {
		s->timing++;
		if (it->events & EPOLLONESHOT) {	/* disarm the kernel's, as the simulator did */
			struct epoll_event d = { .events = EPOLLONESHOT, .data.u64 = it->data };
			live_sys(SYS_epoll_ctl, shadow_kfd(st, epfd), EPOLL_CTL_MOD, it->key.fd,
				 (long)&d, 0, 0);
		}
	}
}

void live_shadow_wait(struct live_state *st, int epfd, int maxevents,
		      const struct epoll_event *events, long ret)
{
	struct live_shadow *s = st->shadow;
	struct live_instance *in = s ? live_find_instance(st, epfd) : NULL;
	int kfd = in ? shadow_kfd(st, epfd) : -1;
	long kn;

	if (kfd < 0 || ret < 0)
		return;
	maxevents = maxevents > SHADOW_MAX || maxevents <= 0 ? SHADOW_MAX : maxevents;
	if (s->kevcap < maxevents) {
		struct epoll_event *k = realloc(s->kev, (size_t)maxevents * sizeof(*k));
		if (!k)
			return;
		s->kev = k;
		s->kevcap = maxevents;
	}
	kn = live_sys(SYS_epoll_wait, kfd, (long)s->kev, maxevents, 0, 0, 0);
	if (kn < 0)
		return;
	s->waits++;
	host_kernel_drain(st);	/* every wake-up the kernel had is now in the simulator */
	for (long i = 0; i < ret; i++)
		shadow_sim_event(st, in, &events[i], epfd, kn);
	for (long i = 0; i < kn; i++)
		if (!shadow_in(events, ret, s->kev[i].data.u64) && ret < maxevents)
			shadow_kernel_only(st, in, &s->kev[i], epfd);
}
