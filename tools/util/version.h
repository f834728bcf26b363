/* `epsim --version`: the version and the kernel profiles the simulator models. */
#ifndef EPSIM_TOOL_VERSION_H
#define EPSIM_TOOL_VERSION_H

#include <stdio.h>

/* Prints "epsim VERSION" and "kernel profiles: 6.1 6.12 6.18" (from sim/kprofile.c). */
void epsim_print_version(FILE *f);

#endif
