/*
 * eventfd, modelled on fs/eventfd.c (Linux 6.18): a 64-bit counter and one
 * wait queue. Every wake-up is a locked keyed wake with an exclusive budget
 * of one and no WF_SYNC, and is skipped when nobody waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include "alloc.h"
#include "kprofile.h"
#include "model.h"

/* <sys/eventfd.h> is not included: its eventfd_read/eventfd_write would clash with ours. */
#ifndef EFD_SEMAPHORE
#define EFD_SEMAPHORE 1
#endif

#define EFD_SHARED_FCNTL_FLAGS (O_CLOEXEC | O_NONBLOCK)
#define EFD_FLAGS_SET (EFD_SHARED_FCNTL_FLAGS | EFD_SEMAPHORE)

/* Models struct eventfd_ctx. */
struct eventfd_ctx {
	struct wait_queue_head wqh;
	uint64_t count;
	unsigned int flags;
	struct world *world;
};

static const struct file_operations eventfd_fops;

/* Models wake_up_locked_poll(): one exclusive, not sync. */
static void wake_up_locked_poll(struct wait_queue_head *wqh, __poll_t mask)
{
	__wake_up(wqh, TASK_NORMAL, 1, 0, poll_to_key(mask));
}

/* The readiness half of eventfd_poll(): no side effects (file_operations.peek). */
static __poll_t eventfd_peek(const struct file *file)
{
	const struct eventfd_ctx *ctx = file->private_data;
	__poll_t events = 0;
	uint64_t count = ctx->count;

	if (count > 0)
		events |= EPOLLIN;
	if (count == UINT64_MAX)
		events |= EPOLLERR;
	if (UINT64_MAX - 1 > count)
		events |= EPOLLOUT;
	return events;
}

/* Models eventfd_poll(). */
static __poll_t eventfd_poll(struct file *file, poll_table *wait)
{
	struct eventfd_ctx *ctx = file->private_data;

	poll_wait(file, &ctx->wqh, wait);
	return eventfd_peek(file);
}

/* Models eventfd_ctx_do_read(). */
static void eventfd_ctx_do_read(struct eventfd_ctx *ctx, uint64_t *cnt)
{
	*cnt = (ctx->flags & EFD_SEMAPHORE) ? 1 : ctx->count;
	ctx->count -= *cnt;
}

/* The condition of a blocked eventfd_read(): a non-zero count. */
static bool eventfd_readable(const struct file *file, const struct sim_io *io)
{
	const struct eventfd_ctx *ctx = file->private_data;

	(void)io;
	return ctx->count > 0;
}

/* The condition of a blocked eventfd_write(): room for the value. */
static bool eventfd_writable(const struct file *file, const struct sim_io *io)
{
	const struct eventfd_ctx *ctx = file->private_data;

	return UINT64_MAX - ctx->count > io->value;
}

/*
 * Leave a blocking call for wait_event_interruptible_locked_irq(): not
 * exclusive, queued at the tail. After the sleep, a signal ends the call.
 */
static ssize_t eventfd_wait(struct file *file, struct sim_io *io,
			    bool (*cond)(const struct file *, const struct sim_io *))
{
	struct eventfd_ctx *ctx = file->private_data;

	if (io->resumed)
		return io->wait_ret;	/* the condition held, or -ERESTARTSYS */
	if ((file->f_flags & O_NONBLOCK) || io->nowait)
		return -EAGAIN;
	io->wq = &ctx->wqh;
	io->cond = cond;
	io->wait_flags = 0;
	return -SIM_EWOULDSLEEP;
}

/* Models eventfd_read(): 8 with io->value set, -EINVAL, -EAGAIN, or a sleep for a count. */
static ssize_t eventfd_read(struct file *file, struct sim_io *io)
{
	struct eventfd_ctx *ctx = file->private_data;
	uint64_t ucnt;

	if (io->len < sizeof(ucnt))
		return -EINVAL;
	if (!ctx->count)
		return eventfd_wait(file, io, eventfd_readable);
	eventfd_ctx_do_read(ctx, &ucnt);
	if (waitqueue_active(&ctx->wqh))
		wake_up_locked_poll(&ctx->wqh, EPOLLOUT);
	io->value = ucnt;
	return sizeof(ucnt);
}

/* Models eventfd_write(): 8, -EINVAL, -EAGAIN on overflow, or a sleep for room. */
static ssize_t eventfd_write(struct file *file, struct sim_io *io)
{
	struct eventfd_ctx *ctx = file->private_data;
	uint64_t ucnt = io->value;

	if (io->len < sizeof(ucnt))
		return -EINVAL;
	if (io->len != sizeof(ucnt) && !kprofile_has(file->world, KP_EVENTFD_WRITE_ANY_SIZE))
		return -EINVAL;
	if (ucnt == UINT64_MAX)
		return -EINVAL;
	if (UINT64_MAX - ctx->count <= ucnt)
		return eventfd_wait(file, io, eventfd_writable);
	ctx->count += ucnt;
	/* Even a write of 0 wakes: an edge-triggered watcher sees a new event. */
	if (waitqueue_active(&ctx->wqh))
		wake_up_locked_poll(&ctx->wqh, EPOLLIN);
	return sizeof(ucnt);
}

/* Models eventfd_release(): a HUP wake, then the context goes. */
static void eventfd_release(struct file *file)
{
	struct eventfd_ctx *ctx = file->private_data;

	wake_up_poll(&ctx->wqh, EPOLLHUP);
	sim_free(ctx->world, ctx);
}

/* The queue a blocking eventfd_read() / eventfd_write() sleeps on. */
static struct wait_queue_head *eventfd_wait_queue(struct file *file, int for_write)
{
	struct eventfd_ctx *ctx = file->private_data;

	(void)for_write;
	return &ctx->wqh;
}

static const struct file_operations eventfd_fops = {
	.name = "eventfd",
	.poll = eventfd_poll,
	.read = eventfd_read,
	.write = eventfd_write,
	.release = eventfd_release,
	.shutdown = NULL,
	.wait_queue = eventfd_wait_queue,
	.peek = eventfd_peek,
};

/* Models do_eventfd() without the fd install. */
int eventfd_create(struct world *w, uint64_t count, int flags, struct file **out)
{
	struct eventfd_ctx *ctx;
	struct file *f;

	if (flags & ~EFD_FLAGS_SET)
		return -EINVAL;
	f = anon_file_alloc(w, &eventfd_fops, sizeof(*ctx), O_RDWR | ((unsigned int)flags & O_NONBLOCK));
	if (!f)
		return -ENOMEM;
	ctx = f->private_data;
	init_waitqueue_head(&ctx->wqh);
	ctx->count = count;
	ctx->flags = (unsigned int)flags;
	ctx->world = w;
	*out = f;
	return 0;
}

/* True if f is an eventfd. */
bool file_is_eventfd(const struct file *f)
{
	return f && f->f_op == &eventfd_fops;
}

/* Models the eventfd-count line of the fdinfo. */
uint64_t eventfd_count(const struct file *f)
{
	const struct eventfd_ctx *ctx = f->private_data;

	return ctx->count;
}
