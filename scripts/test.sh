#!/usr/bin/env bash
# Every test: set up, build with warnings as errors, run the check unit tests
# and the differential corpus (simulator and kernel against the kernel-recorded
# golden logs) under ctest; then the same under AddressSanitizer and UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
jobs=$(nproc)

cmake --preset debug >/dev/null
cmake --build --preset debug -j"$jobs"
ctest --preset debug -j"$jobs"

cmake --preset asan-ubsan >/dev/null
cmake --build --preset asan-ubsan -j"$jobs"
ctest --preset asan-ubsan -j"$jobs"
