/*
 * The eventpoll instance and its interest set (fs/eventpoll.c): creation,
 * epoll_ctl with ep_insert / ep_modify / ep_remove, the wait-queue callback
 * ep_poll_callback, and the release paths. The transfer to user space and
 * epoll_wait live in ep_wait.c, nesting checks and the epoll file's own poll
 * in ep_nest.c.
 */
#include <errno.h>
#include <fcntl.h>
#include "ep_internal.h"
#include "alloc.h"
#include "fdtable.h"
#include "kprofile.h"
#include "task.h"
#include "world.h"

static void ep_eventpoll_release(struct file *file);
static __poll_t ep_eventpoll_poll(struct file *file, poll_table *wait);
static __poll_t ep_eventpoll_peek(const struct file *file);

/* Models eventpoll_fops. */
static const struct file_operations eventpoll_fops = {
	.name = "eventpoll",
	.poll = ep_eventpoll_poll,
	.release = ep_eventpoll_release,
	.peek = ep_eventpoll_peek,
};

/* Models is_file_epoll(). */
bool is_file_epoll(const struct file *f)
{
	return f->f_op == &eventpoll_fops;
}

/* Models ep_poll_safewake(): tell pollers of the epoll file (outer instances) with key EPOLLIN. */
void ep_poll_safewake(struct eventpoll *ep, __poll_t pollflags)
{
	wake_up_poll(&ep->poll_wait, EPOLLIN | pollflags);
}

/* Models ep_cmp_ffd(): the file's identity first, then the fd number. */
int ep_cmp_ffd(const struct epoll_filefd *p1, const struct epoll_filefd *p2)
{
	if (p1->file != p2->file)
		return p1->file->f_id > p2->file->f_id ? 1 : -1;
	return (p1->fd > p2->fd) - (p1->fd < p2->fd);
}

/* Models ep_find(): descend the tree for (file, fd). */
static struct epitem *ep_find(struct eventpoll *ep, struct file *file, int fd)
{
	struct epoll_filefd ffd = { file, fd };
	struct rb_node *rbp = ep->rbr.rb_root.rb_node;

	ep->world->stats.tree_lookups++;
	while (rbp) {
		struct epitem *epi = rb_entry(rbp, struct epitem, rbn);
		int kcmp = ep_cmp_ffd(&ffd, &epi->ffd);
		if (kcmp > 0)
			rbp = rbp->rb_right;
		else if (kcmp < 0)
			rbp = rbp->rb_left;
		else
			return epi;
	}
	return NULL;
}

/* Models ep_rbtree_insert(). */
static void ep_rbtree_insert(struct eventpoll *ep, struct epitem *epi)
{
	struct rb_node **p = &ep->rbr.rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	while (*p) {
		struct epitem *epic = rb_entry(*p, struct epitem, rbn);
		parent = *p;
		if (ep_cmp_ffd(&epi->ffd, &epic->ffd) > 0) {
			p = &parent->rb_right;
			leftmost = false;
		} else {
			p = &parent->rb_left;
		}
	}
	rb_link_node(&epi->rbn, parent, p);
	rb_insert_color_cached(&epi->rbn, &ep->rbr, leftmost);
}

/* Models ep_alloc(). */
static struct eventpoll *ep_alloc(struct world *w)
{
	struct eventpoll *ep = sim_zalloc(w, sizeof(*ep));

	if (!ep)
		return NULL;
	init_waitqueue_head(&ep->wq);
	init_waitqueue_head(&ep->poll_wait);
	INIT_LIST_HEAD(&ep->rdllist);
	ep->rbr = RB_ROOT_CACHED;
	ep->ovflist = EP_UNACTIVE_PTR;
	ep->world = w;
	ep->refcount = 1;
	ep->id = ++w->next_file_id;
	return ep;
}

/* Models ep_free(). */
static void ep_free(struct eventpoll *ep)
{
	sim_free(ep->world, ep);
}

/* Models ep_refcount_dec_and_test(). */
static bool ep_refcount_dec_and_test(struct eventpoll *ep)
{
	return --ep->refcount == 0;
}

/* Models do_epoll_create(). */
long do_epoll_create(struct sim_task *t, int flags)
{
	struct world *w = t->world;
	struct eventpoll *ep;
	struct file *file;
	int fd;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = ep_alloc(w);
	if (!ep)
		return -ENOMEM;
	file = file_alloc(w, &eventpoll_fops, ep, O_RDWR);	/* O_CLOEXEC belongs to the fd */
	if (!file) {
		ep_free(ep);
		return -ENOMEM;
	}
	ep->file = file;
	fd = fd_install_new(t->proc->files, file, flags & O_CLOEXEC);
	if (fd < 0)
		fput(file);
	return fd;
}

/* Models ep_remove_wait_queue() for every entry: ep_unregister_pollwait(). */
static void ep_unregister_pollwait(struct eventpoll *ep, struct epitem *epi)
{
	while (epi->pwqlist) {
		struct eppoll_entry *pwq = epi->pwqlist;
		epi->pwqlist = pwq->next;
		if (pwq->whead) {
			remove_wait_queue(pwq->whead, &pwq->wait);
			ep->world->stats.wq_removed++;
		}
		sim_free(ep->world, pwq);
	}
}

/* Models __ep_remove(): unhook the item from its file, the tree and the ready list. */
static bool __ep_remove(struct eventpoll *ep, struct epitem *epi, bool force)
{
	ep_unregister_pollwait(ep, epi);
	if (epi->dying && !force)
		return false;
	list_del_init(&epi->fllink);
	rb_erase_cached(&epi->rbn, &ep->rbr);
	if (ep_is_linked(epi))
		list_del_init(&epi->rdllink);
	sim_free(ep->world, epi);
	ep->world->user.epoll_watches--;
	return true;
}

/* Models ep_remove_safe(): remove and drop the item's instance reference. */
static void ep_remove_safe(struct eventpoll *ep, struct epitem *epi)
{
	if (__ep_remove(ep, epi, false))
		ep_refcount_dec_and_test(ep); /* the file's own reference keeps it above 0 */
}

/* The queueing step of ep_poll_callback(): ovflist during a transfer, else the rdllist tail. */
static enum probe_outcome ep_callback_queue(struct eventpoll *ep, struct epitem *epi)
{
	if (ep->ovflist != EP_UNACTIVE_PTR) {
		if (epi->next != EP_UNACTIVE_PTR)
			return PROBE_ALREADY_QUEUED;
		epi->next = ep->ovflist;
		ep->ovflist = epi;
	} else {
		if (ep_is_linked(epi))
			return PROBE_ALREADY_QUEUED;
		list_add_tail(&epi->rdllink, &ep->rdllist);
	}
	ep->world->stats.callbacks_queued++;
	return ep->ovflist != EP_UNACTIVE_PTR ? PROBE_QUEUED_OVF : PROBE_QUEUED;
}

/* Models ep_poll_callback(): the wait-queue callback of every watched file. */
static int ep_poll_callback(struct wait_queue_entry *wait, unsigned mode, int sync, void *key)
{
	struct eppoll_entry *pwq = container_of(wait, struct eppoll_entry, wait);
	struct epitem *epi = pwq->base;
	struct eventpoll *ep = epi->ep;
	__poll_t pollflags = key_to_poll(key);
	struct sim_probe probe = { .kind = PROBE_CALLBACK, .ep = ep, .epi = epi, .key = pollflags };
	bool pwake = false;
	int ewake = 0;

	(void)mode;
	ep->world->stats.callbacks++;
	probe.outcome = PROBE_DISARMED;
	if (!(epi->event.events & ~EP_PRIVATE_BITS))
		goto out;
	probe.outcome = PROBE_FILTERED;
	if (pollflags && !(pollflags & epi->event.events))
		goto out;
	probe.outcome = ep_callback_queue(ep, epi);
	if (waitqueue_active(&ep->wq)) {
		if ((epi->event.events & EPOLLEXCLUSIVE) && !(pollflags & POLLFREE)) {
			switch (pollflags & EPOLLINOUT_BITS) {
			case EPOLLIN:
				ewake = !!(epi->event.events & EPOLLIN);
				break;
			case EPOLLOUT:
				ewake = !!(epi->event.events & EPOLLOUT);
				break;
			case 0:
				ewake = 1;
				break;
			}
		}
		if (sync & WF_SYNC)
			wake_up_sync(&ep->wq);
		else
			wake_up(&ep->wq);
	}
	pwake = waitqueue_active(&ep->poll_wait);
out:
	if (pwake)
		ep_poll_safewake(ep, 0);
	if (!(epi->event.events & EPOLLEXCLUSIVE))
		ewake = 1;
	if (pollflags & POLLFREE) {
		list_del_init(&wait->entry);
		pwq->whead = NULL;
	}
	probe.ewake = ewake;
	world_probe(ep->world, &probe);
	return ewake;
}

/* Models struct ep_pqueue: the poll table used at insertion, with its item. */
struct ep_pqueue {
	poll_table pt;
	struct epitem *epi;
};

/* Models ep_ptable_queue_proc(): hook the item onto one of the file's wait queues. */
static void ep_ptable_queue_proc(struct file *file, struct wait_queue_head *whead, poll_table *pt)
{
	struct ep_pqueue *epq = container_of(pt, struct ep_pqueue, pt);
	struct epitem *epi = epq->epi;
	struct eppoll_entry *pwq;

	(void)file;
	if (!epi)
		return;
	pwq = sim_zalloc(epi->ep->world, sizeof(*pwq));
	if (!pwq) {
		epq->epi = NULL;
		return;
	}
	init_waitqueue_func_entry(&pwq->wait, ep_poll_callback);
	pwq->whead = whead;
	pwq->base = epi;
	if (epi->event.events & EPOLLEXCLUSIVE)
		add_wait_queue_exclusive(whead, &pwq->wait);
	else
		add_wait_queue(whead, &pwq->wait);
	epi->ep->world->stats.wq_added++;
	pwq->next = epi->pwqlist;
	epi->pwqlist = pwq;
}

/* Models ep_item_poll(): current readiness of the item's file, masked by its interest. */
__poll_t ep_item_poll(const struct epitem *epi, poll_table *pt, int depth)
{
	struct file *file = epi->ffd.file;
	__poll_t res;

	if (file->f_count == 0)
		return 0;
	pt->_key = epi->event.events;
	if (!is_file_epoll(file))
		res = vfs_poll(file, pt);
	else
		res = __ep_eventpoll_poll(file, pt, depth);
	return res & epi->event.events;
}

/* Models ep_eventpoll_poll(): an outer poller asks whether this instance has events. */
static __poll_t ep_eventpoll_poll(struct file *file, poll_table *wait)
{
	return __ep_eventpoll_poll(file, wait, 0);
}

/* Queue a ready item at the tail and wake sleepers (the tail of ep_insert and ep_modify). */
static void ep_queue_ready(struct eventpoll *ep, struct epitem *epi)
{
	bool pwake = false;

	if (!ep_is_linked(epi)) {
		list_add_tail(&epi->rdllink, &ep->rdllist);
		if (waitqueue_active(&ep->wq))
			wake_up(&ep->wq);
		pwake = waitqueue_active(&ep->poll_wait);
	}
	if (pwake)
		ep_poll_safewake(ep, 0);
}

/* Models ep_insert() up to the poll: quota, allocation, attach, tree. */
static struct epitem *ep_new_item(struct eventpoll *ep, const struct epoll_event *event,
				  struct file *tfile, int fd, int full_check, long *err)
{
	struct world *w = ep->world;
	struct epitem *epi;

	if (w->user.epoll_watches >= w->max_user_watches) {
		*err = -ENOSPC;
		return NULL;
	}
	w->user.epoll_watches++;
	epi = sim_zalloc(w, sizeof(*epi));
	if (!epi) {
		w->user.epoll_watches--;
		*err = -ENOMEM;
		return NULL;
	}
	INIT_LIST_HEAD(&epi->rdllink);
	epi->ep = ep;
	epi->ffd.file = tfile;
	epi->ffd.fd = fd;
	epi->event = *event;
	epi->next = EP_UNACTIVE_PTR;
	list_add(&epi->fllink, &tfile->f_ep); /* attach_epitem: newest first */
	if (full_check && !is_file_epoll(tfile))
		list_file(w, tfile);
	ep_rbtree_insert(ep, epi);
	ep->refcount++; /* ep_get() */
	return epi;
}

/* Models ep_insert(). */
static long ep_insert(struct eventpoll *ep, const struct epoll_event *event, struct file *tfile,
		      int fd, int full_check)
{
	struct ep_pqueue epq;
	__poll_t revents;
	long err = 0;
	struct epitem *epi = ep_new_item(ep, event, tfile, fd, full_check, &err);

	if (!epi)
		return err;
	if (full_check && reverse_path_check(ep->world)) {
		ep_remove_safe(ep, epi);
		return -EINVAL;
	}
	epq.epi = epi;
	init_poll_funcptr(&epq.pt, ep_ptable_queue_proc);
	revents = ep_item_poll(epi, &epq.pt, 1);
	if (!epq.epi) {
		ep_remove_safe(ep, epi);
		return -ENOMEM;
	}
	if (revents)
		ep_queue_ready(ep, epi);
	return 0;
}

/* Models ep_modify(): new mask and data at once, then a re-poll that may queue the item. */
static long ep_modify(struct eventpoll *ep, struct epitem *epi, const struct epoll_event *event)
{
	poll_table pt;

	init_poll_funcptr(&pt, NULL);
	epi->event.events = event->events;
	epi->event.data = event->data;
	if (ep_item_poll(epi, &pt, 1))
		ep_queue_ready(ep, epi);
	return 0;
}

/*
 * Models ep_take_care_of_epollwakeup(): kept by a caller with CAP_BLOCK_SUSPEND
 * on a CONFIG_PM_SLEEP build (the profile's build; the traces run as root),
 * dropped otherwise.
 */
static void ep_take_care_of_epollwakeup(struct world *w, struct epoll_event *epev)
{
	if (!w->cap_block_suspend && !kprofile_has(w, KP_EPOLLWAKEUP_KEPT))
		epev->events &= ~EPOLLWAKEUP;
}

/* Models ep_op_has_event(). */
static bool ep_op_has_event(int op)
{
	return op != EPOLL_CTL_DEL;
}

/* The argument checks of do_epoll_ctl() before the instance lock (fact 3.1, rows 2-7). */
static long ep_ctl_check(struct sim_task *t, int epfd, int op, int fd, struct epoll_event *epds,
			 struct file **fp, struct file **tfp)
{
	struct file *f = fd_lookup(t->proc->files, epfd);
	struct file *tf;

	if (!f)
		return -EBADF;
	tf = fd_lookup(t->proc->files, fd);
	if (!tf)
		return -EBADF;
	if (!file_can_poll(tf))
		return -EPERM;
	if (ep_op_has_event(op))
		ep_take_care_of_epollwakeup(t->world, epds);
	if (f == tf || !is_file_epoll(f))
		return -EINVAL;
	if (ep_op_has_event(op) && (epds->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD &&
		    (is_file_epoll(tf) || (epds->events & ~EPOLLEXCLUSIVE_OK_BITS)))
			return -EINVAL;
	}
	*fp = f;
	*tfp = tf;
	return 0;
}

/* The operation itself, under the instance lock (the switch of do_epoll_ctl()). */
static long ep_ctl_op(struct eventpoll *ep, int op, struct file *tf, int fd,
		      struct epoll_event *epds, int full_check)
{
	struct epitem *epi = ep_find(ep, tf, fd);

	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi)
			return -EEXIST;
		epds->events |= EPOLLERR | EPOLLHUP;
		return ep_insert(ep, epds, tf, fd, full_check);
	case EPOLL_CTL_DEL:
		if (!epi)
			return -ENOENT;
		ep_remove_safe(ep, epi);
		return 0;
	case EPOLL_CTL_MOD:
		if (!epi)
			return -ENOENT;
		if (epi->event.events & EPOLLEXCLUSIVE)
			return -EINVAL;
		epds->events |= EPOLLERR | EPOLLHUP;
		return ep_modify(ep, epi, epds);
	}
	return -EINVAL;
}

/* Models do_epoll_ctl() with the copy from user space of the syscall wrapper. */
long do_epoll_ctl(struct sim_task *t, int epfd, int op, int fd, const struct epoll_event *ev)
{
	struct world *w = t->world;
	struct epoll_event epds = { 0 };
	struct file *f = NULL, *tf = NULL;
	struct eventpoll *ep;
	int full_check = 0;
	long error;

	if (ep_op_has_event(op)) {
		if (!ev)
			return -EFAULT;
		epds = *ev;
		w->stats.bytes_in += sizeof(epds);	/* copy_from_user of the event */
	}
	error = ep_ctl_check(t, epfd, op, fd, &epds, &f, &tf);
	if (error)
		return error;
	ep = f->private_data;
	if (op == EPOLL_CTL_ADD &&
	    (!list_empty(&f->f_ep) || ep->gen == w->loop_check_gen || is_file_epoll(tf))) {
		full_check = 1;
		w->loop_check_gen++;
		if (is_file_epoll(tf) && ep_loop_check(ep, tf->private_data)) {
			error = -ELOOP;
			goto out;
		}
	}
	error = ep_ctl_op(ep, op, tf, fd, &epds, full_check);
out:
	if (full_check) {
		clear_tfile_check_list(w);
		w->loop_check_gen++;
	}
	return error;
}

/* Models eventpoll_release_file(): a watched file is gone; drop its items everywhere, silently. */
void eventpoll_release(struct file *file)
{
	while (!list_empty(&file->f_ep)) {
		struct epitem *epi = list_first_entry(&file->f_ep, struct epitem, fllink);
		struct eventpoll *ep = epi->ep;
		epi->dying = true;
		if (__ep_remove(ep, epi, true) && ep_refcount_dec_and_test(ep))
			ep_free(ep);
	}
}

/* Models ep_clear_and_put(): the epoll file is gone; wake pollers, drop every item. */
static void ep_clear_and_put(struct eventpoll *ep)
{
	struct rb_node *rbp, *next;

	if (waitqueue_active(&ep->poll_wait))
		ep_poll_safewake(ep, 0);
	for (rbp = rb_first_cached(&ep->rbr); rbp; rbp = rb_next(rbp))
		ep_unregister_pollwait(ep, rb_entry(rbp, struct epitem, rbn));
	for (rbp = rb_first_cached(&ep->rbr); rbp; rbp = next) {
		next = rb_next(rbp);
		ep_remove_safe(ep, rb_entry(rbp, struct epitem, rbn));
	}
	if (ep_refcount_dec_and_test(ep))
		ep_free(ep);
}

/* Models ep_eventpoll_release(). */
static void ep_eventpoll_release(struct file *file)
{
	ep_clear_and_put(file->private_data);
}

static __poll_t ep_peek_depth(const struct eventpoll *ep, int depth);

/* Whether a queued item is really ready, as ep_item_poll() would find, without side effects. */
static bool ep_item_peek(const struct epitem *epi, int depth)
{
	const struct file *file = epi->ffd.file;
	__poll_t res;

	if (file->f_count == 0)
		return false;
	if (is_file_epoll(file))
		res = depth < EP_MAX_NESTS ? ep_peek_depth(file->private_data, depth + 1) : 0;
	else if (file->f_op->peek)
		res = file->f_op->peek(file);
	else
		res = epi->event.events;	/* the type cannot say: take the queueing at its word */
	return (res & epi->event.events) != 0;
}

/* __ep_eventpoll_poll() without the pruning: any really ready item on rdllist or ovflist. */
static __poll_t ep_peek_depth(const struct eventpoll *ep, int depth)
{
	const struct list_head *pos;

	list_for_each(pos, &ep->rdllist)
		if (ep_item_peek(list_entry(pos, struct epitem, rdllink), depth))
			return EPOLLIN | EPOLLRDNORM;
	if (ep->ovflist == EP_UNACTIVE_PTR)
		return 0;
	for (const struct epitem *epi = ep->ovflist; epi; epi = epi->next)
		if (ep_item_peek(epi, depth))
			return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/* The epoll file's file_operations.peek. */
static __poll_t ep_eventpoll_peek(const struct file *file)
{
	return ep_peek_depth(file->private_data, 0);
}
