/* Allocation through the world, so that tests can count and fail allocations (models kmalloc/kfree). */
#ifndef EPSIM_ALLOC_H
#define EPSIM_ALLOC_H

#include <stddef.h>

struct world;

/* Models kzalloc(): zeroed memory, or NULL (ENOMEM) when the fault hook says so. */
void *sim_zalloc(struct world *w, size_t size);
/* Models kfree(). */
void sim_free(struct world *w, void *p);
/*
 * A failed allocation the kernel absorbs without an error to report (it drops
 * what it could not allocate, e.g. an io_uring overflow CQE): fault-injection
 * tests then expect a changed log with no ENOMEM in it.
 */
void sim_alloc_absorbed(struct world *w);

#endif
