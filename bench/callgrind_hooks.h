/*
 * Valgrind's callgrind client requests where the header is installed (it
 * comes with valgrind), no-ops elsewhere: a benchmark run under
 * `valgrind --tool=callgrind --instr-atstart=no` counts the instructions of
 * the regions it marks, and nothing of its set-up.
 */
#ifndef EPSIM_BENCH_CALLGRIND_HOOKS_H
#define EPSIM_BENCH_CALLGRIND_HOOKS_H

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_HAVE_CALLGRIND 1
#endif
#endif

#ifndef BENCH_HAVE_CALLGRIND
#define BENCH_HAVE_CALLGRIND 0
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name) ((void)(name))
#endif

#endif
