/*
 * A user page that faults until it is released, for the kernel backend: the
 * events buffer of an epoll_wait gets a userfaultfd-registered page at one
 * slot, so the kernel's copy to user space stalls there with the transfer
 * (and the overflow list) active, until the runner releases it.
 */
#ifndef EPSIM_UFFD_STALL_H
#define EPSIM_UFFD_STALL_H

#include <stdbool.h>
#include <stddef.h>

struct uffd_stall;

/* Open the userfaultfd (moved above the fd numbers traces use). NULL with errno on failure. */
struct uffd_stall *uffd_stall_open(void);
void uffd_stall_close(struct uffd_stall *u);
/* Register [addr, addr+len) so that the first touch of each page waits for release. */
int uffd_stall_register(struct uffd_stall *u, void *addr, size_t len);
/* Wait up to timeout_ms for a fault in a registered range: 1 fault seen, 0 none, -errno. */
int uffd_stall_wait_fault(struct uffd_stall *u, int timeout_ms);
/* Fill [addr, addr+len) with zero pages, waking the faulting thread. 0 or -errno. */
int uffd_stall_release(struct uffd_stall *u, void *addr, size_t len);

#endif
