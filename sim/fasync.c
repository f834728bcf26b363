/*
 * Signal-driven I/O (fs/fcntl.c): fasync lists and the SIGIO they send.
 * Only thread owners (F_SETOWN_EX with F_OWNER_TID) are modelled: the signal
 * goes to that one thread, as a thread-directed signal.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include "fasync.h"
#include "alloc.h"
#include "file.h"
#include "signals.h"
#include "task.h"
#include "world.h"

/* Models fasync_remove_entry(). */
static int fasync_remove_entry(struct file *filp, struct fasync_struct **fapp)
{
	struct fasync_struct *fa, **fp;

	for (fp = fapp; (fa = *fp) != NULL; fp = &fa->fa_next) {
		if (fa->fa_file != filp)
			continue;
		*fp = fa->fa_next;
		sim_free(filp->world, fa);
		filp->f_flags &= ~(unsigned int)FASYNC;
		return 1;
	}
	return 0;
}

/* Models fasync_add_entry() (with fasync_alloc / fasync_insert_entry). */
static int fasync_add_entry(int fd, struct file *filp, struct fasync_struct **fapp)
{
	struct fasync_struct *fa;

	for (fa = *fapp; fa; fa = fa->fa_next) {
		if (fa->fa_file == filp) {
			fa->fa_fd = fd;	/* already there: only the fd is updated */
			return 0;
		}
	}
	fa = sim_zalloc(filp->world, sizeof(*fa));
	if (!fa)
		return -ENOMEM;
	fa->fa_fd = fd;
	fa->fa_file = filp;
	fa->fa_next = *fapp;
	*fapp = fa;
	filp->f_flags |= FASYNC;
	return 1;
}

int fasync_helper(int fd, struct file *filp, int on, struct fasync_struct **fapp)
{
	if (!on)
		return fasync_remove_entry(filp, fapp);
	return fasync_add_entry(fd, filp, fapp);
}

/* Models send_sigio() / send_sigio_to_task() for a thread owner: the signal, or SIGIO. */
static void send_sigio(struct world *w, const struct fown_struct *fown)
{
	struct sim_task *p;

	if (!fown->pid)
		return;
	p = world_find_task(w, fown->pid);
	if (p)
		do_tkill(p, fown->signum ? fown->signum : SIGIO);
}

void kill_fasync(struct fasync_struct **fp, int sig, int band)
{
	(void)band;	/* si_band/si_code: only a handler would see them */
	for (struct fasync_struct *fa = *fp; fa; fa = fa->fa_next) {
		struct fown_struct *fown = fa->fa_file->f_owner;

		if (!fown)
			continue;
		if (!(sig == SIGURG && fown->signum == 0))
			send_sigio(fa->fa_file->world, fown);
	}
}

int file_f_owner_allocate(struct file *file)
{
	if (file->f_owner)
		return 0;
	file->f_owner = sim_zalloc(file->world, sizeof(*file->f_owner));
	return file->f_owner ? 0 : -ENOMEM;
}

void file_f_owner_release(struct file *file)
{
	sim_free(file->world, file->f_owner);
	file->f_owner = NULL;
}
