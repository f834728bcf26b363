#!/usr/bin/env bash
# CPython's own tests natively and under `epsim live`: the results must be the same.
# usage: run_cpython.sh EPSIM TEST...   (exit 77: skipped, the test suite is not installed)
set -uo pipefail
epsim=$1
shift
py=/usr/bin/python3.11
if [ ! -x "$py" ] || [ ! -f /usr/lib/python3.11/test/test_epoll.py ]; then
	echo "skipped: libpython3.11-testsuite unavailable"
	exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The unittest summary of each test module: "Ran N tests", "OK (skipped=K)" or "FAILED (...)".
summary() {
	grep -E '^(Ran [0-9]+ tests|OK|FAILED|== Tests result)' "$1" | sed -E 's/ in [0-9.]+s$//'
}

timeout 900 "$py" -m test -v "$@" >"$out/native.txt" 2>&1
native_rc=$?
timeout 900 "$epsim" live --stats -- "$py" -m test -v "$@" >"$out/live.txt" 2>&1
live_rc=$?
echo "native (exit $native_rc):"
summary "$out/native.txt" | sed 's/^/  /'
echo "live (exit $live_rc):"
summary "$out/live.txt" | sed 's/^/  /'
grep -m3 "epsim live stats" -A2 "$out/live.txt" | sed 's/^/  /'
if [ "$native_rc" -ne "$live_rc" ] || ! diff <(summary "$out/native.txt") <(summary "$out/live.txt") >/dev/null; then
	echo "live mode changed the result"
	grep -E '^(FAIL|ERROR):' "$out/live.txt" | head -20
	grep -B2 -A20 'Traceback' "$out/live.txt" | head -80
	exit 1
fi
echo "same result natively and under epsim live"
