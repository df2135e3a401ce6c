#!/usr/bin/env bash
# Runs every live-load scenario against a fresh release `strata serve` on 127.0.0.1.
# Prerequisites: `swift build -c release` at the repository root and in this folder.
# Usage: Benchmarks/LiveLoad/run-all.sh [path/to/strata] (default: .build/release/strata)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
strata="${1:-$root/.build/release/strata}"
liveload="$here/.build/release/LiveLoad"
port="${LIVELOAD_PORT:-18086}"
out="${LIVELOAD_OUT:-/tmp/liveload}"
mkdir -p "$out"
# 10,000 client sockets in this process tree and as many in the server's.
ulimit -n "$(ulimit -Hn)"

server_pid=""
start_server() {
    data="$(mktemp -d /tmp/liveload-data.XXXXXX)"
    STRATA_LOG_LEVEL=warning "$strata" serve --data-dir "$data" --http "127.0.0.1:$port" >"$out/server-$1.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$port/ping" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "server did not start; see $out/server-$1.log" >&2
    return 1
}
stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    rm -rf "$data"
}
trap stop_server EXIT

echo "load before: $(uptime)"
start_server latency
"$liveload" latency --port "$port" --server-pid "$server_pid" --out "$out" --subscribers 1,100,1000
"$liveload" latency --port "$port" --server-pid "$server_pid" --out "$out" --subscribers 1000 --stalled 1
stop_server

start_server memory
"$liveload" memory --port "$port" --server-pid "$server_pid" --out "$out" --connections 10000
stop_server
trap - EXIT
echo "load after: $(uptime)"
