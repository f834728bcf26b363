/* struct file lifetime: allocation, references and the final __fput (fs/file_table.c). */
#include <fcntl.h>
#include "file.h"
#include "alloc.h"
#include "eventpoll.h"
#include "fasync.h"
#include "world.h"

/* Models alloc_file(). */
struct file *file_alloc(struct world *w, const struct file_operations *fop, void *private_data,
			unsigned int flags)
{
	struct file *f = sim_zalloc(w, sizeof(*f));

	if (!f)
		return NULL;
	f->f_count = 1;
	f->f_flags = flags;
	f->f_id = ++w->next_file_id;
	f->f_op = fop;
	f->private_data = private_data;
	f->world = w;
	INIT_LIST_HEAD(&f->f_ep);
	INIT_LIST_HEAD(&f->f_tfile_llink);
	return f;
}

struct file *anon_file_alloc(struct world *w, const struct file_operations *fop, size_t ctx_size,
			     unsigned int flags)
{
	void *ctx = sim_zalloc(w, ctx_size);
	struct file *f = ctx ? file_alloc(w, fop, ctx, flags) : NULL;

	if (!f)
		sim_free(w, ctx);
	return f;
}

/* Models get_file(). */
struct file *get_file(struct file *f)
{
	f->f_count++;
	return f;
}

/* Models __fput(): epoll first, then the O_ASYNC list, then the file's own release. */
static void __fput(struct file *f)
{
	eventpoll_release(f);
	if ((f->f_flags & FASYNC) && f->f_op->fasync)
		f->f_op->fasync(-1, f, 0);
	if (f->f_op->release)
		f->f_op->release(f);
	file_f_owner_release(f);
	sim_free(f->world, f);
}

/* Models fput(). */
void fput(struct file *f)
{
	if (--f->f_count == 0)
		__fput(f);
}

/* Models vfs_poll(). */
__poll_t vfs_poll(struct file *f, poll_table *pt)
{
	if (!f->f_op->poll)
		return 0;
	f->world->stats.poll_calls++;
	return f->f_op->poll(f, pt);
}
