/*
 * Reporting what a run or a comparison found: failed expectations in step
 * order, naming the backend that failed each one when two backends ran, and
 * the checks a golden log must pass before it is compared with anything.
 */
#ifndef EPSIM_RUN_REPORT_H
#define EPSIM_RUN_REPORT_H

#include <stdio.h>
#include "logdiff.h"
#include "runner.h"

/* Print res's failed expectations to f; returns how many. */
size_t run_report_mismatches(const char *path, const struct run_result *res, FILE *f);
/*
 * The failed expectations of two runs of one trace, merged in step order; one
 * that failed the same way on both is printed once, "(on kernel and sim)".
 * Returns the number of steps whose expectation failed on either.
 */
size_t run_report_mismatches2(const char *path, const struct run_result *a, const char *aname,
			      const struct run_result *b, const char *bname, FILE *f);
/*
 * One failed expectation as "path:line:col: LABEL: expected 'E', got 'G'", or
 * "..., WHY" for a call that never completed (why not NULL); then suffix.
 */
void run_fail_print(FILE *f, const char *path, int line, int col, const char *label,
		    const char *expected, const char *got, const char *why, const char *suffix);
/*
 * A golden log read from path (lines: its log lines) is fit to compare with:
 * its header says it was recorded on a kernel (a backend that is not the
 * simulator) and it holds at least one line. 0, or -1 with "path: error: ..."
 * printed to err.
 */
int run_golden_check(const char *path, const struct log_lines *lines, FILE *err);

#endif
