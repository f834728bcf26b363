/*
 * The epoll part of the world invariant checker (world_check.h): each epoll
 * instance (its tree, ready list, overflow list and wait queues) and each of
 * its items (events, file, poll wait entries).
 */
#include <stdlib.h>
#include "fdtable.h"
#include "task.h"
#include "world_check_internal.h"

/* A wait entry found on a queue, and the queue. */
struct ck_went {
	const struct list_head *entry;
	const struct wait_queue_head *wq;
};

/* ---------------------------------------------------------------- items */

/* Models ep_find() by identity: whether epi's node is in ep's tree. */
bool ck_in_tree(const struct eventpoll *ep, const struct epitem *epi)
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

/* qsort order of pointers. */
int ck_ptr_cmp(const void *a, const void *b)
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
int ck_pwq_queues(struct ck *c)
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
int ck_ep_tree(struct ck *c, const struct eventpoll *ep)
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
int ck_eventpoll(struct ck *c, const struct file *f)
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
