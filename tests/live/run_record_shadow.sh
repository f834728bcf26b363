#!/usr/bin/env bash
# --record and --shadow: the C self-test recorded as a trace that `epsim run` replays and
# `epsim diagram` draws; the self-test and CPython's epoll/selectors tests under --shadow
# with no difference that readiness timing cannot explain.
# usage: run_record_shadow.sh EPSIM SELFTEST
set -uo pipefail
epsim=$1
selftest=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

"$epsim" live --record "$dir/self.trace" -- "$selftest" >/dev/null || { echo "selftest failed under --record"; fail=1; }
if "$epsim" run "$dir/self.trace" >"$dir/self.log" 2>&1; then
	echo "record: $(grep -vc '^#' "$dir/self.trace") trace lines, replayed in $(wc -l <"$dir/self.log") log lines"
else
	echo "record: the recorded trace does not replay"; head -5 "$dir/self.log"; fail=1
fi
if "$epsim" diagram --format html "$dir/self.trace" -o "$dir/self.html" 2>/dev/null && [ -s "$dir/self.html" ]; then
	echo "record: diagram $(wc -c <"$dir/self.html") bytes"
else
	echo "record: epsim diagram failed on the recorded trace"; fail=1
fi

# shadow_check LABEL COMMAND...: every "shadow" summary line must say 0 unexplained, 0 ctl.
shadow_check() {
	local label=$1
	shift
	"$epsim" live --shadow -- "$@" >"$dir/shadow.out" 2>&1 || { echo "$label failed under --shadow"; fail=1; }
	grep 'epsim live shadow' "$dir/shadow.out" | sed "s/^/$label: /"
	if grep 'epsim live shadow' "$dir/shadow.out" | grep -v ' 0 unexplained, 0 epoll_ctl' | grep -q .; then
		echo "$label: unexplained differences"; fail=1
	fi
}
shadow_check selftest "$selftest"
if [ -x /usr/bin/python3.11 ] && [ -f /usr/lib/python3.11/test/test_epoll.py ]; then
	shadow_check cpython /usr/bin/python3.11 -m test test_epoll test_selectors
else
	echo "skipped: libpython3.11-testsuite unavailable (shadow over CPython's tests)"
fi
exit $fail
