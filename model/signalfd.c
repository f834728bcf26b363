/*
 * signalfd, modelled on fs/signalfd.c: readable while a signal of its mask is
 * pending for the thread that polls (`current`, so at harvest time the
 * epoll_wait caller). It waits on the registering process's signalfd queue,
 * which every signal queued to that process wakes with a NULL key.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include "alloc.h"
#include "model.h"
#include "signals.h"
#include "task.h"

/* The size of struct signalfd_siginfo, what one read returns per signal. */
#define SIGNALFD_SIGINFO_SIZE 128

/* Models struct signalfd_ctx. */
struct signalfd_ctx {
	uint64_t sigmask;
	struct world *world;
};

/* Models next_signal(): the lowest pending signal in mask, or 0. */
static int next_signal(uint64_t pending, uint64_t mask)
{
	uint64_t set = pending & mask;

	return set ? __builtin_ctzll(set) + 1 : 0;
}

/* Models signalfd_poll(). */
static __poll_t signalfd_poll(struct file *file, poll_table *wait)
{
	struct signalfd_ctx *ctx = file->private_data;
	struct sim_task *cur = ctx->world->current;

	if (!cur)
		return 0;
	poll_wait(file, &cur->proc->signalfd_wqh, wait);
	return next_signal(cur->pending | cur->proc->shared_pending, ctx->sigmask) ? EPOLLIN : 0;
}

/* Models signalfd_read() without sleeping: dequeue one signal of the mask; its number in value. */
static ssize_t signalfd_read(struct file *file, struct sim_io *io)
{
	struct signalfd_ctx *ctx = file->private_data;
	struct sim_task *cur = ctx->world->current;
	int sig;

	if (io->len < SIGNALFD_SIGINFO_SIZE)
		return -EINVAL;
	sig = cur ? dequeue_signal(cur, ctx->sigmask) : 0;
	if (!sig)
		return -EAGAIN;
	io->value = (uint64_t)sig;
	return SIGNALFD_SIGINFO_SIZE;
}

/* Models signalfd_release(). */
static void signalfd_release(struct file *file)
{
	struct signalfd_ctx *ctx = file->private_data;

	sim_free(ctx->world, ctx);
}

static const struct file_operations signalfd_fops = {
	.name = "signalfd",
	.poll = signalfd_poll,
	.read = signalfd_read,
	.release = signalfd_release,
};

/* Models do_signalfd4() for a new fd: SIGKILL and SIGSTOP are never in the mask. */
int signalfd_create_file(struct world *w, uint64_t mask, int flags, struct file **out)
{
	struct signalfd_ctx *ctx;
	struct file *f;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	f = anon_file_alloc(w, &signalfd_fops, sizeof(*ctx), O_RDWR | ((unsigned int)flags & O_NONBLOCK));
	if (!f)
		return -ENOMEM;
	ctx = f->private_data;
	ctx->sigmask = mask & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	ctx->world = w;
	*out = f;
	return 0;
}

bool file_is_signalfd(const struct file *f)
{
	return f && f->f_op == &signalfd_fops;
}
