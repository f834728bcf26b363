#!/usr/bin/env bash
# The main job: set up, build (release), run every bundled trace on the
# simulator and on this machine's kernel and compare them step by step, show
# the simulator's inner state through one trace, and draw one trace in every
# diagram format into out/diagrams/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" >/dev/null
bin=build/release/epsim

mkdir -p out
status=0
$bin diff traces/*.trace > out/diff.txt || status=$?
grep -v ": match (" out/diff.txt || true	# divergences, if any, and the count
echo
echo "== simulator state through traces/lt-readiness-order.trace =="
$bin run --state traces/lt-readiness-order.trace
echo
mkdir -p out/diagrams
$bin diagram --all out/diagrams --step 12 --kernel-log traces/golden/linux-6.18/et-mixed-lt.log \
	traces/et-mixed-lt.trace
echo "diagrams of traces/et-mixed-lt.trace written to out/diagrams/:"
ls out/diagrams
exit "$status"
