/* Unit tests for model/unix.c: socketpair masks, truesize accounting and the exact wake-ups (check framework). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

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

/* What an epoll item registered for IN|OUT|RDHUP would report (ERR|HUP are implicit). */
static __poll_t ep_mask(struct file *f)
{
	return repoll(f) & (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLERR | EPOLLHUP);
}

static long do_shutdown(struct file *f, int how)
{
	return f->f_op->shutdown(f, how);
}

#define DATA_KEY (EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND)
#define SPACE_KEY (EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)

/* ---- fixture ------------------------------------------------------------ */

static struct world *w;
static struct file *s[2];

static void setup(void)
{
	w = world_create(NULL);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(unix_socketpair_create(w, SOCK_STREAM, O_NONBLOCK, s), 0);
}

static void teardown(void)
{
	if (s[0])
		fput(s[0]);
	if (s[1])
		fput(s[1]);
	s[0] = s[1] = NULL;
	world_destroy(w);
}

static void close_sock(int i)
{
	fput(s[i]);
	s[i] = NULL;
}

/* Replace the fixture's stream pair with a datagram pair. */
static void use_dgram(unsigned int flags)
{
	fput(s[0]);
	fput(s[1]);
	ck_assert_int_eq(unix_socketpair_create(w, SOCK_DGRAM, flags, s), 0);
}

/* ---- creation ----------------------------------------------------------- */

START_TEST(test_unix_create)
{
	struct file *q[2];

	ck_assert(file_is_unix_socket(s[0]) && file_is_unix_socket(s[1]));
	ck_assert_str_eq(s[0]->f_op->name, "unix_stream");
	ck_assert_int_eq(s[0]->f_flags & O_ACCMODE, O_RDWR);
	ck_assert(s[1]->f_flags & O_NONBLOCK);
	ck_assert(s[0]->f_op->shutdown != NULL);
	ck_assert_ptr_ne(s[0]->f_op->wait_queue(s[0], 0), s[1]->f_op->wait_queue(s[1], 0));
	ck_assert_int_eq(unix_socketpair_create(w, SOCK_SEQPACKET, 0, q), -ESOCKTNOSUPPORT);
	ck_assert_int_eq(unix_socketpair_create(w, SOCK_STREAM, O_APPEND, q), -EINVAL);
	ck_assert_int_eq(unix_socketpair_create(w, SOCK_DGRAM, O_CLOEXEC, q), 0);
	ck_assert_str_eq(q[0]->f_op->name, "unix_dgram");
	ck_assert(!(q[0]->f_flags & O_NONBLOCK));
	fput(q[0]);
	fput(q[1]);
}
END_TEST

START_TEST(test_unix_fault_injection)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM };

	for (int t = 0; t < 2; t++) {
		struct file *q[2];
		long n;

		for (n = 1; n < 20; n++) {
			struct world *fw = world_create(NULL);
			int rc;

			fw->alloc_fail_at = fw->alloc_count + n;
			rc = unix_socketpair_create(fw, types[t], 0, q);
			if (rc == 0) {
				fput(q[0]);
				fput(q[1]);
				world_destroy(fw);
				break;
			}
			ck_assert_int_eq(rc, -ENOMEM);
			world_destroy(fw);
		}
		ck_assert_int_eq(n, 5);	/* two socks, two files */
	}
}
END_TEST

START_TEST(test_unix_send_alloc_failure)
{
	struct rec r;

	rec_attach(&r, s[1], EPOLLIN);
	w->alloc_fail_at = w->alloc_count + 1;
	ck_assert_int_eq(do_write(s[0], 10), -ENOBUFS);
	ck_assert_int_eq(r.n, 0);
	ck_assert_int_eq(unix_outq_len(s[0]), 0);
	ck_assert_int_eq(do_write(s[0], 10), 10);
	rec_detach(&r);
}
END_TEST

/* ---- masks -------------------------------------------------------------- */

START_TEST(test_unix_stream_fresh_mask)
{
	struct rec r0, r1;

	ck_assert_uint_eq(rec_attach(&r0, s[0], ~0u), SPACE_KEY);
	ck_assert_uint_eq(rec_attach(&r1, s[1], ~0u), SPACE_KEY);
	ck_assert_int_eq(r0.nheads, 1);
	ck_assert_ptr_ne(r0.whead, r1.whead);
	ck_assert_int_eq(do_write(s[0], 1), 1);
	ck_assert_uint_eq(repoll(s[1]), EPOLLIN | EPOLLRDNORM | SPACE_KEY);
	ck_assert_uint_eq(repoll(s[0]), SPACE_KEY);
	rec_detach(&r0);
	rec_detach(&r1);
}
END_TEST

/* ---- truesize ----------------------------------------------------------- */

START_TEST(test_unix_truesize_formula)
{
	ck_assert_uint_eq(unix_skb_truesize(1, 0), 768);
	ck_assert_uint_eq(unix_skb_truesize(100, 0), 768);
	ck_assert_uint_eq(unix_skb_truesize(192, 0), 768);
	ck_assert_uint_eq(unix_skb_truesize(193, 0), 1280);
	ck_assert_uint_eq(unix_skb_truesize(200, 0), 1280);
	ck_assert_uint_eq(unix_skb_truesize(500, 0), 1280);
	ck_assert_uint_eq(unix_skb_truesize(1000, 0), 2304);
	ck_assert_uint_eq(unix_skb_truesize(2000, 0), 4352);
	ck_assert_uint_eq(unix_skb_truesize(3776, 0), 4352);
	ck_assert_uint_eq(unix_skb_truesize(0, 4096), 4864);
	ck_assert_uint_eq(unix_skb_truesize(0, 3777), 4864);
	ck_assert_uint_eq(unix_skb_truesize(3776, 32768), 37120);
}
END_TEST

START_TEST(test_unix_truesize_charged_per_write)
{
	static const size_t sizes[] = { 1, 100, 200, 500, 1000, 2000, 4096 };
	static const long truesize[] = { 768, 768, 1280, 1280, 2304, 4352, 4864 };

	for (int i = 0; i < 7; i++) {
		ck_assert_int_eq(do_write(s[0], sizes[i]), (ssize_t)sizes[i]);
		ck_assert_int_eq(unix_outq_len(s[0]), truesize[i]);
		ck_assert_int_eq(unix_inq_len(s[1]), (long)sizes[i]);
		ck_assert_int_eq(do_read(s[1], 8192), (ssize_t)sizes[i]);
		ck_assert_int_eq(unix_outq_len(s[0]), 0);
	}
}
END_TEST

/* The spec's table 8.3.2: POLLOUT goes after write N, EAGAIN after M writes. */
static const struct {
	size_t size;
	int pollout_off_after;
	int eagain_after;
} truesize_rows[] = {
	{ 1, 70, 278 },    { 50, 70, 278 },   { 100, 70, 278 },  { 200, 42, 167 },
	{ 500, 42, 167 },  { 1000, 24, 93 },  { 2000, 13, 49 },  { 4096, 11, 44 },
};

START_TEST(test_unix_truesize_table)
{
	size_t size = truesize_rows[_i].size;
	int off_after = 0, writes = 0;
	ssize_t n;

	while ((n = do_write(s[0], size)) > 0) {
		ck_assert_int_eq(n, (ssize_t)size);
		writes++;
		if (!off_after && !(repoll(s[0]) & EPOLLOUT))
			off_after = writes;
	}
	ck_assert_int_eq(n, -EAGAIN);
	ck_assert_int_eq(off_after, truesize_rows[_i].pollout_off_after);
	ck_assert_int_eq(writes, truesize_rows[_i].eagain_after);
}
END_TEST

START_TEST(test_unix_dgram_truesize_table)
{
	size_t size = truesize_rows[_i].size;
	int off_after = 0, writes = 0;
	ssize_t n;

	use_dgram(O_NONBLOCK);
	while ((n = do_write(s[0], size)) > 0) {
		writes++;
		if (!off_after && !(repoll(s[0]) & EPOLLOUT))
			off_after = writes;
	}
	ck_assert_int_eq(n, -EAGAIN);
	/* Datagrams up to 16064 bytes are linear: 4096 bytes cost 4096+320 -> 8192 + 256. */
	if (size == 4096) {
		ck_assert_int_eq(off_after, 7);
		ck_assert_int_eq(writes, 26);
	} else {
		ck_assert_int_eq(off_after, truesize_rows[_i].pollout_off_after);
		ck_assert_int_eq(writes, truesize_rows[_i].eagain_after);
	}
}
END_TEST

START_TEST(test_unix_big_write_splits)
{
	struct rec r;

	rec_attach(&r, s[1], EPOLLIN);
	/* Chunks of 3776 linear + 32768 paged bytes, one data-ready wake each. */
	ck_assert_int_eq(do_write(s[0], 100000), 100000);
	ck_assert_int_eq(r.n, 3);
	ck_assert_int_eq(unix_outq_len(s[0]), 2 * 37120 + 28928);
	ck_assert_int_eq(do_read(s[1], 100000), 100000);
	rec_detach(&r);
}
END_TEST

START_TEST(test_unix_big_write_partial)
{
	/* Six 36544-byte skbs start below sndbuf; the seventh does not. */
	ck_assert_int_eq(do_write(s[0], 300000), 6 * 36544);
	ck_assert_int_eq(unix_outq_len(s[0]), 6 * 37120);
	ck_assert_int_eq(do_write(s[0], 1), -EAGAIN);
}
END_TEST

/* ---- data wake-ups ------------------------------------------------------ */

START_TEST(test_unix_send_wakes_peer)
{
	struct rec r0, r1;

	rec_attach(&r0, s[0], EPOLLIN | EPOLLOUT);
	rec_attach(&r1, s[1], EPOLLIN | EPOLLOUT);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(do_write(s[0], 10), 10);
		ck_assert_int_eq(r1.n, i + 1);
		ck_assert_uint_eq(r1.key[i], DATA_KEY);
		ck_assert_int_eq(r1.flags[i], WF_SYNC);
	}
	ck_assert_int_eq(r0.n, 0);
	rec_detach(&r0);
	rec_detach(&r1);
}
END_TEST

START_TEST(test_unix_send_wake_budget_one)
{
	struct rec a, b;
	struct wait_queue_head *wq = s[1]->f_op->wait_queue(s[1], 0);

	rec_attach_queue(&a, wq, true);
	rec_attach_queue(&b, wq, true);
	ck_assert_int_eq(do_write(s[0], 1), 1);
	ck_assert_int_eq(a.n, 1);
	ck_assert_int_eq(b.n, 0);
	rec_detach(&a);
	rec_detach(&b);
}
END_TEST

START_TEST(test_unix_zero_write)
{
	struct rec r;

	rec_attach(&r, s[1], EPOLLIN);
	ck_assert_int_eq(do_write(s[0], 0), 0);
	ck_assert_int_eq(r.n, 0);
	ck_assert_uint_eq(repoll(s[1]) & EPOLLIN, 0);
	ck_assert_int_eq(do_read(s[1], 0), 0);
	rec_detach(&r);
}
END_TEST

START_TEST(test_unix_read_frees_skb_wakes_writer)
{
	struct rec r0, r1;

	rec_attach(&r0, s[0], EPOLLOUT);
	ck_assert_int_eq(do_write(s[0], 10), 10);
	ck_assert_int_eq(do_write(s[0], 10), 10);
	rec_attach(&r1, s[1], EPOLLIN);
	/* A partial read frees nothing: no wake. */
	ck_assert_int_eq(do_read(s[1], 4), 4);
	ck_assert_int_eq(r0.n, 0);
	ck_assert_int_eq(unix_inq_len(s[1]), 16);
	/* Finishing the first skb and half the second: one wake. */
	ck_assert_int_eq(do_read(s[1], 11), 11);
	ck_assert_int_eq(r0.n, 1);
	ck_assert_uint_eq(r0.key[0], SPACE_KEY);
	ck_assert_int_eq(r0.flags[0], WF_SYNC);
	ck_assert_int_eq(unix_outq_len(s[0]), 768);
	/* The rest: a second wake. */
	ck_assert_int_eq(do_read(s[1], 100), 5);
	ck_assert_int_eq(r0.n, 2);
	ck_assert_int_eq(r1.n, 0);	/* reading never wakes the reader */
	ck_assert_int_eq(do_read(s[1], 100), -EAGAIN);
	ck_assert_int_eq(r0.n, 2);
	rec_detach(&r0);
	rec_detach(&r1);
}
END_TEST

START_TEST(test_unix_read_many_skbs_wake_each)
{
	struct rec r0;

	rec_attach(&r0, s[0], EPOLLOUT);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(do_write(s[0], 7), 7);
	ck_assert_int_eq(do_read(s[1], 1000), 35);
	ck_assert_int_eq(r0.n, 5);	/* one write-space wake per freed skb */
	rec_detach(&r0);
}
END_TEST

START_TEST(test_unix_write_space_only_when_writable)
{
	struct rec r0;
	int writes = 0, reads = 0;

	rec_attach(&r0, s[0], EPOLLOUT);
	while (do_write(s[0], 100) == 100)
		writes++;
	ck_assert_int_eq(writes, 278);
	/* Freed skbs wake the writer only once wmem_alloc is back at sndbuf/4. */
	while (r0.n == 0) {
		ck_assert_int_eq(do_read(s[1], 100), 100);
		reads++;
	}
	/*
	 * During sock_wfree's write_space call sk_wmem_alloc is the remaining
	 * truesize + 2 (base unit + the unit held across the call):
	 * 4 * ((278 - reads) * 768 + 2) <= 212992 first holds at 69 skbs left.
	 */
	ck_assert_int_eq(reads, 278 - 69);
	ck_assert_uint_eq(repoll(s[0]) & EPOLLOUT, EPOLLOUT);
	rec_detach(&r0);
}
END_TEST

/* ---- read results ------------------------------------------------------- */

START_TEST(test_unix_read_eagain_and_eof)
{
	ck_assert_int_eq(do_read(s[1], 10), -EAGAIN);
	ck_assert_int_eq(do_write(s[0], 3), 3);
	ck_assert_int_eq(do_shutdown(s[0], SHUT_WR), 0);
	ck_assert_int_eq(do_read(s[1], 10), 3);	/* data first */
	ck_assert_int_eq(do_read(s[1], 10), 0);	/* then EOF */
	ck_assert_int_eq(do_write(s[0], 1), -EPIPE);
	ck_assert_int_eq(do_write(s[0], 0), -EPIPE);
}
END_TEST

START_TEST(test_unix_shutdown_einval)
{
	ck_assert_int_eq(do_shutdown(s[0], -1), -EINVAL);
	ck_assert_int_eq(do_shutdown(s[0], 3), -EINVAL);
}
END_TEST

/* ---- shutdown and close ------------------------------------------------- */

START_TEST(test_unix_trace_a11)
{
	struct rec r0, r1;
	const __poll_t ev = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

	ck_assert_uint_eq(rec_attach(&r0, s[0], ev) & ev, 0x4);
	ck_assert_uint_eq(rec_attach(&r1, s[1], ev) & ev, 0x4);
	/* s0 writes -> only s1 woken, 0x5 */
	ck_assert_int_eq(do_write(s[0], 5), 5);
	ck_assert_int_eq(r0.n, 0);
	ck_assert_int_eq(r1.n, 1);
	ck_assert_uint_eq(ep_mask(s[1]), 0x5);
	/* s1 reads all -> only s0 woken, 0x4 */
	ck_assert_int_eq(do_read(s[1], 100), 5);
	ck_assert_int_eq(r0.n, 1);
	ck_assert_uint_eq(r0.key[0], SPACE_KEY);
	ck_assert_int_eq(r1.n, 1);
	ck_assert_uint_eq(ep_mask(s[0]), 0x4);
	/* s0 SHUT_WR -> both woken with a NULL key: s0 0x4, s1 0x2005 */
	ck_assert_int_eq(do_shutdown(s[0], SHUT_WR), 0);
	ck_assert_int_eq(r0.n, 2);
	ck_assert_uint_eq(r0.key[1], 0);
	ck_assert_int_eq(r0.flags[1], 0);
	ck_assert_int_eq(r1.n, 2);
	ck_assert_uint_eq(r1.key[1], 0);
	ck_assert_uint_eq(ep_mask(s[0]), 0x4);
	ck_assert_uint_eq(ep_mask(s[1]), 0x2005);
	/* s0 SHUT_RD -> both woken, both 0x2015 */
	ck_assert_int_eq(do_shutdown(s[0], SHUT_RD), 0);
	ck_assert_int_eq(r0.n, 3);
	ck_assert_int_eq(r1.n, 3);
	ck_assert_uint_eq(ep_mask(s[0]), 0x2015);
	ck_assert_uint_eq(ep_mask(s[1]), 0x2015);
	/* close s0 -> s1 woken, 0x2015 */
	rec_detach(&r0);
	close_sock(0);
	ck_assert_int_eq(r1.n, 4);
	ck_assert_uint_eq(r1.key[3], 0);
	ck_assert_uint_eq(ep_mask(s[1]), 0x2015);
	ck_assert_int_eq(do_write(s[1], 1), -EPIPE);
	ck_assert_int_eq(do_read(s[1], 1), 0);
	rec_detach(&r1);
}
END_TEST

START_TEST(test_unix_shutdown_wakes_all)
{
	struct rec a, b, c, d;

	rec_attach_queue(&a, s[0]->f_op->wait_queue(s[0], 0), true);
	rec_attach_queue(&b, s[0]->f_op->wait_queue(s[0], 0), true);
	rec_attach_queue(&c, s[1]->f_op->wait_queue(s[1], 0), true);
	rec_attach_queue(&d, s[1]->f_op->wait_queue(s[1], 0), true);
	ck_assert_int_eq(do_shutdown(s[0], SHUT_RDWR), 0);
	ck_assert_int_eq(a.n + b.n + c.n + d.n, 4);	/* wake_up_interruptible_all */
	ck_assert_uint_eq(ep_mask(s[0]), 0x2015);
	ck_assert_uint_eq(ep_mask(s[1]), 0x2015);
	rec_detach(&a);
	rec_detach(&b);
	rec_detach(&c);
	rec_detach(&d);
}
END_TEST

START_TEST(test_unix_shut_rd_mirrors)
{
	/* SHUT_RD on s0 is SEND_SHUTDOWN on s1: s1 can no longer send. */
	ck_assert_int_eq(do_shutdown(s[0], SHUT_RD), 0);
	ck_assert_uint_eq(ep_mask(s[0]), EPOLLIN | EPOLLRDHUP | EPOLLOUT);
	ck_assert_uint_eq(ep_mask(s[1]), EPOLLOUT);
	ck_assert_int_eq(do_write(s[1], 1), -EPIPE);
	ck_assert_int_eq(do_write(s[0], 1), 1);
	ck_assert_int_eq(do_read(s[0], 1), 0);
}
END_TEST

START_TEST(test_unix_close_with_unread_data)
{
	struct rec r1;
	const __poll_t ev = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

	ck_assert_int_eq(do_write(s[1], 10), 10);	/* s0 never reads it */
	ck_assert_int_eq(do_write(s[1], 20), 20);
	rec_attach(&r1, s[1], ev);
	close_sock(0);
	/* State change first (NULL key, all), then a write-space wake per freed skb. */
	ck_assert_int_eq(r1.n, 3);
	ck_assert_uint_eq(r1.key[0], 0);
	ck_assert_uint_eq(r1.key[1], SPACE_KEY);
	ck_assert_int_eq(r1.flags[1], WF_SYNC);
	ck_assert_uint_eq(r1.key[2], SPACE_KEY);
	ck_assert_int_eq(unix_outq_len(s[1]), 0);
	ck_assert_uint_eq(ep_mask(s[1]), 0x201d);
	ck_assert_int_eq(unix_so_error(s[1]), ECONNRESET);
	ck_assert_uint_eq(ep_mask(s[1]), 0x2015);
	ck_assert_int_eq(unix_so_error(s[1]), 0);
	rec_detach(&r1);
}
END_TEST

START_TEST(test_unix_read_reports_econnreset)
{
	ck_assert_int_eq(do_write(s[1], 10), 10);
	ck_assert_int_eq(do_write(s[0], 4), 4);
	close_sock(0);
	/* Queued data comes before the error; the error is reported once. */
	ck_assert_int_eq(do_read(s[1], 100), 4);
	ck_assert_int_eq(do_read(s[1], 100), -ECONNRESET);
	ck_assert_int_eq(do_read(s[1], 100), 0);
	ck_assert_uint_eq(ep_mask(s[1]), 0x2015);
}
END_TEST

START_TEST(test_unix_close_clean_no_err)
{
	struct rec r1;

	ck_assert_int_eq(do_write(s[0], 10), 10);	/* unread by s1: no error for s1 */
	rec_attach(&r1, s[1], EPOLLIN | EPOLLOUT | EPOLLRDHUP);
	close_sock(0);
	ck_assert_int_eq(r1.n, 1);
	ck_assert_uint_eq(ep_mask(s[1]), 0x2015);
	ck_assert_int_eq(do_read(s[1], 100), 10);
	ck_assert_int_eq(do_read(s[1], 100), 0);
	rec_detach(&r1);
}
END_TEST

START_TEST(test_unix_close_both_with_data)
{
	/* Each end holds the other's skbs; either close order must free everything. */
	ck_assert_int_eq(do_write(s[0], 5000), 5000);
	ck_assert_int_eq(do_write(s[1], 300), 300);
	close_sock(1);
	ck_assert_int_eq(unix_outq_len(s[0]), 0);
	close_sock(0);
}
END_TEST

START_TEST(test_unix_close_reverse_order)
{
	ck_assert_int_eq(do_write(s[0], 5000), 5000);
	ck_assert_int_eq(do_write(s[1], 300), 300);
	close_sock(0);
	close_sock(1);
}
END_TEST

/* ---- datagram ----------------------------------------------------------- */

START_TEST(test_unix_dgram_masks)
{
	struct rec r;

	use_dgram(O_NONBLOCK);
	ck_assert_uint_eq(rec_attach(&r, s[0], EPOLLIN | EPOLLOUT) & (EPOLLIN | EPOLLOUT), 0x4);
	rec_detach(&r);
	/* Without an OUT bit requested, the OUT tests are skipped. */
	ck_assert_uint_eq(rec_attach(&r, s[1], EPOLLIN), 0);
	ck_assert_int_eq(do_write(s[0], 1), 1);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(r.key[0], DATA_KEY);
	ck_assert_int_eq(r.flags[0], WF_SYNC);
	rec_detach(&r);
	ck_assert_uint_eq(rec_attach(&r, s[1], EPOLLIN) & ~(__poll_t)EPOLLRDNORM, EPOLLIN);
	ck_assert_uint_eq(repoll(s[1]), EPOLLIN | EPOLLRDNORM | SPACE_KEY);
	rec_detach(&r);
}
END_TEST

START_TEST(test_unix_dgram_whole_datagrams)
{
	struct rec r0;

	use_dgram(O_NONBLOCK);
	rec_attach(&r0, s[0], EPOLLOUT);
	ck_assert_int_eq(do_write(s[0], 100), 100);
	ck_assert_int_eq(do_write(s[0], 50), 50);
	ck_assert_int_eq(unix_inq_len(s[1]), 100);
	ck_assert_int_eq(do_read(s[1], 10), 10);	/* truncated; the rest is dropped */
	ck_assert_int_eq(r0.n, 1);
	ck_assert_uint_eq(r0.key[0], SPACE_KEY);
	ck_assert_int_eq(do_read(s[1], 1000), 50);
	ck_assert_int_eq(r0.n, 2);
	ck_assert_int_eq(do_read(s[1], 1000), -EAGAIN);
	rec_detach(&r0);
}
END_TEST

START_TEST(test_unix_dgram_no_qlen_limit_in_pair)
{
	use_dgram(O_NONBLOCK);
	/* The peer points back, so max_dgram_qlen does not apply: only wmem limits. */
	for (int i = 0; i < 278; i++)
		ck_assert_int_eq(do_write(s[0], 1), 1);
	ck_assert_int_eq(do_write(s[0], 1), -EAGAIN);
	ck_assert_int_eq(do_write(s[0], UNIX_DEFAULT_SNDBUF), -EMSGSIZE);
}
END_TEST

START_TEST(test_unix_dgram_empty_datagram)
{
	struct rec r;

	use_dgram(O_NONBLOCK);
	rec_attach(&r, s[1], EPOLLIN);
	ck_assert_int_eq(do_write(s[0], 0), 0);	/* a real, empty datagram */
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(repoll(s[1]) & EPOLLIN, EPOLLIN);
	ck_assert_int_eq(do_read(s[1], 10), 0);
	ck_assert_uint_eq(repoll(s[1]) & EPOLLIN, 0);
	rec_detach(&r);
}
END_TEST

START_TEST(test_unix_dgram_shutdown_not_mirrored)
{
	struct rec r0, r1;

	use_dgram(O_NONBLOCK);
	rec_attach(&r0, s[0], ~0u);
	rec_attach(&r1, s[1], ~0u);
	ck_assert_int_eq(do_shutdown(s[0], SHUT_WR), 0);
	ck_assert_int_eq(r0.n, 1);
	ck_assert_uint_eq(r0.key[0], 0);
	ck_assert_int_eq(r1.n, 0);
	ck_assert_uint_eq(ep_mask(s[1]), EPOLLOUT);
	ck_assert_int_eq(do_write(s[0], 1), -EPIPE);
	ck_assert_int_eq(do_write(s[1], 1), 1);
	ck_assert_int_eq(do_shutdown(s[0], SHUT_RD), 0);
	ck_assert_uint_eq(ep_mask(s[0]), 0x2015);
	ck_assert_int_eq(do_write(s[1], 1), -EPIPE);	/* peer's RCV_SHUTDOWN */
	ck_assert_int_eq(do_read(s[0], 1), 1);
	ck_assert_int_eq(do_read(s[0], 1), -EAGAIN);	/* non-blocking: no EOF for dgram */
	rec_detach(&r0);
	rec_detach(&r1);
}
END_TEST

START_TEST(test_unix_dgram_blocking_eof)
{
	use_dgram(0);
	ck_assert_int_eq(do_read(s[0], 1), -EAGAIN);	/* would block */
	ck_assert_int_eq(do_shutdown(s[0], SHUT_RD), 0);
	ck_assert_int_eq(do_read(s[0], 1), 0);		/* the wait would see RCV_SHUTDOWN */
}
END_TEST

START_TEST(test_unix_dgram_peer_closed)
{
	struct rec r1;

	use_dgram(O_NONBLOCK);
	ck_assert_int_eq(do_write(s[1], 10), 10);	/* unread by s0 */
	ck_assert_int_eq(do_write(s[0], 20), 20);	/* unread by s1 */
	rec_attach(&r1, s[1], ~0u);
	close_sock(0);
	/* No state change for a datagram peer; only s1's freed skb gives write space. */
	ck_assert_int_eq(r1.n, 1);
	ck_assert_uint_eq(r1.key[0], SPACE_KEY);
	ck_assert_int_eq(r1.flags[0], WF_SYNC);
	ck_assert_uint_eq(ep_mask(s[1]), EPOLLIN | EPOLLOUT);
	rec_clear(&r1);
	/* The next send finds the peer dead: disconnect, purge, ECONNREFUSED. */
	ck_assert_int_eq(do_write(s[1], 5), -ECONNREFUSED);
	ck_assert_int_eq(r1.n, 2);
	ck_assert_uint_eq(r1.key[0], SPACE_KEY);	/* peer_wake_disconnect_wakeup */
	ck_assert_int_eq(r1.flags[0], 0);
	ck_assert_uint_eq(r1.key[1], SPACE_KEY);	/* the unsent skb freed */
	ck_assert_int_eq(r1.flags[1], WF_SYNC);
	ck_assert_int_eq(unix_inq_len(s[1]), 0);	/* the queue was purged */
	ck_assert_uint_eq(ep_mask(s[1]), EPOLLOUT);
	ck_assert_int_eq(do_write(s[1], 5), -ENOTCONN);
	rec_detach(&r1);
}
END_TEST

START_TEST(test_unix_dgram_fresh_a12)
{
	use_dgram(O_NONBLOCK);
	ck_assert_uint_eq(ep_mask(s[0]), 0x4);
	ck_assert_uint_eq(ep_mask(s[1]), 0x4);
}
END_TEST

static Suite *unix_suite(void)
{
	Suite *su = suite_create("unix");
	TCase *tc = tcase_create("stream");
	TCase *td = tcase_create("dgram");
	int rows = (int)(sizeof(truesize_rows) / sizeof(truesize_rows[0]));

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unix_create);
	tcase_add_test(tc, test_unix_fault_injection);
	tcase_add_test(tc, test_unix_send_alloc_failure);
	tcase_add_test(tc, test_unix_stream_fresh_mask);
	tcase_add_test(tc, test_unix_truesize_formula);
	tcase_add_test(tc, test_unix_truesize_charged_per_write);
	tcase_add_loop_test(tc, test_unix_truesize_table, 0, rows);
	tcase_add_test(tc, test_unix_big_write_splits);
	tcase_add_test(tc, test_unix_big_write_partial);
	tcase_add_test(tc, test_unix_send_wakes_peer);
	tcase_add_test(tc, test_unix_send_wake_budget_one);
	tcase_add_test(tc, test_unix_zero_write);
	tcase_add_test(tc, test_unix_read_frees_skb_wakes_writer);
	tcase_add_test(tc, test_unix_read_many_skbs_wake_each);
	tcase_add_test(tc, test_unix_write_space_only_when_writable);
	tcase_add_test(tc, test_unix_read_eagain_and_eof);
	tcase_add_test(tc, test_unix_shutdown_einval);
	tcase_add_test(tc, test_unix_trace_a11);
	tcase_add_test(tc, test_unix_shutdown_wakes_all);
	tcase_add_test(tc, test_unix_shut_rd_mirrors);
	tcase_add_test(tc, test_unix_close_with_unread_data);
	tcase_add_test(tc, test_unix_read_reports_econnreset);
	tcase_add_test(tc, test_unix_close_clean_no_err);
	tcase_add_test(tc, test_unix_close_both_with_data);
	tcase_add_test(tc, test_unix_close_reverse_order);
	suite_add_tcase(su, tc);

	tcase_add_checked_fixture(td, setup, teardown);
	tcase_add_test(td, test_unix_dgram_masks);
	tcase_add_loop_test(td, test_unix_dgram_truesize_table, 0, rows);
	tcase_add_test(td, test_unix_dgram_whole_datagrams);
	tcase_add_test(td, test_unix_dgram_no_qlen_limit_in_pair);
	tcase_add_test(td, test_unix_dgram_empty_datagram);
	tcase_add_test(td, test_unix_dgram_shutdown_not_mirrored);
	tcase_add_test(td, test_unix_dgram_blocking_eof);
	tcase_add_test(td, test_unix_dgram_peer_closed);
	tcase_add_test(td, test_unix_dgram_fresh_a12);
	suite_add_tcase(su, td);
	return su;
}

int main(void)
{
	SRunner *sr = srunner_create(unix_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
