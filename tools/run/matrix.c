/* epsim matrix (golden_cmds.h). */
#include <stdio.h>
#include "golden_cmds.h"

const char *matrix_help = "usage: epsim matrix [--json] [--svg FILE] [TRACE...]\n";

int matrix_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 2;
}
