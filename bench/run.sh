#!/usr/bin/env bash
# Run the four benchmarks of BENCHMARKS.md and keep their output.
#
#   bench/run.sh [BUILD_DIR] [OUT_DIR]
#
# BUILD_DIR (default build/release) must hold a release build with the
# benchmarks (cmake --preset release && cmake --build --preset release);
# OUT_DIR (default /tmp/epsim-bench) receives every output, the plot and the
# generated million-step traces. Each benchmark takes a minute at most on a
# 2-core machine; the whole run about three.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
out=${2:-/tmp/epsim-bench}
bin=$build/bench
mkdir -p "$out"
for b in bench_ops bench_scaling bench_memory bench_replay; do
	[ -x "$bin/$b" ] || { echo "run.sh: $bin/$b is missing: build $build first" >&2; exit 2; }
done

echo "== 1. simulator vs kernel per operation"
"$bin/bench_ops" | tee "$out/ops.txt"
if command -v valgrind >/dev/null; then
	# Instructions per op in the simulator alone (perf's hardware counters are
	# not exposed in this VM; callgrind counts user-space instructions, so the
	# kernel's side cannot be counted this way).
	k=1000
	for op in add mod del wait; do
		valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="ops_round_$op*" \
			"$bin/bench_ops" --sim-only --rounds 1 --fds $k 2>&1 >/dev/null |
			awk -v op="$op" -v k=$k '/Collected/ { printf "simulator %-4s %6.0f instructions/op (callgrind)\n", op, $4 / k }'
	done | tee "$out/ops-instructions.txt"
fi

echo
echo "== 2. scaling: select, poll, epoll against N watched fds"
"$bin/bench_scaling" --csv "$out/scaling.csv" | tee "$out/scaling.txt"
python3 bench/plot_scaling.py "$out/scaling.csv" "$out/scaling.svg"
echo "plot: $out/scaling.svg"
if command -v valgrind >/dev/null; then
	# The simulator's epoll loop in instructions, which machine load cannot blur.
	rm -f "$out"/cg-scaling.*
	valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/cg-scaling" \
		"$bin/bench_scaling" --only sim --mux epoll --count-loops 1000 >/dev/null 2>&1
	python3 bench/callgrind_rows.py "$out/cg-scaling" | tee "$out/scaling-instructions.txt"
	# select and poll: the work per watched fd, at two sizes.
	rm -f "$out"/cg-scan.*
	valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/cg-scan" \
		"$bin/bench_scaling" --only sim --mux select,poll --sizes 1000,100000 --count-loops 3 \
		>/dev/null 2>&1
	python3 bench/callgrind_rows.py "$out/cg-scan" | tee -a "$out/scaling-instructions.txt"
fi

echo
echo "== 3. memory per watched fd"
"$bin/bench_memory" | tee "$out/memory.txt"

echo
echo "== 4. replay speed"
python3 bench/gen_replay_trace.py 1000000 "$out/replay-1m.trace"
python3 bench/gen_replay_trace.py --eventfds 64 --pipes 16 1000000 "$out/replay-1m-80fds.trace"
for t in replay-1m replay-1m-80fds; do
	echo "-- $t.trace"
	"$bin/bench_replay" "$out/$t.trace"
done | tee "$out/replay.txt"
# The same through the command-line tool, for the record (wall time: noisy).
TIMEFORMAT="epsim run --backend sim replay-1m.trace > /dev/null: %R s wall, %U s user, %S s sys"
{ time "$build/epsim" run --backend sim "$out/replay-1m.trace" >/dev/null; } 2>&1 | tee -a "$out/replay.txt"
