/*
 * Blocking read and write: the wait_event_interruptible(_exclusive) a call
 * on a file without O_NONBLOCK sleeps in when its ->read / ->write returns
 * -SIM_EWOULDSLEEP, written as a continuation so the thread can park.
 */
#ifndef EPSIM_RW_WAIT_H
#define EPSIM_RW_WAIT_H

#include <stdint.h>
#include "file.h"

struct sim_task;

/*
 * Models vfs_read() / vfs_write() calling f->f_op: one round, then the sleeps
 * a blocking call needs. *value receives an eventfd-like read's 8-byte value
 * when the call ends (so it must outlive a parked call). Returns bytes moved,
 * -errno, or -EPSIM_PENDING.
 */
long do_rw(struct sim_task *t, struct file *f, int for_write, size_t len, uint64_t in_value,
	   uint64_t *value);
/* The file a parked read or write holds a reference to, or NULL (for invariant checks). */
struct file *rw_held_file(const struct sim_task *t);

#endif
