#!/usr/bin/env bash
# node's HTTP server and client (tests/live/node_http.js) under `epsim live`.
# usage: run_node.sh EPSIM [REQUESTS]   (exit 77: skipped, nodejs is not installed)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null; then
	echo "skipped: nodejs unavailable"
	exit 77
fi
exec timeout 120 "$1" live --stats -- node "$here/node_http.js" "${2:-3000}"
