/* Allocation through the world: counted, and failable for fault-injection tests. */
#include <stdlib.h>
#include "alloc.h"
#include "world.h"

/* Models kzalloc(). */
void *sim_zalloc(struct world *w, size_t size)
{
	if (w) {
		w->alloc_count++;
		if (w->alloc_fail_at && w->alloc_count == w->alloc_fail_at)
			return NULL;
	}
	return calloc(1, size);
}

/* Models kfree(). */
void sim_free(struct world *w, void *p)
{
	(void)w;
	free(p);
}
