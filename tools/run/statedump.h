/* Text dump of the simulator's epoll state after each step (epsim run --state). */
#ifndef EPSIM_STATEDUMP_H
#define EPSIM_STATEDUMP_H

#include <stdio.h>
#include "runner.h"

struct statedump {
	FILE *out;
};

/* A run_options.after_step observer: prints the step's log lines, then every instance's state. */
void statedump_after_step(void *ctx, struct backend *b, const struct run_view *v);

#endif
