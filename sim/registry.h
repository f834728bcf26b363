/*
 * The file types the simulated kernel's system calls reach. sim/ knows a file
 * type only through these tables and the file's own file_operations; model/
 * fills them in (model/registry.c), as the kernel's init code registers its
 * address families with sock_register() and its file systems' constructors.
 * A build of sim/ alone provides its own registry (tests/test_sim_only.c).
 * A NULL constructor makes its system call fail with -ENOSYS.
 */
#ifndef EPSIM_REGISTRY_H
#define EPSIM_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include "file.h"
#include "net.h"

struct io_uring_cqe;

/* The constructors behind pipe2, eventfd2, signalfd4 and timerfd_create, and timerfd_settime. */
struct fs_file_types {
	/* Models create_pipe_files(): files[0] the read end, files[1] the write end. */
	int (*pipe_create)(struct world *w, unsigned int flags, struct file *files[2]);
	/* Models do_eventfd()'s file: flags EFD_SEMAPHORE, EFD_NONBLOCK. */
	int (*eventfd_create)(struct world *w, uint64_t count, int flags, struct file **out);
	/* Models signalfd4(-1, mask, flags)'s file: mask bit (sig - 1). */
	int (*signalfd_create)(struct world *w, uint64_t mask, int flags, struct file **out);
	/* Models timerfd_create(CLOCK_MONOTONIC, flags)'s file. */
	int (*timerfd_create)(struct world *w, int flags, struct file **out);
	/* Models do_timerfd_settime() with relative times in ns: -EINVAL if f is no timerfd. */
	long (*timerfd_settime)(struct file *f, uint64_t initial_ns, uint64_t interval_ns);
};

/* The io_uring instance behind io_uring_setup and io_uring_enter (io_uring/io_uring.c). */
struct io_uring_ops {
	/* Models io_is_uring_fops(). */
	bool (*is_ring)(const struct file *f);
	/* Models io_uring_create()'s ring file. */
	int (*create)(struct world *w, unsigned int entries, struct file **out);
	/* Models io_submit_sqes() of one IORING_OP_POLL_ADD or IORING_OP_READ SQE. */
	long (*poll_add)(struct file *ring, struct file *file, uint32_t events, uint64_t user_data);
	long (*read)(struct file *ring, struct file *file, size_t len, uint64_t user_data);
	/* Models io_cqring_events(): completions waiting in the CQ. */
	unsigned int (*cq_ready)(const struct file *ring);
	/* The queue io_cqring_wait() sleeps on (ctx->cq_wait). */
	struct wait_queue_head *(*cq_wait)(struct file *ring);
	/* Reaps up to max CQEs into cqes: their number. */
	unsigned int (*reap)(struct file *ring, struct io_uring_cqe *cqes, unsigned int max);
	/* Calls fn for each file a request in flight holds a reference to (invariant checks). */
	void (*for_each_held_file)(const struct file *ring, void (*fn)(void *ctx, struct file *f),
				   void *ctx);
};

/* Everything below sim/ that sim/ reaches. */
struct sim_registry {
	struct fs_file_types fs;
	/* Models net_families[]: NULL-terminated. */
	const struct net_proto_family *const *net_families;
	/* NULL: io_uring_setup is -ENOSYS and no file is a ring. */
	const struct io_uring_ops *io_uring;
};

/* Provided by model/registry.c (or by a build of sim/ alone). */
extern const struct sim_registry sim_registry;

/* Models the net_families[family] lookup of __sock_create(): NULL when not registered. */
const struct net_proto_family *sock_family(int family);

#endif
