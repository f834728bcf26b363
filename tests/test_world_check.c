/*
 * The world invariant checker (sim/world_check.c): a healthy world passes, and
 * each invariant, broken on purpose, fails with its own reason. Every test
 * repairs what it broke so that the world can be destroyed.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include "epsim.h"
#include "ep_internal.h"
#include "fdtable.h"
#include "task.h"
#include "world_check.h"

#define T EPSIM_MAIN_TID

static struct world *w;
static int ep, e1, e1d, e2, p[2];
static struct eventpoll *epp;
static int t2;

static void add(int epfd, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = (uint64_t)fd };

	ck_assert_int_eq(epsim_epoll_ctl(w, T, epfd, EPOLL_CTL_ADD, fd, &ev), 0);
}

static struct file *file_of(int fd)
{
	struct file *f = fd_lookup(world_find_task(w, T)->proc->files, fd);

	ck_assert_ptr_nonnull(f);
	return f;
}

/* The item of epp watching fd. */
static struct epitem *item_of(int fd)
{
	for (struct rb_node *n = rb_first_cached(&epp->rbr); n; n = rb_next(n)) {
		struct epitem *epi = rb_entry(n, struct epitem, rbn);
		if (epi->ffd.fd == fd)
			return epi;
	}
	ck_abort_msg("no item for fd %d", fd);
	return NULL;
}

/* A world with an instance of four items, two ready, and a thread parked in epoll_wait. */
static void setup(void)
{
	struct epoll_event out[4];
	int ep2;

	w = epsim_world_create(NULL);
	ck_assert_ptr_nonnull(w);
	ep = (int)epsim_epoll_create1(w, T, 0);
	e1 = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK);
	e2 = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK);
	ck_assert_int_eq(epsim_pipe2(w, T, p, O_NONBLOCK), 0);
	add(ep, e1, EPOLLIN);
	add(ep, e2, EPOLLIN | EPOLLET);
	add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE);
	e1d = (int)epsim_dup(w, T, e1);
	add(ep, e1d, EPOLLIN);
	ck_assert_int_eq(epsim_write(w, T, e1, 8, 1), 8);
	epp = file_of(ep)->private_data;
	ep2 = (int)epsim_epoll_create1(w, T, 0);
	t2 = epsim_thread_create(w, T, "t2");
	ck_assert_int_gt(t2, 0);
	ck_assert_int_eq(epsim_epoll_wait(w, t2, ep2, out, 4, 4, -1), -EPSIM_PENDING);
}

static void teardown(void)
{
	epsim_world_destroy(w);
}

/* world_check fails, and its reason contains `what`. */
static void expect_violation(const char *what)
{
	char why[400];

	ck_assert_int_eq(world_check(w, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, what) != NULL, "reason '%s' lacks '%s'", why, what);
}

static void expect_ok(void)
{
	char why[400];

	ck_assert_msg(world_check(w, why, sizeof(why)) == 0, "unexpected violation: %s", why);
}

START_TEST(healthy_world_passes)
{
	expect_ok();
	ck_assert_int_eq(epsim_write(w, T, e2, 8, 1), 8);
	ck_assert_int_eq(epsim_close(w, T, e1), 0);
	expect_ok();
}
END_TEST

START_TEST(rb_root_red)
{
	struct rb_node *root = epp->rbr.rb_root.rb_node;

	root->rb_colour = RB_RED;
	expect_violation("RB tree");
	root->rb_colour = RB_BLACK;
	expect_ok();
}
END_TEST

START_TEST(rb_order_broken)
{
	struct epitem *a = item_of(e1), *b = item_of(e1d);	/* one file, two fds */

	a->ffd.fd = e1d;
	b->ffd.fd = e1;
	expect_violation("RB tree");
	a->ffd.fd = e1;
	b->ffd.fd = e1d;
	expect_ok();
}
END_TEST

START_TEST(rb_leftmost_stale)
{
	struct rb_node *saved = epp->rbr.rb_leftmost;

	epp->rbr.rb_leftmost = rb_last(&epp->rbr.rb_root);
	expect_violation("leftmost");
	epp->rbr.rb_leftmost = saved;
}
END_TEST

START_TEST(rdllist_links_broken)
{
	struct list_head *first = epp->rdllist.next;

	first->prev = first;
	expect_violation("rdll");
	first->prev = &epp->rdllist;
	expect_ok();
}
END_TEST

START_TEST(rdllist_entry_not_in_tree)
{
	struct epitem fake;

	memset(&fake, 0, sizeof(fake));
	fake.ep = epp;
	fake.ffd = item_of(e1)->ffd;	/* same key, but not the node in the tree */
	fake.next = EP_UNACTIVE_PTR;
	list_add_tail(&fake.rdllink, &epp->rdllist);
	expect_violation("not an item in its tree");
	list_del_init(&fake.rdllink);
	expect_ok();
}
END_TEST

START_TEST(item_linked_off_the_ready_list)
{
	struct epitem *epi = item_of(e2);
	struct list_head elsewhere;

	INIT_LIST_HEAD(&elsewhere);
	list_add(&epi->rdllink, &elsewhere);
	expect_violation("items linked, rdllist has");
	list_del_init(&epi->rdllink);
	expect_ok();
}
END_TEST

START_TEST(ready_list_longer_than_the_tree)
{
	struct epitem fake[4];

	memset(fake, 0, sizeof(fake));
	for (int i = 0; i < 4; i++) {
		fake[i].ep = epp;
		fake[i].ffd = item_of(e1)->ffd;	/* the same item, queued again and again */
		list_add_tail(&fake[i].rdllink, &epp->rdllist);
	}
	expect_violation("queued twice");
	for (int i = 0; i < 4; i++)
		list_del_init(&fake[i].rdllink);
	expect_ok();
}
END_TEST

START_TEST(ovflist_without_scan)
{
	epp->ovflist = NULL;
	expect_violation("ovflist active with no scan");
	epp->ovflist = EP_UNACTIVE_PTR;
	expect_ok();
}
END_TEST

START_TEST(ovflist_cycle)
{
	struct epitem *epi = item_of(e2);

	epp->scanning = true;
	epp->ovflist = epi;
	epi->next = epi;
	expect_violation("ovflist chain");
	epi->next = NULL;
	expect_ok();	/* a scan with one overflow arrival is consistent */
	epp->ovflist = NULL;
	expect_violation("marked on ovflist");
	epi->next = EP_UNACTIVE_PTR;
	epp->ovflist = EP_UNACTIVE_PTR;
	epp->scanning = false;
	expect_ok();
}
END_TEST

START_TEST(ep_refcount_off)
{
	epp->refcount++;
	expect_violation("refcount");
	epp->refcount--;
}
END_TEST

START_TEST(file_refcount_off)
{
	struct file *f = file_of(e2);

	f->f_count++;
	expect_violation("f_count");
	f->f_count -= 2;
	expect_violation("no references");
	f->f_count++;
	expect_ok();
}
END_TEST

START_TEST(parked_wait_reference_counted)
{
	struct sim_task *t = world_find_task(w, t2);
	struct file *f = ep_poll_held_file(t);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->f_count, 2);	/* the fd and the parked epoll_wait */
	f->f_count--;
	expect_violation("f_count");
	f->f_count++;
}
END_TEST

START_TEST(wait_entry_off_its_queue)
{
	struct eppoll_entry *pwq = item_of(e1)->pwqlist;

	list_del_init(&pwq->wait.entry);
	expect_violation("not on the queue it names");
	add_wait_queue(pwq->whead, &pwq->wait);
	expect_ok();
}
END_TEST

START_TEST(wait_entry_exclusive_flag)
{
	struct eppoll_entry *pwq = item_of(p[0])->pwqlist;

	pwq->wait.flags &= ~WQ_FLAG_EXCLUSIVE;
	expect_violation("exclusive");
	pwq->wait.flags |= WQ_FLAG_EXCLUSIVE;
	expect_ok();
}
END_TEST

START_TEST(wait_queue_links_broken)
{
	struct wait_queue_head *wq = item_of(e1)->pwqlist->whead;
	struct list_head *saved = wq->head.prev;

	wq->head.prev = &wq->head;
	expect_violation("wait queue");
	wq->head.prev = saved;
	expect_ok();
}
END_TEST

START_TEST(item_mask_lacks_err_hup)
{
	struct epitem *epi = item_of(e2);

	epi->event.events &= ~EPOLLHUP;
	expect_violation("EPOLLERR|EPOLLHUP");
	epi->event.events |= EPOLLHUP;
	expect_ok();
}
END_TEST

START_TEST(f_ep_list_broken)
{
	struct epitem *epi = item_of(e2);

	list_del_init(&epi->fllink);
	expect_violation("f_ep");
	list_add(&epi->fllink, &epi->ffd.file->f_ep);
	expect_ok();
}
END_TEST

START_TEST(user_watch_count_off)
{
	w->user.epoll_watches++;
	expect_violation("epoll_watches");
	w->user.epoll_watches--;
}
END_TEST

START_TEST(sleeper_state_off)
{
	struct sim_task *t = world_find_task(w, t2);

	t->state = TASK_WOKEN;
	expect_violation("run queue");
	t->state = TASK_SLEEPING;
	expect_ok();
}
END_TEST

START_TEST(ep_wq_entry_not_a_sleeper)
{
	struct wait_queue_entry bogus;

	init_waitqueue_func_entry(&bogus, default_wake_function);
	bogus.private = &bogus;
	__add_wait_queue_exclusive(&epp->wq, &bogus);
	expect_violation("ep->wq");
	list_del_init(&bogus.entry);
	expect_ok();
}
END_TEST

START_TEST(tfile_check_list_left_over)
{
	struct file *f = file_of(e1);

	list_add(&f->f_tfile_llink, &w->tfile_check_list);
	expect_violation("tfile_check_list");
	list_del_init(&f->f_tfile_llink);
	expect_ok();
}
END_TEST

START_TEST(timers_unsorted)
{
	struct sim_timer a, b;

	sim_timer_init(&a, NULL);
	sim_timer_init(&b, NULL);
	sim_timer_start(w, &a, 100);
	sim_timer_start(w, &b, 200);
	a.expires = 300;
	expect_violation("timer list");
	sim_timer_cancel(&a);
	sim_timer_cancel(&b);
	expect_ok();
}
END_TEST

START_TEST(fd_table_entry_bad_file)
{
	struct file *f = file_of(e2);
	long saved = f->f_count;

	f->f_count = 0;
	expect_violation("fd table");
	f->f_count = saved;
	expect_ok();
}
END_TEST

static Suite *check_suite(void)
{
	Suite *s = suite_create("world_check");
	TCase *tc = tcase_create("invariants");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, healthy_world_passes);
	tcase_add_test(tc, rb_root_red);
	tcase_add_test(tc, rb_order_broken);
	tcase_add_test(tc, rb_leftmost_stale);
	tcase_add_test(tc, rdllist_links_broken);
	tcase_add_test(tc, rdllist_entry_not_in_tree);
	tcase_add_test(tc, item_linked_off_the_ready_list);
	tcase_add_test(tc, ready_list_longer_than_the_tree);
	tcase_add_test(tc, ovflist_without_scan);
	tcase_add_test(tc, ovflist_cycle);
	tcase_add_test(tc, ep_refcount_off);
	tcase_add_test(tc, file_refcount_off);
	tcase_add_test(tc, parked_wait_reference_counted);
	tcase_add_test(tc, wait_entry_off_its_queue);
	tcase_add_test(tc, wait_entry_exclusive_flag);
	tcase_add_test(tc, wait_queue_links_broken);
	tcase_add_test(tc, item_mask_lacks_err_hup);
	tcase_add_test(tc, f_ep_list_broken);
	tcase_add_test(tc, user_watch_count_off);
	tcase_add_test(tc, sleeper_state_off);
	tcase_add_test(tc, ep_wq_entry_not_a_sleeper);
	tcase_add_test(tc, tfile_check_list_left_over);
	tcase_add_test(tc, timers_unsorted);
	tcase_add_test(tc, fd_table_entry_bad_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(check_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
