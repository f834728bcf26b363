/*
 * Targets (tools/targets/target.h): names, golden directories, the guest's
 * framed output read back (noise, missing results, expectation failures),
 * the newc initramfs writer, and a qemu target that is unavailable says so.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpio_newc.h"
#include "target.h"
#include "target_spawn.h"

START_TEST(names_and_profiles)
{
	struct target t;
	char err[256], prof[64];

	ck_assert_int_eq(target_parse("sim", &t, err, sizeof(err)), 0);
	ck_assert_int_eq(t.kind, TARGET_SIM);
	target_profile(&t, prof, sizeof(prof));
	ck_assert_str_eq(prof, "linux-6.18");
	ck_assert_int_eq(target_parse("sim:6.1", &t, err, sizeof(err)), 0);
	target_profile(&t, prof, sizeof(prof));
	ck_assert_str_eq(prof, "linux-6.1");
	ck_assert_int_eq(target_parse("qemu:6.12", &t, err, sizeof(err)), 0);
	ck_assert_int_eq(t.kind, TARGET_QEMU);
	ck_assert_ptr_null(t.ops);
	target_profile(&t, prof, sizeof(prof));
	ck_assert_str_eq(prof, "linux-6.12");
	ck_assert_int_eq(target_parse("gvisor", &t, err, sizeof(err)), 0);
	target_profile(&t, prof, sizeof(prof));
	ck_assert_str_eq(prof, "gvisor");
	ck_assert_int_eq(target_parse("kernel", &t, err, sizeof(err)), 0);
	ck_assert_ptr_eq(t.ops, &kernel_backend_ops);
	ck_assert_int_eq(target_parse("qemu:six", &t, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "bad qemu image"));
	ck_assert_int_eq(target_parse("sim:5.4", &t, err, sizeof(err)), -1);
	ck_assert_int_eq(target_parse("vm", &t, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown target 'vm'"));
}
END_TEST

START_TEST(guest_output_parsed)
{
	static const char *text =
		"[    1.0] a kernel message\r\n"
		"@@ab12 release 6.1.0-57-cloud-amd64\r\n"
		"@@ab12 build #1 SMP Debian\n"
		"@@ab12 begin 0\n"
		"1   epoll ep                                 = 0\n"
		"@@ab12 fail 1 3 14\texpected 1\tgot 0\n"
		"@@ab12 end 0 ran\n"
		"@@zz99 begin 1\n"	/* another nonce: not ours */
		"@@ab12 begin 1\n"
		"@@ab12 end 1 trouble\tthe run failed\n"
		"@@ab12 begin 2\n"
		"2   pipe p                                   = 0\n";	/* cut off: no end, no done */
	struct target_outcome o[3] = { 0 };
	struct target t;

	target_parse("qemu:6.1", &t, NULL, 0);
	ck_assert_int_eq(target_guest_parse(text, "ab12", 3, &t, o), -1);
	ck_assert_str_eq(t.release, "6.1.0-57-cloud-amd64");
	ck_assert_str_eq(t.build, "#1 SMP Debian");
	ck_assert_int_eq(o[0].status, TARGET_RAN);
	ck_assert_uint_eq(o[0].lines.n, 1);
	ck_assert_uint_eq(o[0].nfails, 1);
	ck_assert_int_eq(o[0].fails[0].step, 1);
	ck_assert_int_eq(o[0].fails[0].line, 3);
	ck_assert_str_eq(o[0].fails[0].expected, "expected 1");
	ck_assert_str_eq(o[0].fails[0].got, "got 0");
	ck_assert_int_eq(o[1].status, TARGET_TROUBLE);
	ck_assert_str_eq(o[1].error, "the run failed");
	ck_assert_int_eq(o[2].status, TARGET_TROUBLE);	/* never ended: not a pass */
	ck_assert_ptr_nonnull(strstr(o[2].error, "no result"));
	for (int i = 0; i < 3; i++)
		target_outcome_free(&o[i]);
	ck_assert_int_eq(target_guest_parse("@@ab12 done\n", "ab12", 0, &t, o), 0);
}
END_TEST

START_TEST(cpio_archive)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct cpio_out c;

	cpio_open(&c, f);
	cpio_mkdirs(&c, "a/b");
	cpio_mkdirs(&c, "a/c");	/* "a" once */
	cpio_bytes(&c, "a/b/x", 0755, "hello", 5);
	cpio_chardev(&c, "dev/console", 5, 1);
	ck_assert_int_eq(cpio_close(&c), 0);
	fclose(f);
	ck_assert_uint_eq(len % 4, 0);
	ck_assert(memcmp(buf, "070701", 6) == 0);
	ck_assert_ptr_nonnull(memmem(buf, len, "a/b/x", 6));
	ck_assert_ptr_nonnull(memmem(buf, len, "hello", 5));
	ck_assert_ptr_nonnull(memmem(buf, len, "TRAILER!!!", 11));
	/* "a" appears as a name once: 110-byte header, then "a\0" */
	{
		int n = 0;

		for (size_t i = 110; i + 2 <= len; i++)
			if (!memcmp(buf + i, "a\0", 2) && !memcmp(buf + i - 110, "070701", 6))
				n++;
		ck_assert_int_eq(n, 1);
	}
	free(buf);
}
END_TEST

START_TEST(unavailable_is_said)
{
	struct target t;
	char why[256] = "";

	target_parse("qemu:5.4", &t, NULL, 0);
	ck_assert(!target_available(&t, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "unavailable"));
}
END_TEST

START_TEST(spawn_deadline)
{
	char *argv[] = { "/bin/sleep", "5", NULL }, err[128];
	struct spawn_result r;

	ck_assert_int_eq(target_spawn(argv, "/dev/null", NULL, 200, &r, err, sizeof(err)), 0);
	ck_assert(r.timed_out);
	ck_assert_int_eq(r.status, -1);
	ck_assert(r.secs < 3);
}
END_TEST

static Suite *targets_suite(void)
{
	Suite *s = suite_create("targets");
	TCase *tc = tcase_create("targets");

	tcase_add_test(tc, names_and_profiles);
	tcase_add_test(tc, guest_output_parsed);
	tcase_add_test(tc, cpio_archive);
	tcase_add_test(tc, unavailable_is_said);
	tcase_add_test(tc, spawn_deadline);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(targets_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
