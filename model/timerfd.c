/*
 * timerfd, modelled on fs/timerfd.c: a timer on the world's virtual
 * CLOCK_MONOTONIC. Expiry counts a tick and wakes EPOLLIN; a periodic timer
 * is not re-armed at expiry but lazily by the next read, which adds the
 * periods missed meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include "alloc.h"
#include "model.h"

/* Models struct timerfd_ctx. */
struct timerfd_ctx {
	struct sim_timer tmr;
	uint64_t tintv;		/* period in ns; 0 for a one-shot timer */
	uint64_t ticks;
	bool expired;
	struct wait_queue_head wqh;
	struct world *world;
};

static const struct file_operations timerfd_fops;

/* Models timerfd_triggered() / timerfd_tmrproc(): count a tick, wake EPOLLIN, do not re-arm. */
static void timerfd_tmrproc(struct sim_timer *timer)
{
	struct timerfd_ctx *ctx = container_of(timer, struct timerfd_ctx, tmr);

	ctx->expired = true;
	ctx->ticks++;
	__wake_up(&ctx->wqh, TASK_NORMAL, 1, 0, poll_to_key(EPOLLIN));
}

/* The readiness half of timerfd_poll(): no side effects (file_operations.peek). */
static __poll_t timerfd_peek(const struct file *file)
{
	const struct timerfd_ctx *ctx = file->private_data;

	return ctx->ticks ? EPOLLIN : 0;
}

/* Models timerfd_poll(). */
static __poll_t timerfd_poll(struct file *file, poll_table *wait)
{
	struct timerfd_ctx *ctx = file->private_data;

	poll_wait(file, &ctx->wqh, wait);
	return timerfd_peek(file);
}

/* Models hrtimer_forward_now(): move a periodic expiry past now, counting the periods. */
static uint64_t hrtimer_forward_now(struct timerfd_ctx *ctx)
{
	uint64_t now = ctx->world->now, expires = ctx->tmr.expires, overrun;

	if (now < expires)
		return 0;
	overrun = (now - expires) / ctx->tintv + 1;
	ctx->tmr.expires = expires + overrun * ctx->tintv;
	return overrun;
}

/* The condition of a blocked timerfd_read(): a tick. */
static bool timerfd_readable(const struct file *file, const struct sim_io *io)
{
	const struct timerfd_ctx *ctx = file->private_data;

	(void)io;
	return ctx->ticks != 0;
}

/*
 * Models timerfd_read(): 8 with the ticks in io->value, -EAGAIN, or a sleep in
 * wait_event_interruptible_locked_irq() (not exclusive, at the tail) for a tick.
 */
static ssize_t timerfd_read(struct file *file, struct sim_io *io)
{
	struct timerfd_ctx *ctx = file->private_data;
	uint64_t ticks;

	if (io->len < sizeof(ticks))
		return -EINVAL;
	if (!ctx->ticks && io->resumed)
		return io->wait_ret;	/* -ERESTARTSYS */
	if (!ctx->ticks && ((file->f_flags & O_NONBLOCK) || io->nowait))
		return -EAGAIN;
	if (!ctx->ticks) {
		io->wq = &ctx->wqh;
		io->cond = timerfd_readable;
		io->wait_flags = 0;
		return -SIM_EWOULDSLEEP;
	}
	ticks = ctx->ticks;
	if (ctx->expired && ctx->tintv) {
		ticks += hrtimer_forward_now(ctx) - 1;
		sim_timer_start(ctx->world, &ctx->tmr, ctx->tmr.expires);
	}
	ctx->expired = false;
	ctx->ticks = 0;
	io->value = ticks;
	return sizeof(ticks);
}

/* Models timerfd_release(). */
static void timerfd_release(struct file *file)
{
	struct timerfd_ctx *ctx = file->private_data;

	sim_timer_cancel(&ctx->tmr);
	sim_free(ctx->world, ctx);
}

static struct wait_queue_head *timerfd_wait_queue(struct file *file, int for_write)
{
	struct timerfd_ctx *ctx = file->private_data;

	(void)for_write;
	return &ctx->wqh;
}

static const struct file_operations timerfd_fops = {
	.name = "timerfd",
	.poll = timerfd_poll,
	.read = timerfd_read,
	.release = timerfd_release,
	.wait_queue = timerfd_wait_queue,
	.peek = timerfd_peek,
};

/* Models timerfd_create() for CLOCK_MONOTONIC, without the fd install. */
int timerfd_create_file(struct world *w, int flags, struct file **out)
{
	struct timerfd_ctx *ctx;
	struct file *f;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	f = anon_file_alloc(w, &timerfd_fops, sizeof(*ctx), O_RDWR | ((unsigned int)flags & O_NONBLOCK));
	if (!f)
		return -ENOMEM;
	ctx = f->private_data;
	init_waitqueue_head(&ctx->wqh);
	sim_timer_init(&ctx->tmr, timerfd_tmrproc);
	ctx->world = w;
	*out = f;
	return 0;
}

/* Models do_timerfd_settime() with relative times: resets the ticks, (re)arms or disarms. */
long timerfd_settime_file(struct file *f, uint64_t initial_ns, uint64_t interval_ns)
{
	struct timerfd_ctx *ctx;

	if (!file_is_timerfd(f))
		return -EINVAL;
	ctx = f->private_data;
	sim_timer_cancel(&ctx->tmr);
	ctx->expired = false;
	ctx->ticks = 0;
	ctx->tintv = interval_ns;
	if (initial_ns)
		sim_timer_start(ctx->world, &ctx->tmr, ctx->world->now + initial_ns);
	return 0;
}

bool file_is_timerfd(const struct file *f)
{
	return f && f->f_op == &timerfd_fops;
}
