/* Reporting failed expectations and reading golden logs (run_report.h). */
#include <string.h>
#include "run_report.h"

size_t run_report_mismatches(const char *path, const struct run_result *res, FILE *f)
{
	for (size_t i = 0; i < res->nmismatches; i++)
		run_mismatch_print(path, &res->mismatches[i], NULL, f);
	return res->nmismatches;
}

static bool same_failure(const struct run_mismatch *x, const struct run_mismatch *y)
{
	if (!x->why != !y->why)
		return false;
	return strcmp(x->why ? x->why : x->got, y->why ? y->why : y->got) == 0;
}

size_t run_report_mismatches2(const char *path, const struct run_result *a, const char *aname,
			      const struct run_result *b, const char *bname, FILE *f)
{
	char both[80], on_a[40], on_b[40];
	size_t i = 0, j = 0, steps = 0;

	snprintf(both, sizeof(both), " (on %s and %s)", aname, bname);
	snprintf(on_a, sizeof(on_a), " (on %s)", aname);
	snprintf(on_b, sizeof(on_b), " (on %s)", bname);
	while (i < a->nmismatches || j < b->nmismatches) {
		const struct run_mismatch *x = i < a->nmismatches ? &a->mismatches[i] : NULL;
		const struct run_mismatch *y = j < b->nmismatches ? &b->mismatches[j] : NULL;

		steps++;
		if (x && y && x->step == y->step && same_failure(x, y)) {
			run_mismatch_print(path, x, both, f);
			i++, j++;
		} else if (x && (!y || x->step <= y->step)) {
			run_mismatch_print(path, x, on_a, f);
			i++;
			if (y && y->step == x->step) {	/* the same step, failed another way */
				run_mismatch_print(path, y, on_b, f);
				j++;
			}
		} else {
			run_mismatch_print(path, y, on_b, f);
			j++;
		}
	}
	return steps;
}

/* The header's backend: "# epsim log 1 | backend NAME ..." */
static int golden_header_ok(const char *path, FILE *err)
{
	static const char prefix[] = "# epsim log 1 | backend ";
	char line[512];
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return -1;
	ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	if (!ok || strncmp(line, prefix, strlen(prefix)) != 0) {
		if (err)
			fprintf(err, "%s: error: not a result log (its first line is not '%s...')\n",
				path, prefix);
		return -1;
	}
	if (strncmp(line + strlen(prefix), "sim ", 4) == 0) {
		if (err)
			fprintf(err, "%s: error: recorded on the simulator: golden logs come only "
				     "from a kernel ('epsim record')\n", path);
		return -1;
	}
	return 0;
}

int run_golden_check(const char *path, const struct log_lines *lines, FILE *err)
{
	if (golden_header_ok(path, err) != 0)
		return -1;
	if (lines->n == 0) {
		if (err)
			fprintf(err, "%s: error: the golden log has no lines: nothing to compare with\n",
				path);
		return -1;
	}
	return 0;
}

void run_fail_print(FILE *f, const char *path, int line, int col, const char *label,
		    const char *expected, const char *got, const char *why, const char *suffix)
{
	fprintf(f, "%s:%d:%d: %s: expected '%s', ", path, line, col, label, expected);
	if (why)
		fputs(why, f);
	else
		fprintf(f, "got '%s'", got);
	fprintf(f, "%s\n", suffix ? suffix : "");
}
