/* Allocation through the world, so that tests can count and fail allocations (models kmalloc/kfree). */
#ifndef EPSIM_ALLOC_H
#define EPSIM_ALLOC_H

#include <stddef.h>

struct world;

/* Models kzalloc(): zeroed memory, or NULL (ENOMEM) when the fault hook says so. */
void *sim_zalloc(struct world *w, size_t size);
/* Models kfree(). */
void sim_free(struct world *w, void *p);

#endif
