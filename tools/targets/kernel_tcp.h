/*
 * TCP over loopback for the kernel backend: the socket calls of a trace as
 * real system calls on 127.0.0.1 only, and the wait that lets the network
 * stack settle after a step so that logs do not depend on softirq timing.
 */
#ifndef EPSIM_KERNEL_TCP_H
#define EPSIM_KERNEL_TCP_H

#include <stdbool.h>
#include "backend.h"

/* The longest a step waits for loopback TCP to settle (a full window never does). */
#define KERNEL_TCP_SETTLE_MS 200

/* The local ports of the sockets a backend made (and of their orphans after close). */
struct kernel_tcp;

struct kernel_tcp *kernel_tcp_new(void);
void kernel_tcp_free(struct kernel_tcp *kt);

/* True for the sys_nr values kernel_tcp_call() runs. */
bool kernel_tcp_is_call(enum sys_nr nr);
/*
 * Run one TCP call: socket (bound to the loopback device), bind to 127.0.0.1
 * port 0, listen, connect to the address of fd2, accept4, SO_LINGER, SO_ERROR
 * (the error in res->value); and fill / drain, on any fd. Returns the result
 * or -errno.
 */
long kernel_tcp_call(const struct sys_call *c, struct sys_result *res);
/* After a call: remember the local port of the socket it made, bound or connected. */
void kernel_tcp_track(struct kernel_tcp *kt, const struct sys_call *c, const struct sys_result *res);
/*
 * Wait (at most bound_ms) until no connection of ours is between states (a
 * SYN, FIN or data still unacknowledged) and /proc/net/tcp shows the same
 * picture twice in a row. Returns true if it settled, false at the bound.
 * Nothing to do before the first socket has a port.
 */
bool kernel_tcp_quiesce(struct kernel_tcp *kt, int bound_ms);

#endif
