/* Internals shared by the eventpoll files (not part of the simulator's API). */
#ifndef EPSIM_EP_INTERNAL_H
#define EPSIM_EP_INTERNAL_H

#include "eventpoll.h"

/* Models ep_is_linked(). */
static inline bool ep_is_linked(const struct epitem *epi)
{
	return !list_empty(&epi->rdllink);
}

/* Models ep_events_available(). */
static inline bool ep_events_available(const struct eventpoll *ep)
{
	return !list_empty(&ep->rdllist) || ep->ovflist != EP_UNACTIVE_PTR;
}

/* ep_wait.c */
void ep_start_scan(struct eventpoll *ep, struct list_head *txlist);
void ep_done_scan(struct eventpoll *ep, struct list_head *txlist);
struct file *ep_poll_held_file(const struct sim_task *t);

/* ep_nest.c */
__poll_t __ep_eventpoll_poll(struct file *file, poll_table *wait, int depth);
int ep_loop_check(struct eventpoll *ep, struct eventpoll *to);
int reverse_path_check(struct world *w);
void list_file(struct world *w, struct file *file);
void clear_tfile_check_list(struct world *w);

/* eventpoll.c */
__poll_t ep_item_poll(const struct epitem *epi, poll_table *pt, int depth);
void ep_poll_safewake(struct eventpoll *ep, __poll_t pollflags);

#endif
