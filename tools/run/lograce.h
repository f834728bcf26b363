/*
 * Legal races in result logs. A step whose expectation lists alternatives
 * (`=> 1 [ep in] | 0`) says the kernel may complete its call in either way,
 * at either step: the completion lines of that call are set aside from the
 * line-by-line comparison and compared as a set instead, each result being one
 * of the step's alternatives. Every other line is still compared in order.
 */
#ifndef EPSIM_LOGRACE_H
#define EPSIM_LOGRACE_H

#include <stdio.h>
#include "logdiff.h"
#include "trace.h"

/* Move the completion lines of raced calls out of l, into aside (in order). */
void log_race_set_aside(const struct trace *t, struct log_lines *l, struct log_lines *aside);
/*
 * Set aside the raced lines of a and b (both are changed) and compare them:
 * 0 when both logs complete the same raced calls, each with one of its
 * step's alternatives; else 1, with the reason printed to out (if not NULL).
 */
int log_race_diff(const struct trace *t, struct log_lines *a, const char *aname,
		  struct log_lines *b, const char *bname, FILE *out);

#endif
