#!/usr/bin/env bash
# HTTP API benchmark: wrk on loopback against `paytop serve` (release build).
# Usage: bench/api-bench.sh [runs=3] [seconds=15] [connections=64]
# Prints GET /healthz (the HTTP layer alone) once, then POST /v1/payments `runs` times.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"; secs="${2:-15}"; conns="${3:-64}"
bin=.build/release/paytop
[ -x "$bin" ] || swift build -c release --product paytop
dir="$(mktemp -d)"; trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$bin" serve --db "$dir/bench.db" --listen 127.0.0.1:0 --rate 0 2>"$dir/serve.log" &
pid=$!
for _ in $(seq 100); do grep -q "live engine on" "$dir/serve.log" 2>/dev/null && break; sleep 0.1; done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/serve.log" | head -1)"
echo "GET /healthz, $conns connections, ${secs}s:"
wrk -t2 -c"$conns" -d"${secs}s" --latency "$url/healthz" | grep -E "Requests/sec|  99%"
for r in $(seq "$runs"); do
  echo "POST /v1/payments run $r, $conns connections, ${secs}s:"
  wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/post-payments.lua "$url" | grep -E "^requests/s|^p50|^non-2xx"
done
