/*
 * fcntl (fs/fcntl.c) for what the simulator models: the file status flags
 * (F_GETFL, F_SETFL with its ->fasync call for O_ASYNC) and the owner and
 * signal of signal-driven I/O (F_SETOWN_EX with a thread, F_SETSIG, F_GETSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include "epsim.h"
#include "fasync.h"
#include "fdtable.h"
#include "signals.h"
#include "sys_entry.h"
#include "task.h"

/* Models SETFL_MASK: the flags F_SETFL may change (O_ASYNC goes through ->fasync). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_NDELAY | O_DIRECT | O_NOATIME)

/* Models setfl(). */
static long setfl(int fd, struct file *filp, unsigned long arg)
{
	long error;

	if (arg & O_NDELAY)
		arg |= O_NONBLOCK;
	/* O_DIRECT is packet mode on a pipe; no other simulated file does direct I/O */
	if (!(filp->f_op->f_mode & FMODE_CAN_ODIRECT) && (arg & O_DIRECT))
		return -EINVAL;
	if (((arg ^ filp->f_flags) & FASYNC) && filp->f_op->fasync) {
		error = filp->f_op->fasync(fd, filp, (arg & FASYNC) != 0);
		if (error < 0)
			return error;
	}
	filp->f_flags = ((unsigned int)arg & SETFL_MASK) | (filp->f_flags & ~(unsigned int)SETFL_MASK);
	return 0;
}

/* Models F_SETSIG: 0 restores SIGIO; anything past the last signal is EINVAL. */
static long f_setsig(struct file *filp, unsigned long arg)
{
	long err;

	if (arg > SIM_NSIG)
		return -EINVAL;	/* !valid_signal(arg) */
	err = file_f_owner_allocate(filp);
	if (err)
		return err;
	filp->f_owner->signum = (int)arg;
	return 0;
}

/* Models do_fcntl() for the commands the simulator has; others are EINVAL. */
static long do_fcntl(struct sim_task *t, int fd, unsigned int cmd, unsigned long arg)
{
	struct file *filp = fd_lookup(t->proc->files, fd);

	if (!filp)
		return -EBADF;
	switch (cmd) {
	case F_GETFL:
		return filp->f_flags;
	case F_SETFL:
		return setfl(fd, filp, arg);
	case F_GETSIG:
		return filp->f_owner ? filp->f_owner->signum : 0;
	case F_SETSIG:
		return f_setsig(filp, arg);
	default:
		return -EINVAL;
	}
}

/* Models f_setown_ex() with F_OWNER_TID: ESRCH for a thread that does not exist. */
static long f_setown_ex_tid(struct sim_task *t, int fd, int owner_tid)
{
	struct file *filp = fd_lookup(t->proc->files, fd);
	long err;

	if (!filp)
		return -EBADF;
	if (owner_tid && !world_find_task(t->world, owner_tid))
		return -ESRCH;
	err = file_f_owner_allocate(filp);
	if (err)
		return err;
	filp->f_owner->pid = owner_tid;
	return 0;
}

long epsim_fcntl(struct world *w, int tid, int fd, unsigned int cmd, unsigned long arg)
{
	struct sim_task *t = sys_current(w, tid);

	return t ? sys_exit(w, t, do_fcntl(t, fd, cmd, arg)) : -ESRCH;
}

long epsim_fcntl_setown_tid(struct world *w, int tid, int fd, int owner_tid)
{
	struct sim_task *t = sys_current(w, tid);

	return t ? sys_exit(w, t, f_setown_ex_tid(t, fd, owner_tid)) : -ESRCH;
}
