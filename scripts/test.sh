#!/usr/bin/env bash
# Every test: set up, build with warnings as errors, run the check unit tests,
# the differential corpus (simulator and kernel against the kernel-recorded
# golden logs) and the diagram checks under ctest; valgrind over the corpus on
# the simulator; the same ctest suite under AddressSanitizer and UBSan; and a
# bounded libFuzzer run of the trace parser.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
jobs=$(nproc)

cmake --preset debug >/dev/null
cmake --build --preset debug -j"$jobs"
ctest --preset debug -j"$jobs"
scripts/valgrind-corpus.sh build/debug

cmake --preset asan-ubsan >/dev/null
cmake --build --preset asan-ubsan -j"$jobs"
ctest --preset asan-ubsan -j"$jobs"

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$jobs"
ctest --preset fuzz
