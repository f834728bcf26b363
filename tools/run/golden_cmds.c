/* epsim check, record and run on any target (golden_cmds.h). */
#include "golden_cmds.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "golden.h"
#include "golden_cmp.h"
#include "run_report.h"
#include "variants.h"
#include "xalloc.h"

#define EXIT_DIVERGE 1
#define EXIT_TROUBLE 2

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether the target can run here; if not, say so visibly. */
static bool available_or_say(struct target *t)
{
	char why[256];

	if (target_available(t, why, sizeof(why)))
		return true;
	printf("%s: skipped: %s\n", t->name, why);
	return false;
}

/* Real kernels have builds with known variants; the simulator and gVisor do not. */
static const char *variant_release(const struct target *t)
{
	return t->kind == TARGET_KERNEL || t->kind == TARGET_QEMU ? t->release : NULL;
}

/* Run a batch; NULL (with the message printed) if the variants files are bad. */
static struct target_outcome *run_batch(struct target *t, int argc, char **argv, double *secs)
{
	struct target_outcome *o = xcalloc((size_t)argc, sizeof(*o));
	double start = now_secs();

	target_run(t, argv, (size_t)argc, o);
	*secs = now_secs() - start;
	return o;
}

static int check_one(const struct golden_cmd *g, const char *path, const struct target_outcome *o,
		     int counts[])
{
	struct target *t = g->target;
	char prof[64], *vp = variants_path_for(path), err[512];
	struct variants vs;
	struct cmp_result r;
	struct cmp_input in;

	target_profile(t, prof, sizeof(prof));
	if (variants_load(vp, &vs, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		free(vp);
		counts[CMP_TROUBLE]++;
		return EXIT_TROUBLE;
	}
	in = (struct cmp_input){ path, prof, variant_release(t), t->name,
				 strcmp(prof, GOLDEN_DEFAULT_PROFILE) == 0, &vs, g->context, stdout };
	golden_compare(&in, o, &r);
	counts[r.verdict]++;
	variants_free(&vs);
	free(vp);
	if (r.verdict == CMP_DIFFERS)
		return EXIT_DIVERGE;
	if (r.verdict == CMP_UNSUPPORTED)
		return EXIT_UNAVAILABLE;	/* said so on stderr; never a pass */
	return r.verdict == CMP_MATCH || r.verdict == CMP_VARIANT ? 0 : EXIT_TROUBLE;
}

int golden_check(const struct golden_cmd *g, int argc, char **argv)
{
	int counts[CMP_UNAVAILABLE + 1] = { 0 }, rc = 0, unsupported = 0;
	struct target_outcome *o;
	double secs;

	if (!available_or_say(g->target))
		return EXIT_UNAVAILABLE;
	o = run_batch(g->target, argc, argv, &secs);
	for (int i = 0; i < argc; i++) {
		int r = check_one(g, argv[i], &o[i], counts);

		if (r == EXIT_UNAVAILABLE)
			unsupported++;	/* exit 77 only when no trace ran (ctest: skipped) */
		else
			rc = r > rc ? r : rc;
		target_outcome_free(&o[i]);
	}
	free(o);
	if (rc == 0 && unsupported == argc)
		rc = EXIT_UNAVAILABLE;
	if (argc > 1 || g->target->kind == TARGET_QEMU || g->target->kind == TARGET_GVISOR)
		printf("%s (%s): %d trace%s, %d match, %d known variant, %d differ, %d trouble, "
		       "%d not supported, %d without golden; %.1f s%s\n",
		       g->target->name, g->target->release[0] ? g->target->release : "?", argc,
		       argc == 1 ? "" : "s", counts[CMP_MATCH], counts[CMP_VARIANT],
		       counts[CMP_DIFFERS], counts[CMP_TROUBLE], counts[CMP_UNSUPPORTED],
		       counts[CMP_NO_GOLDEN], secs, g->target->boot_secs > 0 ? " (boot included)" : "");
	return rc;
}

/* Write one golden log; its header names the kernel's release, build and target. */
static int write_golden(const struct target *t, const char *path, const char *prof,
			const struct target_outcome *o)
{
	char *gp = golden_path(path, prof);
	FILE *f = NULL;

	if (golden_mkdirs(gp) == 0)
		f = fopen(gp, "w");
	if (!f) {
		fprintf(stderr, "%s: error: cannot write\n", gp);
		free(gp);
		return EXIT_TROUBLE;
	}
	fprintf(f, "# epsim log 1 | backend kernel %s | %s | build %s | target %s\n", t->release, path,
		t->build, t->name);
	for (size_t i = 0; i < o->lines.n; i++)
		fprintf(f, "%s\n", o->lines.lines[i]);
	fclose(f);
	printf("%s: recorded %zu lines\n", gp, o->lines.n);
	free(gp);
	return 0;
}

/*
 * Inline expectations state Linux 6.18 behaviour: a 6.18 log that fails one
 * is not recorded; on an older kernel a failure is a difference of that
 * kernel, listed, and the log is recorded.
 */
static int record_one(const struct target *t, const char *path, const struct target_outcome *o)
{
	char prof[64];

	target_profile(t, prof, sizeof(prof));
	if (o->status != TARGET_RAN) {
		fprintf(stderr, "%s: not recorded: %s\n", path, o->error ? o->error : "the run failed");
		return EXIT_TROUBLE;
	}
	for (size_t i = 0; i < o->nfails; i++)
		run_fail_print(stderr, path, o->fails[i].line, o->fails[i].col,
			       strcmp(prof, GOLDEN_DEFAULT_PROFILE) ? "this kernel differs"
								    : "expectation failed",
			       o->fails[i].expected, o->fails[i].got, o->fails[i].why, NULL);
	if (o->nfails && !strcmp(prof, GOLDEN_DEFAULT_PROFILE)) {
		fprintf(stderr, "%s: not recorded: the kernel did not meet the expectations\n", path);
		return EXIT_DIVERGE;
	}
	return write_golden(t, path, prof, o);
}

int golden_record(const struct golden_cmd *g, int argc, char **argv)
{
	struct target *t = g->target;
	struct target_outcome *o;
	double secs;
	int rc = 0;

	if (t->kind == TARGET_SIM) {
		fprintf(stderr, "epsim: golden logs come only from a real kernel: record with "
				"--target kernel, qemu:IMAGE or gvisor\n");
		return EXIT_TROUBLE;
	}
	if (!available_or_say(t))
		return EXIT_UNAVAILABLE;
	o = run_batch(t, argc, argv, &secs);
	for (int i = 0; i < argc; i++) {
		int r = record_one(t, argv[i], &o[i]);

		rc = r > rc ? r : rc;
		target_outcome_free(&o[i]);
	}
	free(o);
	if (argc > 1)
		printf("%s (%s): %d traces recorded in %.1f s\n", t->name, t->release, argc, secs);
	return rc;
}

int golden_run_remote(const struct golden_cmd *g, const char *path)
{
	struct target *t = g->target;
	struct target_outcome o;
	char *p = (char *)path;
	int rc;

	if (!available_or_say(t))
		return EXIT_UNAVAILABLE;
	target_run(t, &p, 1, &o);
	if (o.status != TARGET_RAN) {
		fprintf(stderr, "%s: %s\n", path, o.error ? o.error : "the run failed");
		target_outcome_free(&o);
		return EXIT_TROUBLE;
	}
	printf("# epsim log 1 | backend kernel %s | %s | build %s | target %s\n", t->release, path,
	       t->build, t->name);
	for (size_t i = 0; i < o.lines.n; i++)
		printf("%s\n", o.lines.lines[i]);
	for (size_t i = 0; i < o.nfails; i++)
		run_fail_print(stderr, path, o.fails[i].line, o.fails[i].col, "expectation failed",
			       o.fails[i].expected, o.fails[i].got, o.fails[i].why, NULL);
	rc = o.nfails ? EXIT_DIVERGE : 0;
	target_outcome_free(&o);
	return rc;
}
