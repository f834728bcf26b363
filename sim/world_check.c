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
#include "world_check_internal.h"
#include "ep_internal.h"
#include "fdtable.h"
#include "rw_wait.h"
#include "sys_uring.h"
#include "registry.h"
#include "sys_socket.h"
#include "select.h"
#include "task.h"
#include "world.h"

int ck_fail(struct ck *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record the first violation and return -1. */
int ck_fail(struct ck *c, const char *fmt, ...)
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
int ck_list(struct ck *c, const struct list_head *h, const char *what, size_t *n)
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
const struct ck_file *ck_find_file(const struct ck *c, const struct file *f)
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
