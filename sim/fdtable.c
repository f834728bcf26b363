/* Per-process fd tables (fs/file.c): lowest-free allocation, dup, dup2, close. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "fdtable.h"
#include "alloc.h"
#include "world.h"

/*
 * uthash allocates its tables through the world, so that fault injection
 * reaches them, and an allocation failure inside HASH_ADD is reported through
 * uthash_oom instead of exiting the process. A function that adds or deletes
 * declares the locals the macros name: uthash_world (and uthash_oom for adds).
 */
#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) sim_zalloc(uthash_world, (sz))
#define uthash_free(ptr, sz) sim_free(uthash_world, (ptr))
#define uthash_nonfatal_oom(obj)   \
	do {                       \
		(void)(obj);       \
		uthash_oom = true; \
	} while (0)
#include <uthash.h>

struct fd_entry {
	int fd;
	unsigned int flags;
	struct file *file;
	UT_hash_handle hh;
};

/* Models struct files_struct. */
struct fdtable {
	struct world *world;
	struct fd_entry *map;	/* fd -> entry */
	int next_fd;		/* models files->next_fd: no free fd below it */
	int max_fds;		/* models fdt->max_fds: the table's capacity (select clamps to it) */
};

#define NR_OPEN_DEFAULT 64	/* BITS_PER_LONG: the fd slots embedded in files_struct */

/* Models expand_files() + alloc_fdtable(): the capacity grows to a power of two covering fd. */
static void expand_files(struct fdtable *t, int fd)
{
	int nr = NR_OPEN_DEFAULT;

	while (nr <= fd)
		nr *= 2;
	if (nr > t->max_fds)
		t->max_fds = nr;
}

int fdtable_max_fds(const struct fdtable *t)
{
	return t->max_fds;
}

struct fdtable *fdtable_create(struct world *w)
{
	struct fdtable *t = sim_zalloc(w, sizeof(*t));

	if (t) {
		t->world = w;
		t->max_fds = NR_OPEN_DEFAULT;
	}
	return t;
}

static struct fd_entry *fd_find(const struct fdtable *t, int fd)
{
	struct fd_entry *e = NULL;

	HASH_FIND_INT(t->map, &fd, e);
	return e;
}

/* Models __fd_install() at a chosen number. */
static int fd_put(struct fdtable *t, int fd, struct file *f, unsigned int flags)
{
	struct world *uthash_world = t->world;
	struct fd_entry *e = sim_zalloc(t->world, sizeof(*e));
	bool uthash_oom = false;

	if (!e)
		return -ENOMEM;
	e->fd = fd;
	e->flags = flags;
	e->file = f;
	HASH_ADD_INT(t->map, fd, e);
	if (uthash_oom) {
		sim_free(t->world, e);
		return -ENOMEM;
	}
	expand_files(t, fd);
	return fd;
}

/* Models alloc_fd(): the lowest free number at or above next_fd. */
static int fd_alloc_number(struct fdtable *t)
{
	int fd = t->next_fd;

	while (fd_find(t, fd))
		fd++;
	return fd;
}

int fd_install_new(struct fdtable *t, struct file *f, unsigned int flags)
{
	int fd = fd_alloc_number(t);
	int ret;

	if (fd >= t->world->nofile)
		return -EMFILE;
	ret = fd_put(t, fd, f, flags);
	if (ret >= 0)
		t->next_fd = fd + 1;
	return ret;
}

struct fdtable *fdtable_copy(const struct fdtable *src)
{
	struct fdtable *t = fdtable_create(src->world);
	struct fd_entry *e, *tmp;

	if (!t)
		return NULL;
	t->next_fd = src->next_fd;
	HASH_ITER(hh, src->map, e, tmp) {
		if (fd_put(t, e->fd, get_file(e->file), e->flags) < 0) {
			fput(e->file);
			fdtable_destroy(t);
			return NULL;
		}
	}
	return t;
}

/* Unhash an entry and give back its number. */
static struct file *fd_remove(struct fdtable *t, struct fd_entry *e)
{
	struct world *uthash_world = t->world;
	struct file *f = e->file;

	if (e->fd < t->next_fd)
		t->next_fd = e->fd;
	HASH_DEL(t->map, e);
	sim_free(t->world, e);
	return f;
}

static int cmp_fd(struct fd_entry *a, struct fd_entry *b)
{
	return (a->fd > b->fd) - (a->fd < b->fd);
}

void fdtable_destroy(struct fdtable *t)
{
	if (!t)
		return;
	HASH_SORT(t->map, cmp_fd);
	while (t->map)
		fput(fd_remove(t, t->map));
	sim_free(t->world, t);
}

struct file *fd_lookup(const struct fdtable *t, int fd)
{
	struct fd_entry *e = fd < 0 ? NULL : fd_find(t, fd);

	return e ? e->file : NULL;
}

int fd_close(struct fdtable *t, int fd)
{
	struct fd_entry *e = fd < 0 ? NULL : fd_find(t, fd);

	if (!e)
		return -EBADF;
	fput(fd_remove(t, e));
	return 0;
}

int fd_dup(struct fdtable *t, int oldfd)
{
	struct file *f = fd_lookup(t, oldfd);
	int ret;

	if (!f)
		return -EBADF;
	ret = fd_install_new(t, get_file(f), 0);
	if (ret < 0)
		fput(f);
	return ret;
}

/* Models do_dup2(): replace newfd's file, closing the old one after the switch. */
int fd_dup2(struct fdtable *t, int oldfd, int newfd)
{
	struct file *f = fd_lookup(t, oldfd);
	struct fd_entry *e;

	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= t->world->nofile)
		return -EBADF;
	if (oldfd == newfd)
		return newfd;
	e = fd_find(t, newfd);
	if (e) {
		struct file *old = e->file;
		e->file = get_file(f);
		e->flags = 0;
		fput(old);
		return newfd;
	}
	if (fd_put(t, newfd, get_file(f), 0) < 0) {
		fput(f);
		return -ENOMEM;
	}
	return newfd;
}

long fdtable_count(const struct fdtable *t)
{
	return (long)HASH_COUNT(t->map);
}

void fdtable_for_each(const struct fdtable *t, void (*fn)(void *ctx, int fd, struct file *f),
		      void *ctx)
{
	int remaining = (int)HASH_COUNT(t->map);

	for (int fd = 0; remaining > 0; fd++) {
		struct fd_entry *e = fd_find(t, fd);
		if (e) {
			fn(ctx, fd, e->file);
			remaining--;
		}
	}
}

/* fdtable_check() helper: one entry's own consistency. */
static int fd_entry_check(const struct fdtable *t, const struct fd_entry *e, char *why, size_t len)
{
	if (e->fd < 0 || e->fd >= t->world->nofile) {
		snprintf(why, len, "fd table: fd %d out of range [0, %d)", e->fd, t->world->nofile);
		return -1;
	}
	if (e->fd >= t->max_fds) {
		snprintf(why, len, "fd table: fd %d beyond max_fds %d", e->fd, t->max_fds);
		return -1;
	}
	if (fd_find(t, e->fd) != e) {
		snprintf(why, len, "fd table: fd %d not found under its own key (or duplicated)", e->fd);
		return -1;
	}
	if (!e->file || e->file->f_count <= 0) {
		snprintf(why, len, "fd table: fd %d refers to %s", e->fd,
			 e->file ? "a file with no references" : "no file");
		return -1;
	}
	return 0;
}

int fdtable_check(const struct fdtable *t, char *why, size_t len)
{
	size_t n = 0, count = HASH_COUNT(t->map);
	const struct fd_entry *e;

	for (e = t->map; e; e = e->hh.next) {
		if (++n > count) {
			snprintf(why, len, "fd table: more entries than its count %zu", count);
			return -1;
		}
		if (fd_entry_check(t, e, why, len))
			return -1;
	}
	if (n != count) {
		snprintf(why, len, "fd table: %zu entries, count says %zu", n, count);
		return -1;
	}
	for (int fd = 0; fd < t->next_fd; fd++) {
		if (!fd_find(t, fd)) {
			snprintf(why, len, "fd table: fd %d is free but below next_fd %d", fd, t->next_fd);
			return -1;
		}
	}
	return 0;
}
