/*
 * epsim diagram: golden files for every format on corpus traces and on the
 * diagram test traces (annotated with their kernel logs), byte stability, the
 * recorder's probes, the kernel annotation, and the command line.
 *
 * The golden files are made by the tool itself (they pin the rendering, and
 * each was looked at before it was added). To renew them after a deliberate
 * change: EPSIM_UPDATE_GOLDEN=1 build/debug/test_diagram, then look again.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "diagram.h"

#ifndef DIAGRAM_GOLDEN_DIR
#define DIAGRAM_GOLDEN_DIR "tests/golden/diagrams"
#endif
#ifndef DIAGRAM_TRACES_DIR
#define DIAGRAM_TRACES_DIR "tests/diagram/traces"
#endif

/* A trace to draw: from the corpus, or a diagram test trace with its kernel log. */
struct dg_case {
	const char *dir;
	const char *name;
	bool kernel;
};

static const struct dg_case cases[] = {
	{ TRACES_DIR, "lt-readiness-order", false },
	{ TRACES_DIR, "threads-lt-cascade", false },
	{ TRACES_DIR, "threads-nested-wake", false },
	{ TRACES_DIR, "et-eventfd-edges", false },
	{ DIAGRAM_TRACES_DIR, "lt-vs-et", true },
	{ DIAGRAM_TRACES_DIR, "threads-wake", true },
	{ DIAGRAM_TRACES_DIR, "nested-oneshot", true },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

enum { F_SVG, F_DOT, F_MERMAID, F_PERFETTO, F_HTML, NFORMATS };
static const char *const exts[NFORMATS] = { "svg", "dot", "mermaid.md", "perfetto.json", "html" };

struct recorded {
	struct trace *t;
	struct log_lines kernel;
	struct dg_recording rec;
};

static void record_case(const struct dg_case *c, struct recorded *r)
{
	char path[512], kpath[600], err[512] = "";
	struct trace_error terr;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/%s.trace", c->dir, c->name);
	ck_assert_msg(trace_parse_file(path, &r->t, &terr) == 0, "cannot parse %s: %s", path, terr.msg);
	if (c->kernel) {
		snprintf(kpath, sizeof(kpath), "%s/golden/linux-6.18/%s.log", c->dir, c->name);
		ck_assert_int_eq(log_lines_from_file(kpath, &r->kernel), 0);
	}
	struct dg_options o = { .kernel = c->kernel ? &r->kernel : NULL, .kernel_label = "kernel log" };
	ck_assert_msg(dg_record(r->t, &o, &r->rec, err, sizeof(err)) == 0, "%s: %s", path, err);
}

static void release(struct recorded *r)
{
	dg_recording_free(&r->rec);
	log_lines_free(&r->kernel);
	trace_free(r->t);
}

/* Draw one format into memory. */
static char *draw(const struct dg_recording *rec, int format, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	ck_assert_ptr_nonnull(f);
	switch (format) {
	case F_SVG:
		dg_svg(rec, 0, f);
		break;
	case F_DOT:
		dg_dot(rec, rec->nsteps, f);
		break;
	case F_MERMAID:
		dg_mermaid(rec, true, f);
		break;
	case F_PERFETTO:
		dg_perfetto(rec, f);
		break;
	case F_HTML:
		dg_html(rec, 1, f);
		break;
	}
	fclose(f);
	return buf;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void spill(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	fwrite(buf, 1, len, f);
	fclose(f);
}

/* The first line where a and b differ, 1-based. */
static int first_diff_line(const char *a, const char *b)
{
	int line = 1;

	for (; *a && *a == *b; a++, b++)
		line += *a == '\n';
	return line;
}

START_TEST(golden)
{
	const struct dg_case *c = &cases[_i / NFORMATS];
	int format = _i % NFORMATS;
	struct recorded r;
	char path[600], actual[700];
	size_t len, glen = 0;
	char *got, *want;

	record_case(c, &r);
	got = draw(&r.rec, format, &len);
	snprintf(path, sizeof(path), "%s/%s.%s", DIAGRAM_GOLDEN_DIR, c->name, exts[format]);
	if (getenv("EPSIM_UPDATE_GOLDEN"))
		spill(path, got, len);
	want = slurp(path, &glen);
	if (!want || glen != len || memcmp(want, got, len)) {
		snprintf(actual, sizeof(actual), "%s.%s.actual", c->name, exts[format]);
		spill(actual, got, len);
		ck_abort_msg("%s differs from its golden file %s at line %d (the new drawing is in %s; "
			     "renew with EPSIM_UPDATE_GOLDEN=1 after looking at it)",
			     c->name, path, want ? first_diff_line(want, got) : 0, actual);
	}
	free(want);
	free(got);
	release(&r);
}
END_TEST

START_TEST(byte_stable)
{
	struct recorded a, b;

	record_case(&cases[_i], &a);
	record_case(&cases[_i], &b);
	for (int f = 0; f < NFORMATS; f++) {
		size_t la, lb;
		char *da = draw(&a.rec, f, &la), *db = draw(&b.rec, f, &lb);
		ck_assert_msg(la == lb && !memcmp(da, db, la), "%s: two runs differ in %s",
			      cases[_i].name, exts[f]);
		free(da);
		free(db);
	}
	release(&a);
	release(&b);
}
END_TEST

/* threads-lt-cascade step 7: the callback first, then the wake-up it caused; t3, t2, t1 deliver. */
START_TEST(probes_in_cause_order)
{
	struct recorded r;
	const struct dg_step *st;
	int delivered[4], n = 0;

	record_case(&cases[1], &r);
	st = &r.rec.steps[6];
	ck_assert_int_ge(st->nprobes, 5);
	ck_assert_int_eq(st->probes[0].kind, PROBE_CALLBACK);
	ck_assert_int_eq(st->probes[0].outcome, PROBE_QUEUED);
	ck_assert_int_eq(st->probes[0].cause, -1);
	ck_assert_int_eq(st->probes[0].ctx, 0);
	ck_assert_str_eq(r.rec.t->names[st->probes[0].item].name, "a");
	ck_assert_int_eq(st->probes[1].kind, PROBE_TASK_WAKE);
	ck_assert_str_eq(dg_thread_name(&r.rec, st->probes[1].task), "t3");
	ck_assert_int_eq(st->probes[1].cause, 0);
	for (size_t i = 0; i < st->nprobes && n < 4; i++)
		if (st->probes[i].kind == PROBE_DELIVER)
			delivered[n++] = st->probes[i].ctx;
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(dg_thread_name(&r.rec, delivered[0]), "t3");
	ck_assert_str_eq(dg_thread_name(&r.rec, delivered[1]), "t2");
	ck_assert_str_eq(dg_thread_name(&r.rec, delivered[2]), "t1");
	release(&r);
}
END_TEST

/* A kernel log that differs in one line marks that step, and only that step. */
START_TEST(kernel_annotation_marks_divergence)
{
	struct recorded r;
	struct log_lines k;
	struct dg_recording rec;
	char err[256];

	record_case(&cases[0], &r);
	log_lines_from_log(&r.rec.res.log, &k);
	for (size_t i = 0; i < k.n; i++)
		if (!strncmp(k.lines[i], "11 ", 3)) {
			free(k.lines[i]);
			k.lines[i] = strdup("11  wait ep max=16                           = 1 [a in data=1]");
		}
	struct dg_options o = { .kernel = &k, .kernel_label = "made up" };
	ck_assert_int_eq(dg_record(r.t, &o, &rec, err, sizeof(err)), 0);
	ck_assert(rec.has_kernel);
	for (size_t s = 0; s < rec.nsteps; s++)
		ck_assert_msg(rec.steps[s].kernel_differs == (s == 10), "step %zu", s + 1);
	dg_recording_free(&rec);
	log_lines_free(&k);
	release(&r);
}
END_TEST

static size_t count(const char *hay, const char *needle);

/* A window of steps: only those are drawn, and the drawings say so. */
START_TEST(window_of_steps)
{
	struct recorded r;
	struct dg_recording rec;
	struct dg_options o = { .first = 8, .last = 10 };
	char err[256], *svg, *html;
	size_t len;

	record_case(&cases[0], &r);
	ck_assert_int_eq(dg_record(r.t, &o, &rec, err, sizeof(err)), 0);
	ck_assert_uint_eq(rec.from, 7);
	ck_assert_uint_eq(rec.to, 10);
	ck_assert_uint_eq(rec.nsteps, 18);
	ck_assert_uint_eq(rec.steps[5].snap.nfiles, 0);	/* outside the window: not taken */
	ck_assert_uint_gt(rec.steps[6].snap.nfiles, 0);	/* the step before it: taken */
	svg = draw(&rec, F_SVG, &len);
	ck_assert(strstr(svg, "(steps 8-10 of 18)") != NULL);
	html = draw(&rec, F_HTML, &len);
	ck_assert_uint_eq(count(html, "<div class=\"step\""), 3);
	free(svg);
	free(html);
	dg_recording_free(&rec);
	release(&r);
}
END_TEST

/* Many instances: the first DG_MAX_OBJECTS are drawn, the others counted. */
START_TEST(many_instances_are_capped)
{
	static const char text[] = "eventfd f\nrepeat 60: epoll e$i\nrepeat 60: ctl e$i add f in\n"
				   "write f 1\n";
	struct trace *t;
	struct trace_error terr;
	struct dg_recording rec;
	char err[256], *svg;
	size_t len;

	ck_assert_int_eq(trace_parse("many.trace", text, sizeof(text) - 1, &t, &terr), 0);
	ck_assert_int_eq(dg_record(t, NULL, &rec, err, sizeof(err)), 0);
	ck_assert_uint_eq(rec.ndrawn, DG_MAX_OBJECTS);
	ck_assert_uint_eq(rec.nhidden, 61 - DG_MAX_OBJECTS);
	svg = draw(&rec, F_SVG, &len);
	ck_assert(strstr(svg, "more files and instances not drawn") != NULL);
	ck_assert_uint_lt(len, 4u << 20);
	free(svg);
	dg_recording_free(&rec);
	trace_free(t);
}
END_TEST

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

START_TEST(formats_have_their_shape)
{
	struct recorded r;
	size_t len;
	char *dot, *mm, *html;
	FILE *f;
	char *raw = NULL;

	record_case(&cases[0], &r);
	dot = draw(&r.rec, F_DOT, &len);
	ck_assert(strstr(dot, "ordering=out") != NULL);
	ck_assert_uint_eq(count(dot, "label=\"NIL\""), 3 + 1);	/* n items, n + 1 NIL leaves */
	mm = draw(&r.rec, F_MERMAID, &len);
	ck_assert(!strncmp(mm, "```mermaid\nsequenceDiagram\n", 27));
	f = open_memstream(&raw, &len);
	dg_mermaid(&r.rec, false, f);
	fclose(f);
	ck_assert(!strncmp(raw, "sequenceDiagram\n", 16));
	html = draw(&r.rec, F_HTML, &len);
	ck_assert_uint_eq(count(html, "<div class=\"step\""), r.rec.nsteps);
	ck_assert_uint_eq(count(html, "hidden=\"hidden\""), r.rec.nsteps - 1);
	/* self-contained: no address but the XML namespaces, nothing loaded from elsewhere */
	ck_assert_uint_eq(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/"));
	ck_assert(strstr(html, "<script src") == NULL && strstr(html, "<link") == NULL);
	free(dot);
	free(mm);
	free(raw);
	free(html);
	release(&r);
}
END_TEST

static int run_epsim(const char *args)
{
	char cmd[4096];	/* the binary path and 1 KiB of arguments always fit */
	int st;

	snprintf(cmd, sizeof(cmd), "%s diagram %s >/dev/null 2>&1", EPSIM_BIN, args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(command_line)
{
	char dir[] = "/tmp/epsim-diagram-XXXXXX", args[1024], path[1200];
	struct stat sb;
	static const char *const outs[] = { "svg", "dot", "mermaid.md", "perfetto.json", "html" };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(run_epsim("--help"), 0);
	ck_assert_int_eq(run_epsim("--format png " TRACES_DIR "/lt-readiness-order.trace"), 2);
	ck_assert_int_eq(run_epsim("--format svg"), 2);
	ck_assert_int_eq(run_epsim("--format svg --step 0 " TRACES_DIR "/lt-readiness-order.trace"), 2);
	ck_assert_int_eq(run_epsim("--format svg " BAD_TRACES_DIR "/unknown-op.trace"), 2);
	snprintf(args, sizeof(args), "--format dot --step 9 %s/lt-readiness-order.trace -o %s/x.dot",
		 TRACES_DIR, dir);
	ck_assert_int_eq(run_epsim(args), 0);
	snprintf(path, sizeof(path), "%s/x.dot", dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_gt(sb.st_size, 100);
	snprintf(args, sizeof(args), "--all %s/all %s/lt-readiness-order.trace", dir, TRACES_DIR);
	ck_assert_int_eq(run_epsim(args), 0);
	for (size_t i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/all/lt-readiness-order.%s", dir, outs[i]);
		ck_assert_msg(stat(path, &sb) == 0 && sb.st_size > 0, "%s missing", path);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/all/lt-readiness-order.dot.svg", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/all", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/x.dot", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *diagram_suite(void)
{
	Suite *s = suite_create("diagram");
	TCase *g = tcase_create("golden"), *u = tcase_create("recorder and formats");

	tcase_set_timeout(g, 120);
	tcase_add_loop_test(g, golden, 0, (int)(NCASES * NFORMATS));
	tcase_add_loop_test(g, byte_stable, 0, (int)NCASES);
	tcase_set_timeout(u, 120);
	tcase_add_test(u, probes_in_cause_order);
	tcase_add_test(u, kernel_annotation_marks_divergence);
	tcase_add_test(u, formats_have_their_shape);
	tcase_add_test(u, window_of_steps);
	tcase_add_test(u, many_instances_are_capped);
	tcase_add_test(u, command_line);
	suite_add_tcase(s, g);
	suite_add_tcase(s, u);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(diagram_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
