/* Allocation through the world: counted, and failable for fault-injection tests. */
#include <stdlib.h>
#include "alloc.h"
#include "world.h"

/* Models kzalloc(). */
void *sim_zalloc(struct world *w, size_t size)
{
	void *p;

	if (w) {
		w->alloc_count++;
		if (w->alloc_fail_at && w->alloc_count == w->alloc_fail_at) {
			w->alloc_failed++;
			return NULL;
		}
	}
	p = calloc(1, size);
	if (w && p)
		w->alloc_live++;
	return p;
}

void sim_alloc_absorbed(struct world *w)
{
	if (w)
		w->alloc_absorbed++;
}

/* Models kfree(). */
void sim_free(struct world *w, void *p)
{
	if (w && p)
		w->alloc_live--;
	free(p);
}
