/* Unit tests for model/eventfd.c: counter limits, masks and the exact wake-ups (check framework). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>

#include "file.h"
#include "model.h"
#include "world.h"

#define EFD_SEMAPHORE 1

/* ---- a wait-queue entry that records every wake-up it receives ---------- */

#define MAX_CALLS 64

struct rec {
	poll_table pt;
	struct wait_queue_entry wait;
	struct wait_queue_head *whead;
	int nheads;			/* queues the file asked us to wait on */
	bool exclusive;			/* queue with add_wait_queue_exclusive */
	int n;				/* wake-ups received */
	__poll_t key[MAX_CALLS];
	int flags[MAX_CALLS];
};

static int rec_func(struct wait_queue_entry *e, unsigned mode, int flags, void *key)
{
	struct rec *r = container_of(e, struct rec, wait);

	(void)mode;
	if (r->n < MAX_CALLS) {
		r->key[r->n] = key_to_poll(key);
		r->flags[r->n] = flags;
	}
	r->n++;
	return 1;
}

static void rec_qproc(struct file *f, struct wait_queue_head *wh, poll_table *pt)
{
	struct rec *r = container_of(pt, struct rec, pt);

	(void)f;
	r->nheads++;
	ck_assert_int_eq(r->nheads, 1);
	r->whead = wh;
	if (r->exclusive)
		add_wait_queue_exclusive(wh, &r->wait);
	else
		add_wait_queue(wh, &r->wait);
}

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	init_poll_funcptr(&r->pt, rec_qproc);
	init_waitqueue_func_entry(&r->wait, rec_func);
}

/* Register r on f's queue the way epoll's ADD does; returns the poll mask. */
static __poll_t rec_attach(struct rec *r, struct file *f, __poll_t events)
{
	rec_init(r);
	r->pt._key = events;
	return vfs_poll(f, &r->pt);
}

/* Put r straight on a queue, without calling ->poll. */
static void rec_attach_queue(struct rec *r, struct wait_queue_head *wh, bool exclusive)
{
	rec_init(r);
	r->exclusive = exclusive;
	rec_qproc(NULL, wh, &r->pt);
}

static void rec_detach(struct rec *r)
{
	if (r->whead)
		remove_wait_queue(r->whead, &r->wait);
	r->whead = NULL;
}

static void rec_clear(struct rec *r)
{
	r->n = 0;
}

/* A re-poll: no queueing, all events of interest. */
static __poll_t repoll(struct file *f)
{
	poll_table pt = { ._qproc = NULL, ._key = ~(__poll_t)0 };

	return vfs_poll(f, &pt);
}

static ssize_t efd_write(struct file *f, uint64_t value)
{
	struct sim_io io = { .len = 8, .value = value };

	return f->f_op->write(f, &io);
}

/* Read 8 bytes; the value lands in *value. */
static ssize_t efd_read(struct file *f, uint64_t *value)
{
	struct sim_io io = { .len = 8, .value = 0xdeadbeef };
	ssize_t n = f->f_op->read(f, &io);

	*value = io.value;
	return n;
}

/* ---- fixture ------------------------------------------------------------ */

static struct world *w;
static struct file *e;

static void setup(void)
{
	w = world_create(NULL);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(eventfd_create(w, 0, O_NONBLOCK, &e), 0);
}

static void teardown(void)
{
	if (e)
		fput(e);
	e = NULL;
	world_destroy(w);
}

/* ---- creation ----------------------------------------------------------- */

START_TEST(test_eventfd_create)
{
	struct file *f;

	ck_assert(file_is_eventfd(e));
	ck_assert(!file_is_eventfd(NULL));
	ck_assert_str_eq(e->f_op->name, "eventfd");
	ck_assert_int_eq(e->f_flags & O_ACCMODE, O_RDWR);
	ck_assert(e->f_flags & O_NONBLOCK);
	ck_assert_int_eq(eventfd_create(w, 5, EFD_SEMAPHORE | O_CLOEXEC, &f), 0);
	ck_assert(!(f->f_flags & O_NONBLOCK));
	ck_assert_uint_eq(eventfd_count(f), 5);
	fput(f);
	ck_assert_int_eq(eventfd_create(w, 0, 2, &f), -EINVAL);
	ck_assert_int_eq(eventfd_create(w, 0, O_APPEND, &f), -EINVAL);
}
END_TEST

START_TEST(test_eventfd_fault_injection)
{
	struct file *f;
	long n;

	for (n = 1; n < 20; n++) {
		struct world *fw = world_create(NULL);
		int rc;

		fw->alloc_fail_at = fw->alloc_count + n;
		rc = eventfd_create(fw, 0, 0, &f);
		if (rc == 0) {
			fput(f);
			world_destroy(fw);
			break;
		}
		ck_assert_int_eq(rc, -ENOMEM);
		world_destroy(fw);
	}
	ck_assert_int_eq(n, 3);	/* context, file: the 3rd attempt succeeds */
}
END_TEST

/* ---- masks and limits --------------------------------------------------- */

START_TEST(test_eventfd_masks)
{
	struct rec r;

	ck_assert_uint_eq(rec_attach(&r, e, ~0u), EPOLLOUT);
	ck_assert_int_eq(r.nheads, 1);
	ck_assert_int_eq(efd_write(e, 3), 8);
	ck_assert_uint_eq(repoll(e), EPOLLIN | EPOLLOUT);
	rec_detach(&r);
}
END_TEST

START_TEST(test_eventfd_limits)
{
	uint64_t v;

	ck_assert_int_eq(efd_write(e, UINT64_MAX - 1), 8);
	ck_assert_uint_eq(repoll(e), EPOLLIN);
	ck_assert_int_eq(efd_write(e, 1), -EAGAIN);
	ck_assert_int_eq(efd_write(e, 0), 8);	/* 0 still fits */
	ck_assert_int_eq(efd_write(e, UINT64_MAX), -EINVAL);
	ck_assert_int_eq(efd_read(e, &v), 8);
	ck_assert_uint_eq(v, UINT64_MAX - 1);
	ck_assert_uint_eq(repoll(e), EPOLLOUT);
	ck_assert_int_eq(efd_write(e, UINT64_MAX - 2), 8);
	ck_assert_uint_eq(repoll(e), EPOLLIN | EPOLLOUT);
}
END_TEST

START_TEST(test_eventfd_err_at_ullong_max)
{
	struct file *f;

	/* Only eventfd_signal can saturate; a created count stands in for it. */
	ck_assert_int_eq(eventfd_create(w, UINT64_MAX, 0, &f), 0);
	ck_assert_uint_eq(repoll(f), EPOLLIN | EPOLLERR);
	fput(f);
}
END_TEST

START_TEST(test_eventfd_sizes)
{
	struct sim_io io = { .len = 7, .value = 1 };

	ck_assert_int_eq(e->f_op->write(e, &io), -EINVAL);
	io.len = 9;
	ck_assert_int_eq(e->f_op->write(e, &io), -EINVAL);
	io.len = 8;
	ck_assert_int_eq(e->f_op->write(e, &io), 8);
	io.len = 7;
	ck_assert_int_eq(e->f_op->read(e, &io), -EINVAL);
	io.len = 16;
	io.value = 0;
	ck_assert_int_eq(e->f_op->read(e, &io), 8);
	ck_assert_uint_eq(io.value, 1);
}
END_TEST

/* ---- wake-ups ----------------------------------------------------------- */

START_TEST(test_eventfd_write_wakes_in)
{
	struct rec r;

	rec_attach(&r, e, EPOLLIN | EPOLLOUT);
	ck_assert_int_eq(efd_write(e, 1), 8);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(r.key[0], EPOLLIN);
	ck_assert_int_eq(r.flags[0], 0);	/* not sync */
	ck_assert_int_eq(efd_write(e, 0), 8);	/* a write of 0 wakes too */
	ck_assert_int_eq(r.n, 2);
	ck_assert_uint_eq(r.key[1], EPOLLIN);
	rec_detach(&r);
}
END_TEST

START_TEST(test_eventfd_eagain_write_no_wake)
{
	struct rec r;

	rec_attach(&r, e, EPOLLIN);
	ck_assert_int_eq(efd_write(e, UINT64_MAX - 1), 8);
	ck_assert_int_eq(r.n, 1);
	rec_clear(&r);
	ck_assert_int_eq(efd_write(e, 1), -EAGAIN);
	ck_assert_int_eq(efd_write(e, UINT64_MAX), -EINVAL);
	ck_assert_int_eq(r.n, 0);
	rec_detach(&r);
}
END_TEST

START_TEST(test_eventfd_read_wakes_out)
{
	struct rec r;
	uint64_t v;

	ck_assert_int_eq(efd_write(e, 5), 8);
	rec_attach(&r, e, EPOLLOUT);
	ck_assert_int_eq(efd_read(e, &v), 8);
	ck_assert_uint_eq(v, 5);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(r.key[0], EPOLLOUT);
	ck_assert_int_eq(r.flags[0], 0);
	ck_assert_uint_eq(eventfd_count(e), 0);
	rec_detach(&r);
}
END_TEST

START_TEST(test_eventfd_eagain_read_no_wake)
{
	struct rec r;
	uint64_t v;

	rec_attach(&r, e, EPOLLIN | EPOLLOUT);
	ck_assert_int_eq(efd_read(e, &v), -EAGAIN);
	ck_assert_int_eq(r.n, 0);
	rec_detach(&r);
}
END_TEST

START_TEST(test_eventfd_semaphore)
{
	struct file *f;
	struct rec r;
	uint64_t v;

	ck_assert_int_eq(eventfd_create(w, 3, EFD_SEMAPHORE | O_NONBLOCK, &f), 0);
	rec_attach(&r, f, EPOLLOUT);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(efd_read(f, &v), 8);
		ck_assert_uint_eq(v, 1);
		ck_assert_int_eq(r.n, i + 1);
		ck_assert_uint_eq(r.key[i], EPOLLOUT);
	}
	ck_assert_uint_eq(repoll(f), EPOLLOUT);
	ck_assert_int_eq(efd_read(f, &v), -EAGAIN);
	ck_assert_int_eq(r.n, 3);
	rec_detach(&r);
	fput(f);
}
END_TEST

START_TEST(test_eventfd_wake_budget_one)
{
	struct rec a, b, plain;
	struct wait_queue_head *wq = e->f_op->wait_queue(e, 0);

	ck_assert_ptr_eq(wq, e->f_op->wait_queue(e, 1));
	rec_attach_queue(&a, wq, true);
	rec_attach_queue(&b, wq, true);
	rec_attach_queue(&plain, wq, false);
	ck_assert_int_eq(efd_write(e, 1), 8);
	/* Non-exclusive entries are always called; only one exclusive one is. */
	ck_assert_int_eq(plain.n, 1);
	ck_assert_int_eq(a.n, 1);
	ck_assert_int_eq(b.n, 0);
	rec_detach(&a);
	rec_detach(&b);
	rec_detach(&plain);
}
END_TEST

START_TEST(test_eventfd_release_wakes_hup)
{
	struct rec a, b;
	struct wait_queue_head *wq = e->f_op->wait_queue(e, 0);

	rec_attach_queue(&a, wq, true);
	rec_attach_queue(&b, wq, true);
	fput(e);
	e = NULL;
	/* The queue is gone with the context; what was recorded stays. */
	ck_assert_int_eq(a.n, 1);
	ck_assert_uint_eq(a.key[0], EPOLLHUP);
	ck_assert_int_eq(a.flags[0], 0);
	ck_assert_int_eq(b.n, 0);
}
END_TEST

/* ---- golden trace A.5 --------------------------------------------------- */

START_TEST(test_eventfd_trace_a5)
{
	struct rec r;
	uint64_t v;

	ck_assert_uint_eq(rec_attach(&r, e, EPOLLIN | EPOLLOUT | EPOLLET) & (EPOLLIN | EPOLLOUT), 0x4);
	ck_assert_int_eq(efd_write(e, 1), 8);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(repoll(e), 0x5);
	ck_assert_int_eq(efd_read(e, &v), 8);
	ck_assert_int_eq(r.n, 2);
	ck_assert_uint_eq(repoll(e), 0x4);
	ck_assert_int_eq(efd_read(e, &v), -EAGAIN);
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(efd_write(e, UINT64_MAX - 1), 8);
	ck_assert_int_eq(r.n, 3);
	ck_assert_uint_eq(repoll(e), 0x1);
	rec_detach(&r);
}
END_TEST

static Suite *eventfd_suite(void)
{
	Suite *s = suite_create("eventfd");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_eventfd_create);
	tcase_add_test(tc, test_eventfd_fault_injection);
	tcase_add_test(tc, test_eventfd_masks);
	tcase_add_test(tc, test_eventfd_limits);
	tcase_add_test(tc, test_eventfd_err_at_ullong_max);
	tcase_add_test(tc, test_eventfd_sizes);
	tcase_add_test(tc, test_eventfd_write_wakes_in);
	tcase_add_test(tc, test_eventfd_eagain_write_no_wake);
	tcase_add_test(tc, test_eventfd_read_wakes_out);
	tcase_add_test(tc, test_eventfd_eagain_read_no_wake);
	tcase_add_test(tc, test_eventfd_semaphore);
	tcase_add_test(tc, test_eventfd_wake_budget_one);
	tcase_add_test(tc, test_eventfd_release_wakes_hup);
	tcase_add_test(tc, test_eventfd_trace_a5);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(eventfd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
