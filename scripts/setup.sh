#!/usr/bin/env bash
# Install what epsim needs to build and test on Debian: a C compiler, CMake,
# pkg-config, the check unit-test library and uthash; Graphviz, xmllint, Chromium
# and python3 for the diagram tests; valgrind; clang and its libFuzzer runtime; the programs
# live mode's tests run (CPython 3.11 and its test suite, redis, node).
# Installs only what is missing.
set -euo pipefail

need=()
for pkg in build-essential cmake pkg-config check uthash-dev graphviz libxml2-utils chromium python3 fonts-dejavu-core valgrind clang libclang-rt-14-dev python3.11 libpython3.11-testsuite redis-server redis-tools nodejs; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
for pkg in "$@"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
