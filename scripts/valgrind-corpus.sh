#!/usr/bin/env bash
# Valgrind (memcheck) over the whole corpus on the simulator backend:
# `epsim check --backend sim --check` of every traces/*.trace, in parallel
# batches, each under valgrind with full leak checking. Any memcheck error or
# leak, divergence from a golden log, or violated invariant fails the script.
#
#   scripts/valgrind-corpus.sh [BUILD_DIR]     # default build/debug (built if missing)
#   JOBS=N BATCH=M scripts/valgrind-corpus.sh  # N parallel valgrinds (nproc), M traces each (8)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh valgrind
build=${1:-build/debug}
if [ ! -x "$build/epsim" ]; then
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j"$(nproc)"
	build=build/debug
fi
jobs=${JOBS:-$(nproc)}
batch=${BATCH:-8}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# One batch: its traces under one valgrind; memcheck errors exit 99, epsim's own failures 1 or 2.
run_batch() {
	local log
	log=$(mktemp "$logs/batch.XXXXXX")
	if ! valgrind --quiet --error-exitcode=99 --leak-check=full \
		--show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible \
		"$EPSIM" check --backend sim --check "$@" >"$log" 2>&1; then
		echo "FAILED: $*" >>"$log"
		mv "$log" "$log.failed"
	fi
}
export -f run_batch
export EPSIM="$build/epsim" logs

start=$(date +%s)
ntraces=$(ls traces/*.trace | wc -l)
ls traces/*.trace | xargs -P "$jobs" -n "$batch" bash -c 'run_batch "$@"' _
secs=$(( $(date +%s) - start ))

failed=$(find "$logs" -name '*.failed' | wc -l)
if [ "$failed" -ne 0 ]; then
	cat "$logs"/*.failed
	echo "valgrind-corpus: $failed batch(es) failed ($ntraces traces, ${secs}s, $jobs jobs)"
	exit 1
fi
echo "valgrind-corpus: $ntraces traces, 0 errors, 0 leaks (${secs}s, $jobs jobs of $batch traces)"
