/* Unit tests for model/tcp.c: masks per state, the exact wake-ups and keys, the RST paths, write space, ports and fault injection (check framework). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
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
	ck_assert_ptr_null(r->whead);	/* a TCP socket has one queue */
	r->whead = wh;
	add_wait_queue(wh, &r->wait);
}

/* Register r on f's queue the way epoll's ADD does; returns the poll mask. */
static __poll_t rec_attach(struct rec *r, struct file *f)
{
	memset(r, 0, sizeof(*r));
	init_poll_funcptr(&r->pt, rec_qproc);
	init_waitqueue_func_entry(&r->wait, rec_func);
	return vfs_poll(f, &r->pt);
}

static void rec_detach(struct rec *r)
{
	if (r->whead)
		remove_wait_queue(r->whead, &r->wait);
	r->whead = NULL;
}

/* A re-poll: no queueing, all events (it may set SOCK_NOSPACE, as tcp_poll does). */
static __poll_t repoll(struct file *f)
{
	poll_table pt = { ._qproc = NULL, ._key = ~(__poll_t)0 };

	return vfs_poll(f, &pt);
}

static ssize_t do_write(struct file *f, size_t len)
{
	struct sim_io io = { .len = len };

	return f->f_op->write(f, &io);
}

static ssize_t do_read(struct file *f, size_t len)
{
	struct sim_io io = { .len = len };

	return f->f_op->read(f, &io);
}

/* Write until the send buffer refuses (EAGAIN). */
static void fill(struct file *f)
{
	while (do_write(f, 65536) > 0)
		;
}

#define DATA_KEY (EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND)
#define SPACE_KEY (EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)
#define OUT_BITS (EPOLLOUT | EPOLLWRNORM)
#define IN_BITS (EPOLLIN | EPOLLRDNORM)
#define FRESH_MASK (OUT_BITS | EPOLLHUP)
#define RESET_MASK (IN_BITS | OUT_BITS | EPOLLERR | EPOLLHUP | EPOLLRDHUP)

/* ---- fixture: a listener l, a client c connected to it, the accepted s ---- */

static struct world *w;
static struct file *l, *c, *s;
static long live_at_start;

static struct file *new_socket(void)
{
	struct file *f;

	ck_assert_int_eq(tcp_socket_create(w, O_NONBLOCK, &f), 0);
	return f;
}

static void setup(void)
{
	w = world_create(NULL);
	ck_assert_ptr_nonnull(w);
	live_at_start = w->alloc_live;
	l = new_socket();
	ck_assert_int_eq(tcp_bind(l), 0);
	ck_assert_int_eq(tcp_listen(l, 16), 0);
	c = new_socket();
	s = NULL;
}

static void put(struct file **f)
{
	if (*f)
		fput(*f);
	*f = NULL;
}

static void teardown(void)
{
	put(&s);
	put(&c);
	put(&l);
	/* every socket, orphans included, is gone once all files are closed */
	ck_assert_int_eq(w->alloc_live, live_at_start);
	world_destroy(w);
}

/* Connect c to l and accept s. */
static void establish(void)
{
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(l)), -EINPROGRESS);
	ck_assert_int_eq(tcp_accept(l, O_NONBLOCK, &s), 0);
}

/* ---- creation, ports, fault injection ----------------------------------- */

START_TEST(test_tcp_create)
{
	struct file *b;

	ck_assert(file_is_tcp(c) && !file_is_unix_socket(c));
	ck_assert_str_eq(c->f_op->name, "tcp");
	ck_assert_int_eq(c->f_flags & O_ACCMODE, O_RDWR);
	ck_assert(c->f_flags & O_NONBLOCK);
	ck_assert_int_eq(tcp_state(c), TCP_CLOSE);
	ck_assert_uint_eq(tcp_local_port(c), 0);
	ck_assert_uint_eq(repoll(c), FRESH_MASK);	/* A.12: 0x14 within IN|OUT|RDHUP */
	ck_assert_int_eq(tcp_socket_create(w, 0, &b), 0);
	ck_assert(!(b->f_flags & O_NONBLOCK));
	fput(b);
}
END_TEST

START_TEST(test_tcp_fault_injection)
{
	static const int expect[] = { -ENOBUFS, -ENOMEM };	/* sk_alloc, then the file */

	for (int n = 1; n <= 3; n++) {
		struct world *fw = world_create(NULL);
		long base = fw->alloc_live;
		struct file *f = NULL;
		int rc;

		fw->alloc_fail_at = fw->alloc_count + n;
		rc = tcp_socket_create(fw, 0, &f);
		if (n <= 2) {
			ck_assert_int_eq(rc, expect[n - 1]);
			ck_assert_int_eq(fw->alloc_live, base);
		} else {
			ck_assert_int_eq(rc, 0);
			fput(f);
		}
		world_destroy(fw);
	}
}
END_TEST

START_TEST(test_tcp_connect_alloc_failure)
{
	struct rec r;

	rec_attach(&r, l);
	w->alloc_fail_at = w->alloc_count + 1;	/* the listener's child, made with the SYN */
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(l)), -ENOBUFS);
	ck_assert_int_eq(tcp_state(c), TCP_CLOSE);
	ck_assert_uint_eq(tcp_local_port(c), 0);
	ck_assert_int_eq(r.n, 0);
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(l)), -EINPROGRESS);
	ck_assert_int_eq(r.n, 1);
	rec_detach(&r);
}
END_TEST

START_TEST(test_tcp_accept_alloc_failure)
{
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(l)), -EINPROGRESS);
	w->alloc_fail_at = w->alloc_count + 1;
	ck_assert_int_eq(tcp_accept(l, 0, &s), -ENOMEM);
	ck_assert(repoll(l) & EPOLLIN);		/* the connection is still queued */
	ck_assert_int_eq(tcp_accept(l, 0, &s), 0);
	ck_assert(!(s->f_flags & O_NONBLOCK));
}
END_TEST

START_TEST(test_tcp_bind_ports)
{
	struct file *a = new_socket(), *b = new_socket();
	unsigned int pa, pb;

	ck_assert_int_eq(tcp_bind(a), 0);
	ck_assert_int_eq(tcp_bind(a), -EINVAL);
	ck_assert_int_eq(tcp_bind(b), 0);
	pa = tcp_local_port(a);
	pb = tcp_local_port(b);
	ck_assert(pa >= TCP_PORT_LOW && pa <= TCP_PORT_HIGH);
	ck_assert(pb >= TCP_PORT_LOW && pb <= TCP_PORT_HIGH);
	ck_assert_uint_ne(pa, pb);
	ck_assert_uint_ne(pa, tcp_local_port(l));
	ck_assert_int_eq(tcp_bind(l), -EINVAL);		/* listening */
	fput(a);
	fput(b);
}
END_TEST

START_TEST(test_tcp_listen_autobinds)
{
	struct file *a = new_socket();

	ck_assert_int_eq(tcp_listen(a, 4), 0);
	ck_assert_uint_ne(tcp_local_port(a), 0);
	ck_assert_int_eq(tcp_state(a), TCP_LISTEN);
	ck_assert_int_eq(tcp_listen(a, 8), 0);		/* again: only the backlog changes */
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(a)), -EINPROGRESS);
	ck_assert_uint_eq(repoll(a), IN_BITS);
	ck_assert_int_eq(tcp_listen(c, 4), -EINVAL);	/* SS_CONNECTING */
	fput(a);	/* aborts the queued child: c is reset */
	ck_assert_int_eq(tcp_so_error(c), ECONNRESET);
}
END_TEST

/* ---- masks per state ---------------------------------------------------- */

START_TEST(test_tcp_listener_mask)
{
	ck_assert_uint_eq(repoll(l), 0);	/* never OUT, HUP or ERR */
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(l)), -EINPROGRESS);
	ck_assert_uint_eq(repoll(l), IN_BITS);
	ck_assert_int_eq(tcp_accept(l, O_NONBLOCK, &s), 0);
	ck_assert_uint_eq(repoll(l), 0);
	ck_assert_int_eq(tcp_accept(l, O_NONBLOCK, &s), -EAGAIN);
	ck_assert_ptr_nonnull(s);
}
END_TEST

START_TEST(test_tcp_masks_through_a_connection)
{
	establish();
	ck_assert_int_eq(tcp_state(c), TCP_ESTABLISHED);
	ck_assert_int_eq(tcp_state(s), TCP_ESTABLISHED);
	ck_assert_uint_eq(repoll(c), OUT_BITS);
	ck_assert_uint_eq(repoll(s), OUT_BITS);
	ck_assert_int_eq(do_write(c, 5), 5);
	ck_assert_uint_eq(repoll(s), IN_BITS | OUT_BITS);
	ck_assert_int_eq(tcp_inq_len(s), 5);
	ck_assert_int_eq(c->f_op->shutdown(c, SHUT_WR), 0);
	ck_assert_int_eq(tcp_state(c), TCP_FIN_WAIT2);
	ck_assert_int_eq(tcp_state(s), TCP_CLOSE_WAIT);
	ck_assert_uint_eq(repoll(c), OUT_BITS);
	ck_assert_uint_eq(repoll(s), IN_BITS | OUT_BITS | EPOLLRDHUP);	/* 0x2005 */
	ck_assert_int_eq(s->f_op->shutdown(s, SHUT_WR), 0);
	ck_assert_int_eq(tcp_state(s), TCP_CLOSE);	/* LAST_ACK, then its ACK */
	ck_assert_int_eq(tcp_state(c), TCP_CLOSE);	/* FIN_WAIT2 -> TIME_WAIT */
	ck_assert_uint_eq(repoll(c), IN_BITS | OUT_BITS | EPOLLHUP | EPOLLRDHUP);	/* 0x2015 */
	ck_assert_uint_eq(repoll(s), IN_BITS | OUT_BITS | EPOLLHUP | EPOLLRDHUP);
}
END_TEST

/* ---- wake keys ---------------------------------------------------------- */

START_TEST(test_tcp_connect_wakes)
{
	struct rec rc, rl;

	ck_assert_uint_eq(rec_attach(&rc, c), FRESH_MASK);
	ck_assert_uint_eq(rec_attach(&rl, l), 0);
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(l)), -EINPROGRESS);
	ck_assert_int_eq(rc.n, 1);			/* tcp_finish_connect's state change */
	ck_assert_uint_eq(rc.key[0], 0);		/* NULL key, every waiter */
	ck_assert_int_eq(rl.n, 1);			/* the child is queued: data-ready */
	ck_assert_uint_eq(rl.key[0], DATA_KEY);
	ck_assert_int_eq(rl.flags[0], WF_SYNC);
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(l)), 0);	/* SS_CONNECTING -> CONNECTED */
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(l)), -EISCONN);
	ck_assert_int_eq(rc.n, 1);
	rec_detach(&rc);
	rec_detach(&rl);
}
END_TEST

START_TEST(test_tcp_data_wakes_per_write)
{
	struct rec rc, rs;

	establish();
	rec_attach(&rc, c);
	rec_attach(&rs, s);
	ck_assert_int_eq(do_write(c, 10), 10);
	ck_assert_int_eq(do_write(c, 10), 10);
	ck_assert_int_eq(rs.n, 2);			/* one data-ready per segment */
	ck_assert_uint_eq(rs.key[1], DATA_KEY);
	ck_assert_int_eq(rs.flags[1], WF_SYNC);
	ck_assert_int_eq(rc.n, 0);			/* ACKs wake no writer that had room */
	ck_assert_int_eq(do_read(s, 100), 20);
	ck_assert_int_eq(rc.n + rs.n, 2);		/* reading wakes nobody */
	ck_assert_int_eq(do_read(s, 100), -EAGAIN);
	ck_assert_int_eq(do_write(c, 0), 0);
	ck_assert_int_eq(rs.n, 2);
	rec_detach(&rc);
	rec_detach(&rs);
}
END_TEST

START_TEST(test_tcp_big_write_segments)
{
	struct rec rs;

	establish();
	rec_attach(&rs, s);
	ck_assert_int_eq(do_write(c, 2 * TCP_LOOPBACK_MSS + 10), 2 * TCP_LOOPBACK_MSS + 10);
	ck_assert_int_eq(rs.n, 3);
	ck_assert_int_eq(tcp_inq_len(s), 2 * TCP_LOOPBACK_MSS + 10);
	rec_detach(&rs);
}
END_TEST

START_TEST(test_tcp_shutdown_wr_wakes)
{
	struct rec rc, rs;

	establish();
	rec_attach(&rc, c);
	rec_attach(&rs, s);
	ck_assert_int_eq(c->f_op->shutdown(c, SHUT_WR), 0);
	ck_assert_int_eq(rs.n, 2);			/* tcp_fin: state change, then data-ready */
	ck_assert_uint_eq(rs.key[0], 0);
	ck_assert_uint_eq(rs.key[1], DATA_KEY);
	ck_assert_int_eq(rc.n, 2);			/* inet_shutdown, then FIN_WAIT2 */
	ck_assert_uint_eq(rc.key[0], 0);
	ck_assert_uint_eq(rc.key[1], 0);
	ck_assert_int_eq(do_read(s, 10), 0);
	ck_assert_int_eq(do_write(c, 1), -EPIPE);
	rec_detach(&rc);
	rec_detach(&rs);
}
END_TEST

START_TEST(test_tcp_shutdown_unconnected)
{
	struct rec r;

	rec_attach(&r, c);
	ck_assert_int_eq(c->f_op->shutdown(c, SHUT_RD), -ENOTCONN);
	ck_assert_int_eq(r.n, 1);			/* still wakes */
	ck_assert_uint_eq(r.key[0], 0);
	ck_assert_uint_eq(repoll(c), FRESH_MASK | IN_BITS | EPOLLRDHUP);
	rec_detach(&r);
}
END_TEST

/* ---- RST paths ---------------------------------------------------------- */

START_TEST(test_tcp_refused)
{
	struct file *t = new_socket();
	struct rec r;

	ck_assert_int_eq(tcp_bind(t), 0);
	rec_attach(&r, c);
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(t)), -EINPROGRESS);
	ck_assert_int_eq(r.n, 2);			/* tcp_done's state change, then the error */
	ck_assert_uint_eq(r.key[0], 0);
	ck_assert_uint_eq(r.key[1], EPOLLERR);
	ck_assert_uint_eq(repoll(c), RESET_MASK);
	ck_assert_uint_eq(tcp_local_port(c), 0);	/* a port-0 bind is given back */
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(t)), -ECONNREFUSED);
	ck_assert_int_eq(r.n, 3);			/* tcp_disconnect reports */
	ck_assert_uint_eq(r.key[2], EPOLLERR);
	ck_assert_uint_eq(repoll(c), FRESH_MASK);
	ck_assert_int_eq(tcp_connect(c, 0), -EINPROGRESS);	/* port 0: nobody */
	ck_assert_int_eq(tcp_so_error(c), ECONNREFUSED);
	ck_assert_int_eq(tcp_so_error(c), 0);
	ck_assert_int_eq(tcp_connect(c, 0), -ECONNABORTED);
	rec_detach(&r);
	fput(t);
}
END_TEST

START_TEST(test_tcp_linger_zero_rst)
{
	struct rec r;

	establish();
	ck_assert_int_eq(c->f_op->shutdown(c, SHUT_WR), 0);
	rec_attach(&r, c);
	ck_assert_int_eq(tcp_set_linger(s, 1, 0), 0);
	put(&s);
	ck_assert_int_eq(r.n, 2);
	ck_assert_uint_eq(r.key[0], 0);
	ck_assert_uint_eq(r.key[1], EPOLLERR);
	ck_assert_uint_eq(repoll(c), RESET_MASK);	/* 0x201d */
	ck_assert_int_eq(tcp_so_error(c), ECONNRESET);
	ck_assert_uint_eq(repoll(c), RESET_MASK & ~EPOLLERR);	/* 0x2015 */
	ck_assert_int_eq(r.n, 2);			/* SO_ERROR wakes nobody */
	ck_assert_int_eq(do_read(c, 10), 0);
	rec_detach(&r);
}
END_TEST

START_TEST(test_tcp_linger_time_closes_with_fin)
{
	establish();
	ck_assert_int_eq(tcp_set_linger(s, 1, 5), 0);
	put(&s);
	ck_assert_int_eq(tcp_state(c), TCP_CLOSE_WAIT);
	ck_assert_int_eq(tcp_so_error(c), 0);
}
END_TEST

START_TEST(test_tcp_close_unread_rst)
{
	establish();
	ck_assert_int_eq(do_write(c, 3), 3);
	put(&s);				/* 3 bytes unread: RST, not FIN */
	ck_assert_uint_eq(repoll(c), RESET_MASK);
	ck_assert_int_eq(do_read(c, 10), -ECONNRESET);
	ck_assert_int_eq(do_read(c, 10), 0);
	ck_assert_int_eq(do_write(c, 1), -EPIPE);
}
END_TEST

START_TEST(test_tcp_write_after_peer_closed)
{
	establish();
	put(&s);				/* FIN: s becomes an orphan in FIN_WAIT2 */
	ck_assert_uint_eq(repoll(c), IN_BITS | OUT_BITS | EPOLLRDHUP);
	ck_assert_int_eq(do_write(c, 5), 5);	/* the orphan answers with an RST */
	ck_assert_uint_eq(repoll(c), RESET_MASK);
	ck_assert_int_eq(do_write(c, 5), -EPIPE);	/* sk_err EPIPE (CLOSE_WAIT) */
	ck_assert_uint_eq(repoll(c), RESET_MASK & ~EPOLLERR);
	ck_assert_int_eq(do_write(c, 5), -EPIPE);
}
END_TEST

START_TEST(test_tcp_listener_close_resets_queue)
{
	struct file *c2 = new_socket();

	establish();
	ck_assert_int_eq(tcp_connect(c2, tcp_local_port(l)), -EINPROGRESS);
	put(&l);
	ck_assert_int_eq(tcp_so_error(c2), ECONNRESET);
	ck_assert_int_eq(tcp_so_error(c), 0);		/* accepted: lives on */
	ck_assert_int_eq(do_write(c, 2), 2);
	ck_assert_int_eq(do_read(s, 10), 2);
	fput(c2);
}
END_TEST

/* ---- write space -------------------------------------------------------- */

START_TEST(test_tcp_write_space_after_nospace)
{
	struct rec rc;

	establish();
	fill(c);				/* EAGAIN set SOCK_NOSPACE */
	rec_attach(&rc, c);
	ck_assert(!(repoll(c) & EPOLLOUT));
	while (rc.n == 0 && do_read(s, 65536) > 0)
		;
	ck_assert_int_eq(rc.n, 1);
	ck_assert_uint_eq(rc.key[0], SPACE_KEY);
	ck_assert_int_eq(rc.flags[0], 0);		/* not a sync wake-up */
	ck_assert(repoll(c) & EPOLLOUT);
	while (do_read(s, 65536) > 0)
		;
	ck_assert_int_eq(rc.n, 1);			/* NOSPACE was cleared: no more */
	rec_detach(&rc);
}
END_TEST

START_TEST(test_tcp_poll_sets_nospace)
{
	struct rec rc;
	size_t n = TCP_RCV_WINDOW + TCP_ESTABLISHED_SNDBUF * 3 / 4;

	establish();
	ck_assert_int_eq(do_write(c, n), (ssize_t)n);	/* all taken: no NOSPACE from the send */
	memset(&rc, 0, sizeof(rc));		/* queue without polling, which would ask */
	init_waitqueue_func_entry(&rc.wait, rec_func);
	rc.whead = c->f_op->wait_queue(c, 0);
	add_wait_queue(rc.whead, &rc.wait);
	ck_assert_int_eq(do_read(s, TCP_RCV_WINDOW), TCP_RCV_WINDOW);
	ck_assert_int_eq(rc.n, 0);			/* room came back, but nobody asked */
	ck_assert(!(repoll(c) & EPOLLOUT));		/* this poll asks (SOCK_NOSPACE) */
	while (rc.n == 0 && do_read(s, 65536) > 0)
		;
	ck_assert_int_eq(rc.n, 1);
	ck_assert_uint_eq(rc.key[0], SPACE_KEY);
	rec_detach(&rc);
}
END_TEST

/* ---- accept ------------------------------------------------------------- */

START_TEST(test_tcp_accept_errors_and_order)
{
	struct file *c2 = new_socket(), *s2 = NULL;
	struct file *x;

	ck_assert_int_eq(tcp_accept(c, 0, &x), -EINVAL);	/* not listening */
	ck_assert_int_eq(tcp_accept(l, 0, &x), -EAGAIN);
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(l)), -EINPROGRESS);
	ck_assert_int_eq(tcp_connect(c2, tcp_local_port(l)), -EINPROGRESS);
	ck_assert_int_eq(tcp_accept(l, O_NONBLOCK, &s), 0);
	ck_assert_int_eq(tcp_accept(l, 0, &s2), 0);
	ck_assert(s->f_flags & O_NONBLOCK);
	ck_assert(!(s2->f_flags & O_NONBLOCK));
	ck_assert_int_eq(do_write(c, 1), 1);		/* FIFO: s belongs to c */
	ck_assert_int_eq(tcp_inq_len(s), 1);
	ck_assert_int_eq(tcp_inq_len(s2), 0);
	ck_assert_uint_eq(tcp_local_port(s), tcp_local_port(l));
	ck_assert_int_eq(tcp_connect(s, tcp_local_port(l)), -EISCONN);
	fput(s2);
	fput(c2);
}
END_TEST

START_TEST(test_tcp_backlog_full_drops_syn)
{
	struct file *a = new_socket(), *c2 = new_socket();

	ck_assert_int_eq(tcp_listen(a, 0), 0);		/* room for one (ack_backlog > 0 is full) */
	ck_assert_int_eq(tcp_connect(c, tcp_local_port(a)), -EINPROGRESS);
	ck_assert_int_eq(tcp_connect(c2, tcp_local_port(a)), -EINPROGRESS);
	ck_assert_int_eq(tcp_state(c), TCP_ESTABLISHED);
	ck_assert_int_eq(tcp_state(c2), TCP_SYN_SENT);	/* dropped; a timer would retry */
	ck_assert_uint_eq(repoll(c2), 0);
	fput(c2);
	fput(a);
}
END_TEST

static Suite *tcp_suite(void)
{
	Suite *su = suite_create("tcp");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tcp_create);
	tcase_add_test(tc, test_tcp_fault_injection);
	tcase_add_test(tc, test_tcp_connect_alloc_failure);
	tcase_add_test(tc, test_tcp_accept_alloc_failure);
	tcase_add_test(tc, test_tcp_bind_ports);
	tcase_add_test(tc, test_tcp_listen_autobinds);
	tcase_add_test(tc, test_tcp_listener_mask);
	tcase_add_test(tc, test_tcp_masks_through_a_connection);
	tcase_add_test(tc, test_tcp_connect_wakes);
	tcase_add_test(tc, test_tcp_data_wakes_per_write);
	tcase_add_test(tc, test_tcp_big_write_segments);
	tcase_add_test(tc, test_tcp_shutdown_wr_wakes);
	tcase_add_test(tc, test_tcp_shutdown_unconnected);
	tcase_add_test(tc, test_tcp_refused);
	tcase_add_test(tc, test_tcp_linger_zero_rst);
	tcase_add_test(tc, test_tcp_linger_time_closes_with_fin);
	tcase_add_test(tc, test_tcp_close_unread_rst);
	tcase_add_test(tc, test_tcp_write_after_peer_closed);
	tcase_add_test(tc, test_tcp_listener_close_resets_queue);
	tcase_add_test(tc, test_tcp_write_space_after_nospace);
	tcase_add_test(tc, test_tcp_poll_sets_nospace);
	tcase_add_test(tc, test_tcp_accept_errors_and_order);
	tcase_add_test(tc, test_tcp_backlog_full_drops_syn);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	SRunner *sr = srunner_create(tcp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
