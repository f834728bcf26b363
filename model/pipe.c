/*
 * Anonymous pipes, modelled on fs/pipe.c (Linux 6.18): a ring of page-sized
 * buffers shared by a read end and a write end, with one wait queue per
 * direction. Only byte counts are kept, but the ring keeps the kernel's
 * per-slot structure, because readiness is counted in slots, not bytes.
 *
 * Not modelled: FIFOs (open/partner wake-ups), F_SETPIPE_SZ, the user page
 * quota, splice, watch queues, and page allocation failures.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include "alloc.h"
#include "fasync.h"
#include "kprofile.h"
#include "model.h"

#define PIPE_BUF_FLAG_CAN_MERGE 0x10
#define PIPE_BUF_FLAG_PACKET 0x08

#define FMODE_READ 0x1
#define FMODE_WRITE 0x2

/* Models struct pipe_buffer: one ring slot (the page itself is not kept). */
struct pipe_buffer {
	unsigned int offset;
	unsigned int len;
	unsigned int flags;
};

/* Models struct pipe_inode_info. */
struct pipe_inode_info {
	unsigned int head;		/* next slot to fill (free-running) */
	unsigned int tail;		/* oldest occupied slot (free-running) */
	unsigned int max_usage;		/* slots that may be occupied */
	unsigned int ring_size;		/* power of two */
	unsigned int readers;
	unsigned int writers;
	unsigned int files;		/* struct files sharing this pipe */
	bool poll_usage;		/* set by the first ->poll, never cleared */
	struct wait_queue_head rd_wait;
	struct wait_queue_head wr_wait;
	struct fasync_struct *fasync_readers;	/* read ends in O_ASYNC mode */
	struct fasync_struct *fasync_writers;	/* write ends in O_ASYNC mode */
	struct pipe_buffer *bufs;
	struct world *world;
};

static const struct file_operations pipefifo_fops;

/* Models pipe_occupancy(). */
static unsigned int pipe_occupancy(unsigned int head, unsigned int tail)
{
	return head - tail;
}

/* Models pipe_empty(). */
static bool pipe_empty(unsigned int head, unsigned int tail)
{
	return head == tail;
}

/* Models pipe_full(). */
static bool pipe_full(unsigned int head, unsigned int tail, unsigned int limit)
{
	return pipe_occupancy(head, tail) >= limit;
}

/* Models pipe_is_full(). */
static bool pipe_is_full(const struct pipe_inode_info *pipe)
{
	return pipe_full(pipe->head, pipe->tail, pipe->max_usage);
}

/* Models pipe_buf(): the slot for a free-running index. */
static struct pipe_buffer *pipe_buf(const struct pipe_inode_info *pipe, unsigned int slot)
{
	return &pipe->bufs[slot & (pipe->ring_size - 1)];
}

/* Models file->f_mode: FMODE_READ/FMODE_WRITE from the access mode. */
static unsigned int pipe_fmode(const struct file *filp)
{
	switch (filp->f_flags & O_ACCMODE) {
	case O_RDONLY:
		return FMODE_READ;
	case O_WRONLY:
		return FMODE_WRITE;
	default:
		return FMODE_READ | FMODE_WRITE;
	}
}

/* Models is_packetized(): O_DIRECT write ends make packet buffers. */
static bool is_packetized(const struct file *filp)
{
	return (filp->f_flags & O_DIRECT) != 0;
}

/* Models pipe_readable(): what a blocked reader waits for (wait_event condition). */
static bool pipe_readable(const struct file *filp, const struct sim_io *io)
{
	const struct pipe_inode_info *pipe = filp->private_data;

	(void)io;
	return !pipe_empty(pipe->head, pipe->tail) || !pipe->writers;
}

/* Models pipe_writable(): what a blocked writer waits for. */
static bool pipe_writable(const struct file *filp, const struct sim_io *io)
{
	const struct pipe_inode_info *pipe = filp->private_data;

	(void)io;
	return !pipe_is_full(pipe) || !pipe->readers;
}

/* Leave a blocking pipe_read() / pipe_write() for wait_event_interruptible_exclusive(). */
static ssize_t pipe_wait(struct sim_io *io, struct wait_queue_head *wq,
			 bool (*cond)(const struct file *, const struct sim_io *))
{
	io->wq = wq;
	io->cond = cond;
	io->wait_flags = SIM_WAIT_EXCLUSIVE;
	return -SIM_EWOULDSLEEP;
}

/* The copying half of pipe_read()'s loop: take up to total_len bytes from the ring. */
static ssize_t pipe_read_bufs(struct pipe_inode_info *pipe, size_t total_len, bool *wake_writer)
{
	ssize_t ret = 0;

	while (total_len && !pipe_empty(pipe->head, pipe->tail)) {
		struct pipe_buffer *buf = pipe_buf(pipe, pipe->tail);
		size_t chars = buf->len < total_len ? buf->len : total_len;

		ret += (ssize_t)chars;
		buf->offset += (unsigned int)chars;
		buf->len -= (unsigned int)chars;
		if (buf->flags & PIPE_BUF_FLAG_PACKET) {
			total_len = chars;
			buf->len = 0;
		}
		if (!buf->len) {
			/* The writer is woken only when a slot frees in a full pipe. */
			*wake_writer |= pipe_is_full(pipe);
			buf->flags = 0;
			pipe->tail++;
		}
		total_len -= chars;
	}
	return ret;
}

/*
 * Models pipe_read(): bytes read, 0 at EOF, -EAGAIN (O_NONBLOCK), or, on a
 * blocking read end with nothing to read, a sleep on rd_wait (after SIGIO to
 * the write end's owner); after the sleep a signal ends it with -EINTR.
 */
static ssize_t pipe_read(struct file *filp, struct sim_io *io)
{
	struct pipe_inode_info *pipe = filp->private_data;
	bool wake_writer = false, wake_next_reader = false, was_full;
	ssize_t ret;

	if (io->resumed) {
		if (io->wait_ret < 0)
			return io->wait_ret;	/* -ERESTARTSYS, no wake-ups */
		wake_next_reader = true;	/* data may be left for the next sleeper */
	} else if (io->len == 0) {
		return 0;
	}
	was_full = pipe_is_full(pipe);
	ret = pipe_read_bufs(pipe, io->len, &wake_writer);
	if (kprofile_has(filp->world, KP_PIPE_READ_WAKES_WHILE_FULL))
		wake_writer = was_full;	/* up to 6.13: any read from a full pipe wakes writers */
	if (!ret && pipe->writers) {
		if (!(filp->f_flags & O_NONBLOCK) && !io->nowait) {
			if (wake_writer)
				wake_up_interruptible_sync_poll(&pipe->wr_wait, EPOLLOUT | EPOLLWRNORM);
			kill_fasync(&pipe->fasync_writers, SIGIO, POLL_OUT);
			return pipe_wait(io, &pipe->rd_wait, pipe_readable);
		}
		ret = -EAGAIN;
	}
	if (pipe_empty(pipe->head, pipe->tail))
		wake_next_reader = false;
	if (wake_writer)
		wake_up_interruptible_sync_poll(&pipe->wr_wait, EPOLLOUT | EPOLLWRNORM);
	if (wake_next_reader)
		wake_up_interruptible_sync_poll(&pipe->rd_wait, EPOLLIN | EPOLLRDNORM);
	kill_fasync(&pipe->fasync_writers, SIGIO, POLL_OUT);
	return ret;
}

/* Models the merge step of pipe_write(): append to the last buffer. Returns bytes merged. */
static size_t pipe_write_merge(struct pipe_inode_info *pipe, size_t total_len)
{
	size_t chars = total_len & (SIM_PAGE_SIZE - 1);
	struct pipe_buffer *buf;

	if (!chars)
		return 0;
	buf = pipe_buf(pipe, pipe->head - 1);
	if (!(buf->flags & PIPE_BUF_FLAG_CAN_MERGE) || buf->offset + buf->len + chars > SIM_PAGE_SIZE)
		return 0;
	buf->len += (unsigned int)chars;
	return chars;
}

/* The slot-filling half of pipe_write()'s loop: fill pages until done or full. */
static ssize_t pipe_write_pages(struct file *filp, struct pipe_inode_info *pipe, size_t total_len,
				ssize_t ret)
{
	while ((size_t)ret < total_len && !pipe_is_full(pipe)) {
		struct pipe_buffer *buf = pipe_buf(pipe, pipe->head);
		size_t left = total_len - (size_t)ret;
		size_t copied = left < SIM_PAGE_SIZE ? left : SIM_PAGE_SIZE;

		pipe->head++;
		buf->offset = 0;
		buf->len = (unsigned int)copied;
		buf->flags = is_packetized(filp) ? PIPE_BUF_FLAG_PACKET : PIPE_BUF_FLAG_CAN_MERGE;
		ret += (ssize_t)copied;
	}
	return ret;
}

/* The start of pipe_write(): the reader check, then the merge into a non-empty pipe. */
static ssize_t pipe_write_start(struct pipe_inode_info *pipe, size_t total_len, bool *was_empty)
{
	if (!pipe->readers)
		return -EPIPE;	/* SIGPIPE is not modelled */
	*was_empty = pipe_empty(pipe->head, pipe->tail);
	return *was_empty ? 0 : (ssize_t)pipe_write_merge(pipe, total_len);
}

/* The wake-ups at the end of every pipe_write() past the zero-length check. */
static void pipe_write_end(struct pipe_inode_info *pipe, bool was_empty, bool wake_next_writer)
{
	if (pipe_is_full(pipe))
		wake_next_writer = false;
	/* Every write wakes readers once the pipe was polled (spec 8.1.4). */
	if (was_empty || pipe->poll_usage)
		wake_up_interruptible_sync_poll(&pipe->rd_wait, EPOLLIN | EPOLLRDNORM);
	kill_fasync(&pipe->fasync_readers, SIGIO, POLL_IN);
	if (wake_next_writer)
		wake_up_interruptible_sync_poll(&pipe->wr_wait, EPOLLOUT | EPOLLWRNORM);
}

/*
 * Models pipe_write(): bytes written, -EAGAIN when full (O_NONBLOCK), -EPIPE
 * without readers; a blocking write that fills the pipe wakes the readers if
 * it was empty, sends SIGIO to their owner and sleeps on wr_wait until there
 * is room, then goes on (a signal with a full pipe ends it: the count so far,
 * or -EINTR).
 */
static ssize_t pipe_write(struct file *filp, struct sim_io *io)
{
	struct pipe_inode_info *pipe = filp->private_data;
	size_t total_len = io->len;
	bool was_empty = false, wake_next_writer = io->resumed;
	ssize_t ret;

	if (io->resumed) {
		ret = (ssize_t)io->done;
		was_empty = pipe_empty(pipe->head, pipe->tail);
	} else if (total_len == 0) {
		return 0;
	} else {
		ret = pipe_write_start(pipe, total_len, &was_empty);
	}
	while (ret >= 0 && (size_t)ret < total_len) {
		if (!pipe->readers) {
			ret = ret ? ret : -EPIPE;
			break;
		}
		ret = pipe_write_pages(filp, pipe, total_len, ret);
		if ((size_t)ret == total_len)
			break;
		if ((filp->f_flags & O_NONBLOCK) || io->signal_pending) {
			ret = ret ? ret : (filp->f_flags & O_NONBLOCK) ? -EAGAIN : -EINTR;
			break;
		}
		if (was_empty)
			wake_up_interruptible_sync_poll(&pipe->rd_wait, EPOLLIN | EPOLLRDNORM);
		kill_fasync(&pipe->fasync_readers, SIGIO, POLL_IN);
		io->done = (size_t)ret;
		return pipe_wait(io, &pipe->wr_wait, pipe_writable);
	}
	pipe_write_end(pipe, was_empty, wake_next_writer);
	return ret;
}

/* The readiness half of pipe_poll(): no poll_usage, no queueing (file_operations.peek). */
static __poll_t pipe_peek(const struct file *filp)
{
	const struct pipe_inode_info *pipe = filp->private_data;
	unsigned int mode = pipe_fmode(filp);
	__poll_t mask = 0;

	if (mode & FMODE_READ) {
		if (!pipe_empty(pipe->head, pipe->tail))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!pipe->writers)
			mask |= EPOLLHUP;
	}
	if (mode & FMODE_WRITE) {
		if (!pipe_is_full(pipe))
			mask |= EPOLLOUT | EPOLLWRNORM;
		if (!pipe->readers)
			mask |= EPOLLERR;
	}
	return mask;
}

/* Models pipe_poll(). */
static __poll_t pipe_poll(struct file *filp, poll_table *wait)
{
	struct pipe_inode_info *pipe = filp->private_data;
	unsigned int mode = pipe_fmode(filp);

	pipe->poll_usage = true;
	if (mode & FMODE_READ)
		poll_wait(filp, &pipe->rd_wait, wait);
	if (mode & FMODE_WRITE)
		poll_wait(filp, &pipe->wr_wait, wait);
	return pipe_peek(filp);
}

/* Models free_pipe_info(). */
static void free_pipe_info(struct pipe_inode_info *pipe)
{
	struct world *w = pipe->world;

	sim_free(w, pipe->bufs);
	sim_free(w, pipe);
}

/* Models pipe_release(): the last reader or writer going wakes everybody on both queues. */
static void pipe_release(struct file *file)
{
	struct pipe_inode_info *pipe = file->private_data;
	unsigned int mode = pipe_fmode(file);

	if (mode & FMODE_READ)
		pipe->readers--;
	if (mode & FMODE_WRITE)
		pipe->writers--;
	if (!pipe->readers != !pipe->writers) {
		wake_up_interruptible_all(&pipe->rd_wait);
		wake_up_interruptible_all(&pipe->wr_wait);
		kill_fasync(&pipe->fasync_readers, SIGIO, POLL_IN);
		kill_fasync(&pipe->fasync_writers, SIGIO, POLL_OUT);
	}
	if (--pipe->files == 0)
		free_pipe_info(pipe);
}

/* Models pipe_fasync(): each end joins the list of its direction(s). */
static int pipe_fasync(int fd, struct file *filp, int on)
{
	struct pipe_inode_info *pipe = filp->private_data;
	unsigned int mode = pipe_fmode(filp);
	int retval = 0;

	if (mode & FMODE_READ)
		retval = fasync_helper(fd, filp, on, &pipe->fasync_readers);
	if ((mode & FMODE_WRITE) && retval >= 0) {
		retval = fasync_helper(fd, filp, on, &pipe->fasync_writers);
		if (retval < 0 && (mode & FMODE_READ))
			fasync_helper(-1, filp, 0, &pipe->fasync_readers);
	}
	return retval;
}

/* The queue a blocking pipe_read() / pipe_write() sleeps on. */
static struct wait_queue_head *pipe_wait_queue(struct file *file, int for_write)
{
	struct pipe_inode_info *pipe = file->private_data;

	return for_write ? &pipe->wr_wait : &pipe->rd_wait;
}

static const struct file_operations pipefifo_fops = {
	.name = "pipe",
	.f_mode = FMODE_CAN_ODIRECT,
	.poll = pipe_poll,
	.read = pipe_read,
	.write = pipe_write,
	.release = pipe_release,
	.shutdown = NULL,
	.wait_queue = pipe_wait_queue,
	.peek = pipe_peek,
	.fasync = pipe_fasync,
};

/* Models alloc_pipe_info(): the shared state and its ring of PIPE_DEF_BUFFERS slots. */
static struct pipe_inode_info *alloc_pipe_info(struct world *w)
{
	struct pipe_inode_info *pipe = sim_zalloc(w, sizeof(*pipe));

	if (!pipe)
		return NULL;
	pipe->bufs = sim_zalloc(w, PIPE_DEF_BUFFERS * sizeof(*pipe->bufs));
	if (!pipe->bufs) {
		sim_free(w, pipe);
		return NULL;
	}
	init_waitqueue_head(&pipe->rd_wait);
	init_waitqueue_head(&pipe->wr_wait);
	pipe->max_usage = PIPE_DEF_BUFFERS;
	pipe->ring_size = PIPE_DEF_BUFFERS;
	pipe->world = w;
	return pipe;
}

/* Models create_pipe_files(). */
int pipe_create(struct world *w, unsigned int flags, struct file *files[2])
{
	struct pipe_inode_info *pipe;
	struct file *rd, *wr;

	if (flags & ~(unsigned int)(O_NONBLOCK | O_DIRECT | O_CLOEXEC))
		return -EINVAL;
	pipe = alloc_pipe_info(w);
	if (!pipe)
		return -ENOMEM;
	wr = file_alloc(w, &pipefifo_fops, pipe, O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)));
	if (!wr)
		goto fail_pipe;
	rd = file_alloc(w, &pipefifo_fops, pipe, O_RDONLY | (flags & O_NONBLOCK));
	if (!rd)
		goto fail_wr;
	pipe->readers = pipe->writers = 1;
	pipe->files = 2;
	files[0] = rd;
	files[1] = wr;
	return 0;

fail_wr:
	sim_free(w, wr);	/* never published: no epoll, no release needed */
fail_pipe:
	free_pipe_info(pipe);
	return -ENOMEM;
}

/* True if f is a pipe end. */
bool file_is_pipe(const struct file *f)
{
	return f && f->f_op == &pipefifo_fops;
}

/* Models pipe_ioctl(FIONREAD). */
long pipe_fionread(const struct file *f)
{
	const struct pipe_inode_info *pipe = f->private_data;
	long count = 0;

	for (unsigned int t = pipe->tail; t != pipe->head; t++)
		count += pipe_buf(pipe, t)->len;
	return count;
}
