/* Unit tests for model/pipe.c: readiness masks and the exact wake-ups (check framework). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>

#include "file.h"
#include "model.h"
#include "world.h"

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

static ssize_t do_write(struct file *f, size_t len)
{
	struct sim_io io = { .len = len, .value = 0 };

	return f->f_op->write(f, &io);
}

static ssize_t do_read(struct file *f, size_t len)
{
	struct sim_io io = { .len = len, .value = 0 };

	return f->f_op->read(f, &io);
}

/* ---- fixture ------------------------------------------------------------ */

static struct world *w;
static struct file *p[2];

static void setup(void)
{
	w = world_create(NULL);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(pipe_create(w, O_NONBLOCK, p), 0);
}

static void teardown(void)
{
	if (p[0])
		fput(p[0]);
	if (p[1])
		fput(p[1]);
	p[0] = p[1] = NULL;
	world_destroy(w);
}

static void close_end(int i)
{
	fput(p[i]);
	p[i] = NULL;
}

/* Fill with writes of `chunk` bytes until EAGAIN; returns the bytes accepted. */
static size_t fill(size_t chunk)
{
	size_t total = 0;
	ssize_t n;

	while ((n = do_write(p[1], chunk)) > 0)
		total += (size_t)n;
	ck_assert_int_eq(n, -EAGAIN);
	return total;
}

#define IN_BITS (EPOLLIN | EPOLLRDNORM)
#define OUT_BITS (EPOLLOUT | EPOLLWRNORM)

/* ---- creation ----------------------------------------------------------- */

START_TEST(test_pipe_create_files)
{
	ck_assert_int_eq(p[0]->f_flags & O_ACCMODE, O_RDONLY);
	ck_assert_int_eq(p[1]->f_flags & O_ACCMODE, O_WRONLY);
	ck_assert(p[0]->f_flags & O_NONBLOCK);
	ck_assert(p[1]->f_flags & O_NONBLOCK);
	ck_assert(file_is_pipe(p[0]) && file_is_pipe(p[1]));
	ck_assert_str_eq(p[0]->f_op->name, "pipe");
	ck_assert_ptr_ne(p[0]->f_op->wait_queue(p[0], 0), p[1]->f_op->wait_queue(p[1], 1));
}
END_TEST

START_TEST(test_pipe_create_bad_flags)
{
	struct file *q[2];

	ck_assert_int_eq(pipe_create(w, O_APPEND, q), -EINVAL);
	ck_assert_int_eq(pipe_create(w, O_CLOEXEC, q), 0);
	ck_assert(!(q[0]->f_flags & O_NONBLOCK));
	fput(q[0]);
	fput(q[1]);
}
END_TEST

START_TEST(test_pipe_fault_injection)
{
	struct file *q[2];
	long n;

	for (n = 1; n < 20; n++) {
		struct world *fw = world_create(NULL);
		int rc;

		fw->alloc_fail_at = fw->alloc_count + n;
		rc = pipe_create(fw, 0, q);
		if (rc == 0) {
			fput(q[0]);
			fput(q[1]);
			world_destroy(fw);
			break;
		}
		ck_assert_int_eq(rc, -ENOMEM);
		world_destroy(fw);
	}
	ck_assert_int_eq(n, 5);	/* pipe info, ring, two files: the 5th attempt succeeds */
}
END_TEST

/* ---- poll masks --------------------------------------------------------- */

START_TEST(test_pipe_poll_masks)
{
	struct rec r, wr;

	ck_assert_uint_eq(rec_attach(&r, p[0], ~0u), 0);
	ck_assert_uint_eq(rec_attach(&wr, p[1], ~0u), OUT_BITS);
	ck_assert_int_eq(r.nheads, 1);
	ck_assert_int_eq(wr.nheads, 1);
	ck_assert_ptr_ne(r.whead, wr.whead);
	ck_assert_int_eq(do_write(p[1], 1), 1);
	ck_assert_uint_eq(repoll(p[0]), IN_BITS);
	ck_assert_uint_eq(repoll(p[1]), OUT_BITS);
	fill(4096);
	ck_assert_uint_eq(repoll(p[1]), 0);
	ck_assert_uint_eq(repoll(p[0]), IN_BITS);
	rec_detach(&r);
	rec_detach(&wr);
}
END_TEST

START_TEST(test_pipe_poll_writer_gone)
{
	ck_assert_int_eq(do_write(p[1], 5), 5);
	close_end(1);
	ck_assert_uint_eq(repoll(p[0]), IN_BITS | EPOLLHUP);
	ck_assert_int_eq(do_read(p[0], 100), 5);
	ck_assert_uint_eq(repoll(p[0]), EPOLLHUP);
	ck_assert_int_eq(do_read(p[0], 100), 0);	/* EOF */
}
END_TEST

START_TEST(test_pipe_poll_reader_gone)
{
	close_end(0);
	ck_assert_uint_eq(repoll(p[1]), OUT_BITS | EPOLLERR);
	ck_assert_int_eq(do_write(p[1], 1), -EPIPE);
}
END_TEST

/* ---- capacity ----------------------------------------------------------- */

START_TEST(test_pipe_fill_1byte)
{
	size_t i;

	for (i = 1; i <= 65536; i++) {
		ck_assert_int_eq(do_write(p[1], 1), 1);
		/* POLLOUT goes when the 16th slot is taken: byte 15 * 4096 + 1. */
		if (i == 61440)
			ck_assert_uint_eq(repoll(p[1]), OUT_BITS);
		if (i == 61441)
			ck_assert_uint_eq(repoll(p[1]), 0);
	}
	ck_assert_int_eq(do_write(p[1], 1), -EAGAIN);
	ck_assert_int_eq(pipe_fionread(p[0]), 65536);
}
END_TEST

START_TEST(test_pipe_fill_4096)
{
	ck_assert_uint_eq(fill(4096), 65536);
	ck_assert_int_eq(do_write(p[1], 1), -EAGAIN);
}
END_TEST

START_TEST(test_pipe_fill_4097)
{
	int i;

	for (i = 0; i < 10; i++)
		ck_assert_int_eq(do_write(p[1], 4097), 4097);
	ck_assert_int_eq(do_write(p[1], 4097), 4096);	/* partial write */
	ck_assert_int_eq(do_write(p[1], 4097), -EAGAIN);
	ck_assert_int_eq(do_write(p[1], 1), -EAGAIN);
	ck_assert_int_eq(pipe_fionread(p[0]), 45066);
	ck_assert_uint_eq(repoll(p[1]), 0);
}
END_TEST

START_TEST(test_pipe_merge_rule)
{
	/* 1 byte, then 4097: the odd byte merges, the page takes a new slot. */
	ck_assert_int_eq(do_write(p[1], 1), 1);
	ck_assert_int_eq(do_write(p[1], 4097), 4097);
	/* Two slots used: 14 more pages fit. */
	ck_assert_uint_eq(fill(4096), 14 * 4096);
	ck_assert_int_eq(pipe_fionread(p[0]), 2 + 15 * 4096);
}
END_TEST

START_TEST(test_pipe_no_merge_into_empty)
{
	/* 3 bytes into an empty pipe, read them: the slot is freed, no merge target. */
	ck_assert_int_eq(do_write(p[1], 3), 3);
	ck_assert_int_eq(do_read(p[0], 3), 3);
	ck_assert_uint_eq(fill(4096), 65536);
}
END_TEST

START_TEST(test_pipe_big_write)
{
	/* One write larger than the pipe: 16 pages go in, the rest is refused. */
	ck_assert_int_eq(do_write(p[1], 100000), 65536);
	ck_assert_int_eq(do_write(p[1], 100000), -EAGAIN);
	ck_assert_int_eq(do_read(p[0], 100000), 65536);
	ck_assert_int_eq(do_read(p[0], 1), -EAGAIN);
}
END_TEST

/* ---- write wake-ups ----------------------------------------------------- */

START_TEST(test_pipe_write_wakes_reader)
{
	struct rec r, wr;

	rec_attach(&r, p[0], EPOLLIN);
	rec_attach(&wr, p[1], EPOLLOUT);
	ck_assert_int_eq(do_write(p[1], 10), 10);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(r.key[0], IN_BITS);
	ck_assert_int_eq(r.flags[0], WF_SYNC);
	/* Not empty any more, but the pipe was polled: every write wakes. */
	ck_assert_int_eq(do_write(p[1], 10), 10);
	ck_assert_int_eq(r.n, 2);
	ck_assert_uint_eq(r.key[1], IN_BITS);
	ck_assert_int_eq(wr.n, 0);	/* writes never wake the writer side */
	rec_detach(&r);
	rec_detach(&wr);
}
END_TEST

START_TEST(test_pipe_write_unpolled_wakes_only_when_empty)
{
	struct rec r;

	/* Queue on rd_wait without ->poll, so poll_usage stays clear. */
	rec_attach_queue(&r, p[0]->f_op->wait_queue(p[0], 0), false);
	ck_assert_int_eq(do_write(p[1], 1), 1);
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(do_write(p[1], 1), 1);
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(do_read(p[0], 2), 2);
	ck_assert_int_eq(do_write(p[1], 1), 1);
	ck_assert_int_eq(r.n, 2);
	/* A poll of either end switches on the every-write wake. */
	repoll(p[1]);
	ck_assert_int_eq(do_write(p[1], 1), 1);
	ck_assert_int_eq(r.n, 3);
	rec_detach(&r);
}
END_TEST

START_TEST(test_pipe_write_wake_budget_one)
{
	struct rec a, b;
	struct wait_queue_head *rd = p[0]->f_op->wait_queue(p[0], 0);

	repoll(p[0]);
	rec_attach_queue(&a, rd, true);
	rec_attach_queue(&b, rd, true);
	ck_assert_int_eq(do_write(p[1], 1), 1);
	ck_assert_int_eq(a.n, 1);
	ck_assert_int_eq(b.n, 0);	/* nr_exclusive 1 */
	rec_detach(&a);
	rec_detach(&b);
}
END_TEST

START_TEST(test_pipe_eagain_write_wakes_reader)
{
	struct rec r;

	rec_attach(&r, p[0], EPOLLIN);
	fill(4096);
	rec_clear(&r);
	ck_assert_int_eq(do_write(p[1], 1), -EAGAIN);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(r.key[0], IN_BITS);
	ck_assert_int_eq(r.flags[0], WF_SYNC);
	rec_detach(&r);
}
END_TEST

START_TEST(test_pipe_zero_write_no_wake)
{
	struct rec r;

	rec_attach(&r, p[0], EPOLLIN);
	ck_assert_int_eq(do_write(p[1], 0), 0);
	ck_assert_int_eq(r.n, 0);
	fill(4096);
	rec_clear(&r);
	ck_assert_int_eq(do_write(p[1], 0), 0);
	ck_assert_int_eq(r.n, 0);
	rec_detach(&r);
}
END_TEST

START_TEST(test_pipe_epipe_write_wakes_when_polled)
{
	struct rec r;
	struct wait_queue_head *rd = p[0]->f_op->wait_queue(p[0], 0);

	repoll(p[1]);
	close_end(0);
	rec_attach_queue(&r, rd, false);
	ck_assert_int_eq(do_write(p[1], 1), -EPIPE);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(r.key[0], IN_BITS);
	rec_detach(&r);
}
END_TEST

/* ---- read wake-ups ------------------------------------------------------ */

START_TEST(test_pipe_read_from_full)
{
	struct rec wr, r;

	rec_attach(&wr, p[1], EPOLLOUT);
	rec_attach(&r, p[0], EPOLLIN);
	fill(4096);
	rec_clear(&r);
	/* 6.18: a read that frees no slot does not wake the writer. */
	ck_assert_int_eq(do_read(p[0], 1), 1);
	ck_assert_int_eq(wr.n, 0);
	ck_assert_uint_eq(repoll(p[1]), 0);
	/* The rest of that page frees the slot of a full pipe: one sync OUT wake. */
	ck_assert_int_eq(do_read(p[0], 4095), 4095);
	ck_assert_int_eq(wr.n, 1);
	ck_assert_uint_eq(wr.key[0], OUT_BITS);
	ck_assert_int_eq(wr.flags[0], WF_SYNC);
	ck_assert_uint_eq(repoll(p[1]), OUT_BITS);
	ck_assert_int_eq(r.n, 0);	/* reads never wake readers (non-blocking) */
	/* Refill the slot, then a whole-page read wakes again (A.10). */
	ck_assert_int_eq(do_write(p[1], 4096), 4096);
	ck_assert_uint_eq(repoll(p[1]), 0);
	ck_assert_int_eq(do_read(p[0], 4096), 4096);
	ck_assert_int_eq(wr.n, 2);
	rec_detach(&wr);
	rec_detach(&r);
}
END_TEST

START_TEST(test_pipe_read_many_slots_one_wake)
{
	struct rec wr;

	rec_attach(&wr, p[1], EPOLLOUT);
	fill(4096);
	ck_assert_int_eq(do_read(p[0], 3 * 4096), 3 * 4096);
	ck_assert_int_eq(wr.n, 1);
	/* No longer full at the start: no wake. */
	ck_assert_int_eq(do_read(p[0], 4096), 4096);
	ck_assert_int_eq(wr.n, 1);
	rec_detach(&wr);
}
END_TEST

START_TEST(test_pipe_read_nonfull_no_wake)
{
	struct rec wr;

	rec_attach(&wr, p[1], EPOLLOUT);
	ck_assert_int_eq(do_write(p[1], 4096 * 3), 4096 * 3);
	ck_assert_int_eq(do_read(p[0], 4096), 4096);
	ck_assert_int_eq(do_read(p[0], 100000), 8192);
	ck_assert_int_eq(wr.n, 0);
	rec_detach(&wr);
}
END_TEST

START_TEST(test_pipe_read_eagain_no_wake)
{
	struct rec wr, r;

	rec_attach(&wr, p[1], EPOLLOUT);
	rec_attach(&r, p[0], EPOLLIN);
	ck_assert_int_eq(do_read(p[0], 1), -EAGAIN);
	ck_assert_int_eq(do_read(p[0], 0), 0);
	ck_assert_int_eq(wr.n + r.n, 0);
	rec_detach(&wr);
	rec_detach(&r);
}
END_TEST

START_TEST(test_pipe_read_partial_slot_keeps_data)
{
	ck_assert_int_eq(do_write(p[1], 10), 10);
	ck_assert_int_eq(do_read(p[0], 4), 4);
	ck_assert_uint_eq(repoll(p[0]), IN_BITS);
	ck_assert_int_eq(pipe_fionread(p[0]), 6);
	/* Writes still merge behind the partly read buffer. */
	ck_assert_int_eq(do_write(p[1], 5), 5);
	ck_assert_int_eq(do_read(p[0], 100), 11);
	ck_assert_int_eq(do_read(p[0], 100), -EAGAIN);
}
END_TEST

/* ---- release ------------------------------------------------------------ */

START_TEST(test_pipe_release_writer_wakes_both)
{
	struct rec r, a, b;
	struct wait_queue_head *wq = p[1]->f_op->wait_queue(p[1], 1);

	rec_attach(&r, p[0], EPOLLIN);
	rec_attach_queue(&a, wq, true);
	rec_attach_queue(&b, wq, true);
	ck_assert_int_eq(do_write(p[1], 3), 3);
	rec_clear(&r);
	close_end(1);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(r.key[0], 0);		/* NULL key */
	ck_assert_int_eq(r.flags[0], 0);	/* not sync */
	/* wr_wait is woken too, and without an exclusive limit. */
	ck_assert_int_eq(a.n, 1);
	ck_assert_int_eq(b.n, 1);
	ck_assert_uint_eq(a.key[0], 0);
	ck_assert_uint_eq(repoll(p[0]), IN_BITS | EPOLLHUP);	/* 0x11 after masking */
	rec_detach(&r);
	rec_detach(&a);
	rec_detach(&b);
}
END_TEST

START_TEST(test_pipe_release_reader_wakes_both)
{
	struct rec wr, a;

	rec_attach(&wr, p[1], EPOLLOUT);
	rec_attach_queue(&a, p[0]->f_op->wait_queue(p[0], 0), false);
	close_end(0);
	ck_assert_int_eq(wr.n, 1);
	ck_assert_uint_eq(wr.key[0], 0);
	ck_assert_int_eq(a.n, 1);
	ck_assert_uint_eq(repoll(p[1]), EPOLLERR | OUT_BITS);	/* 0xc after masking */
	rec_detach(&wr);
	rec_detach(&a);
}
END_TEST

/* ---- packet mode -------------------------------------------------------- */

START_TEST(test_pipe_packet_mode)
{
	struct file *q[2];

	ck_assert_int_eq(pipe_create(w, O_NONBLOCK | O_DIRECT, q), 0);
	ck_assert(q[1]->f_flags & O_DIRECT);
	ck_assert(!(q[0]->f_flags & O_DIRECT));
	/* Packets never merge: 16 one-byte writes fill the ring. */
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(do_write(q[1], 1), 1);
	ck_assert_int_eq(do_write(q[1], 1), -EAGAIN);
	/* A read returns one packet, however large the buffer. */
	ck_assert_int_eq(do_read(q[0], 100), 1);
	ck_assert_int_eq(pipe_fionread(q[0]), 15);
	fput(q[0]);
	fput(q[1]);
}
END_TEST

/* ---- golden trace A.10 -------------------------------------------------- */

START_TEST(test_pipe_trace_a10_read_end)
{
	struct rec r;

	ck_assert_uint_eq(rec_attach(&r, p[0], EPOLLIN | EPOLLET), 0);
	ck_assert_int_eq(do_write(p[1], 1), 1);
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(do_write(p[1], 1), 1);
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(do_read(p[0], 1), 1);
	ck_assert_int_eq(r.n, 2);
	close_end(1);
	ck_assert_int_eq(r.n, 3);
	ck_assert_uint_eq(repoll(p[0]) & (EPOLLIN | EPOLLHUP), 0x11);
	rec_detach(&r);
}
END_TEST

static Suite *pipe_suite(void)
{
	Suite *s = suite_create("pipe");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pipe_create_files);
	tcase_add_test(tc, test_pipe_create_bad_flags);
	tcase_add_test(tc, test_pipe_fault_injection);
	tcase_add_test(tc, test_pipe_poll_masks);
	tcase_add_test(tc, test_pipe_poll_writer_gone);
	tcase_add_test(tc, test_pipe_poll_reader_gone);
	tcase_add_test(tc, test_pipe_fill_1byte);
	tcase_add_test(tc, test_pipe_fill_4096);
	tcase_add_test(tc, test_pipe_fill_4097);
	tcase_add_test(tc, test_pipe_merge_rule);
	tcase_add_test(tc, test_pipe_no_merge_into_empty);
	tcase_add_test(tc, test_pipe_big_write);
	tcase_add_test(tc, test_pipe_write_wakes_reader);
	tcase_add_test(tc, test_pipe_write_unpolled_wakes_only_when_empty);
	tcase_add_test(tc, test_pipe_write_wake_budget_one);
	tcase_add_test(tc, test_pipe_eagain_write_wakes_reader);
	tcase_add_test(tc, test_pipe_zero_write_no_wake);
	tcase_add_test(tc, test_pipe_epipe_write_wakes_when_polled);
	tcase_add_test(tc, test_pipe_read_from_full);
	tcase_add_test(tc, test_pipe_read_many_slots_one_wake);
	tcase_add_test(tc, test_pipe_read_nonfull_no_wake);
	tcase_add_test(tc, test_pipe_read_eagain_no_wake);
	tcase_add_test(tc, test_pipe_read_partial_slot_keeps_data);
	tcase_add_test(tc, test_pipe_release_writer_wakes_both);
	tcase_add_test(tc, test_pipe_release_reader_wakes_both);
	tcase_add_test(tc, test_pipe_packet_mode);
	tcase_add_test(tc, test_pipe_trace_a10_read_end);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pipe_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
