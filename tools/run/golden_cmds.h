/* epsim check, record and matrix on any target (target.h), with golden logs per kernel. */
#ifndef EPSIM_GOLDEN_CMDS_H
#define EPSIM_GOLDEN_CMDS_H

#include <stdio.h>
#include "target.h"

/* Exit status of a command whose target cannot run here (ctest SKIP_RETURN_CODE). */
#define EXIT_UNAVAILABLE 77

struct golden_cmd {
	struct target *target;
	int context;		/* lines of context around a divergence */
};

/* epsim check: compare each trace's log on the target with its golden log. */
int golden_check(const struct golden_cmd *g, int argc, char **argv);
/* epsim record: run traces on a real kernel target and write their golden logs. */
int golden_record(const struct golden_cmd *g, int argc, char **argv);
/* epsim run on a remote target (qemu, gvisor): print the log lines. */
int golden_run_remote(const struct golden_cmd *g, const char *path);
/* epsim matrix: every trace on every target; see matrix.c. */
int matrix_main(int argc, char **argv);
extern const char *matrix_help;

#endif
