#!/usr/bin/env bash
# The main job: set up, build (release), run every bundled trace on the
# simulator and on this machine's kernel and compare them step by step, then
# show the simulator's inner state through one trace.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" >/dev/null
bin=build/release/epsim

$bin diff traces/*.trace
echo
echo "== simulator state through traces/lt-readiness-order.trace =="
$bin run --state traces/lt-readiness-order.trace
