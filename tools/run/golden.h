/*
 * Where golden logs live: one directory per kernel family (or peer
 * implementation), so a reader sees at a glance which kernel a log came from:
 *
 *   traces/NAME.trace
 *   traces/golden/linux-6.18/NAME.log    recorded on Linux 6.18.x
 *   traces/golden/linux-6.12/NAME.log    recorded on Linux 6.12.x (qemu:6.12)
 *   traces/golden/linux-6.1/NAME.log     recorded on Linux 6.1.x (qemu:6.1)
 *   traces/golden/gvisor/NAME.log        a peer record from gVisor, not an oracle
 *
 * Each log's first line names the exact kernel release and build it came from.
 */
#ifndef EPSIM_GOLDEN_H
#define EPSIM_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>

/* The newest kernel family the corpus has goldens for (the simulator's default). */
#define GOLDEN_DEFAULT_PROFILE "linux-6.18"

/* "linux-MAJOR.MINOR" for a release such as "6.18.44-fc-v782"; false if it is not one. */
bool golden_profile_of_release(const char *release, char *out, size_t len);

/* DIR/golden/PROFILE/NAME.log for DIR/NAME.trace (malloc'd). */
char *golden_path(const char *trace_path, const char *profile);

/* The old layout's golden log, DIR/NAME.trace.expected (malloc'd). */
char *golden_legacy_path(const char *trace_path);

/* Create the directories of a golden log path; 0 or -errno. */
int golden_mkdirs(const char *path);

#endif
