#!/usr/bin/env bash
# redis-benchmark against redis-server on 127.0.0.1, the server first on the kernel's epoll,
# then under `epsim live`; every request must be answered. Prints requests/s and the ratio.
# usage: run_redis.sh EPSIM [REQUESTS]   (exit 77: skipped, redis is not installed)
set -uo pipefail
epsim=$1
n=${2:-100000}
for tool in redis-server redis-benchmark redis-cli; do
	if ! command -v "$tool" >/dev/null; then
		echo "skipped: redis-server/redis-tools unavailable ($tool)"
		exit 77
	fi
done
dir=$(mktemp -d)
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server PREFIX...: redis on a free loopback port, no persistence; sets $server and $port.
start_server() {
	port=$(free_port)
	"$@" redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
		--dir "$dir" --logfile "$dir/redis-$port.log" --daemonize no &
	server=$!
	for _ in $(seq 100); do
		redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.1
	done
	echo "redis-server did not answer on port $port"
	return 1
}

stop_server() {
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
	server=
}

# bench NAME: run the benchmark, check the server processed every request; rps in $dir/NAME.
bench() {
	local before after
	before=$(redis-cli -h 127.0.0.1 -p "$port" info stats | tr -d '\r' | sed -n 's/^total_commands_processed://p')
	timeout 300 redis-benchmark -h 127.0.0.1 -p "$port" -q -n "$n" -t set,get,lpush \
		</dev/null >"$dir/$1.out" 2>&1 || { cat "$dir/$1.out"; return 1; }
	after=$(redis-cli -h 127.0.0.1 -p "$port" info stats | tr -d '\r' | sed -n 's/^total_commands_processed://p')
	tr '\r' '\n' <"$dir/$1.out" | grep 'requests per second' | sed -E 's/^ *//' >"$dir/$1"
	echo "$1: $(tr '\n' ' ' <"$dir/$1")(server processed $((after - before - 1)) commands)"
	[ "$(wc -l <"$dir/$1")" -eq 3 ] && [ $((after - before - 1)) -ge $((3 * n)) ]
}

start_server env || exit 1
bench kernel || { echo "benchmark failed on the kernel's epoll"; exit 1; }
stop_server
start_server "$epsim" live --stats || exit 1
bench live || { echo "benchmark failed under epsim live"; tail -20 "$dir"/redis-*.log; exit 1; }
stop_server
paste -d' ' "$dir/kernel" "$dir/live" | awk '{
	k = $2; l = $(NF/2 + 2);
	printf "%s live/kernel = %.2f (%.0f vs %.0f requests/s)\n", $1, l / k, l, k }'
