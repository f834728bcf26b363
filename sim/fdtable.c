/* Per-process fd tables (fs/file.c): lowest-free allocation, dup, dup2, close. */
#include <errno.h>
#include <stdlib.h>
#include <uthash.h>
#include "fdtable.h"
#include "alloc.h"
#include "world.h"

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
};

struct fdtable *fdtable_create(struct world *w)
{
	struct fdtable *t = sim_zalloc(w, sizeof(*t));

	if (t)
		t->world = w;
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
	struct fd_entry *e = sim_zalloc(t->world, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->fd = fd;
	e->flags = flags;
	e->file = f;
	HASH_ADD_INT(t->map, fd, e);
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
