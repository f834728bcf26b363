/*
 * World invariant checker (no kernel counterpart): walks a world between two
 * steps and verifies what the simulated kernel relies on — red-black tree
 * properties and order, list links, ready-list and overflow-list membership,
 * reference counts, fd tables and wait-queue registrations. Used by
 * `epsim run --check`, the corpus tests, the fuzzer and fault injection.
 */
#ifndef EPSIM_WORLD_CHECK_H
#define EPSIM_WORLD_CHECK_H

#include <stddef.h>

struct world;

/*
 * Check every invariant of w. 0 if all hold; -1 on the first violation, with
 * a one-line reason in why (len bytes, NUL-terminated). Only reads w.
 */
int world_check(const struct world *w, char *why, size_t len);

#endif
