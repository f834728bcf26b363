/*
 * The registry of the file types below sim/ (sim/registry.h): the fs
 * constructors, the address families and io_uring of model/, as the kernel's
 * init code registers them.
 */
#include <stddef.h>
#include "io_uring.h"
#include "model.h"
#include "registry.h"

static const struct net_proto_family *const net_families[] = {
	&unix_family_ops,
	&inet_family_ops,
	NULL,
};

static const struct io_uring_ops io_uring_ops = {
	.is_ring = file_is_io_uring,
	.create = io_uring_create_file,
	.poll_add = io_uring_poll_add,
	.read = io_uring_read,
	.cq_ready = io_uring_cq_ready,
	.cq_wait = io_uring_cq_wait,
	.reap = io_uring_reap,
	.for_each_held_file = io_uring_for_each_held_file,
};

const struct sim_registry sim_registry = {
	.fs = {
		.pipe_create = pipe_create,
		.eventfd_create = eventfd_create,
		.signalfd_create = signalfd_create_file,
		.timerfd_create = timerfd_create_file,
		.timerfd_settime = timerfd_settime_file,
	},
	.net_families = net_families,
	.io_uring = &io_uring_ops,
};
