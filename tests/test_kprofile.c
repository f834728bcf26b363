/*
 * The kernel profile table (sim/kprofile.c): its entries are well formed and
 * each one a real difference, the names parse, a world carries its profile,
 * each switch changes what the simulator does, and docs/kernel-profiles.md is
 * the table's own rendering.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <linux/io_uring.h>
#include <sys/stat.h>
#include "epsim.h"
#include "eventpoll.h"
#include "fdtable.h"
#include "kprofile.h"
#include "rbtree.h"
#include "task.h"
#include "world.h"

#define T EPSIM_MAIN_TID
#define PROFILES_DOC TRACES_DIR "/../docs/kernel-profiles.md"

static struct world *world_of(int release)
{
	struct world_config cfg = { .kernel_release = release };
	struct world *w = epsim_world_create(&cfg);

	ck_assert_ptr_nonnull(w);
	return w;
}

START_TEST(table_is_well_formed)
{
	size_t n;
	const struct kprofile_entry *t = kprofile_table(&n);

	ck_assert_uint_eq(n, KP_COUNT);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(t[i].id, (int)i);
		ck_assert_ptr_eq(kprofile_entry(t[i].id), &t[i]);
		ck_assert_msg(t[i].name && *t[i].name, "entry %zu has no name", i);
		ck_assert_msg(t[i].enum_name && !strncmp(t[i].enum_name, "KP_", 3), "%s: no enum name",
			      t[i].name);
		ck_assert_msg(t[i].summary && strlen(t[i].summary) > 20, "%s: no summary", t[i].name);
		ck_assert_msg(t[i].kernel && *t[i].kernel, "%s: no kernel function", t[i].name);
		ck_assert_msg(t[i].traces && *t[i].traces, "%s: no trace", t[i].name);
		ck_assert_msg(!t[i].first || !t[i].last || t[i].first <= t[i].last,
			      "%s: empty range", t[i].name);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(strcmp(t[i].name, t[j].name), "%s twice", t[i].name);
	}
	ck_assert_ptr_null(kprofile_entry(KP_COUNT));
}
END_TEST

/* An entry that holds in every profile or in none is no difference between them. */
START_TEST(every_entry_is_a_difference)
{
	size_t n, nrel;
	const struct kprofile_entry *t = kprofile_table(&n);
	const int *rel = kprofile_releases(&nrel);

	ck_assert_uint_eq(nrel, 3);
	ck_assert_int_eq(rel[nrel - 1], KPROFILE_DEFAULT);
	for (size_t i = 0; i < n; i++) {
		int yes = 0;
		for (size_t r = 0; r < nrel; r++)
			yes += kprofile_release_has(rel[r], t[i].id);
		ck_assert_msg(yes > 0 && yes < (int)nrel, "%s: same in every profile", t[i].name);
	}
}
END_TEST

/* Every trace an entry names is in the corpus. */
START_TEST(entry_traces_exist)
{
	size_t n;
	const struct kprofile_entry *t = kprofile_table(&n);

	for (size_t i = 0; i < n; i++) {
		const char *p = t[i].traces;
		while (*p) {
			size_t len = strcspn(p, " ");
			char path[512];
			struct stat st;

			snprintf(path, sizeof(path), "%s/%.*s.trace", TRACES_DIR, (int)len, p);
			ck_assert_msg(stat(path, &st) == 0, "%s: no trace %s", t[i].name, path);
			p += len;
			p += strspn(p, " ");
		}
	}
}
END_TEST

START_TEST(names_parse)
{
	char buf[16];

	ck_assert_int_eq(kprofile_parse("6.1"), KREL(6, 1));
	ck_assert_int_eq(kprofile_parse("6.12"), KREL(6, 12));
	ck_assert_int_eq(kprofile_parse("6.18"), KREL(6, 18));
	ck_assert_int_eq(kprofile_parse("6.2"), -1);
	ck_assert_int_eq(kprofile_parse("6"), -1);
	ck_assert_int_eq(kprofile_parse("6.1x"), -1);
	ck_assert_int_eq(kprofile_parse("6.18.44"), -1);
	ck_assert_int_eq(kprofile_parse(""), -1);
	ck_assert_int_eq(kprofile_parse("latest"), -1);
	ck_assert_str_eq(kprofile_name(KREL(6, 12), buf, sizeof(buf)), "6.12");
	ck_assert_str_eq(kprofile_name(KREL(6, 1), buf, sizeof(buf)), "6.1");
}
END_TEST

START_TEST(uname_release_to_profile)
{
	ck_assert_int_eq(kprofile_from_uname("6.18.44-fc-v1272"), KREL(6, 18));
	ck_assert_int_eq(kprofile_from_uname("6.1.0-50-cloud-amd64"), KREL(6, 1));
	ck_assert_int_eq(kprofile_from_uname("6.12.113+deb12-cloud-amd64"), KREL(6, 12));
	ck_assert_int_eq(kprofile_from_uname("6.10.3"), -1);
	ck_assert_int_eq(kprofile_from_uname("4.4.0"), -1);
	ck_assert_int_eq(kprofile_from_uname("6.180.1"), -1);
	ck_assert_int_eq(kprofile_from_uname("x"), -1);
}
END_TEST

/* The ranges at their edges: the 6.15 change of epoll_wait's argument checks. */
START_TEST(range_edges)
{
	ck_assert(kprofile_release_has(KREL(6, 14), KP_WAIT_CHECKS_ARGS_FIRST));
	ck_assert(!kprofile_release_has(KREL(6, 15), KP_WAIT_CHECKS_ARGS_FIRST));
	ck_assert(kprofile_release_has(KREL(4, 19), KP_WAIT_CHECKS_ARGS_FIRST));
	ck_assert(!kprofile_release_has(KREL(6, 18), KP_COUNT));
}
END_TEST

START_TEST(world_carries_its_profile)
{
	struct world *w = epsim_world_create(NULL);

	ck_assert_int_eq(w->kernel_release, KPROFILE_DEFAULT);
	ck_assert(!kprofile_has(w, KP_WAIT_CHECKS_ARGS_FIRST));
	epsim_world_destroy(w);
	w = world_of(KPROFILE_6_12);
	ck_assert_int_eq(w->kernel_release, KREL(6, 12));
	ck_assert(kprofile_has(w, KP_WAIT_CHECKS_ARGS_FIRST));
	epsim_world_destroy(w);
}
END_TEST

/* epoll_wait(badfd, max=0): EINVAL up to 6.14, EBADF from 6.15. */
START_TEST(wait_check_order)
{
	struct epoll_event out[1];
	struct world *w61 = world_of(KPROFILE_6_1), *w618 = world_of(KPROFILE_6_18);

	ck_assert_int_eq(epsim_epoll_wait(w61, T, 77, out, 1, 0, 0), -EINVAL);
	ck_assert_int_eq(epsim_epoll_wait(w618, T, 77, out, 1, 0, 0), -EBADF);
	ck_assert_int_eq(epsim_epoll_wait(w61, T, 77, out, 1, 1, 0), -EBADF);
	epsim_world_destroy(w61);
	epsim_world_destroy(w618);
}
END_TEST

/* The stored mask of the only item of instance ep. */
static uint32_t only_item_events(struct world *w, int ep)
{
	struct file *f = fd_lookup(world_find_task(w, T)->proc->files, ep);
	struct eventpoll *epp = f->private_data;
	struct rb_node *n = rb_first_cached(&epp->rbr);

	ck_assert_ptr_nonnull(n);
	return rb_entry(n, struct epitem, rbn)->event.events;
}

/* EPOLLWAKEUP stays on the CONFIG_PM_SLEEP builds (6.1, 6.12), is dropped on 6.18's. */
START_TEST(epollwakeup_per_profile)
{
	const int rel[] = { KPROFILE_6_1, KPROFILE_6_12, KPROFILE_6_18 };

	for (int i = 0; i < 3; i++) {
		struct world *w = world_of(rel[i]);
		struct epoll_event ev = { .events = EPOLLIN | EPOLLWAKEUP };
		int ep = (int)epsim_epoll_create1(w, T, 0);
		int e = (int)epsim_eventfd2(w, T, 0, EFD_NONBLOCK);

		ck_assert_int_eq(epsim_epoll_ctl(w, T, ep, EPOLL_CTL_ADD, e, &ev), 0);
		ck_assert_int_eq(!!(only_item_events(w, ep) & EPOLLWAKEUP), rel[i] != KPROFILE_6_18);
		epsim_world_destroy(w);
	}
}
END_TEST

/* A 16-byte eventfd write: 8 on 6.1, EINVAL from 6.6; a 4-byte one is EINVAL everywhere. */
START_TEST(eventfd_write_size)
{
	struct world *w61 = world_of(KPROFILE_6_1), *w612 = world_of(KPROFILE_6_12);
	int e61 = (int)epsim_eventfd2(w61, T, 0, EFD_NONBLOCK), e612 = (int)epsim_eventfd2(w612, T, 0, EFD_NONBLOCK);
	uint64_t v = 0;

	ck_assert_int_eq(epsim_write(w61, T, e61, 16, 3), 8);
	ck_assert_int_eq(epsim_write(w612, T, e612, 16, 3), -EINVAL);
	ck_assert_int_eq(epsim_write(w61, T, e61, 4, 3), -EINVAL);
	ck_assert_int_eq(epsim_read(w61, T, e61, 8, &v), 8);
	ck_assert_uint_eq(v, 3);
	epsim_world_destroy(w61);
	epsim_world_destroy(w612);
}
END_TEST

/* A too-large send on a disconnected datagram socket: ENOTCONN up to 6.12, EMSGSIZE on 6.18. */
START_TEST(dgram_enotconn_order)
{
	const int rel[] = { KPROFILE_6_12, KPROFILE_6_18 };
	const long want[] = { -ENOTCONN, -EMSGSIZE };

	for (int i = 0; i < 2; i++) {
		struct world *w = world_of(rel[i]);
		int sv[2];

		ck_assert_int_eq(epsim_socketpair(w, T, AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
		ck_assert_int_eq(epsim_close(w, T, sv[1]), 0);
		ck_assert_int_eq(epsim_write(w, T, sv[0], 1, 0), -ECONNREFUSED);
		ck_assert_int_eq(epsim_write(w, T, sv[0], 300000, 0), want[i]);
		ck_assert_int_eq(epsim_write(w, T, sv[0], 1, 0), -ENOTCONN);
		epsim_world_destroy(w);
	}
}
END_TEST

/*
 * Two writers blocked on a full pipe, then a read of 1 byte and a read of the
 * rest of that page: up to 6.13 the first read wakes the first writer, which
 * queues again behind the second, so the freed slot goes to the second.
 */
START_TEST(pipe_read_wakes_while_full)
{
	const int rel[] = { KPROFILE_6_12, KPROFILE_6_18 };
	const int first_done[] = { 2, 1 };

	for (int i = 0; i < 2; i++) {
		struct world *w = world_of(rel[i]);
		int p[2], tids[3] = { T, 0, 0 }, done;
		long ret;

		ck_assert_int_eq(epsim_pipe2(w, T, p, 0), 0);
		tids[1] = epsim_thread_create(w, T, "t1");
		tids[2] = epsim_thread_create(w, T, "t2");
		ck_assert_int_eq(epsim_write(w, T, p[1], 65536, 0), 65536);
		ck_assert_int_eq(epsim_write(w, tids[1], p[1], 4096, 0), -EPSIM_PENDING);
		ck_assert_int_eq(epsim_write(w, tids[2], p[1], 8, 0), -EPSIM_PENDING);
		ck_assert_int_eq(epsim_read(w, T, p[0], 1, NULL), 1);
		ck_assert_int_eq(epsim_next_completed(w), 0);
		ck_assert_int_eq(epsim_read(w, T, p[0], 4095, NULL), 4095);
		done = epsim_next_completed(w);
		ck_assert_int_eq(done, tids[first_done[i]]);
		ck_assert(epsim_take_result(w, done, &ret));
		ck_assert_int_eq(ret, first_done[i] == 1 ? 4096 : 8);
		ck_assert_int_eq(epsim_next_completed(w), 0);
		epsim_world_destroy(w);
	}
}
END_TEST

/* Only an unmodelled entry makes a trace unsupported, and only on the profiles that have it. */
START_TEST(unsupported_traces)
{
	const struct kprofile_entry *e = kprofile_unsupported(KPROFILE_6_1, "io-async-uring");

	ck_assert_ptr_nonnull(e);
	ck_assert(e->unmodelled);
	ck_assert_int_eq(e->id, KP_URING_PIPE_IO_WQ);
	ck_assert_ptr_null(kprofile_unsupported(KPROFILE_6_12, "io-async-uring"));
	ck_assert_ptr_null(kprofile_unsupported(KPROFILE_6_1, "io-async"));
	ck_assert_ptr_null(kprofile_unsupported(KPROFILE_6_1, "uring-ring-in-epoll"));
	ck_assert_ptr_null(kprofile_unsupported(KPROFILE_6_1, "errno-wait-args"));
}
END_TEST

/*
 * Two reads armed on one empty pipe, then one write of 8 bytes: on 6.1 the
 * task_work runs newest first, so the read submitted first (woken last) gets
 * 5 bytes; from 6.12 the one submitted last does.
 */
START_TEST(uring_task_work_order)
{
	const int rel[] = { KPROFILE_6_1, KPROFILE_6_12 };
	const uint64_t first_data[] = { 1, 2 };

	for (int i = 0; i < 2; i++) {
		struct world *w = world_of(rel[i]);
		struct io_uring_cqe cqes[4];
		int p[2], ring = (int)epsim_io_uring_setup(w, T, 4);

		ck_assert_int_ge(ring, 0);
		ck_assert_int_eq(epsim_pipe2(w, T, p, O_NONBLOCK), 0);
		ck_assert_int_eq(epsim_io_uring_read(w, T, ring, p[0], 5, 1), 1);
		ck_assert_int_eq(epsim_io_uring_read(w, T, ring, p[0], 5, 2), 1);
		ck_assert_int_eq(epsim_write(w, T, p[1], 8, 0), 8);
		ck_assert_int_eq(epsim_io_uring_wait(w, T, ring, 0, cqes, 4), 2);
		ck_assert_uint_eq(cqes[0].user_data, first_data[i]);
		ck_assert_int_eq(cqes[0].res, 5);
		ck_assert_int_eq(cqes[1].res, 3);
		epsim_world_destroy(w);
	}
}
END_TEST

/* docs/kernel-profiles.md is exactly what the table renders (epsim profiles --markdown). */
START_TEST(doc_equals_table)
{
	char *text = NULL, *doc;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	FILE *d = fopen(PROFILES_DOC, "r");
	long dlen;

	ck_assert_ptr_nonnull(f);
	kprofile_write_markdown(f);
	fclose(f);
	ck_assert_msg(d != NULL, "cannot open %s", PROFILES_DOC);
	fseek(d, 0, SEEK_END);
	dlen = ftell(d);
	rewind(d);
	doc = calloc(1, (size_t)dlen + 1);
	ck_assert_uint_eq(fread(doc, 1, (size_t)dlen, d), (size_t)dlen);
	fclose(d);
	ck_assert_msg(strcmp(doc, text) == 0,
		      "%s differs from the table: regenerate it with "
		      "'epsim profiles --markdown > docs/kernel-profiles.md'",
		      PROFILES_DOC);
	free(doc);
	free(text);
}
END_TEST

static Suite *kprofile_suite(void)
{
	Suite *s = suite_create("kprofile");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, table_is_well_formed);
	tcase_add_test(tc, every_entry_is_a_difference);
	tcase_add_test(tc, entry_traces_exist);
	tcase_add_test(tc, names_parse);
	tcase_add_test(tc, uname_release_to_profile);
	tcase_add_test(tc, range_edges);
	tcase_add_test(tc, world_carries_its_profile);
	tcase_add_test(tc, wait_check_order);
	tcase_add_test(tc, epollwakeup_per_profile);
	tcase_add_test(tc, eventfd_write_size);
	tcase_add_test(tc, dgram_enotconn_order);
	tcase_add_test(tc, pipe_read_wakes_while_full);
	tcase_add_test(tc, unsupported_traces);
	tcase_add_test(tc, uring_task_work_order);
	tcase_add_test(tc, doc_equals_table);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kprofile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
