/* Wait queues: insertion order of add_wait_queue*, and the exclusive budget of __wake_up. */
#include <check.h>
#include <stdlib.h>
#include "wait.h"

struct rec {
	struct wait_queue_entry wq;
	int id;
	int ret;	/* what the callback returns */
	int *log;
	int *nlog;
	void *key;
	int flags;
};

static int rec_func(struct wait_queue_entry *e, unsigned mode, int flags, void *key)
{
	struct rec *r = container_of(e, struct rec, wq);

	(void)mode;
	r->log[(*r->nlog)++] = r->id;
	r->key = key;
	r->flags = flags;
	return r->ret;
}

static void rec_init(struct rec *r, int id, int ret, int *log, int *nlog)
{
	init_waitqueue_func_entry(&r->wq, rec_func);
	r->id = id;
	r->ret = ret;
	r->log = log;
	r->nlog = nlog;
}

START_TEST(add_wait_queue_is_lifo_at_head)
{
	struct wait_queue_head h;
	struct rec r[3];
	int log[8], n = 0;

	init_waitqueue_head(&h);
	for (int i = 0; i < 3; i++) {
		rec_init(&r[i], i + 1, 1, log, &n);
		add_wait_queue(&h, &r[i].wq);
		ck_assert(!(r[i].wq.flags & WQ_FLAG_EXCLUSIVE));
	}
	wake_up_all(&h);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(log[0], 3);
	ck_assert_int_eq(log[1], 2);
	ck_assert_int_eq(log[2], 1);
}
END_TEST

START_TEST(add_wait_queue_exclusive_is_fifo_at_tail)
{
	struct wait_queue_head h;
	struct rec r[3];
	int log[8], n = 0;

	init_waitqueue_head(&h);
	for (int i = 0; i < 3; i++) {
		rec_init(&r[i], i + 1, 0, log, &n);
		add_wait_queue_exclusive(&h, &r[i].wq);
		ck_assert(r[i].wq.flags & WQ_FLAG_EXCLUSIVE);
	}
	wake_up(&h); /* every callback returns 0: nobody uses the budget */
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(log[0], 1);
	ck_assert_int_eq(log[2], 3);
}
END_TEST

START_TEST(dunder_add_exclusive_inserts_at_head)
{
	struct wait_queue_head h;
	struct rec r[3];
	int log[8], n = 0;

	init_waitqueue_head(&h);
	for (int i = 0; i < 3; i++) {
		rec_init(&r[i], i + 1, 1, log, &n);
		__add_wait_queue_exclusive(&h, &r[i].wq);
	}
	wake_up(&h); /* one exclusive wake: the newest sleeper */
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(log[0], 3);
}
END_TEST

START_TEST(non_exclusive_entries_never_use_the_budget)
{
	struct wait_queue_head h;
	struct rec a, b, x1, x2;
	int log[8], n = 0;

	init_waitqueue_head(&h);
	rec_init(&x1, 10, 1, log, &n);
	rec_init(&x2, 11, 1, log, &n);
	rec_init(&a, 1, 1, log, &n);
	rec_init(&b, 2, 1, log, &n);
	add_wait_queue_exclusive(&h, &x1.wq);
	add_wait_queue_exclusive(&h, &x2.wq);
	add_wait_queue(&h, &a.wq);
	add_wait_queue(&h, &b.wq);
	ck_assert_int_eq(wake_up_poll(&h, 0x1), 0);
	ck_assert_int_eq(n, 3); /* b, a, then x1 uses the one exclusive wake */
	ck_assert_int_eq(log[0], 2);
	ck_assert_int_eq(log[1], 1);
	ck_assert_int_eq(log[2], 10);
	ck_assert_ptr_eq(x1.key, poll_to_key(0x1));
}
END_TEST

START_TEST(exclusive_entry_returning_zero_passes_the_wake_on)
{
	struct wait_queue_head h;
	struct rec x1, x2, x3;
	int log[8], n = 0;

	init_waitqueue_head(&h);
	rec_init(&x1, 1, 0, log, &n);
	rec_init(&x2, 2, 1, log, &n);
	rec_init(&x3, 3, 1, log, &n);
	add_wait_queue_exclusive(&h, &x1.wq);
	add_wait_queue_exclusive(&h, &x2.wq);
	add_wait_queue_exclusive(&h, &x3.wq);
	wake_up(&h);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(log[1], 2);
}
END_TEST

START_TEST(negative_return_stops_the_walk)
{
	struct wait_queue_head h;
	struct rec a, b;
	int log[8], n = 0;

	init_waitqueue_head(&h);
	rec_init(&a, 1, 1, log, &n);
	rec_init(&b, 2, -1, log, &n);
	add_wait_queue(&h, &a.wq);
	add_wait_queue(&h, &b.wq);
	wake_up_all(&h);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(log[0], 2);
}
END_TEST

START_TEST(sync_flag_and_null_key_reach_the_callback)
{
	struct wait_queue_head h;
	struct rec a;
	int log[8], n = 0;

	init_waitqueue_head(&h);
	rec_init(&a, 1, 1, log, &n);
	add_wait_queue(&h, &a.wq);
	wake_up_interruptible_sync_poll(&h, 0x4);
	ck_assert_int_eq(a.flags & WF_SYNC, WF_SYNC);
	ck_assert_uint_eq(key_to_poll(a.key), 0x4);
	wake_up_interruptible_all(&h);
	ck_assert_ptr_null(a.key);
	ck_assert_int_eq(a.flags & WF_SYNC, 0);
}
END_TEST

START_TEST(remove_and_active)
{
	struct wait_queue_head h;
	struct rec a;
	int log[8], n = 0;

	init_waitqueue_head(&h);
	ck_assert(!waitqueue_active(&h));
	rec_init(&a, 1, 1, log, &n);
	add_wait_queue(&h, &a.wq);
	ck_assert(waitqueue_active(&h));
	remove_wait_queue(&h, &a.wq);
	ck_assert(!waitqueue_active(&h));
	wake_up_all(&h);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(priority_entries_stay_in_front)
{
	struct wait_queue_head h;
	struct rec p, a;
	int log[8], n = 0;

	init_waitqueue_head(&h);
	rec_init(&p, 9, 1, log, &n);
	rec_init(&a, 1, 1, log, &n);
	p.wq.flags = WQ_FLAG_PRIORITY;
	list_add(&p.wq.entry, &h.head);
	add_wait_queue(&h, &a.wq);
	wake_up_all(&h);
	ck_assert_int_eq(log[0], 9);
	ck_assert_int_eq(log[1], 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wait");
	TCase *tc = tcase_create("order_and_budget");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, add_wait_queue_is_lifo_at_head);
	tcase_add_test(tc, add_wait_queue_exclusive_is_fifo_at_tail);
	tcase_add_test(tc, dunder_add_exclusive_inserts_at_head);
	tcase_add_test(tc, non_exclusive_entries_never_use_the_budget);
	tcase_add_test(tc, exclusive_entry_returning_zero_passes_the_wake_on);
	tcase_add_test(tc, negative_return_stops_the_walk);
	tcase_add_test(tc, sync_flag_and_null_key_reach_the_callback);
	tcase_add_test(tc, remove_and_active);
	tcase_add_test(tc, priority_entries_stay_in_front);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
