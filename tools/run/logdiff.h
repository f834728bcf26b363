/* Comparing result logs line by line, and reading golden logs. */
#ifndef EPSIM_LOGDIFF_H
#define EPSIM_LOGDIFF_H

#include <stdio.h>
#include "runlog.h"

struct log_lines {
	char **lines;
	size_t n;
};

/* The canonical lines of a log (no header). */
void log_lines_from_log(const struct run_log *log, struct log_lines *out);
/* The lines of a golden log file, without '#' lines. -1 if it cannot be read. */
int log_lines_from_file(const char *path, struct log_lines *out);
void log_lines_free(struct log_lines *l);
/*
 * Compare a (the reference) with b. Returns 0 when equal; otherwise 1 and
 * prints the first differing line with up to `context` lines around it.
 */
int log_lines_diff(const struct log_lines *a, const char *aname, const struct log_lines *b,
		   const char *bname, int context, FILE *out);

#endif
