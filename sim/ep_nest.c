/*
 * Nested epoll (fs/eventpoll.c): the epoll file's own poll, which scans the
 * inner ready list; the loop and depth check for epoll-in-epoll; and the
 * reverse-path limits on wake-up paths.
 */
#include <string.h>
#include "ep_internal.h"
#include "world.h"

#define PATH_ARR_SIZE 5

/* Models path_limits[]: how many wake-up paths of each length a file may have. */
static const int path_limits[PATH_ARR_SIZE] = { 1000, 500, 100, 50, 10 };

/* Models __ep_eventpoll_poll(): EPOLLIN|EPOLLRDNORM if any inner item is really ready. */
__poll_t __ep_eventpoll_poll(struct file *file, poll_table *wait, int depth)
{
	struct eventpoll *ep = file->private_data;
	struct list_head txlist, *pos, *tmp;
	poll_table pt;
	__poll_t res = 0;

	INIT_LIST_HEAD(&txlist);
	init_poll_funcptr(&pt, NULL);
	poll_wait(file, &ep->poll_wait, wait);
	ep_start_scan(ep, &txlist);
	list_for_each_safe(pos, tmp, &txlist) {
		struct epitem *epi = list_entry(pos, struct epitem, rdllink);
		if (ep_item_poll(epi, &pt, depth + 1)) {
			res = EPOLLIN | EPOLLRDNORM;
			break;
		}
		list_del_init(&epi->rdllink); /* not ready after all: prune it */
	}
	ep_done_scan(ep, &txlist);
	return res;
}

/* Models list_file(): queue a watched file for the reverse-path check, once. */
void list_file(struct world *w, struct file *file)
{
	if (list_empty(&file->f_tfile_llink))
		list_add(&file->f_tfile_llink, &w->tfile_check_list);
}

/* Models clear_tfile_check_list(). */
void clear_tfile_check_list(struct world *w)
{
	while (!list_empty(&w->tfile_check_list))
		list_del_init(w->tfile_check_list.next);
}

/* Models ep_loop_check_proc(): the deepest chain below ep, or EP_MAX_NESTS+1 on a loop. */
static int ep_loop_check_proc(struct world *w, struct eventpoll *inserting_into,
			      struct eventpoll *ep, int depth)
{
	struct rb_node *rbp;
	int result = 0;

	if (ep->gen == w->loop_check_gen)
		return ep->loop_check_depth;
	ep->gen = w->loop_check_gen;
	for (rbp = rb_first_cached(&ep->rbr); rbp; rbp = rb_next(rbp)) {
		struct epitem *epi = rb_entry(rbp, struct epitem, rbn);
		if (is_file_epoll(epi->ffd.file)) {
			struct eventpoll *ep_tovisit = epi->ffd.file->private_data;
			int sub;
			if (ep_tovisit == inserting_into || depth > EP_MAX_NESTS) {
				result = EP_MAX_NESTS + 1;
			} else {
				sub = ep_loop_check_proc(w, inserting_into, ep_tovisit, depth + 1) + 1;
				if (sub > result)
					result = sub;
			}
			if (result > EP_MAX_NESTS)
				break;
		} else {
			list_file(w, epi->ffd.file);
		}
	}
	ep->loop_check_depth = result;
	return result;
}

/* Models ep_get_upwards_depth_proc(): the longest chain of instances watching ep. */
static int ep_get_upwards_depth_proc(struct world *w, struct eventpoll *ep, int depth)
{
	struct list_head *pos;
	int result = 0;

	if (ep->gen == w->loop_check_gen)
		return ep->loop_check_depth;
	list_for_each(pos, &ep->file->f_ep) {
		struct epitem *epi = list_entry(pos, struct epitem, fllink);
		int up = ep_get_upwards_depth_proc(w, epi->ep, depth + 1) + 1;
		if (up > result)
			result = up;
	}
	ep->gen = w->loop_check_gen;
	ep->loop_check_depth = result;
	return result;
}

/* Models ep_loop_check(): no cycle, and at most EP_MAX_NESTS links through the new one. */
int ep_loop_check(struct eventpoll *ep, struct eventpoll *to)
{
	struct world *w = ep->world;
	int depth, upwards_depth;

	depth = ep_loop_check_proc(w, ep, to, 0);
	if (depth > EP_MAX_NESTS)
		return -1;
	upwards_depth = ep_get_upwards_depth_proc(w, ep, 0);
	return (depth + 1 + upwards_depth > EP_MAX_NESTS) ? -1 : 0;
}

/* Models path_count_inc(): paths of length 1 are not limited. */
static int path_count_inc(struct world *w, int nests)
{
	if (nests == 0)
		return 0;
	if (++w->path_count[nests] > path_limits[nests])
		return -1;
	return 0;
}

/* Models reverse_path_check_proc(): count every path up from a file to a top instance. */
static int reverse_path_check_proc(struct world *w, struct list_head *refs, int depth)
{
	struct list_head *pos;
	int error = 0;

	if (depth > EP_MAX_NESTS)
		return -1;
	list_for_each(pos, refs) {
		struct epitem *epi = list_entry(pos, struct epitem, fllink);
		struct list_head *up = &epi->ep->file->f_ep;
		if (list_empty(up))
			error = path_count_inc(w, depth);
		else
			error = reverse_path_check_proc(w, up, depth + 1);
		if (error)
			break;
	}
	return error;
}

/* Models reverse_path_check(): each listed file within path_limits[]. */
int reverse_path_check(struct world *w)
{
	struct list_head *pos;

	list_for_each(pos, &w->tfile_check_list) {
		struct file *file = container_of(pos, struct file, f_tfile_llink);
		int error;
		memset(w->path_count, 0, sizeof(w->path_count));
		error = reverse_path_check_proc(w, &file->f_ep, 0);
		if (error)
			return error;
	}
	return 0;
}
