/*
 * io_uring, modelled on io_uring/ (Linux 6.18) for what the trace language
 * uses: a ring file whose completion queue makes it readable, one-shot
 * IORING_OP_POLL_ADD requests, and IORING_OP_READ, which tries a non-blocking
 * read and, when it would block, arms an internal poll on the file and reads
 * again when woken. Completions that the kernel posts from task_work of the
 * submitting thread are posted at once here: the trace sees them in the same
 * step either way (the 6.1 profile defers them, to run them newest first).
 *
 * Not modelled: submission batching and the SQ ring itself (each request is
 * one io_uring_enter), SQPOLL, registered files and buffers, linked requests,
 * multishot and level-triggered polls, cancellation requests, timeouts, the
 * CQ overflow flag, and the io-wq fallback of a read whose second poll-driven
 * attempt would still block (here it just polls again).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include "alloc.h"
#include "io_uring.h"
#include "kprofile.h"
#include "task_work.h"
#include "model.h"

#define IORING_MAX_ENTRIES 32768
/* Models IO_POLL_UNMASK: events a poll request always gets. */
#define IO_POLL_UNMASK (EPOLLERR | EPOLLHUP | 0x20u /* EPOLLNVAL */ | EPOLLRDHUP)
/* Models IO_ASYNC_POLL_COMMON: flags that do not count as a matching wake-up. */
#define IO_ASYNC_POLL_COMMON (EPOLLONESHOT | EPOLLPRI)

/* Models struct io_ring_ctx. */
struct io_ring_ctx {
	unsigned int sq_entries, cq_entries;
	struct io_uring_cqe *cqes;	/* the CQ ring: cq_entries slots */
	unsigned int cq_head, cq_tail;	/* free-running */
	struct list_head cq_overflow;	/* requests whose completion found the ring full (io_kiocb.node) */
	unsigned int cq_count;		/* ring and overflow */
	struct wait_queue_head cq_wait;	/* io_uring_enter(GETEVENTS) sleepers */
	struct wait_queue_head poll_wq;	/* poll/epoll of the ring file */
	struct list_head reqs;		/* requests armed on some file's wait queue */
	struct list_head task_list;	/* 6.1 profile: woken requests, newest first (tctx->task_list) */
	struct callback_head task_work;	/* 6.1 profile: tctx_task_work(), queued while task_list is not empty */
	struct world *world;
};

/* Models struct io_kiocb with its io_poll: one request in flight. */
struct io_kiocb {
	struct io_ring_ctx *ctx;
	struct file *file;		/* the reference the request holds */
	unsigned char opcode;		/* IORING_OP_POLL_ADD or IORING_OP_READ */
	uint64_t user_data;
	__poll_t events;		/* poll->events */
	size_t len;			/* READ: bytes asked for */
	struct wait_queue_entry wait;	/* poll->wait, func io_poll_wake */
	struct wait_queue_head *head;	/* poll->head: where wait is queued, or NULL */
	struct list_head node;		/* ctx->reqs while armed; ctx->cq_overflow once overflowed */
	struct io_uring_cqe cqe;	/* the completion, kept while it overflows */
	struct list_head tw_node;	/* on ctx->task_list while its task_work is pending */
	__poll_t tw_mask;		/* the wake-up's mask, for the task_work */
};

static const struct file_operations io_uring_fops;

/* Models io_cqring_wake() and io_poll_wq_wake(): CQ sleepers and pollers of the ring. */
static void io_cqring_ev_posted(struct io_ring_ctx *ctx)
{
	__poll_t key = EPOLL_URING_WAKE | EPOLLIN;

	if (waitqueue_active(&ctx->cq_wait))
		__wake_up(&ctx->cq_wait, TASK_NORMAL, 0, 0, poll_to_key(key));
	if (waitqueue_active(&ctx->poll_wq))
		__wake_up(&ctx->poll_wq, TASK_NORMAL, 0, 0, poll_to_key(key));
}

/*
 * Models io_fill_cqe_req() + io_commit_cqring(): the completion takes a slot of
 * the CQ ring, or, the ring being full, waits on the overflow list. The kernel
 * allocates an io_overflow_cqe there; here the request itself waits, so no
 * completion is ever lost to a failed allocation.
 */
static void io_post_req_cqe(struct io_kiocb *req, int32_t res)
{
	struct io_ring_ctx *ctx = req->ctx;

	req->cqe.user_data = req->user_data;
	req->cqe.res = res;
	ctx->cq_count++;
	if (ctx->cq_tail - ctx->cq_head < ctx->cq_entries && list_empty(&ctx->cq_overflow)) {
		ctx->cqes[ctx->cq_tail++ & (ctx->cq_entries - 1)] = req->cqe;
		sim_free(ctx->world, req);
	} else {
		list_add_tail(&req->node, &ctx->cq_overflow);
	}
	io_cqring_ev_posted(ctx);
}

/* Models io_cqring_overflow_flush(): overflowed completions move into freed ring slots. */
static void io_cqring_overflow_flush(struct io_ring_ctx *ctx)
{
	while (!list_empty(&ctx->cq_overflow) && ctx->cq_tail - ctx->cq_head < ctx->cq_entries) {
		struct io_kiocb *req = list_first_entry(&ctx->cq_overflow, struct io_kiocb, node);

		ctx->cqes[ctx->cq_tail++ & (ctx->cq_entries - 1)] = req->cqe;
		list_del_init(&req->node);
		sim_free(ctx->world, req);
	}
}

/* Models io_poll_remove_entries(). */
static void io_poll_remove_entries(struct io_kiocb *req)
{
	if (!req->head)
		return;
	list_del_init(&req->wait.entry);
	req->head = NULL;
	req->ctx->world->stats.wq_removed++;
}

/* The end of a request: it lets go of its file and posts its completion. */
static void io_req_complete(struct io_kiocb *req, int32_t res)
{
	io_poll_remove_entries(req);
	list_del_init(&req->node);
	if (req->file)
		fput(req->file);
	req->file = NULL;
	io_post_req_cqe(req, res);
}

static int io_poll_wake(struct wait_queue_entry *wait, unsigned mode, int sync, void *key);

/* Models io_poll_queue_proc(): one entry on the file's (first) wait queue. */
static void io_poll_queue_proc(struct file *file, struct wait_queue_head *head, poll_table *p)
{
	struct io_kiocb *req = container_of(p, struct io_uring_poll_table, pt)->req;

	(void)file;
	if (req->head)
		return;	/* a second queue: files of the simulator never have one per request */
	req->head = head;
	init_waitqueue_func_entry(&req->wait, io_poll_wake);
	req->wait.private = req;
	if (req->events & EPOLLEXCLUSIVE)
		add_wait_queue_exclusive(head, &req->wait);
	else
		add_wait_queue(head, &req->wait);
	req->ctx->world->stats.wq_added++;
}

/* Models the read attempt of io_read() with IOCB_NOWAIT: bytes, 0 at EOF, -errno or -EAGAIN. */
static long io_read_nowait(struct io_kiocb *req)
{
	struct sim_io io = { .len = req->len, .nowait = true };

	if (!req->file->f_op->read || (req->file->f_flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	return req->file->f_op->read(req->file, &io);
}

/* Models __io_arm_poll_handler(): queue on the file; the events ready now (0: armed). */
static __poll_t io_arm_poll(struct io_kiocb *req)
{
	struct io_uring_poll_table ipt = { .req = req };
	__poll_t mask;

	init_poll_funcptr(&ipt.pt, io_poll_queue_proc);
	ipt.pt._key = req->events;
	mask = vfs_poll(req->file, &ipt.pt) & req->events;
	if (mask)
		io_poll_remove_entries(req);	/* ET|ONESHOT with events: done inline */
	else
		list_add_tail(&req->node, &req->ctx->reqs);
	return mask;
}

/* Models io_read() + io_arm_poll_handler(): read now, or poll and read again later. */
static void io_read_issue(struct io_kiocb *req)
{
	for (;;) {
		long ret = io_read_nowait(req);

		if (ret != -EAGAIN) {
			io_req_complete(req, (int32_t)ret);
			return;
		}
		if (!io_arm_poll(req))
			return;	/* armed: io_poll_wake reissues */
	}
}

/* Models io_poll_task_func() / io_apoll_task_func() after a wake-up with mask. */
static void io_poll_task_func(struct io_kiocb *req, __poll_t mask)
{
	if (!mask) {
		poll_table pt;

		init_poll_funcptr(&pt, NULL);	/* re-poll for the state now: no queueing */
		pt._key = req->events;
		mask = vfs_poll(req->file, &pt) & req->events;
	}
	if (!mask)
		return;	/* spurious: stays armed */
	io_poll_remove_entries(req);
	if (req->opcode == IORING_OP_POLL_ADD) {
		io_req_complete(req, (int32_t)(mask & req->events));
		return;
	}
	list_del_init(&req->node);
	io_read_issue(req);
}

/* Models tctx_task_work() of 6.1: the woken requests run newest first (an llist, not reversed). */
static void io_tctx_task_work(struct callback_head *cb)
{
	struct io_ring_ctx *ctx = container_of(cb, struct io_ring_ctx, task_work);

	while (!list_empty(&ctx->task_list)) {
		struct io_kiocb *req = list_first_entry(&ctx->task_list, struct io_kiocb, tw_node);

		list_del_init(&req->tw_node);
		io_poll_task_func(req, req->tw_mask);
	}
}

/*
 * Models __io_poll_execute() + io_req_task_work_add(): the request's poll work
 * runs as task_work of the submitter. The 6.1 profile defers it (task_work.h)
 * and runs the batch newest first; from 6.12 the batch runs in wake-up order,
 * which running it at once inside the wake-up reproduces.
 */
static void io_poll_execute(struct io_kiocb *req, __poll_t mask)
{
	struct io_ring_ctx *ctx = req->ctx;

	if (!kprofile_has(ctx->world, KP_URING_TASK_WORK_LIFO)) {
		io_poll_task_func(req, mask);
		return;
	}
	if (!list_empty(&req->tw_node))
		return;	/* already pending: io_poll_get_ownership() fails */
	req->tw_mask = mask;
	list_add(&req->tw_node, &ctx->task_list);
	task_work_add(ctx->world, &ctx->task_work);
}

/* Models io_poll_wake(): a one-shot request leaves the queue on a matching keyed wake-up. */
static int io_poll_wake(struct wait_queue_entry *wait, unsigned mode, int sync, void *key)
{
	struct io_kiocb *req = wait->private;
	__poll_t mask = key_to_poll(key);

	(void)mode;
	(void)sync;
	if (mask && !(mask & (req->events & ~IO_ASYNC_POLL_COMMON)))
		return 0;
	if (mask)
		io_poll_remove_entries(req);
	io_poll_execute(req, mask);
	return 1;
}

/* Models io_poll_parse_events(): one-shot and edge-triggered unless asked otherwise. */
static __poll_t io_poll_parse_events(uint32_t events)
{
	return (events & 0xffff) | (events & (EPOLLEXCLUSIVE | EPOLLONESHOT | EPOLLET)) |
	       EPOLLONESHOT | EPOLLET;
}

/* Models io_alloc_req() + io_init_req(): a new request on file (NULL: a bad fd), or NULL. */
static struct io_kiocb *io_alloc_req(struct io_ring_ctx *ctx, struct file *file,
				     unsigned char opcode, uint64_t user_data)
{
	struct io_kiocb *req = sim_zalloc(ctx->world, sizeof(*req));

	if (!req)
		return NULL;
	req->ctx = ctx;
	req->file = file ? get_file(file) : NULL;
	req->opcode = opcode;
	req->user_data = user_data;
	INIT_LIST_HEAD(&req->node);
	INIT_LIST_HEAD(&req->wait.entry);
	INIT_LIST_HEAD(&req->tw_node);
	return req;
}

long io_uring_poll_add(struct file *ring, struct file *file, uint32_t events, uint64_t user_data)
{
	struct io_ring_ctx *ctx = ring->private_data;
	struct io_kiocb *req = io_alloc_req(ctx, file, IORING_OP_POLL_ADD, user_data);
	__poll_t mask;

	if (!req)
		return -ENOMEM;
	if (!file) {
		io_req_complete(req, -EBADF);
		return 1;
	}
	req->events = io_poll_parse_events(events) | IO_POLL_UNMASK;
	mask = io_arm_poll(req);
	if (mask)
		io_req_complete(req, (int32_t)mask);
	return 1;
}

long io_uring_read(struct file *ring, struct file *file, size_t len, uint64_t user_data)
{
	struct io_ring_ctx *ctx = ring->private_data;
	struct io_kiocb *req = io_alloc_req(ctx, file, IORING_OP_READ, user_data);

	if (!req)
		return -ENOMEM;
	if (!file) {
		io_req_complete(req, -EBADF);
		return 1;
	}
	req->len = len;
	/* io_arm_poll_handler's mask for a read: POLLPRI|POLLERR|EPOLLET|ONESHOT|IN|RDNORM */
	req->events = EPOLLPRI | EPOLLERR | EPOLLET | EPOLLONESHOT | EPOLLIN | EPOLLRDNORM |
		      IO_POLL_UNMASK;
	io_read_issue(req);
	return 1;
}

unsigned int io_uring_cq_ready(const struct file *ring)
{
	const struct io_ring_ctx *ctx = ring->private_data;

	return ctx->cq_count;
}

struct wait_queue_head *io_uring_cq_wait(struct file *ring)
{
	struct io_ring_ctx *ctx = ring->private_data;

	return &ctx->cq_wait;
}

unsigned int io_uring_reap(struct file *ring, struct io_uring_cqe *cqes, unsigned int max)
{
	struct io_ring_ctx *ctx = ring->private_data;
	unsigned int n = 0;

	io_cqring_overflow_flush(ctx);	/* io_uring_enter(GETEVENTS) flushes first */
	while (n < max && ctx->cq_head != ctx->cq_tail) {
		cqes[n++] = ctx->cqes[ctx->cq_head++ & (ctx->cq_entries - 1)];
		ctx->cq_count--;
	}
	return n;
}

/* Models io_uring_poll(): readable with completions to reap; the SQ always has room here. */
static __poll_t io_uring_file_poll(struct file *file, poll_table *wait)
{
	struct io_ring_ctx *ctx = file->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &ctx->poll_wq, wait);
	if (ctx->cq_count)
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

/* io_uring_poll() without queueing (file_operations.peek). */
static __poll_t io_uring_file_peek(const struct file *file)
{
	const struct io_ring_ctx *ctx = file->private_data;

	return EPOLLOUT | EPOLLWRNORM | (ctx->cq_count ? EPOLLIN | EPOLLRDNORM : 0);
}

/* Models io_ring_ctx_wait_and_kill(): armed requests are cancelled, completions dropped. */
static void io_uring_release(struct file *file)
{
	struct io_ring_ctx *ctx = file->private_data;
	struct io_uring_cqe cqe;

	while (!list_empty(&ctx->reqs)) {
		struct io_kiocb *req = list_first_entry(&ctx->reqs, struct io_kiocb, node);

		io_poll_remove_entries(req);
		list_del_init(&req->node);
		list_del_init(&req->tw_node);
		fput(req->file);
		sim_free(ctx->world, req);
	}
	while (io_uring_reap(file, &cqe, 1))
		;
	task_work_cancel(&ctx->task_work);
	sim_free(ctx->world, ctx->cqes);
	sim_free(ctx->world, ctx);
}

static const struct file_operations io_uring_fops = {
	.name = "io_uring",
	.poll = io_uring_file_poll,
	.release = io_uring_release,
	.peek = io_uring_file_peek,
};

void io_uring_for_each_held_file(const struct file *ring, void (*fn)(void *ctx, struct file *f),
				 void *ctx)
{
	const struct io_ring_ctx *uctx = ring->private_data;
	const struct list_head *p;

	list_for_each(p, &uctx->reqs)
		fn(ctx, list_entry(p, struct io_kiocb, node)->file);
}

bool file_is_io_uring(const struct file *f)
{
	return f && f->f_op == &io_uring_fops;
}

/* Models roundup_pow_of_two(). */
static unsigned int roundup_pow_of_two(unsigned int n)
{
	unsigned int r = 1;

	while (r < n)
		r <<= 1;
	return r;
}

int io_uring_create_file(struct world *w, unsigned int entries, struct file **out)
{
	struct io_ring_ctx *ctx;

	if (!entries || entries > IORING_MAX_ENTRIES)
		return -EINVAL;
	ctx = sim_zalloc(w, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->sq_entries = roundup_pow_of_two(entries);
	ctx->cq_entries = 2 * ctx->sq_entries;
	ctx->cqes = sim_zalloc(w, ctx->cq_entries * sizeof(*ctx->cqes));	/* the mmapped CQ ring */
	if (!ctx->cqes) {
		sim_free(w, ctx);
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&ctx->cq_overflow);
	INIT_LIST_HEAD(&ctx->reqs);
	INIT_LIST_HEAD(&ctx->task_list);
	init_task_work(&ctx->task_work, io_tctx_task_work);
	init_waitqueue_head(&ctx->cq_wait);
	init_waitqueue_head(&ctx->poll_wq);
	ctx->world = w;
	*out = file_alloc(w, &io_uring_fops, ctx, O_RDWR);
	if (!*out) {
		sim_free(w, ctx->cqes);
		sim_free(w, ctx);
		return -ENOMEM;
	}
	return 0;
}
