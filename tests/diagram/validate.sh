#!/usr/bin/env bash
# Validity of epsim's diagrams on many traces (each annotated with its kernel
# log, DIR/golden/linux-6.18/NAME.log, when there is one):
#   validate.sh xml      EPSIM OUTDIR TRACE...  SVG timeline and HTML page are well-formed XML (xmllint)
#   validate.sh svgtext  EPSIM OUTDIR TRACE...  no two texts of the SVG timeline overlap (check_svg.py)
#   validate.sh dot      EPSIM OUTDIR TRACE...  the DOT of the first, middle and last step renders (dot -Tsvg)
#   validate.sh perfetto EPSIM OUTDIR TRACE...  the trace-event JSON parses and its slices nest (check_perfetto.py)
# The drawings stay in OUTDIR as test artifacts. Exit 0 when every trace passes.
set -uo pipefail
mode=$1 epsim=$2 out=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/$mode"
fail=0 pass=0 batch=()

need() {
	command -v "$1" >/dev/null || { echo "validate.sh: $1 is not installed ($2)"; exit 1; }
}

# draw TRACE FORMAT FILE [ARGS...]: exit 1 (a failed inline expectation) still draws.
draw() {
	local trace=$1 format=$2 file=$3 kl=() golden
	shift 3
	golden=$(dirname "$trace")/golden/linux-6.18/$(basename "$trace" .trace).log
	[ -f "$golden" ] && kl=(--kernel-log "$golden")
	"$epsim" diagram --format "$format" "${kl[@]}" "$@" "$trace" -o "$file" 2>/dev/null
	[ $? -le 1 ] || { echo "FAIL: epsim diagram --format $format $trace"; return 1; }
}

steps_of() { # the number of steps: the first field of the last numbered log line
	"$epsim" run "$1" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { n = $1 } END { print n + 0 }'
}

check_one() {
	local trace=$1 name
	name=$(basename "$trace" .trace)
	case $mode in
	xml)
		draw "$trace" svg "$out/xml/$name.svg" && draw "$trace" html "$out/xml/$name.html" &&
			xmllint --noout "$out/xml/$name.svg" "$out/xml/$name.html" ;;
	svgtext)	# checked all at once below: one python3 start
		draw "$trace" svg "$out/svgtext/$name.svg" && batch+=("$out/svgtext/$name.svg") ;;
	dot)	# rendered all at once below: one dot start
		local n s
		n=$(steps_of "$trace")
		for s in 1 $(( (n + 1) / 2 )) "$n"; do
			[ "$s" -ge 1 ] || continue
			draw "$trace" dot "$out/dot/$name.$s.dot" --step "$s" || return 1
			batch+=("$out/dot/$name.$s.dot")
		done ;;
	perfetto)
		draw "$trace" perfetto "$out/perfetto/$name.json" && batch+=("$out/perfetto/$name.json") ;;
	*)
		echo "validate.sh: unknown mode $mode"; exit 2 ;;
	esac
}

case $mode in
xml) need xmllint "Debian package libxml2-utils" ;;
dot) need dot "Debian package graphviz"; need xmllint "Debian package libxml2-utils" ;;
svgtext | perfetto) need python3 "Debian package python3" ;;
esac
for trace in "$@"; do
	if check_one "$trace"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $mode: $trace"
		fail=$((fail + 1))
	fi
done
# dot: render every file (dot -O writes FILE.svg), then each failure once more, alone.
if [ "$mode" = dot ] && [ ${#batch[@]} -gt 0 ]; then
	if ! dot -Tsvg -O "${batch[@]}" 2>/dev/null || ! xmllint --noout "${batch[@]/%/.svg}"; then
		for f in "${batch[@]}"; do
			dot -Tsvg -O "$f" && xmllint --noout "$f.svg" && continue
			echo "FAIL: dot: $f"
			pass=$((pass - 1))
			fail=$((fail + 1))
		done
	fi
	batch=()
fi
if [ ${#batch[@]} -gt 0 ]; then
	checker=$here/check_svg.py
	[ "$mode" = perfetto ] && checker=$here/check_perfetto.py
	bad=$(python3 "$checker" "${batch[@]}" | grep -v ': ok' | sed 's/: .*//' | sort -u | wc -l)
	python3 "$checker" "${batch[@]}" | grep -v ': ok'
	pass=$((pass - bad))
	fail=$((fail + bad))
fi
echo "$mode: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
