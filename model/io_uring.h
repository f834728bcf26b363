/*
 * io_uring (io_uring/, Linux 6.18) as the simulator models it: a ring file
 * whose completion queue makes it readable, one-shot POLL_ADD and READ
 * requests (model/io_uring.c).
 */
#ifndef EPSIM_MODEL_IO_URING_H
#define EPSIM_MODEL_IO_URING_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/io_uring.h>
#include "file.h"
#include "world.h"

#ifndef EPOLL_URING_WAKE
#define EPOLL_URING_WAKE (1u << 27)	/* the key bit of wake-ups io_uring makes */
#endif

struct io_kiocb;

/* Models struct io_poll_table: the poll_table of a request arming its poll. */
struct io_uring_poll_table {
	poll_table pt;
	struct io_kiocb *req;
};

/* Models io_uring_setup(entries) without the fd: -EINVAL for 0 or above IORING_MAX_ENTRIES. */
int io_uring_create_file(struct world *w, unsigned int entries, struct file **out);
bool file_is_io_uring(const struct file *f);
/*
 * One IORING_OP_POLL_ADD / IORING_OP_READ submitted on ring for file (NULL:
 * a bad fd, completed with -EBADF). Returns 1 (submitted) or -errno; the
 * completion may be posted before this returns.
 */
long io_uring_poll_add(struct file *ring, struct file *file, uint32_t events, uint64_t user_data);
long io_uring_read(struct file *ring, struct file *file, size_t len, uint64_t user_data);
/* Completions posted and not reaped. */
unsigned int io_uring_cq_ready(const struct file *ring);
/* Models ctx->cq_wait, where io_uring_enter(GETEVENTS) sleeps. */
struct wait_queue_head *io_uring_cq_wait(struct file *ring);
/* Take up to max posted completions, oldest first (what user space does with the CQ ring). */
unsigned int io_uring_reap(struct file *ring, struct io_uring_cqe *cqes, unsigned int max);

/* Call fn for each file a request in flight on the ring holds a reference to. */
void io_uring_for_each_held_file(const struct file *ring, void (*fn)(void *ctx, struct file *f),
				 void *ctx);

#endif
