/*
 * io_uring steps on the kernel backend: rings made with raw io_uring_setup,
 * their SQ and CQ rings mapped, one SQE per io_uring_enter, the CQ reaped by
 * hand (no liburing). The backend keeps one registry of its rings.
 */
#ifndef EPSIM_KERNEL_URING_H
#define EPSIM_KERNEL_URING_H

#include <stdbool.h>
#include "backend.h"

struct kernel_urings;

struct kernel_urings *kernel_urings_new(void);
/* Unmap every ring and free every read buffer (after the ring fds are closed). */
void kernel_urings_free(struct kernel_urings *u);
bool kernel_uring_is_call(enum sys_nr nr);
/* Run one call: the result, -errno; uring_wait fills res->events. */
long kernel_uring_call(struct kernel_urings *u, const struct sys_call *c, struct sys_result *res);
/* The ring on fd was closed: unmap it (its read buffers stay until kernel_urings_free). */
void kernel_uring_forget(struct kernel_urings *u, int fd);

#endif
