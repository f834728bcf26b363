/*
 * Known kernel variants (tools/run/variants.h) and golden paths
 * (tools/run/golden.h): a variant explains exactly its trace, step, kernel
 * pattern and values; anything else stays a difference; malformed files give
 * positioned errors; the corpus's own variants file parses.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "golden.h"
#include "variants.h"
#include "xalloc.h"

static char *write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/epsim-variants-XXXXXX");
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void load_text(const char *text, struct variants *vs)
{
	char err[256] = "", *path = write_tmp(text);

	ck_assert_msg(variants_load(path, vs, err, sizeof(err)) == 0, "%s", err);
	unlink(path);
	free(path);
}

static const char *one = "# comment\n\ntr\t19\t6.18.44-fc-v1*\t0\tEINVAL\tbecause\n";

START_TEST(matches_only_its_case)
{
	struct variants vs;
	const char *g = "19  listen d                                 = 0";
	const char *o = "19  listen d                                 = EINVAL";

	load_text(one, &vs);
	ck_assert_uint_eq(vs.n, 1);
	ck_assert_int_eq(vs.v[0].line, 3);
	ck_assert_ptr_nonnull(variants_match(&vs, "tr", "6.18.44-fc-v1272", g, o));
	/* another release, trace, step, value or text is not explained */
	ck_assert_ptr_null(variants_match(&vs, "tr", "6.18.44-fc-v782", g, o));
	ck_assert_ptr_null(variants_match(&vs, "tr", NULL, g, o));
	ck_assert_ptr_null(variants_match(&vs, "other", "6.18.44-fc-v1272", g, o));
	ck_assert_ptr_null(variants_match(&vs, "tr", "6.18.44-fc-v1272", g,
					  "19  listen d                                 = EBADF"));
	ck_assert_ptr_null(variants_match(&vs, "tr", "6.18.44-fc-v1272",
					  "18  listen d                                 = 0",
					  "18  listen d                                 = EINVAL"));
	ck_assert_ptr_null(variants_match(&vs, "tr", "6.18.44-fc-v1272", g,
					  "19  listen e                                 = EINVAL"));
	ck_assert_ptr_nonnull(variants_match_expect(&vs, "tr", "6.18.44-fc-v1272", 19, "0", "EINVAL"));
	ck_assert_ptr_null(variants_match_expect(&vs, "tr", "6.18.44-fc-v1272", 20, "0", "EINVAL"));
	variants_free(&vs);
}
END_TEST

static void lines(struct log_lines *l, const char *const *s, size_t n)
{
	memset(l, 0, sizeof(*l));
	l->lines = xcalloc(n, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		l->lines[i] = xstrdup(s[i]);
	l->n = n;
}

START_TEST(apply_leaves_unknown_differences)
{
	static const char *const golden[] = { "18  connect d t                              = ECONNREFUSED",
					      "19  listen d                                 = 0",
					      "20  pipe p                                   = 0" };
	static const char *const got[] = { "18  connect d t                              = ECONNREFUSED",
					   "19  listen d                                 = EINVAL",
					   "20  pipe p                                   = EMFILE" };
	const struct variant *first;
	struct log_lines g, o;
	struct variants vs;

	load_text(one, &vs);
	lines(&g, golden, 3);
	lines(&o, got, 3);
	ck_assert_uint_eq(variants_apply(&vs, "tr", "6.18.44-fc-v1272", &g, &o, &first), 1);
	ck_assert_ptr_eq(first, &vs.v[0]);
	ck_assert_str_eq(g.lines[1], got[1]);
	/* the unknown difference stays */
	ck_assert_int_eq(log_lines_diff(&g, "golden", &o, "kernel", 1, NULL), 1);
	log_lines_free(&g);
	lines(&g, golden, 3);
	ck_assert_uint_eq(variants_apply(&vs, "tr", "6.18.44-fc-v782", &g, &o, &first), 0);
	ck_assert_ptr_null(first);
	log_lines_free(&g);
	log_lines_free(&o);
	variants_free(&vs);
}
END_TEST

START_TEST(malformed_files)
{
	static const struct {
		const char *text;
		const char *where;
	} bad[] = {
		{ "tr\t19\tk\t0\tEINVAL\n", ":1:" },
		{ "# c\ntr\tx\tk\t0\tEINVAL\twhy\n", ":2:4: error: the step" },
		{ "tr\t19\t\t0\tEINVAL\twhy\n", ":1:7: error: empty field" },
		{ "tr\t19\tk\t0\tEINVAL\twhy\textra\n", ":1:" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "", *path = write_tmp(bad[i].text);
		struct variants vs;

		ck_assert_int_eq(variants_load(path, &vs, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, bad[i].where) != NULL, "case %zu: %s", i, err);
		ck_assert_ptr_eq(vs.v, NULL);
		unlink(path);
		free(path);
	}
}
END_TEST

START_TEST(missing_file_is_empty_and_corpus_file_parses)
{
	char err[256] = "", path[512];
	struct variants vs;

	ck_assert_int_eq(variants_load("/nonexistent/variants.tsv", &vs, err, sizeof(err)), 0);
	ck_assert_uint_eq(vs.n, 0);
	variants_free(&vs);
	snprintf(path, sizeof(path), "%s/variants.tsv", TRACES_DIR);
	ck_assert_msg(variants_load(path, &vs, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_ge(vs.n, 1);
	for (size_t i = 0; i < vs.n; i++) {
		char tp[600];

		snprintf(tp, sizeof(tp), "%s/%s.trace", TRACES_DIR, vs.v[i].trace);
		ck_assert_msg(access(tp, R_OK) == 0, "%s:%d: no trace %s", path, vs.v[i].line, tp);
		ck_assert_msg(strlen(vs.v[i].why) > 40, "%s:%d: explain the variant", path,
			      vs.v[i].line);
	}
	variants_free(&vs);
}
END_TEST

START_TEST(golden_paths)
{
	char prof[32], *p;

	ck_assert(golden_profile_of_release("6.18.44-fc-v782", prof, sizeof(prof)));
	ck_assert_str_eq(prof, "linux-6.18");
	ck_assert(golden_profile_of_release("6.1.0-40-cloud-amd64", prof, sizeof(prof)));
	ck_assert_str_eq(prof, "linux-6.1");
	ck_assert(!golden_profile_of_release("epsim", prof, sizeof(prof)));
	ck_assert(!golden_profile_of_release(NULL, prof, sizeof(prof)));
	p = golden_path("traces/a-b.trace", "linux-6.12");
	ck_assert_str_eq(p, "traces/golden/linux-6.12/a-b.log");
	free(p);
	p = golden_path("x.trace", "gvisor");
	ck_assert_str_eq(p, "golden/gvisor/x.log");
	free(p);
	p = variants_path_for("traces/x.trace");
	ck_assert_str_eq(p, "traces/variants.tsv");
	free(p);
	p = trace_name_of("/a/traces/x-y.trace");
	ck_assert_str_eq(p, "x-y");
	free(p);
}
END_TEST

static Suite *variants_suite(void)
{
	Suite *s = suite_create("variants");
	TCase *tc = tcase_create("variants");

	tcase_add_test(tc, matches_only_its_case);
	tcase_add_test(tc, apply_leaves_unknown_differences);
	tcase_add_test(tc, malformed_files);
	tcase_add_test(tc, missing_file_is_empty_and_corpus_file_parses);
	tcase_add_test(tc, golden_paths);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(variants_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
