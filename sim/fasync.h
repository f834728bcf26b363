/*
 * Signal-driven I/O (fs/fcntl.c): the owner a file's SIGIO goes to, the
 * per-type lists of files in O_ASYNC mode, and kill_fasync, which the file
 * types call where the kernel does.
 */
#ifndef EPSIM_FASYNC_H
#define EPSIM_FASYNC_H

struct file;

/* Models struct fown_struct: who receives the file's signal, and which signal. */
struct fown_struct {
	int pid;	/* the owner thread's tid (F_OWNER_TID); 0: none */
	int signum;	/* F_SETSIG; 0: SIGIO */
};

/* Models struct fasync_struct: one file on a type's list of O_ASYNC files. */
struct fasync_struct {
	int fa_fd;
	struct file *fa_file;
	struct fasync_struct *fa_next;
};

/* Models fasync_helper(): add (on) or remove filp; sets or clears FASYNC. 1 if changed, 0, -ENOMEM. */
int fasync_helper(int fd, struct file *filp, int on, struct fasync_struct **fapp);
/* Models kill_fasync(): signal the owner of every file on the list; band is POLL_IN, POLL_OUT, ... */
void kill_fasync(struct fasync_struct **fp, int sig, int band);
/* Models file_f_owner_allocate(): the owner record, made on first use. 0 or -ENOMEM. */
int file_f_owner_allocate(struct file *file);
/* Models file_f_owner_release(). */
void file_f_owner_release(struct file *file);

#endif
