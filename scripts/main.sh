#!/usr/bin/env bash
# The main job: set up, build (release), run every bundled trace on the
# simulator and on this machine's kernel and compare them step by step, show
# the simulator's inner state through one trace, draw one trace in every
# diagram format into out/diagrams/, and show the kernel matrix: the corpus on
# the simulator's three kernel profiles, this machine's kernel and Debian's
# 6.1 and 6.12 under qemu, each against the goldens of its kernel
# (out/matrix.txt, out/matrix.json, out/matrix.svg; gVisor: `epsim matrix`).
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
echo
echo "== the kernel matrix (out/matrix.txt, out/matrix.svg) =="
targets=sim:6.1,sim:6.12,sim:6.18,kernel,qemu:6.1,qemu:6.12
mstatus=0
$bin matrix --targets "$targets" --svg out/matrix.svg --json-out out/matrix.json traces/*.trace \
	> out/matrix.txt || mstatus=$?
awk '$2 != "match" || $3 != "match" || $4 != "match" || $5 != "match" || $6 != "match" || $7 != "match"' \
	out/matrix.txt	# the rows that are not all "match", then the summary per target
[ "$mstatus" -gt "$status" ] && status=$mstatus
exit "$status"
