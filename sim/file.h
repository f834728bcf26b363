/* Open files with a reference count and a method table, modelled on struct file (include/linux/fs.h). */
#ifndef EPSIM_FILE_H
#define EPSIM_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "list.h"
#include "poll_table.h"

struct world;
struct file;
struct sim_task;
struct fown_struct;
struct proto_ops;

/*
 * Returned (negated) by ->read / ->write of a file without O_NONBLOCK that
 * must sleep: the model has done what the kernel does before sleeping and
 * filled io's wait fields; the caller (sim/rw_wait.c) sleeps on io->wq until
 * io->cond holds or a signal comes, then calls the method again with
 * io->resumed set. Never returned by a system call.
 */
#define SIM_EWOULDSLEEP 4097

/* Flags of the wait a blocking read/write sleeps in (sim_io.wait_flags). */
#define SIM_WAIT_EXCLUSIVE 0x1	/* wait_event_interruptible_exclusive: one of many is woken */

/* One read or write request: byte count, and for eventfd-like files the 8-byte value. */
struct sim_io {
	size_t len;
	uint64_t value;
	/* A blocking call, set by the caller before each round: */
	size_t done;		/* bytes moved by the rounds before a sleep (kept by the model) */
	bool resumed;		/* this round follows a sleep */
	int wait_ret;		/* that sleep's result: 0, or -EINTR when a signal ended it */
	bool signal_pending;	/* models signal_pending(current) for the model */
	bool nowait;		/* models IOCB_NOWAIT (io_uring): never sleep, -EAGAIN as with O_NONBLOCK */
	/* Set by the model when it returns -SIM_EWOULDSLEEP (the wait_event it enters): */
	struct wait_queue_head *wq;
	bool (*cond)(const struct file *file, const struct sim_io *io);
	unsigned int wait_flags; /* SIM_WAIT_* */
};

/* Models struct file_operations: the methods a simulated file type provides. */
struct file_operations {
	const char *name; /* type name for logs and snapshots: "pipe", "eventfd", ... */
	/* Models ->poll: report readiness, and register on wait queues through pt. */
	__poll_t (*poll)(struct file *file, poll_table *pt);
	/* Models ->read / ->write: return bytes moved or -errno (-EAGAIN when it would block). */
	ssize_t (*read)(struct file *file, struct sim_io *io);
	ssize_t (*write)(struct file *file, struct sim_io *io);
	/* Models ->release: the last reference is gone; wake peers, free private data. */
	void (*release)(struct file *file);
	/* Models ->shutdown of a socket (proto_ops); NULL for files that are not sockets. */
	long (*shutdown)(struct file *file, int how);
	/* Wait queue a blocking read/write sleeps on (NULL: never blocks). */
	struct wait_queue_head *(*wait_queue)(struct file *file, int for_write);
	/*
	 * Readiness without side effects, for snapshots: what ->poll would report
	 * with every event requested, without queueing on a wait queue or changing
	 * any state. NULL: the type cannot say.
	 */
	__poll_t (*peek)(const struct file *file);
	/* Models ->fasync: join (on) or leave the type's O_ASYNC list (fasync_helper). NULL: none. */
	int (*fasync)(int fd, struct file *filp, int on);
	/* Models socket->ops of a socket file (sim/net.h); NULL for files that are not sockets. */
	const struct proto_ops *proto_ops;
	/* Models the f_mode bits every file of the type gets (FMODE_CAN_ODIRECT). */
	unsigned int f_mode;
};

/* Models FMODE_CAN_ODIRECT: F_SETFL may set O_DIRECT (packet mode on a pipe). */
#define FMODE_CAN_ODIRECT 0x1u

/* Models struct file. */
struct file {
	long f_count;			/* models f_count: references from fd tables and in-flight users */
	unsigned int f_flags;		/* O_NONBLOCK, O_RDWR, ... */
	uint64_t f_id;			/* creation number; the simulator's stand-in for the file's address */
	const struct file_operations *f_op;
	void *private_data;
	struct list_head f_ep;		/* models file->f_ep: epitems watching this file (epitem.fllink) */
	struct list_head f_tfile_llink;	/* models the epitems_head link on tfile_check_list */
	struct fown_struct *f_owner;	/* models file->f_owner: made by the first F_SETOWN_EX/F_SETSIG */
	struct world *world;
};

/* Models alloc_file(): a new file holding one reference. NULL on ENOMEM. */
struct file *file_alloc(struct world *w, const struct file_operations *fop, void *private_data,
			unsigned int flags);
/*
 * Models anon_inode_getfile() with its private context: a new file whose
 * private_data is a zeroed context of ctx_size bytes, freed with the file's
 * own release. NULL on ENOMEM (nothing left allocated).
 */
struct file *anon_file_alloc(struct world *w, const struct file_operations *fop, size_t ctx_size,
			     unsigned int flags);
/* Models get_file(). */
struct file *get_file(struct file *f);
/* Models fput() / __fput(): drop a reference; the last one runs eventpoll_release and ->release. */
void fput(struct file *f);
/* Models vfs_poll(): 0 from a file without ->poll is reported as DEFAULT_POLLMASK by callers. */
__poll_t vfs_poll(struct file *f, poll_table *pt);
/* Models file_can_poll(). */
static inline int file_can_poll(const struct file *f)
{
	return f->f_op->poll != NULL;
}

#endif
