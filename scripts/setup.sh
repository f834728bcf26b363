#!/usr/bin/env bash
# Install what epsim needs to build and test on Debian: a C compiler, CMake,
# pkg-config, the check unit-test library and uthash; Graphviz, xmllint, Chromium
# and python3 for the diagram tests; valgrind; clang and its libFuzzer runtime; the programs
# live mode's tests run (CPython 3.11 and its test suite, redis, node); qemu and the Debian
# kernels of the kernel matrix. Installs only what is missing.
set -euo pipefail

need=()
for pkg in build-essential cmake pkg-config check uthash-dev graphviz libxml2-utils chromium python3 fonts-dejavu-core valgrind clang libclang-rt-14-dev python3.11 libpython3.11-testsuite redis-server redis-tools nodejs; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
for pkg in "$@"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
updated=""
if [ ${#need[@]} -ne 0 ]; then
	echo "setup: installing ${need[*]}"
	$sudo apt-get update -qq
	updated=1
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# gVisor (the gvisor target, docs/conformance.md): the Debian package runsc. Optional.
if ! command -v runsc >/dev/null 2>&1; then
	[ -n "$updated" ] || { $sudo apt-get update -qq; updated=1; }
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq runsc >/dev/null 2>&1 ||
		echo "setup: skipped: runsc unavailable (the gvisor target and its conformance check are skipped)"
fi

# The kernel matrix (docs/kernel-matrix.md): qemu, a static busybox and cpio, and the Debian
# cloud kernels 6.1 and 6.12 the qemu:6.1 and qemu:6.12 targets boot (the newest of each that
# apt offers; on Debian 12 both are in bookworm and its security updates, 6.12 otherwise in
# bookworm-backports). Optional: where one cannot be had, its tests say "skipped: ...".
kneed=()
for pkg in qemu-system-x86 busybox-static cpio; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || kneed+=("$pkg")
done
newest() { apt-cache search --names-only "$1" 2>/dev/null | awk '{ print $1 }' | sort -V | tail -1; }
ls /boot/vmlinuz-6.1.* >/dev/null 2>&1 || kneed+=(K61)
ls /boot/vmlinuz-6.12.* >/dev/null 2>&1 || kneed+=(K612)
[ ${#kneed[@]} -eq 0 ] && exit 0
[ -n "$updated" ] || $sudo apt-get update -qq
if [ -z "$(newest '^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$')" ] &&
	grep -qs bookworm /etc/os-release; then
	echo "deb http://deb.debian.org/debian bookworm-backports main" |
		$sudo tee /etc/apt/sources.list.d/epsim-bookworm-backports.list >/dev/null
	$sudo apt-get update -qq
fi
pkgs=()
for p in "${kneed[@]}"; do
	case $p in
	K61) p=$(newest '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$') ;;
	K612) p=$(newest '^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$') ;;
	esac
	[ -n "$p" ] && pkgs+=("$p")
done
[ ${#pkgs[@]} -eq 0 ] && exit 0
echo "setup: installing ${pkgs[*]}"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" \
	>/dev/null || echo "setup: could not install ${pkgs[*]}; the qemu tests will be skipped"
