/*
 * Snapshots of a simulated world (sim/snapshot.h): tree shape and colours,
 * list order, sleepers, wait-queue entries and readiness, and that taking
 * one changes nothing.
 */
#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include "epsim.h"
#include "snapshot.h"

#define T EPSIM_MAIN_TID

static struct world *w;

static void setup(void)
{
	w = epsim_world_create(NULL);
	ck_assert_ptr_nonnull(w);
}

static void teardown(void)
{
	epsim_world_destroy(w);
}

static int new_ep(void)
{
	long ep = epsim_epoll_create1(w, T, 0);

	ck_assert_int_ge(ep, 0);
	return (int)ep;
}

static int new_efd(void)
{
	long fd = epsim_eventfd2(w, T, 0, EFD_NONBLOCK);

	ck_assert_int_ge(fd, 0);
	return (int)fd;
}

static void add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, fd, &ev), 0);
}

static void take(struct world_snapshot *s)
{
	ck_assert_int_eq(world_snapshot_take(w, s), 0);
}

static uint64_t file_of(const struct world_snapshot *s, int fd)
{
	for (size_t i = 0; i < s->nfds; i++)
		if (s->fds[i].fd == fd)
			return s->fds[i].file_id;
	ck_abort_msg("fd %d is not in the snapshot", fd);
	return 0;
}

/* Black nodes on every path from i down to NIL; -1 if paths differ or a red node has a red child. */
static int black_height(const struct snap_epoll *ep, int i)
{
	int l, r;

	if (i < 0)
		return 1;
	l = black_height(ep, ep->items[i].left);
	r = black_height(ep, ep->items[i].right);
	if (l < 0 || l != r)
		return -1;
	if (ep->items[i].colour == RB_RED)
		for (int c = 0; c < 2; c++) {
			int k = c ? ep->items[i].right : ep->items[i].left;
			if (k >= 0 && ep->items[k].colour == RB_RED)
				return -1;
		}
	return l + (ep->items[i].colour == RB_BLACK);
}

START_TEST(empty_world)
{
	struct world_snapshot s;

	take(&s);
	ck_assert_uint_eq(s.ntasks, 1);
	ck_assert_str_eq(s.tasks[0].name, "main");
	ck_assert_int_eq(s.tasks[0].state, TASK_IDLE);
	ck_assert_uint_eq(s.nfds, 0);
	ck_assert_uint_eq(s.nfiles, 0);
	ck_assert_uint_eq(s.neps, 0);
	world_snapshot_free(&s);
	ck_assert_ptr_null(s.tasks);
	world_snapshot_free(&s); /* freeing an empty snapshot is harmless */
}
END_TEST

START_TEST(tree_shape_keys_and_colours)
{
	struct world_snapshot s;
	const struct snap_epoll *ep;
	int e = new_ep(), fds[7];

	for (int i = 0; i < 7; i++) {
		fds[i] = new_efd();
		add(e, fds[i], EPOLLIN | (i % 2 ? EPOLLET : 0), 100 + (uint64_t)i);
	}
	take(&s);
	ck_assert_uint_eq(s.neps, 1);
	ep = &s.eps[0];
	ck_assert_uint_eq(ep->file_id, file_of(&s, e));
	ck_assert_uint_eq(ep->nitems, 7);
	ck_assert_int_ge(ep->root, 0);
	ck_assert_int_eq(ep->items[ep->root].parent, -1);
	ck_assert_int_eq(ep->items[ep->root].colour, RB_BLACK);
	ck_assert_int_gt(black_height(ep, ep->root), 0);
	for (size_t i = 0; i < ep->nitems; i++) {
		const struct snap_epitem *it = &ep->items[i];
		ck_assert_uint_eq(it->file_id, file_of(&s, fds[i])); /* key order = creation order */
		ck_assert_int_eq(it->fd, fds[i]);
		ck_assert_uint_eq(it->data, 100 + i);
		ck_assert_uint_eq(it->events, EPOLLIN | EPOLLERR | EPOLLHUP | (i % 2 ? EPOLLET : 0));
		ck_assert_int_eq(it->rdl_pos, -1);
		ck_assert_int_eq(it->ovf_pos, -1);
		if (it->left >= 0)
			ck_assert_int_eq(ep->items[it->left].parent, (int)i);
		if (it->right >= 0)
			ck_assert_int_eq(ep->items[it->right].parent, (int)i);
		ck_assert_int_eq(snapshot_item_index(ep, it->file_id, it->fd), (int)i);
	}
	ck_assert_int_eq(snapshot_item_index(ep, 999, 0), -1);
	world_snapshot_free(&s);
}
END_TEST

START_TEST(ready_list_in_queueing_order)
{
	struct world_snapshot s;
	struct epoll_event evs[8];
	int e = new_ep(), a = new_efd(), b = new_efd(), c = new_efd();
	const struct snap_epoll *ep;

	add(e, a, EPOLLIN, 1);
	add(e, b, EPOLLIN, 2);
	add(e, c, EPOLLIN, 3);
	ck_assert_int_eq(epsim_write(w, T, c, 8, 1), 8);
	ck_assert_int_eq(epsim_write(w, T, a, 8, 1), 8);
	take(&s);
	ep = &s.eps[0];
	ck_assert_uint_eq(ep->nrdllist, 2);
	ck_assert_uint_eq(ep->items[ep->rdllist[0]].data, 3);
	ck_assert_uint_eq(ep->items[ep->rdllist[1]].data, 1);
	ck_assert_int_eq(ep->items[ep->rdllist[0]].rdl_pos, 0);
	ck_assert_int_eq(ep->items[ep->rdllist[1]].rdl_pos, 1);
	ck_assert(!ep->ovflist_active);
	ck_assert_uint_eq(ep->novflist, 0);
	ck_assert(!ep->scanning);
	world_snapshot_free(&s);
	/* LT: one item delivered goes back to the tail */
	ck_assert_int_eq(epsim_epoll_wait(w, T, e, evs, 8, 1, 0), 1);
	take(&s);
	ep = &s.eps[0];
	ck_assert_uint_eq(ep->items[ep->rdllist[0]].data, 1);
	ck_assert_uint_eq(ep->items[ep->rdllist[1]].data, 3);
	world_snapshot_free(&s);
}
END_TEST

START_TEST(readiness_by_peek_changes_nothing)
{
	struct world_snapshot s1, s2;
	uint64_t v;
	int e = new_ep(), a = new_efd();
	const struct snap_file *fa, *fe;

	add(e, a, EPOLLIN, 1);
	ck_assert_int_eq(epsim_write(w, T, a, 8, 1), 8);
	ck_assert_int_eq(epsim_read(w, T, a, 8, &v), 8); /* a is no longer ready, still queued */
	take(&s1);
	take(&s2);
	fa = snapshot_file(&s1, file_of(&s1, a));
	fe = snapshot_file(&s1, file_of(&s1, e));
	ck_assert_ptr_nonnull(fa);
	ck_assert_ptr_nonnull(fe);
	ck_assert_str_eq(fa->type, "eventfd");
	ck_assert(fa->has_peek);
	ck_assert_uint_eq(fa->ready, EPOLLOUT);
	ck_assert_str_eq(fe->type, "eventpoll");
	ck_assert_uint_eq(fe->ready, 0);	/* the stale item does not count... */
	ck_assert_uint_eq(s1.eps[0].nrdllist, 1);	/* ...and peeking did not prune it */
	ck_assert_uint_eq(s2.eps[0].nrdllist, 1);
	ck_assert_ptr_eq(snapshot_epoll_by_file(&s1, fe->id), &s1.eps[0]);
	world_snapshot_free(&s1);
	world_snapshot_free(&s2);
}
END_TEST

START_TEST(sleepers_on_wq_by_name)
{
	struct world_snapshot s;
	struct epoll_event evs[4];
	int e = new_ep(), a = new_efd();
	int t1 = epsim_thread_create(w, T, "t1");

	add(e, a, EPOLLIN, 1);
	ck_assert_int_gt(t1, 0);
	ck_assert_int_eq(epsim_epoll_wait(w, t1, e, evs, 4, 4, -1), -EPSIM_PENDING);
	take(&s);
	ck_assert_uint_eq(s.eps[0].wq.nwaiters, 1);
	ck_assert_int_eq(s.eps[0].wq.waiters[0].kind, SNAP_WAITER_TASK);
	ck_assert_str_eq(s.eps[0].wq.waiters[0].task, "t1");
	ck_assert_int_eq(s.eps[0].wq.waiters[0].tid, t1);
	ck_assert(s.eps[0].wq.waiters[0].exclusive);
	ck_assert_uint_eq(s.ntasks, 2);
	ck_assert_str_eq(s.tasks[1].name, "t1");
	ck_assert_int_eq(s.tasks[1].state, TASK_SLEEPING);
	world_snapshot_free(&s);
}
END_TEST

START_TEST(file_wait_queue_holds_the_epitem)
{
	struct world_snapshot s;
	int e = new_ep(), a = new_efd();
	const struct snap_file *fa;

	add(e, a, EPOLLIN, 1);
	take(&s);
	fa = snapshot_file(&s, file_of(&s, a));
	ck_assert_uint_eq(fa->nqueues, 1);
	ck_assert_str_eq(fa->queues[0].name, "wait");
	ck_assert_uint_eq(fa->queues[0].nwaiters, 1);
	ck_assert_int_eq(fa->queues[0].waiters[0].kind, SNAP_WAITER_EPITEM);
	ck_assert_uint_eq(fa->queues[0].waiters[0].ep_id, s.eps[0].id);
	ck_assert_uint_eq(fa->queues[0].waiters[0].file_id, fa->id);
	ck_assert_int_eq(fa->queues[0].waiters[0].fd, a);
	ck_assert(!fa->queues[0].waiters[0].exclusive);
	world_snapshot_free(&s);
}
END_TEST

START_TEST(pipe_ends_show_their_own_queue)
{
	struct world_snapshot s;
	int p[2], e = new_ep();
	const struct snap_file *rd, *wr;

	ck_assert_int_eq(epsim_pipe2(w, T, p, O_NONBLOCK), 0);
	add(e, p[0], EPOLLIN, 1);
	add(e, p[1], EPOLLOUT | EPOLLEXCLUSIVE, 2);
	take(&s);
	rd = snapshot_file(&s, file_of(&s, p[0]));
	wr = snapshot_file(&s, file_of(&s, p[1]));
	ck_assert_str_eq(rd->type, "pipe");
	ck_assert_uint_eq(rd->nqueues, 1);
	ck_assert_str_eq(rd->queues[0].name, "rd_wait");
	ck_assert_uint_eq(rd->ready, 0);
	ck_assert_uint_eq(wr->nqueues, 1);
	ck_assert_str_eq(wr->queues[0].name, "wr_wait");
	ck_assert(wr->queues[0].waiters[0].exclusive);
	ck_assert_uint_eq(wr->ready & EPOLLOUT, EPOLLOUT);
	world_snapshot_free(&s);
}
END_TEST

START_TEST(nested_instance_on_poll_wait)
{
	struct world_snapshot s;
	int inner = new_ep(), outer = new_ep(), a = new_efd();
	const struct snap_epoll *in, *out;
	const struct snap_file *fin;

	add(inner, a, EPOLLIN, 1);
	add(outer, inner, EPOLLIN, 2);
	ck_assert_int_eq(epsim_write(w, T, a, 8, 1), 8);
	take(&s);
	ck_assert_uint_eq(s.neps, 2);
	in = snapshot_epoll_by_file(&s, file_of(&s, inner));
	out = snapshot_epoll_by_file(&s, file_of(&s, outer));
	ck_assert_uint_eq(in->poll_wait.nwaiters, 1);
	ck_assert_int_eq(in->poll_wait.waiters[0].kind, SNAP_WAITER_EPITEM);
	ck_assert_uint_eq(in->poll_wait.waiters[0].ep_id, out->id);
	ck_assert_uint_eq(out->nrdllist, 1);
	fin = snapshot_file(&s, in->file_id);
	ck_assert_uint_eq(fin->ready, EPOLLIN | EPOLLRDNORM);
	ck_assert_uint_eq(snapshot_file(&s, out->file_id)->ready, EPOLLIN | EPOLLRDNORM);
	world_snapshot_free(&s);
}
END_TEST

static Suite *snapshot_suite(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc = tcase_create("snapshot");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, empty_world);
	tcase_add_test(tc, tree_shape_keys_and_colours);
	tcase_add_test(tc, ready_list_in_queueing_order);
	tcase_add_test(tc, readiness_by_peek_changes_nothing);
	tcase_add_test(tc, sleepers_on_wq_by_name);
	tcase_add_test(tc, file_wait_queue_holds_the_epitem);
	tcase_add_test(tc, pipe_ends_show_their_own_queue);
	tcase_add_test(tc, nested_instance_on_poll_wait);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(snapshot_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
