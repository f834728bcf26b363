/* io_uring system calls of the simulator (sys_uring.c): what the invariant checker needs. */
#ifndef EPSIM_SYS_URING_H
#define EPSIM_SYS_URING_H

struct file;
struct sim_task;

/* The ring file a thread parked in io_uring_enter(GETEVENTS) holds, or NULL. */
struct file *cq_wait_held_file(const struct sim_task *t);

#endif
