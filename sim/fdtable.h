/* Per-process fd tables, modelled on struct files_struct (fs/file.c). */
#ifndef EPSIM_FDTABLE_H
#define EPSIM_FDTABLE_H

#include <stddef.h>
#include "file.h"

struct fdtable;
struct world;

struct fdtable *fdtable_create(struct world *w);
/* Models dup_fd() at fork: every fd refers to the same open file. NULL on ENOMEM. */
struct fdtable *fdtable_copy(const struct fdtable *src);
/* Models exit_files(): close every fd. */
void fdtable_destroy(struct fdtable *t);

/* Models get_unused_fd_flags() + fd_install(): lowest free fd, -EMFILE over the limit. Takes over f's reference. */
int fd_install_new(struct fdtable *t, struct file *f, unsigned int flags);
/* Models fget() without the reference: the file behind fd, or NULL. */
struct file *fd_lookup(const struct fdtable *t, int fd);
/* Models close_fd(). 0 or -EBADF. */
int fd_close(struct fdtable *t, int fd);
/* Models dup() / dup2(). */
int fd_dup(struct fdtable *t, int oldfd);
int fd_dup2(struct fdtable *t, int oldfd, int newfd);
/* Models fdt->max_fds: the capacity of the table (64, then powers of two as fds grow). */
int fdtable_max_fds(const struct fdtable *t);
/* Number of open fds. */
long fdtable_count(const struct fdtable *t);
/*
 * Invariant check (no kernel counterpart): keys, count and hash agree, every
 * fd is in range and refers to a live file, no free fd lies below next_fd.
 * 0 if consistent, else -1 with the reason in why.
 */
int fdtable_check(const struct fdtable *t, char *why, size_t len);
/* Call fn for each open fd in increasing fd order. */
void fdtable_for_each(const struct fdtable *t, void (*fn)(void *ctx, int fd, struct file *f),
		      void *ctx);

#endif
