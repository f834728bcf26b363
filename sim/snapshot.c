/*
 * Taking a snapshot of a world (snapshot.h): walk every process's fd table,
 * follow epitems to the files they watch, and copy out the trees, lists and
 * wait queues. Read-only: nothing here calls ->poll or links anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot.h"
#include "eventpoll.h"
#include "fdtable.h"
#include "world.h"

/* The state of one world_snapshot_take(): live files in discovery order, and a failure flag. */
struct snap_build {
	const struct world *w;
	struct world_snapshot *s;
	struct file **live;
	size_t nlive, cap_live;
	size_t cap_tasks, cap_fds;
	bool failed;
};

/* Make room for one more element in *arr (n used, *cap allocated); false on ENOMEM. */
static bool snap_reserve(struct snap_build *b, void **arr, size_t n, size_t *cap, size_t size)
{
	size_t ncap;
	void *p;

	if (b->failed)
		return false;
	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 8;
	p = realloc(*arr, ncap * size);
	if (!p) {
		b->failed = true;
		return false;
	}
	*arr = p;
	*cap = ncap;
	return true;
}

static void *snap_calloc(struct snap_build *b, size_t n, size_t size)
{
	void *p;

	if (b->failed || n == 0)
		return NULL;
	p = calloc(n, size);
	if (!p)
		b->failed = true;
	return p;
}

static void snap_name(char dst[SNAP_NAME_MAX], const char *src)
{
	/* not strncpy: gcc -O3 (the release preset) rejects it with -Wstringop-truncation */
	memset(dst, 0, SNAP_NAME_MAX);
	memcpy(dst, src, strnlen(src, SNAP_NAME_MAX - 1));
}

/* Remember a live file once. */
static void snap_add_file(struct snap_build *b, struct file *f)
{
	for (size_t i = 0; i < b->nlive; i++)
		if (b->live[i] == f)
			return;
	if (snap_reserve(b, (void **)&b->live, b->nlive, &b->cap_live, sizeof(*b->live)))
		b->live[b->nlive++] = f;
}

struct snap_fd_walk {
	struct snap_build *b;
	int pid;
};

static void snap_one_fd(void *ctx, int fd, struct file *f)
{
	struct snap_fd_walk *fw = ctx;
	struct snap_build *b = fw->b;
	struct world_snapshot *s = b->s;

	if (!snap_reserve(b, (void **)&s->fds, s->nfds, &b->cap_fds, sizeof(*s->fds)))
		return;
	s->fds[s->nfds++] = (struct snap_fd){ fw->pid, fd, f->f_id };
	snap_add_file(b, f);
}

static void snap_tasks_of(struct snap_build *b, const struct sim_process *p)
{
	struct world_snapshot *s = b->s;
	const struct list_head *pos;

	list_for_each(pos, &p->tasks) {
		const struct sim_task *t = list_entry(pos, struct sim_task, node);
		struct snap_task *st;

		if (!snap_reserve(b, (void **)&s->tasks, s->ntasks, &b->cap_tasks, sizeof(*s->tasks)))
			return;
		st = &s->tasks[s->ntasks++];
		st->pid = p->pid;
		st->tid = t->tid;
		st->state = t->state;
		snap_name(st->name, t->name);
	}
}

/* Every thread, every fd, and the files behind the fds. */
static void snap_processes(struct snap_build *b)
{
	const struct list_head *pos;

	list_for_each(pos, &b->w->processes) {
		const struct sim_process *p = list_entry(pos, struct sim_process, node);
		struct snap_fd_walk fw = { b, p->pid };

		snap_tasks_of(b, p);
		fdtable_for_each(p->files, snap_one_fd, &fw);
	}
}

/* Follow epitems to the files they watch, until no new file turns up. */
static void snap_close_over_items(struct snap_build *b)
{
	for (size_t i = 0; i < b->nlive && !b->failed; i++) {
		const struct eventpoll *ep;
		const struct rb_node *rbp;

		if (!is_file_epoll(b->live[i]))
			continue;
		ep = b->live[i]->private_data;
		for (rbp = rb_first_cached(&ep->rbr); rbp; rbp = rb_next(rbp))
			snap_add_file(b, rb_entry(rbp, struct epitem, rbn)->ffd.file);
	}
}

static int snap_cmp_file_id(const void *a, const void *b)
{
	const struct file *fa = *(struct file *const *)a, *fb = *(struct file *const *)b;

	return (fa->f_id > fb->f_id) - (fa->f_id < fb->f_id);
}

/* The epitem whose eppoll_entry is `wait`, searched among the items watching `owner`. */
static const struct epitem *snap_item_of_entry(const struct file *owner,
					       const struct wait_queue_entry *wait)
{
	const struct list_head *pos;

	list_for_each(pos, &owner->f_ep) {
		const struct epitem *epi = list_entry(pos, struct epitem, fllink);
		for (const struct eppoll_entry *pwq = epi->pwqlist; pwq; pwq = pwq->next)
			if (&pwq->wait == wait)
				return epi;
	}
	return NULL;
}

/* The epitem whose eppoll_entry is `wait`, searched among every live file. */
static const struct epitem *snap_find_item_entry(const struct snap_build *b,
						 const struct file *owner,
						 const struct wait_queue_entry *wait)
{
	const struct epitem *epi = owner ? snap_item_of_entry(owner, wait) : NULL;

	for (size_t i = 0; i < b->nlive && !epi; i++)
		epi = snap_item_of_entry(b->live[i], wait);
	return epi;
}

static const struct sim_task *snap_find_task(const struct world *w, const void *private)
{
	const struct list_head *pp, *tp;

	if (!private)
		return NULL;
	list_for_each(pp, &w->processes) {
		const struct sim_process *p = list_entry(pp, struct sim_process, node);
		list_for_each(tp, &p->tasks)
			if (list_entry(tp, struct sim_task, node) == private)
				return private;
	}
	return NULL;
}

/* Name what one wait-queue entry stands for. */
static void snap_waiter(const struct snap_build *b, const struct file *owner,
			const struct wait_queue_entry *e, struct snap_waiter *out)
{
	const struct epitem *epi = snap_find_item_entry(b, owner, e);
	const struct sim_task *t = epi ? NULL : snap_find_task(b->w, e->private);

	memset(out, 0, sizeof(*out));
	out->exclusive = (e->flags & WQ_FLAG_EXCLUSIVE) != 0;
	out->fd = -1;
	out->tid = -1;
	if (epi) {
		out->kind = SNAP_WAITER_EPITEM;
		out->ep_id = epi->ep->id;
		out->file_id = epi->ffd.file->f_id;
		out->fd = epi->ffd.fd;
	} else if (t) {
		out->kind = SNAP_WAITER_TASK;
		out->tid = t->tid;
		snap_name(out->task, t->name);
	} else {
		out->kind = SNAP_WAITER_OTHER;
	}
}

/* Copy one wait queue, from its head. */
static void snap_waitq(struct snap_build *b, const char *name, const struct wait_queue_head *h,
		       const struct file *owner, struct snap_waitq *out)
{
	const struct list_head *pos;
	size_t i = 0;

	out->name = name;
	out->nwaiters = list_count(&h->head);
	out->waiters = snap_calloc(b, out->nwaiters, sizeof(*out->waiters));
	if (!out->waiters) {
		out->nwaiters = 0;
		return;
	}
	list_for_each(pos, &h->head)
		snap_waiter(b, owner, list_entry(pos, struct wait_queue_entry, entry), &out->waiters[i++]);
}

/*
 * The queues a plain file's blocking calls and pollers use: one "wait" queue,
 * or (a pipe) "rd_wait" and "wr_wait", of which an end opened for one
 * direction shows only its own.
 */
static void snap_file_queues(struct snap_build *b, struct file *f, struct snap_file *sf)
{
	unsigned int acc = f->f_flags & O_ACCMODE;
	struct wait_queue_head *rd, *wr;
	bool split;

	if (!f->f_op->wait_queue)
		return;
	rd = f->f_op->wait_queue(f, 0);
	wr = f->f_op->wait_queue(f, 1);
	split = rd != wr;
	if (!split || acc == O_RDONLY)
		wr = NULL;
	if (split && acc == O_WRONLY)
		rd = NULL;
	sf->queues = snap_calloc(b, 2, sizeof(*sf->queues));
	if (!sf->queues)
		return;
	if (rd)
		snap_waitq(b, split ? "rd_wait" : "wait", rd, f, &sf->queues[sf->nqueues++]);
	if (wr)
		snap_waitq(b, "wr_wait", wr, f, &sf->queues[sf->nqueues++]);
}

static void snap_epoll_queues(struct snap_build *b, struct file *f, struct snap_file *sf)
{
	const struct eventpoll *ep = f->private_data;

	sf->queues = snap_calloc(b, 2, sizeof(*sf->queues));
	if (!sf->queues)
		return;
	snap_waitq(b, "wq", &ep->wq, f, &sf->queues[0]);
	snap_waitq(b, "poll_wait", &ep->poll_wait, f, &sf->queues[1]);
	sf->nqueues = 2;
}

static void snap_file(struct snap_build *b, struct file *f, struct snap_file *sf)
{
	sf->id = f->f_id;
	sf->type = f->f_op->name ? f->f_op->name : "?";
	sf->has_peek = f->f_op->peek != NULL;
	sf->ready = sf->has_peek ? f->f_op->peek(f) : 0;
	sf->f_count = f->f_count;
	sf->f_flags = f->f_flags;
	if (is_file_epoll(f))
		snap_epoll_queues(b, f, sf);
	else
		snap_file_queues(b, f, sf);
}

/* Copy a subtree in key order; returns the index of its root, -1 for NIL. */
static int snap_subtree(struct snap_epoll *se, const struct rb_node *n)
{
	const struct epitem *epi;
	struct snap_epitem *it;
	int left, me, right;

	if (!n)
		return -1;
	left = snap_subtree(se, n->rb_left);
	me = (int)se->nitems++;
	epi = rb_entry(n, struct epitem, rbn);
	it = &se->items[me];
	it->file_id = epi->ffd.file->f_id;
	it->fd = epi->ffd.fd;
	it->colour = n->rb_colour;
	it->events = epi->event.events;
	it->data = epi->event.data.u64;
	it->rdl_pos = it->ovf_pos = -1;
	it->txlist = !list_empty(&epi->rdllink);	/* cleared below for those on rdllist */
	it->parent = -1;
	it->left = left;
	right = snap_subtree(se, n->rb_right);
	se->items[me].right = right;
	if (left >= 0)
		se->items[left].parent = me;
	if (right >= 0)
		se->items[right].parent = me;
	return me;
}

int snapshot_item_index(const struct snap_epoll *ep, uint64_t file_id, int fd)
{
	size_t lo = 0, hi = ep->nitems;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct snap_epitem *it = &ep->items[mid];
		int c = it->file_id != file_id ? (it->file_id < file_id ? -1 : 1) :
						  (it->fd > fd) - (it->fd < fd);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int snap_index_of(const struct snap_epoll *se, const struct epitem *epi)
{
	return snapshot_item_index(se, epi->ffd.file->f_id, epi->ffd.fd);
}

/* rdllist and ovflist as item indices, in list order. */
static void snap_lists(struct snap_build *b, const struct eventpoll *ep, struct snap_epoll *se)
{
	const struct list_head *pos;
	size_t n = 0;

	se->rdllist = snap_calloc(b, list_count(&ep->rdllist), sizeof(int));
	list_for_each(pos, &ep->rdllist) {
		int i = snap_index_of(se, list_entry(pos, struct epitem, rdllink));
		if (!se->rdllist)
			break;
		se->rdllist[se->nrdllist++] = i;
		if (i >= 0) {
			se->items[i].rdl_pos = (int)se->nrdllist - 1;
			se->items[i].txlist = false;
		}
	}
	se->ovflist_active = ep->ovflist != EP_UNACTIVE_PTR;
	if (!se->ovflist_active)
		return;
	for (const struct epitem *e = ep->ovflist; e; e = e->next)
		n++;
	se->ovflist = snap_calloc(b, n, sizeof(int));
	for (const struct epitem *e = ep->ovflist; e && se->ovflist; e = e->next) {
		int i = snap_index_of(se, e);
		se->ovflist[se->novflist++] = i;
		if (i >= 0)
			se->items[i].ovf_pos = (int)se->novflist - 1;
	}
}

static void snap_epoll(struct snap_build *b, struct file *f, struct snap_epoll *se)
{
	const struct eventpoll *ep = f->private_data;
	size_t n = 0;

	for (const struct rb_node *rbp = rb_first_cached(&ep->rbr); rbp; rbp = rb_next(rbp))
		n++;
	se->id = ep->id;
	se->file_id = f->f_id;
	se->scanning = ep->scanning;
	se->root = -1;
	se->items = snap_calloc(b, n, sizeof(*se->items));
	if (se->items)
		se->root = snap_subtree(se, ep->rbr.rb_root.rb_node);
	snap_lists(b, ep, se);
	snap_waitq(b, "wq", &ep->wq, f, &se->wq);
	snap_waitq(b, "poll_wait", &ep->poll_wait, f, &se->poll_wait);
}

/* Files and instances, in id order. */
static void snap_objects(struct snap_build *b)
{
	struct world_snapshot *s = b->s;
	size_t neps = 0;

	if (b->nlive)
		qsort(b->live, b->nlive, sizeof(*b->live), snap_cmp_file_id);
	s->files = snap_calloc(b, b->nlive, sizeof(*s->files));
	for (size_t i = 0; i < b->nlive; i++)
		neps += is_file_epoll(b->live[i]);
	s->eps = snap_calloc(b, neps, sizeof(*s->eps));
	for (size_t i = 0; i < b->nlive && s->files; i++) {
		snap_file(b, b->live[i], &s->files[s->nfiles++]);
		if (is_file_epoll(b->live[i]) && s->eps)
			snap_epoll(b, b->live[i], &s->eps[s->neps++]);
	}
}

int world_snapshot_take(const struct world *w, struct world_snapshot *out)
{
	struct snap_build b = { .w = w, .s = out };

	memset(out, 0, sizeof(*out));
	out->now = w->now;
	snap_processes(&b);
	snap_close_over_items(&b);
	snap_objects(&b);
	free(b.live);
	if (!b.failed)
		return 0;
	world_snapshot_free(out);
	return -ENOMEM;
}

static void snap_waitq_free(struct snap_waitq *q)
{
	free(q->waiters);
}

void world_snapshot_free(struct world_snapshot *s)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		for (size_t q = 0; q < s->files[i].nqueues; q++)
			snap_waitq_free(&s->files[i].queues[q]);
		free(s->files[i].queues);
	}
	for (size_t i = 0; i < s->neps; i++) {
		free(s->eps[i].items);
		free(s->eps[i].rdllist);
		free(s->eps[i].ovflist);
		snap_waitq_free(&s->eps[i].wq);
		snap_waitq_free(&s->eps[i].poll_wait);
	}
	free(s->files);
	free(s->eps);
	free(s->fds);
	free(s->tasks);
	memset(s, 0, sizeof(*s));
}

const struct snap_file *snapshot_file(const struct world_snapshot *s, uint64_t file_id)
{
	for (size_t i = 0; i < s->nfiles; i++)
		if (s->files[i].id == file_id)
			return &s->files[i];
	return NULL;
}

const struct snap_epoll *snapshot_epoll_by_file(const struct world_snapshot *s, uint64_t file_id)
{
	for (size_t i = 0; i < s->neps; i++)
		if (s->eps[i].file_id == file_id)
			return &s->eps[i];
	return NULL;
}
