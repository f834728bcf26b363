/*
 * sim/ on its own: the simulated kernel built without model/, with a registry
 * of one stub file type (a counter behind eventfd2) and one stub address
 * family. Shows that sim/ reaches file types only through the registry and
 * file_operations / proto_ops, and that what is not registered fails cleanly.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "alloc.h"
#include "epsim.h"
#include "registry.h"
#include "world_check.h"

/* ---- a stub file type: a counter that is readable while non-zero ------- */

struct counter {
	struct wait_queue_head wqh;
	uint64_t count;
	struct world *world;
};

static __poll_t counter_peek(const struct file *file)
{
	const struct counter *c = file->private_data;

	return (c->count ? EPOLLIN : 0) | EPOLLOUT;
}

static __poll_t counter_poll(struct file *file, poll_table *wait)
{
	struct counter *c = file->private_data;

	poll_wait(file, &c->wqh, wait);
	return counter_peek(file);
}

static ssize_t counter_read(struct file *file, struct sim_io *io)
{
	struct counter *c = file->private_data;

	if (!c->count)
		return -EAGAIN;
	io->value = c->count;
	c->count = 0;
	return 8;
}

static ssize_t counter_write(struct file *file, struct sim_io *io)
{
	struct counter *c = file->private_data;

	c->count += io->value;
	wake_up_poll(&c->wqh, EPOLLIN);
	return 8;
}

static void counter_release(struct file *file)
{
	struct counter *c = file->private_data;

	sim_free(c->world, c);
}

static const struct file_operations counter_fops = {
	.name = "counter",
	.poll = counter_poll,
	.read = counter_read,
	.write = counter_write,
	.release = counter_release,
	.peek = counter_peek,
};

static int counter_create(struct world *w, uint64_t count, int flags, struct file **out)
{
	struct counter *c = sim_zalloc(w, sizeof(*c));

	(void)flags;
	if (!c)
		return -ENOMEM;
	init_waitqueue_head(&c->wqh);
	c->count = count;
	c->world = w;
	*out = file_alloc(w, &counter_fops, c, O_RDWR | O_NONBLOCK);
	if (!*out) {
		sim_free(w, c);
		return -ENOMEM;
	}
	return 0;
}

/* ---- a stub address family whose sockets answer every call with a mark - */

static int stub_bind(struct file *f)
{
	(void)f;
	return -EADDRINUSE;
}

static int stub_connect(struct file *f, unsigned int port)
{
	(void)f;
	return port == 7 ? -ECONNREFUSED : -ENETUNREACH;
}

static int stub_so_error(struct file *f)
{
	(void)f;
	return ETIMEDOUT;
}

static const struct proto_ops stub_ops = {
	.family = AF_INET,
	.bind = stub_bind,
	.connect = stub_connect,
	.listen = sock_no_listen,
	.accept = sock_no_accept,
	.so_error = stub_so_error,
};

static const struct file_operations stub_sock_fops = {
	.name = "stub_sock",
	.proto_ops = &stub_ops,
};

static int stub_create(struct world *w, int type, int protocol, unsigned int flags,
		       struct file **out)
{
	(void)protocol;
	if (type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	*out = file_alloc(w, &stub_sock_fops, NULL, O_RDWR | flags);
	return *out ? 0 : -ENOMEM;
}

static const struct net_proto_family stub_family = {
	.family = AF_INET,
	.create = stub_create,
};

static const struct net_proto_family *const stub_families[] = { &stub_family, NULL };

const struct sim_registry sim_registry = {
	.fs = { .eventfd_create = counter_create },
	.net_families = stub_families,
};

/* ---- tests -------------------------------------------------------------- */

static void assert_world_ok(const struct world *w)
{
	char why[256];

	ck_assert_msg(world_check(w, why, sizeof(why)) == 0, "%s", why);
}

START_TEST(epoll_watches_a_registered_type)
{
	struct world *w = epsim_world_create(NULL);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 }, out[4];
	int ep = (int)epsim_epoll_create1(w, EPSIM_MAIN_TID, 0);
	int c = (int)epsim_eventfd2(w, EPSIM_MAIN_TID, 0, 0);
	uint64_t v = 0;

	ck_assert_int_ge(ep, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(epsim_epoll_ctl(w, EPSIM_MAIN_TID, ep, EPOLL_CTL_ADD, c, &ev), 0);
	ck_assert_int_eq(epsim_epoll_wait(w, EPSIM_MAIN_TID, ep, out, 4, 4, 0), 0);
	ck_assert_int_eq(epsim_write(w, EPSIM_MAIN_TID, c, 8, 5), 8);
	ck_assert_int_eq(epsim_epoll_wait(w, EPSIM_MAIN_TID, ep, out, 4, 4, 0), 1);
	ck_assert_uint_eq(out[0].data.u64, 42);
	ck_assert_uint_eq(out[0].events, EPOLLIN);
	assert_world_ok(w);
	ck_assert_int_eq(epsim_read(w, EPSIM_MAIN_TID, c, 8, &v), 8);
	ck_assert_uint_eq(v, 5);
	ck_assert_int_eq(epsim_epoll_wait(w, EPSIM_MAIN_TID, ep, out, 4, 4, 0), 0);
	ck_assert_int_eq(epsim_close(w, EPSIM_MAIN_TID, c), 0);
	ck_assert_int_eq(epsim_close(w, EPSIM_MAIN_TID, ep), 0);
	assert_world_ok(w);
	epsim_world_destroy(w);
}
END_TEST

START_TEST(sockets_go_through_the_family_and_proto_ops)
{
	struct world *w = epsim_world_create(NULL);
	int fds[2], soerr = 0;
	int s = (int)epsim_socket(w, EPSIM_MAIN_TID, AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(epsim_bind_loopback(w, EPSIM_MAIN_TID, s), -EADDRINUSE);
	ck_assert_int_eq(epsim_connect_loopback(w, EPSIM_MAIN_TID, s, 7), -ECONNREFUSED);
	ck_assert_int_eq(epsim_connect_loopback(w, EPSIM_MAIN_TID, s, 8), -ENETUNREACH);
	ck_assert_int_eq(epsim_listen(w, EPSIM_MAIN_TID, s, 1), -EOPNOTSUPP);
	ck_assert_int_eq(epsim_accept4(w, EPSIM_MAIN_TID, s, 0), -EOPNOTSUPP);
	ck_assert_int_eq(epsim_getsockname_port(w, EPSIM_MAIN_TID, s), 0);
	ck_assert_int_eq(epsim_setsockopt_linger(w, EPSIM_MAIN_TID, s, 1, 0), 0);
	ck_assert_int_eq(epsim_getsockopt_error(w, EPSIM_MAIN_TID, s, &soerr), 0);
	ck_assert_int_eq(soerr, ETIMEDOUT);
	ck_assert_int_eq(epsim_socket(w, EPSIM_MAIN_TID, AF_INET, SOCK_DGRAM, 0), -ESOCKTNOSUPPORT);
	ck_assert_int_eq(epsim_socket(w, EPSIM_MAIN_TID, AF_UNIX, SOCK_STREAM, 0), -EAFNOSUPPORT);
	ck_assert_int_eq(epsim_socketpair(w, EPSIM_MAIN_TID, AF_INET, SOCK_STREAM, 0, fds),
			 -EAFNOSUPPORT);
	ck_assert_int_eq(epsim_close(w, EPSIM_MAIN_TID, s), 0);
	assert_world_ok(w);
	epsim_world_destroy(w);
}
END_TEST

START_TEST(unregistered_types_fail_with_enosys)
{
	struct world *w = epsim_world_create(NULL);
	int fds[2], c;

	ck_assert_int_eq(epsim_pipe2(w, EPSIM_MAIN_TID, fds, 0), -ENOSYS);
	ck_assert_int_eq(epsim_signalfd(w, EPSIM_MAIN_TID, 1, 0), -ENOSYS);
	ck_assert_int_eq(epsim_timerfd_create(w, EPSIM_MAIN_TID, 0), -ENOSYS);
	ck_assert_int_eq(epsim_io_uring_setup(w, EPSIM_MAIN_TID, 4), -ENOSYS);
	c = (int)epsim_eventfd2(w, EPSIM_MAIN_TID, 0, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(epsim_timerfd_settime(w, EPSIM_MAIN_TID, c, 1, 0), -ENOSYS);
	ck_assert_int_eq(epsim_io_uring_wait(w, EPSIM_MAIN_TID, c, 1, NULL, 0), -EOPNOTSUPP);
	ck_assert_int_eq(epsim_listen(w, EPSIM_MAIN_TID, c, 1), -ENOTSOCK);
	ck_assert_int_eq(epsim_shutdown(w, EPSIM_MAIN_TID, c, SHUT_RD), -ENOTSOCK);
	assert_world_ok(w);
	epsim_world_destroy(w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim_only");
	TCase *tc = tcase_create("registry");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, epoll_watches_a_registered_type);
	tcase_add_test(tc, sockets_go_through_the_family_and_proto_ops);
	tcase_add_test(tc, unregistered_types_fail_with_enosys);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
