/*
 * Host files: a simulated file type standing for one of the program's real
 * open files (a socket, a pipe, an eventfd, a tty...). Its ->poll asks the
 * real file with a zero-timeout poll(); its wake-ups come from the real kernel
 * (host_kernel.c), each one a keyed wake_up on the file's simulated wait queue.
 * The file uses one of the program's own fds for the real file (no private
 * dup: a program may use every fd its limit allows); when the program closes
 * that fd, another fd of the same file takes over (host_file_renumber).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "live.h"
#include "live_record.h"
#include "alloc.h"
#include "fdtable.h"
#include "file.h"
#include "task.h"
#include "wait.h"

/* Every event poll() can report for a file, as ->poll's mask. */
#define HOST_ALL_EVENTS (POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND | POLLWRNORM | \
			 POLLWRBAND | POLLMSG | POLLRDHUP)

/* The simulated side of one real open file. */
struct host_ctx {
	struct wait_queue_head wqh;	/* the real file's wait queue, as the simulator sees it */
	int realfd;			/* one of the program's fds for the real file; -1: none */
	dev_t dev;			/* identity of the real file, to notice a reused fd number */
	ino_t ino;
	uint64_t cookie;		/* the kernel epoll's data for it (host_kernel.c) */
	uint32_t last_events;		/* the readiness the last kernel event reported */
	struct live_state *st;
};

/* The real file's readiness now: a zero-timeout poll() of its private fd. */
static __poll_t host_peek(const struct file *file)
{
	const struct host_ctx *ctx = file->private_data;
	struct pollfd p = { .fd = ctx->realfd, .events = HOST_ALL_EVENTS, .revents = 0 };

	ctx->st->count.host_polls++;
	if (live_sys(SYS_poll, (long)&p, 1, 0, 0, 0, 0) <= 0)
		return 0;
	return (__poll_t)p.revents & ~(__poll_t)POLLNVAL;
}

/* Models a pollable file's ->poll: queue on its wait queue, report the real readiness. */
static __poll_t host_poll(struct file *file, poll_table *pt)
{
	struct host_ctx *ctx = file->private_data;

	poll_wait(file, &ctx->wqh, pt);
	return host_peek(file);
}

/* Models the release of the real file's last simulated reference: stop watching it. */
static void host_release(struct file *file)
{
	struct host_ctx *ctx = file->private_data;

	if (ctx->cookie)
		host_kernel_unregister(ctx->st, ctx->cookie, ctx->realfd);
	live_record_forget(ctx->st, file);
	sim_free(file->world, ctx);
}

static const struct file_operations host_fops = {
	.name = "host",
	.poll = host_poll,
	.release = host_release,
	.peek = host_peek,
};

/* A real file the kernel cannot poll (a regular file, a directory): epoll_ctl says EPERM. */
static const struct file_operations host_nopoll_fops = {
	.name = "host-nopoll",
	.poll = NULL,
	.release = host_release,
	.peek = NULL,
};

bool file_is_host(const struct file *f)
{
	return f && (f->f_op == &host_fops || f->f_op == &host_nopoll_fops);
}

/*
 * The key of the real wake-up, guessed from the readiness the kernel epoll
 * reports (userspace never sees the key itself): the whole mask, except when
 * it has both directions and exactly one of them just became set, then that
 * direction alone (EPOLLEXCLUSIVE items look at the key's IN/OUT bits). A
 * guess that keeps too much wakes more exclusive waiters than the kernel
 * would; it never drops a wake-up an item asked for.
 */
static uint32_t host_wake_key(struct host_ctx *ctx, uint32_t events)
{
	const uint32_t in = EPOLLIN | EPOLLRDNORM | EPOLLRDBAND, out = EPOLLOUT | EPOLLWRNORM |
									  EPOLLWRBAND;
	uint32_t fresh = events & ~ctx->last_events;

	ctx->last_events = events;
	if (!(events & EPOLLIN) || !(events & EPOLLOUT))
		return events;
	if ((fresh & EPOLLIN) && !(fresh & EPOLLOUT))
		return events & ~out;
	if ((fresh & EPOLLOUT) && !(fresh & EPOLLIN))
		return events & ~in;
	return events;
}

void host_file_wake(struct file *f, uint32_t events)
{
	struct host_ctx *ctx = f->private_data;

	wake_up_poll(&ctx->wqh, host_wake_key(ctx, events));
}

/* The file standing for the real file behind the program's fd, registered with the kernel epoll. */
static struct file *host_file_new(struct live_state *st, int fd, const struct stat *sb)
{
	struct host_ctx *ctx;
	struct file *f;
	int err;

	f = anon_file_alloc(st->w, &host_fops, sizeof(*ctx), O_RDWR);
	if (!f)
		return NULL;
	ctx = f->private_data;
	init_waitqueue_head(&ctx->wqh);
	ctx->realfd = fd;
	ctx->dev = sb->st_dev;
	ctx->ino = sb->st_ino;
	ctx->st = st;
	err = host_kernel_register(st, fd, f, &ctx->cookie);
	if (err == -EPERM)
		f->f_op = &host_nopoll_fops;
	return f;
}

struct host_renumber {
	struct file *file;
	int closing, found;
};

static void host_find_other_fd(void *arg, int fd, struct file *f)
{
	struct host_renumber *r = arg;

	if (f == r->file && fd != r->closing && r->found < 0)
		r->found = fd;
}

void host_file_renumber(struct live_state *st, int closing)
{
	struct file *f = fd_lookup(live_files(st), closing);
	struct host_renumber r = { f, closing, -1 };
	struct host_ctx *ctx;

	if (!file_is_host(f))
		return;
	ctx = f->private_data;
	if (ctx->realfd != closing)
		return;
	if (f->f_count > 1)
		fdtable_for_each(live_files(st), host_find_other_fd, &r);
	ctx->realfd = r.found;	/* the kernel epoll keeps its item: it follows the file */
}

int host_file_install(struct live_state *st, struct sim_task *t, int fd)
{
	struct fdtable *files = t->proc->files;
	struct stat sb;
	struct file *f;
	int sfd;
	long r = live_sys(SYS_fstat, fd, (long)&sb, 0, 0, 0, 0);

	if (r < 0)
		return (int)r;
	f = host_file_new(st, fd, &sb);
	if (!f)
		return -ENOMEM;
	sfd = fd_install_new(files, f, 0);
	if (sfd < 0) {
		fput(f);
		return sfd;
	}
	if (sfd != fd) {
		r = fd_dup2(files, sfd, fd);
		fd_close(files, sfd);
		if (r < 0)
			return (int)r;
	}
	live_set_kind(st, fd, LIVE_FD_HOST);
	live_logf(st, "host file for fd %d (%s)", fd, f->f_op->name);
	return 0;
}

bool host_file_stale(struct live_state *st, int fd)
{
	struct file *f = fd_lookup(live_files(st), fd);
	const struct host_ctx *ctx;
	struct stat sb;

	if (!file_is_host(f))
		return false;
	ctx = f->private_data;
	if (live_sys(SYS_fstat, fd, (long)&sb, 0, 0, 0, 0) < 0)
		return true;
	return sb.st_dev != ctx->dev || sb.st_ino != ctx->ino;
}

int host_file_realfd(const struct file *f)
{
	const struct host_ctx *ctx = f->private_data;

	return ctx->realfd;
}
