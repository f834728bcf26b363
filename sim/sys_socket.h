/* The socket system calls' parked state (sim/sys_socket.c), for invariant checks. */
#ifndef EPSIM_SYS_SOCKET_H
#define EPSIM_SYS_SOCKET_H

struct file;
struct sim_task;

/* The listener a parked accept holds a reference to, or NULL. */
struct file *accept_held_file(const struct sim_task *t);

#endif
