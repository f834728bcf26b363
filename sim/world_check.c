/*
 * The world invariant checker (see world_check.h). It collects every live file
 * (from the fd tables and from calls parked in epoll_wait, with the number of
 * references each should hold), then checks each file, each epoll instance
 * behind an epoll file, each item of an instance and each task. Its own
 * bookkeeping uses plain malloc: the checker is not part of the simulated
 * kernel, and must not disturb the world's allocation count.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "world_check.h"
#include "ep_internal.h"
#include "fdtable.h"
#include "rw_wait.h"
#include "sys_uring.h"
#include "registry.h"
#include "sys_socket.h"
#include "select.h"
#include "task.h"
#include "world.h"

/* A live file and the references it should hold. */
struct ck_file {
	struct file *f;
	long refs;
};

/* The checker's state: its findings so far and the live files. */
struct ck {
	const struct world *w;
	char *why;
	size_t len;
	struct ck_file *files;
	size_t nfiles, cap;
	long items;		/* epitems seen, across every instance */
	long fllinks;		/* epitems seen on files' f_ep lists */
	const struct eventpoll **eps;	/* the live instances, sorted, trees checked */
	size_t neps;
	const struct eppoll_entry **pwqs; /* linked wait entries, checked in bulk */
	size_t npwqs, cappwqs;
	bool oom;
};

/* A wait entry found on a queue, and the queue. */
struct ck_went {
	const struct list_head *entry;
	const struct wait_queue_head *wq;
};

static int ck_fail(struct ck *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record the first violation and return -1. */
static int ck_fail(struct ck *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, c->len, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Walk a circular list checking next/prev agreement; the count in *n. A walk
 * that checks both links at each node cannot loop without failing, so it ends.
 */
static int ck_list(struct ck *c, const struct list_head *h, const char *what, size_t *n)
{
	const struct list_head *p = h;

	*n = 0;
	do {
		if (!p->next || !p->prev)
			return ck_fail(c, "%s: NULL list link", what);
		if (p->next->prev != p)
			return ck_fail(c, "%s: next->prev does not point back", what);
		if (p->prev->next != p)
			return ck_fail(c, "%s: prev->next does not point back", what);
		p = p->next;
		if (p != h)
			(*n)++;
	} while (p != h);
	return 0;
}

/* ---------------------------------------------------------------- files */

static int ck_file_cmp(const void *a, const void *b)
{
	const struct file *x = ((const struct ck_file *)a)->f, *y = ((const struct ck_file *)b)->f;

	return (x > y) - (x < y);
}

/* Count one reference to f (an fd-table entry or an in-flight call). */
static void ck_add_ref(struct ck *c, struct file *f)
{
	if (c->nfiles == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct ck_file *p = realloc(c->files, cap * sizeof(*p));

		if (!p) {
			c->oom = true;
			return;
		}
		c->files = p;
		c->cap = cap;
	}
	c->files[c->nfiles].f = f;
	c->files[c->nfiles++].refs = 1;
}

/* Sort the references and merge those of one file. */
static void ck_merge_refs(struct ck *c)
{
	size_t out = 0;

	if (c->nfiles)
		qsort(c->files, c->nfiles, sizeof(*c->files), ck_file_cmp);
	for (size_t i = 0; i < c->nfiles; i++) {
		if (out && c->files[out - 1].f == c->files[i].f)
			c->files[out - 1].refs += c->files[i].refs;
		else
			c->files[out++] = c->files[i];
	}
	c->nfiles = out;
}

/* The live file f, or NULL if nothing refers to it. */
static const struct ck_file *ck_find_file(const struct ck *c, const struct file *f)
{
	struct ck_file key = { (struct file *)f, 0 };

	if (!c->nfiles)
		return NULL;
	return bsearch(&key, c->files, c->nfiles, sizeof(*c->files), ck_file_cmp);
}

static void ck_fd_ref(void *ctx, int fd, struct file *f)
{
	(void)fd;
	ck_add_ref(ctx, f);
}

/* A reference held by a parked poll() or select() (its poll_table_entries), or a ring's request. */
static void ck_held_ref(void *ctx, struct file *f)
{
	ck_add_ref(ctx, f);
}

/* The references io_uring requests in flight hold, for every ring found so far. */
static void ck_ring_refs(struct ck *c)
{
	const struct io_uring_ops *uring = sim_registry.io_uring;
	size_t n = c->nfiles;

	for (size_t i = 0; uring && i < n; i++)
		if (uring->is_ring(c->files[i].f))
			uring->for_each_held_file(c->files[i].f, ck_held_ref, c);
	if (c->nfiles != n)
		ck_merge_refs(c);
}

/* ---------------------------------------------------------------- items */

/* Models ep_find() by identity: whether epi's node is in ep's tree. */
static bool ck_in_tree(const struct eventpoll *ep, const struct epitem *epi)
{
	const struct rb_node *rbp = ep->rbr.rb_root.rb_node;

	while (rbp) {
		const struct epitem *cur = rb_entry(rbp, struct epitem, rbn);
		int kcmp = ep_cmp_ffd(&epi->ffd, &cur->ffd);

		if (kcmp == 0)
			return cur == epi;
		rbp = kcmp > 0 ? rbp->rb_right : rbp->rb_left;
	}
	return false;
}

/* One eppoll_entry: it names its item, and it is linked on the queue it names. */
static int ck_pwq(struct ck *c, const struct eventpoll *ep, const struct epitem *epi,
		  const struct eppoll_entry *pwq)
{
	bool excl = (pwq->wait.flags & WQ_FLAG_EXCLUSIVE) != 0;

	if (pwq->base != epi)
		return ck_fail(c, "epoll #%llu: item fd %d: wait entry names another item",
			       (unsigned long long)ep->id, epi->ffd.fd);
	if (excl != ((epi->event.events & EPOLLEXCLUSIVE) != 0))
		return ck_fail(c, "epoll #%llu: item fd %d: wait entry exclusive flag disagrees "
			       "with EPOLLEXCLUSIVE", (unsigned long long)ep->id, epi->ffd.fd);
	if (!pwq->whead)
		return list_empty(&pwq->wait.entry) ? 0 :
		       ck_fail(c, "epoll #%llu: item fd %d: wait entry of a freed queue still linked",
			       (unsigned long long)ep->id, epi->ffd.fd);
	if (c->npwqs == c->cappwqs) {	/* its queue membership is checked in bulk (ck_pwq_queues) */
		size_t cap = c->cappwqs ? c->cappwqs * 2 : 64;
		const struct eppoll_entry **p = realloc(c->pwqs, cap * sizeof(*p));

		if (!p)
			return ck_fail(c, "checker out of memory");
		c->pwqs = p;
		c->cappwqs = cap;
	}
	c->pwqs[c->npwqs++] = pwq;
	return 0;
}

static int ck_ptr_cmp(const void *a, const void *b)
{
	const void *x = *(const void *const *)a, *y = *(const void *const *)b;

	return (x > y) - (x < y);
}

static int ck_went_cmp(const void *a, const void *b)
{
	const struct list_head *x = ((const struct ck_went *)a)->entry;
	const struct list_head *y = ((const struct ck_went *)b)->entry;

	return (x > y) - (x < y);
}

/* Walk each queue some wait entry names, once, recording which entries are on it. */
static int ck_collect_wents(struct ck *c, const struct wait_queue_head **wqs, size_t nwq,
			    struct ck_went **out, size_t *nout)
{
	size_t n = 0, cap = c->npwqs + 16;
	struct ck_went *w = malloc(cap * sizeof(*w));
	const struct list_head *p;

	for (size_t i = 0; w && i < nwq; i++) {
		size_t len;

		if (i && wqs[i] == wqs[i - 1])
			continue;
		if (ck_list(c, &wqs[i]->head, "watched file's wait queue", &len)) {
			free(w);
			return -1;
		}
		list_for_each(p, &wqs[i]->head) {
			if (n == cap) {
				struct ck_went *nw = realloc(w, (cap *= 2) * sizeof(*w));
				if (!nw) {
					free(w);
					return ck_fail(c, "checker out of memory");
				}
				w = nw;
			}
			w[n].entry = p;
			w[n++].wq = wqs[i];
		}
	}
	if (!w)
		return ck_fail(c, "checker out of memory");
	qsort(w, n, sizeof(*w), ck_went_cmp);
	*out = w;
	*nout = n;
	return 0;
}

/* Every item's wait entry is linked on the very queue it names. */
static int ck_pwq_queues(struct ck *c)
{
	const struct wait_queue_head **wqs = malloc((c->npwqs + 1) * sizeof(*wqs));
	struct ck_went *went = NULL, key;
	size_t nwent = 0;
	int rc = 0;

	if (!wqs)
		return ck_fail(c, "checker out of memory");
	for (size_t i = 0; i < c->npwqs; i++)
		wqs[i] = c->pwqs[i]->whead;
	qsort(wqs, c->npwqs, sizeof(*wqs), ck_ptr_cmp);
	rc = ck_collect_wents(c, wqs, c->npwqs, &went, &nwent);
	for (size_t i = 0; rc == 0 && i < c->npwqs; i++) {
		const struct eppoll_entry *pwq = c->pwqs[i];
		const struct ck_went *hit;

		key.entry = &pwq->wait.entry;
		hit = nwent ? bsearch(&key, went, nwent, sizeof(*went), ck_went_cmp) : NULL;
		if (!hit || hit->wq != pwq->whead)
			rc = ck_fail(c, "epoll #%llu: item fd %d: wait entry not on the queue it names",
				     (unsigned long long)pwq->base->ep->id, pwq->base->ffd.fd);
	}
	free(went);
	free(wqs);
	return rc;
}

/* The item's event mask: ERR|HUP added unless a fired ONESHOT disarmed it. */
static int ck_item_events(struct ck *c, const struct eventpoll *ep, const struct epitem *epi)
{
	__poll_t ev = epi->event.events;

	if ((ev & ~EP_PRIVATE_BITS) && (ev & (EPOLLERR | EPOLLHUP)) != (EPOLLERR | EPOLLHUP))
		return ck_fail(c, "epoll #%llu: item fd %d: armed mask 0x%x lacks EPOLLERR|EPOLLHUP",
			       (unsigned long long)ep->id, epi->ffd.fd, (unsigned)ev);
	return 0;
}

/*
 * The item's watched file is live, and its f_ep link is linked. That it is on
 * its own file's f_ep list follows from the file side (ck_file_f_ep: every
 * entry there is an item of that file, in its tree) and the totals (as many
 * f_ep entries as items): checked in bulk, not by a walk per item.
 */
static int ck_item_file(struct ck *c, const struct eventpoll *ep, const struct epitem *epi)
{
	const struct ck_file *cf = ck_find_file(c, epi->ffd.file);

	if (!cf || epi->ffd.file->f_count <= 0)
		return ck_fail(c, "epoll #%llu: item fd %d watches a file that is gone",
			       (unsigned long long)ep->id, epi->ffd.fd);
	if (epi->fllink.next->prev != &epi->fllink || epi->fllink.prev->next != &epi->fllink)
		return ck_fail(c, "epoll #%llu: item fd %d is not on its file's f_ep list",
			       (unsigned long long)ep->id, epi->ffd.fd);
	return 0;
}

/* Everything about one item except its ready-list and overflow-list membership. */
static int ck_item(struct ck *c, const struct eventpoll *ep, const struct epitem *epi)
{
	const struct eppoll_entry *pwq;
	long npwq = 0;

	if (epi->ep != ep)
		return ck_fail(c, "epoll #%llu: item fd %d belongs to another instance",
			       (unsigned long long)ep->id, epi->ffd.fd);
	if (epi->dying)
		return ck_fail(c, "epoll #%llu: item fd %d is dying between steps",
			       (unsigned long long)ep->id, epi->ffd.fd);
	if (epi->rdllink.next->prev != &epi->rdllink || epi->rdllink.prev->next != &epi->rdllink)
		return ck_fail(c, "epoll #%llu: item fd %d: rdllink links do not agree",
			       (unsigned long long)ep->id, epi->ffd.fd);
	if (ck_item_events(c, ep, epi) || ck_item_file(c, ep, epi))
		return -1;
	for (pwq = epi->pwqlist; pwq; pwq = pwq->next) {
		if (++npwq > 64)
			return ck_fail(c, "epoll #%llu: item fd %d: pwqlist too long or cyclic",
				       (unsigned long long)ep->id, epi->ffd.fd);
		if (ck_pwq(c, ep, epi, pwq))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ instances */

/* Every entry of rdllist is an item of ep, in its tree; returns the count in *n. */
static int ck_rdllist(struct ck *c, const struct eventpoll *ep, long nitems, long *n)
{
	const struct list_head *p;
	size_t len;

	if (ck_list(c, &ep->rdllist, "rdllist", &len))
		return -1;
	if ((long)len > nitems)
		return ck_fail(c, "epoll #%llu: rdllist has %zu entries for %ld items "
			       "(an item queued twice?)", (unsigned long long)ep->id, len, nitems);
	list_for_each(p, &ep->rdllist) {
		const struct epitem *epi = list_entry(p, struct epitem, rdllink);

		if (epi->ep != ep || !ck_in_tree(ep, epi))
			return ck_fail(c, "epoll #%llu: an rdllist entry is not an item in its tree",
				       (unsigned long long)ep->id);
	}
	*n = (long)len;
	return 0;
}

/* The overflow chain: EP_UNACTIVE_PTR unless a scan runs; its items in the tree. */
static int ck_ovflist(struct ck *c, const struct eventpoll *ep, long nitems, long *n)
{
	const struct epitem *epi;

	*n = 0;
	if (!ep->scanning)
		return ep->ovflist == EP_UNACTIVE_PTR ? 0 :
		       ck_fail(c, "epoll #%llu: ovflist active with no scan running",
			       (unsigned long long)ep->id);
	if (ep->ovflist == EP_UNACTIVE_PTR)
		return ck_fail(c, "epoll #%llu: scan running but ovflist is EP_UNACTIVE_PTR",
			       (unsigned long long)ep->id);
	for (epi = ep->ovflist; epi; epi = epi->next) {
		if (epi == EP_UNACTIVE_PTR || ++*n > nitems)
			return ck_fail(c, "epoll #%llu: ovflist chain broken or cyclic",
				       (unsigned long long)ep->id);
		if (epi->ep != ep || !ck_in_tree(ep, epi))
			return ck_fail(c, "epoll #%llu: an ovflist entry is not an item in its tree",
				       (unsigned long long)ep->id);
	}
	return 0;
}

/* The task parked on a wait entry of ep->wq must be a sleeping task of the world. */
static bool ck_sleeping_task(const struct world *w, const void *private)
{
	const struct list_head *pp, *tp;

	list_for_each(pp, &w->processes) {
		const struct sim_process *p = list_entry(pp, struct sim_process, node);

		list_for_each(tp, &p->tasks) {
			const struct sim_task *t = list_entry(tp, struct sim_task, node);

			if (t == private)
				return t->state != TASK_IDLE;
		}
	}
	return false;
}

/* The instance's own wait queues: links, and epoll_wait sleepers that exist. */
static int ck_ep_queues(struct ck *c, const struct eventpoll *ep)
{
	const struct list_head *p;
	size_t n;

	if (ck_list(c, &ep->wq.head, "ep->wq", &n) ||
	    ck_list(c, &ep->poll_wait.head, "ep->poll_wait", &n))
		return -1;
	list_for_each(p, &ep->wq.head) {
		const struct wait_queue_entry *e = list_entry(p, struct wait_queue_entry, entry);

		if (!(e->flags & WQ_FLAG_EXCLUSIVE) || !ck_sleeping_task(c->w, e->private))
			return ck_fail(c, "epoll #%llu: ep->wq entry is not an exclusive sleeping task",
				       (unsigned long long)ep->id);
	}
	return 0;
}

/* Per-item membership counts: linked on a ready list, chained on ovflist. */
static void ck_count_links(const struct eventpoll *ep, long *linked, long *chained)
{
	const struct rb_node *rbp;

	*linked = *chained = 0;
	for (rbp = rb_first_cached(&ep->rbr); rbp; rbp = rb_next(rbp)) {
		const struct epitem *epi = rb_entry(rbp, struct epitem, rbn);

		*linked += ep_is_linked(epi);
		*chained += epi->next != EP_UNACTIVE_PTR;
	}
}

/* The ready list and overflow chain agree with the items' own links. */
static int ck_ep_lists(struct ck *c, const struct eventpoll *ep, long nitems)
{
	long nrdl = 0, novf = 0, linked, chained;	/* = 0: gcc -O3 cannot see they are set */

	if (ck_rdllist(c, ep, nitems, &nrdl) || ck_ovflist(c, ep, nitems, &novf))
		return -1;
	ck_count_links(ep, &linked, &chained);
	if (chained != novf)
		return ck_fail(c, "epoll #%llu: %ld items marked on ovflist, chain has %ld",
			       (unsigned long long)ep->id, chained, novf);
	if (!ep->scanning && linked != nrdl)
		return ck_fail(c, "epoll #%llu: %ld items linked, rdllist has %ld",
			       (unsigned long long)ep->id, linked, nrdl);
	return 0;
}

static int ck_rb_cmp(const struct rb_node *a, const struct rb_node *b)
{
	return ep_cmp_ffd(&rb_entry(a, struct epitem, rbn)->ffd,
			  &rb_entry(b, struct epitem, rbn)->ffd);
}

/* The tree: red-black properties, (file, fd) order, the cached leftmost node. */
static int ck_ep_tree(struct ck *c, const struct eventpoll *ep)
{
	const char *why = NULL;

	if (rb_check(&ep->rbr.rb_root, ck_rb_cmp, &why))
		return ck_fail(c, "epoll #%llu: RB tree: %s", (unsigned long long)ep->id,
			       why ? why : "invalid");
	if (ep->rbr.rb_leftmost != rb_first(&ep->rbr.rb_root))
		return ck_fail(c, "epoll #%llu: RB tree: cached leftmost is not the first node",
			       (unsigned long long)ep->id);
	return 0;
}

/* One instance: its file, tree, items, lists, queues and reference count. */
static int ck_eventpoll(struct ck *c, const struct file *f)
{
	const struct eventpoll *ep = f->private_data;
	const struct rb_node *rbp;
	long n = 0;

	for (rbp = rb_first_cached(&ep->rbr); rbp; rbp = rb_next(rbp), n++)
		if (ck_item(c, ep, rb_entry(rbp, struct epitem, rbn)))
			return -1;
	c->items += n;
	if (ep->refcount != 1 + n)
		return ck_fail(c, "epoll #%llu: refcount %ld, expected 1 + %ld items",
			       (unsigned long long)ep->id, ep->refcount, n);
	return ck_ep_lists(c, ep, n) || ck_ep_queues(c, ep);
}

/* ---------------------------------------------------------------- files */

/* The f_ep list: every item there watches this file. */
static int ck_file_f_ep(struct ck *c, const struct file *f)
{
	const struct list_head *p;
	size_t n;

	if (ck_list(c, &f->f_ep, "file f_ep list", &n))
		return -1;
	list_for_each(p, &f->f_ep) {
		const struct epitem *epi = list_entry(p, struct epitem, fllink);

		if (epi->ffd.file != f)
			return ck_fail(c, "file #%llu: f_ep holds an item of another file",
				       (unsigned long long)f->f_id);
		if (!c->neps || !bsearch(&epi->ep, c->eps, c->neps, sizeof(*c->eps), ck_ptr_cmp) ||
		    !ck_in_tree(epi->ep, epi))
			return ck_fail(c, "file #%llu: an f_ep entry is not an item in a live tree",
				       (unsigned long long)f->f_id);
	}
	c->fllinks += (long)n;
	return 0;
}

/* The queues a blocking read or write of the file sleeps on: links agree. */
static int ck_file_queues(struct ck *c, struct file *f)
{
	size_t n;

	for (int dir = 0; dir < 2 && f->f_op->wait_queue; dir++) {
		struct wait_queue_head *wq = f->f_op->wait_queue(f, dir);

		if (wq && ck_list(c, &wq->head, "file wait queue", &n))
			return -1;
	}
	return 0;
}

/* One live file: its reference count, back-links and, for epoll, its instance. */
static int ck_file(struct ck *c, const struct ck_file *cf)
{
	struct file *f = cf->f;

	if (f->world != c->w)
		return ck_fail(c, "file #%llu belongs to another world", (unsigned long long)f->f_id);
	if (f->f_count != cf->refs)
		return ck_fail(c, "file #%llu (%s): f_count %ld, but %ld references exist",
			       (unsigned long long)f->f_id, f->f_op->name ? f->f_op->name : "?",
			       f->f_count, cf->refs);
	if (!list_empty(&f->f_tfile_llink))
		return ck_fail(c, "file #%llu left on tfile_check_list", (unsigned long long)f->f_id);
	if (ck_file_f_ep(c, f) || ck_file_queues(c, f))
		return -1;
	return is_file_epoll(f) ? ck_eventpoll(c, f) : 0;
}

/* ---------------------------------------------------------------- tasks */

/* One task: its state agrees with its run-queue and completion links. */
static int ck_task(struct ck *c, const struct sim_process *p, const struct sim_task *t)
{
	struct file *held;

	if (t->proc != p || t->world != c->w)
		return ck_fail(c, "task %d: wrong process or world", t->tid);
	if ((t->state == TASK_WOKEN) != !list_empty(&t->run_node))
		return ck_fail(c, "task %d: state %d disagrees with the run queue", t->tid, t->state);
	if (t->state == TASK_SLEEPING && !t->resume)
		return ck_fail(c, "task %d: sleeping with no continuation", t->tid);
	if (t->has_result == list_empty(&t->done_node))
		return ck_fail(c, "task %d: result flag disagrees with the completed list", t->tid);
	held = ep_poll_held_file(t);
	if (held)
		ck_add_ref(c, held);
	held = rw_held_file(t);	/* a blocking read or write (rw_wait.c) */
	if (held)
		ck_add_ref(c, held);
	held = accept_held_file(t);	/* a blocking accept (sys_socket.c) */
	if (held)
		ck_add_ref(c, held);
	poll_select_held_files(t, ck_held_ref, c);
	held = cq_wait_held_file(t);	/* io_uring_enter(GETEVENTS) (sys_uring.c) */
	if (held)
		ck_add_ref(c, held);
	return 0;
}

/* Processes, their tasks and fd tables; collects the references to files. */
static int ck_processes(struct ck *c)
{
	const struct list_head *pp, *tp;
	char why[200];
	size_t n;

	if (ck_list(c, &c->w->processes, "world process list", &n))
		return -1;
	list_for_each(pp, &c->w->processes) {
		const struct sim_process *p = list_entry(pp, struct sim_process, node);

		if (p->world != c->w || ck_list(c, &p->tasks, "process task list", &n))
			return p->world != c->w ? ck_fail(c, "process %d: wrong world", p->pid) : -1;
		list_for_each(tp, &p->tasks)
			if (ck_task(c, p, list_entry(tp, struct sim_task, node)))
				return -1;
		if (fdtable_check(p->files, why, sizeof(why)))
			return ck_fail(c, "process %d: %s", p->pid, why);
		fdtable_for_each(p->files, ck_fd_ref, c);
	}
	return 0;
}

/* The world's own lists: timers sorted by expiry, run queue, completions. */
static int ck_world_lists(struct ck *c)
{
	const struct world *w = c->w;
	const struct list_head *p;
	uint64_t last = 0;
	size_t n;

	if (ck_list(c, &w->timers, "timer list", &n) || ck_list(c, &w->runq, "run queue", &n) ||
	    ck_list(c, &w->completed, "completed list", &n) ||
	    ck_list(c, &w->tfile_check_list, "tfile_check_list", &n))
		return -1;
	if (n)
		return ck_fail(c, "tfile_check_list not empty between steps");
	list_for_each(p, &w->timers) {
		const struct sim_timer *t = list_entry(p, struct sim_timer, node);

		if (t->expires < last)
			return ck_fail(c, "timer list not sorted by expiry");
		last = t->expires;
	}
	return 0;
}

/* Pass one: every live instance points back at its file and has a sound tree. */
static int ck_instances(struct ck *c)
{
	c->eps = malloc((c->nfiles + 1) * sizeof(*c->eps));
	if (!c->eps)
		return ck_fail(c, "checker out of memory");
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct file *f = c->files[i].f;
		const struct eventpoll *ep = f->private_data;

		if (!is_file_epoll(f))
			continue;
		if (!ep || ep->file != f || ep->world != c->w)
			return ck_fail(c, "epoll file #%llu: instance does not point back at its file",
				       (unsigned long long)f->f_id);
		if (ck_ep_tree(c, ep))
			return -1;
		c->eps[c->neps++] = ep;
	}
	qsort(c->eps, c->neps, sizeof(*c->eps), ck_ptr_cmp);
	return 0;
}

/* Every file, then the totals that tie items, files and the user together. */
static int ck_files(struct ck *c)
{
	if (ck_instances(c))
		return -1;
	for (size_t i = 0; i < c->nfiles; i++)
		if (ck_file(c, &c->files[i]))
			return -1;
	if (ck_pwq_queues(c))
		return -1;
	if (c->fllinks != c->items)
		return ck_fail(c, "%ld items in trees but %ld on files' f_ep lists", c->items,
			       c->fllinks);
	if (c->w->user.epoll_watches != c->items)
		return ck_fail(c, "user epoll_watches %ld, but %ld items exist",
			       c->w->user.epoll_watches, c->items);
	return 0;
}

int world_check(const struct world *w, char *why, size_t len)
{
	struct ck c = { .w = w, .why = why, .len = len };
	int rc;

	if (len)
		why[0] = '\0';
	rc = ck_world_lists(&c) || ck_processes(&c) ? -1 : 0;
	if (rc == 0 && c.oom)
		rc = ck_fail(&c, "checker out of memory");
	if (rc == 0) {
		ck_merge_refs(&c);
		ck_ring_refs(&c);
		rc = ck_files(&c);
	}
	free(c.files);
	free(c.eps);
	free(c.pwqs);
	return rc ? -1 : 0;
}
