/*
 * The simulated eventpoll against the sequences observed on a real 6.18 kernel
 * (spec appendix A), through the system-call API of sim/epsim.h.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include "epsim.h"

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

static void poke(int efd)
{
	ck_assert_int_eq(epsim_write(w, T, efd, 8, 1), 8);
}

/* Wait with timeout 0; the returned data values go to out[]. */
static int wait_data(int ep, int max, uint64_t *out)
{
	struct epoll_event evs[32];
	long n = epsim_epoll_wait(w, T, ep, evs, 32, max, 0);

	ck_assert_int_ge(n, 0);
	for (long i = 0; i < n; i++)
		out[i] = evs[i].data.u64;
	return (int)n;
}

static void expect_data(int ep, int max, int n, const uint64_t *want)
{
	uint64_t got[32];

	ck_assert_int_eq(wait_data(ep, max, got), n);
	for (int i = 0; i < n; i++)
		ck_assert_uint_eq(got[i], want[i]);
}

/* A single event's mask with timeout 0, or 0 when nothing is returned. */
static uint32_t wait_mask(int ep)
{
	struct epoll_event ev;
	long n = epsim_epoll_wait(w, T, ep, &ev, 1, 1, 0);

	ck_assert_int_ge(n, 0);
	return n ? ev.events : 0;
}

START_TEST(a1_readiness_order_is_first_queueing_order)
{
	int ep = new_ep(), a = new_efd(), b = new_efd(), c = new_efd();

	add(ep, a, EPOLLIN, 1);
	add(ep, b, EPOLLIN, 2);
	add(ep, c, EPOLLIN, 3);
	poke(c);
	poke(a);
	poke(b);
	expect_data(ep, 16, 3, (uint64_t[]){ 3, 1, 2 });
	expect_data(ep, 16, 3, (uint64_t[]){ 3, 1, 2 });
	expect_data(ep, 1, 1, (uint64_t[]){ 3 });
	expect_data(ep, 1, 1, (uint64_t[]){ 1 });
	expect_data(ep, 1, 1, (uint64_t[]){ 2 });
	expect_data(ep, 1, 1, (uint64_t[]){ 3 });
	expect_data(ep, 2, 2, (uint64_t[]){ 1, 2 });
	expect_data(ep, 2, 2, (uint64_t[]){ 3, 1 });
}
END_TEST

START_TEST(a2_ready_at_add_queues_in_add_order)
{
	int ep = new_ep(), a = new_efd(), b = new_efd(), c = new_efd();

	poke(a);
	poke(b);
	poke(c);
	add(ep, b, EPOLLIN, 2);
	add(ep, c, EPOLLIN, 3);
	add(ep, a, EPOLLIN, 1);
	expect_data(ep, 16, 3, (uint64_t[]){ 2, 3, 1 });
}
END_TEST

START_TEST(a3_leftovers_go_back_to_the_head)
{
	int ep = new_ep(), fd[4];

	for (int i = 0; i < 4; i++) {
		fd[i] = new_efd();
		add(ep, fd[i], EPOLLIN, (uint64_t)i + 1);
		poke(fd[i]);
	}
	expect_data(ep, 2, 2, (uint64_t[]){ 1, 2 });
	expect_data(ep, 2, 2, (uint64_t[]){ 3, 4 });
	expect_data(ep, 3, 3, (uint64_t[]){ 1, 2, 3 });
	expect_data(ep, 16, 4, (uint64_t[]){ 4, 1, 2, 3 });
}
END_TEST

START_TEST(a4_mixed_et_and_lt)
{
	int ep = new_ep(), a = new_efd(), b = new_efd(), c = new_efd();

	poke(a);
	poke(b);
	poke(c);
	add(ep, a, EPOLLIN | EPOLLET, 1);
	add(ep, b, EPOLLIN, 2);
	add(ep, c, EPOLLIN | EPOLLET, 3);
	expect_data(ep, 2, 2, (uint64_t[]){ 1, 2 });
	expect_data(ep, 2, 2, (uint64_t[]){ 3, 2 });
	expect_data(ep, 2, 1, (uint64_t[]){ 2 });
	poke(a);
	expect_data(ep, 16, 2, (uint64_t[]){ 2, 1 });
}
END_TEST

START_TEST(a5_et_eventfd_edges)
{
	int ep = new_ep(), e = new_efd();
	uint64_t v;

	add(ep, e, EPOLLIN | EPOLLET, 0);
	poke(e);
	ck_assert_uint_eq(wait_mask(ep), EPOLLIN);
	ck_assert_uint_eq(wait_mask(ep), 0);
	poke(e);
	ck_assert_uint_eq(wait_mask(ep), EPOLLIN);
	ck_assert_int_eq(epsim_write(w, T, e, 8, 0), 8); /* a write of 0 is an edge too */
	ck_assert_uint_eq(wait_mask(ep), EPOLLIN);
	ck_assert_int_eq(epsim_read(w, T, e, 8, &v), 8); /* key OUT: no interest */
	ck_assert_uint_eq(v, 2);
	ck_assert_uint_eq(wait_mask(ep), 0);
}
END_TEST

START_TEST(a5_et_eventfd_in_out)
{
	int ep = new_ep(), e = new_efd();
	uint64_t v;

	add(ep, e, EPOLLIN | EPOLLOUT | EPOLLET, 0);
	ck_assert_uint_eq(wait_mask(ep), EPOLLOUT);
	poke(e);
	ck_assert_uint_eq(wait_mask(ep), EPOLLIN | EPOLLOUT);
	ck_assert_int_eq(epsim_read(w, T, e, 8, &v), 8);
	ck_assert_uint_eq(wait_mask(ep), EPOLLOUT);
	ck_assert_int_eq(epsim_read(w, T, e, 8, &v), -EAGAIN);
	ck_assert_uint_eq(wait_mask(ep), 0);
	ck_assert_int_eq(epsim_write(w, T, e, 8, 0xfffffffffffffffeULL), 8);
	ck_assert_uint_eq(wait_mask(ep), EPOLLIN);
}
END_TEST

START_TEST(a7_oneshot_disarms_until_mod)
{
	int ep = new_ep(), e = new_efd();
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 2 };

	add(ep, e, EPOLLIN | EPOLLONESHOT, 1);
	poke(e);
	expect_data(ep, 16, 1, (uint64_t[]){ 1 });
	expect_data(ep, 16, 0, NULL);
	poke(e);
	expect_data(ep, 16, 0, NULL);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_MOD, e, &ev), 0);
	expect_data(ep, 16, 1, (uint64_t[]){ 2 });
	expect_data(ep, 16, 0, NULL);
	ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_DEL, e, NULL), 0);
	add(ep, e, EPOLLIN, 9);
	expect_data(ep, 16, 1, (uint64_t[]){ 9 });
}
END_TEST

static void new_pipe(int fds[2])
{
	ck_assert_int_eq(epsim_pipe2(w, T, fds, O_NONBLOCK), 0);
}

START_TEST(a10_pipe_read_end_et)
{
	int ep = new_ep(), p[2];

	new_pipe(p);
	add(ep, p[0], EPOLLIN | EPOLLET, 0);
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	ck_assert_uint_eq(wait_mask(ep), EPOLLIN);
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	ck_assert_uint_eq(wait_mask(ep), EPOLLIN);
	ck_assert_int_eq(epsim_read(w, T, p[0], 1, NULL), 1);
	ck_assert_uint_eq(wait_mask(ep), 0);
	ck_assert_int_eq(epsim_close(w, T, p[1]), 0);
	ck_assert_uint_eq(wait_mask(ep), EPOLLIN | EPOLLHUP);
}
END_TEST

START_TEST(a10_pipe_write_end_et)
{
	int ep = new_ep(), p[2];
	long total = 0;

	new_pipe(p);
	add(ep, p[1], EPOLLOUT | EPOLLET, 0);
	ck_assert_uint_eq(wait_mask(ep), EPOLLOUT);
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), 1);
	ck_assert_uint_eq(wait_mask(ep), 0);
	ck_assert_int_eq(epsim_read(w, T, p[0], 1, NULL), 1);
	ck_assert_uint_eq(wait_mask(ep), 0);
	while (epsim_write(w, T, p[1], 1, 0) == 1)
		total++;
	ck_assert_int_eq(total, 65536);
	ck_assert_int_eq(epsim_read(w, T, p[0], 1, NULL), 1);
	ck_assert_uint_eq(wait_mask(ep), 0);
	ck_assert_int_eq(epsim_read(w, T, p[0], 4095, NULL), 4095);
	ck_assert_uint_eq(wait_mask(ep), EPOLLOUT);
	ck_assert_int_eq(epsim_close(w, T, p[0]), 0);
	ck_assert_uint_eq(wait_mask(ep), EPOLLOUT | EPOLLERR);
}
END_TEST

START_TEST(a10_full_pipe_eagain_write_is_an_edge)
{
	int ep = new_ep(), p[2];

	new_pipe(p);
	add(ep, p[0], EPOLLIN | EPOLLET, 0);
	while (epsim_write(w, T, p[1], 4096, 0) > 0)
		;
	ck_assert_uint_eq(wait_mask(ep), EPOLLIN);
	ck_assert_int_eq(epsim_write(w, T, p[1], 1, 0), -EAGAIN);
	ck_assert_uint_eq(wait_mask(ep), EPOLLIN);
	ck_assert_int_eq(epsim_write(w, T, p[1], 0, 0), 0);
	ck_assert_uint_eq(wait_mask(ep), 0);
}
END_TEST

START_TEST(a11_socketpair_shutdown_and_close)
{
	int ep = new_ep(), s[2];
	const uint32_t m = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	struct epoll_event evs[4];
	long n;

	ck_assert_int_eq(epsim_socketpair(w, T, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s), 0);
	add(ep, s[0], m, 0);
	add(ep, s[1], m, 1);
	n = epsim_epoll_wait(w, T, ep, evs, 4, 4, 0);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(evs[0].events, EPOLLOUT);
	ck_assert_uint_eq(evs[1].events, EPOLLOUT);
	ck_assert_int_eq(epsim_write(w, T, s[0], 10, 0), 10);
	n = epsim_epoll_wait(w, T, ep, evs, 4, 4, 0);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(evs[0].data.u64, 1);
	ck_assert_uint_eq(evs[0].events, EPOLLIN | EPOLLOUT);
	ck_assert_int_eq(epsim_read(w, T, s[1], 10, NULL), 10);
	n = epsim_epoll_wait(w, T, ep, evs, 4, 4, 0);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(evs[0].data.u64, 0);
	ck_assert_uint_eq(evs[0].events, EPOLLOUT);
	ck_assert_int_eq(epsim_shutdown(w, T, s[0], SHUT_WR), 0);
	n = epsim_epoll_wait(w, T, ep, evs, 4, 4, 0);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(evs[0].events, EPOLLOUT);
	ck_assert_uint_eq(evs[1].events, 0x2005);
	ck_assert_int_eq(epsim_shutdown(w, T, s[0], SHUT_RD), 0);
	n = epsim_epoll_wait(w, T, ep, evs, 4, 4, 0);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(evs[0].events, 0x2015);
	ck_assert_uint_eq(evs[1].events, 0x2015);
	ck_assert_int_eq(epsim_close(w, T, s[0]), 0);
	n = epsim_epoll_wait(w, T, ep, evs, 4, 4, 0);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(evs[0].events, 0x2015);
}
END_TEST

START_TEST(a11_close_with_unread_data_gives_err)
{
	int ep = new_ep(), s[2];

	ck_assert_int_eq(epsim_socketpair(w, T, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s), 0);
	add(ep, s[1], EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, 1);
	ck_assert_int_eq(epsim_write(w, T, s[1], 5, 0), 5); /* unread in s[0] */
	ck_assert_uint_eq(wait_mask(ep), EPOLLOUT);
	ck_assert_int_eq(epsim_close(w, T, s[0]), 0);
	ck_assert_uint_eq(wait_mask(ep), 0x201d);
}
END_TEST

START_TEST(a6_overflow_list_merge_order)
{
	int ep = new_ep(), a = new_efd(), b = new_efd(), c = new_efd(), d = new_efd(),
	    e = new_efd();
	int t1 = epsim_thread_create(w, T, "t1");
	struct epoll_event out[2];
	long ret;

	add(ep, a, EPOLLIN, 1);
	add(ep, b, EPOLLIN | EPOLLET, 2);
	add(ep, c, EPOLLIN, 3);
	add(ep, d, EPOLLIN, 4);
	add(ep, e, EPOLLIN, 5);
	poke(a);
	poke(b);
	poke(e);
	/* t1's copy into slot 1 stalls: the scan stays open and callbacks go to ovflist */
	ck_assert_int_eq(epsim_stall_next_copy(w, t1, 1), 0);
	ck_assert_int_eq(epsim_epoll_wait(w, t1, ep, out, 2, 2, 0), -EPSIM_PENDING);
	poke(c);
	poke(d);
	poke(a);
	poke(b);
	ck_assert_int_eq(epsim_unstall(w, T, t1), 0);
	ck_assert(epsim_take_result(w, t1, &ret));
	ck_assert_int_eq(ret, 2);
	ck_assert_uint_eq(out[0].data.u64, 1);
	ck_assert_uint_eq(out[1].data.u64, 2);
	expect_data(ep, 16, 5, (uint64_t[]){ 5, 3, 4, 2, 1 });
}
END_TEST

Suite *appendix_suite(void);
Suite *appendix_suite(void)
{
	Suite *s = suite_create("eventpoll_appendix_a");
	TCase *tc = tcase_create("golden_sequences");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a1_readiness_order_is_first_queueing_order);
	tcase_add_test(tc, a2_ready_at_add_queues_in_add_order);
	tcase_add_test(tc, a3_leftovers_go_back_to_the_head);
	tcase_add_test(tc, a4_mixed_et_and_lt);
	tcase_add_test(tc, a5_et_eventfd_edges);
	tcase_add_test(tc, a5_et_eventfd_in_out);
	tcase_add_test(tc, a6_overflow_list_merge_order);
	tcase_add_test(tc, a7_oneshot_disarms_until_mod);
	tcase_add_test(tc, a10_pipe_read_end_et);
	tcase_add_test(tc, a10_pipe_write_end_et);
	tcase_add_test(tc, a10_full_pipe_eagain_write_is_an_edge);
	tcase_add_test(tc, a11_socketpair_shutdown_and_close);
	tcase_add_test(tc, a11_close_with_unread_data_gives_err);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(appendix_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
