#!/usr/bin/env bash
# The live write path (issue 12), measured against the simulator in the same run.
# Usage: bench/api-bench.sh [runs=3] [seconds=15]
#
# 1. `paytop bench`: the simulator's checkouts/s with full telemetry (`runs` runs, median).
# 2. `paytop serve` on a fresh store; `runs` wrk runs of `seconds` at 64 connections and
#    `runs` at 8, every request a new checkout (bench/post-payments.lua: no Lua response
#    callback, so the client does not parse answers).
# 3. Prints POST/s, p50/p90/p99 per run and their medians, the ratio of the median POST/s
#    at 64 connections to the simulator's, and the bytes the server wrote to disk
#    (/proc/PID/io, read once the redo log has been committed; the log's share from
#    /healthz) per checkout against the bytes a checkout leaves in the store (the store
#    file once the WAL is checkpointed). Two figures: what reached the disk (write_bytes
#    less cancelled_write_bytes, the page-cache bytes deleted before the kernel wrote
#    them back, as the redo log's committed segments mostly are) and what the process
#    handed the kernel (write_bytes alone).
# 4. Prints the CPU a POST costs at 64 connections on each server thread (the engine is the
#    main thread; paytop-writer, paytop-redo-log, NIO-*, the rest Swift's pool) and in wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"; secs="${2:-15}"
bin=.build/release/paytop
[ -x "$bin" ] || swift build -c release --product paytop
command -v wrk >/dev/null || { echo "api-bench: wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "api-bench: curl is not installed (apt-get install -y curl)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "api-bench: python3 is not installed (apt-get install -y python3)" >&2; exit 2; }
dir="$(mktemp -d)"; pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$pid" ] && wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

echo "== paytop bench (simulator, full telemetry), $runs runs of 30,000 checkouts"
sim="$("$bin" bench --checkouts 30000 --runs "$runs" --json | sed -n 's/.*"median_checkouts_per_second":\([0-9.]*\).*/\1/p')"
echo "simulate: median $sim checkouts/s"

# A trace budget above what the bench posts (~1.4 traces a checkout): the live store's
# default (500,000 traces) would start pruning telemetry part-way, and the bytes a
# checkout leaves in the store would then count only what retention has not yet dropped.
printf 'name = "keep-telemetry"\n[settings]\ntelemetry_max_traces = 10000000\n' > "$dir/keep-telemetry.toml"
"$bin" serve --db "$dir/bench.db" --listen 127.0.0.1:0 --rate 0 --scenario "$dir/keep-telemetry.toml" 2>"$dir/serve.log" &
pid=$!
for _ in $(seq 100); do grep -q "live engine on" "$dir/serve.log" 2>/dev/null && break; sleep 0.1; done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/serve.log" | head -1)"
[ -n "$url" ] || { echo "api-bench: paytop serve did not start:" >&2; cat "$dir/serve.log" >&2; exit 1; }
io() { awk -v f="$1" '$1 == f ":" {print $2}' "/proc/$pid/io"; }
written_before="$(io write_bytes)"; cancelled_before="$(io cancelled_write_bytes)"

# CPU by thread (clock ticks from /proc/PID/task/*/stat): the engine is the main thread;
# the writer's two threads, NIO's event loops and Swift's concurrency pool go by name.
threads() {
  for t in /proc/"$pid"/task/*; do
    tid="${t##*/}"; name="$(cat "$t/comm" 2>/dev/null)" || continue
    case "$name" in
      paytop-writer) k=commit ;; paytop-redo-log) k=redo-log ;; NIO-*) k=NIO ;;
      *) if [ "$tid" = "$pid" ]; then k=engine; else k=pool; fi ;;
    esac
    echo "$k $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)"
  done | awk '{s[$1] += $2} END {for (k in s) print k, s[k]}' | sort
  # The process's own total counts threads that have exited too (the pool's come and go):
  # the pool is what the process used less the threads named above.
  awk '{print "process", $14 + $15}' /proc/"$pid"/stat
}
TIMEFORMAT='%U %S'
for conns in 64 8; do
  : > "$dir/results-$conns"
  if [ "$conns" = 64 ]; then threads > "$dir/threads-before"; fi
  for r in $(seq "$runs"); do
    { time wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/post-payments.lua "$url" > "$dir/wrk.out"; } 2>> "$dir/wrk-cpu-$conns"
    line="$(grep '^RESULT' "$dir/wrk.out")"
    echo "$line" >> "$dir/results-$conns"
    echo "POST /v1/payments, $conns connections, run $r: $(echo "$line" | sed 's/^RESULT //')"
  done
  if [ "$conns" = 64 ]; then threads > "$dir/threads-after"; fi
done

# The file commits behind the answers (redo log): wait until what the log holds has been
# committed, so the bytes written include every commit the checkouts cost.
for _ in $(seq 600); do
  case "$(curl -s "$url/healthz")" in *'"uncommitted_batches":0'*) break ;; esac
  sleep 0.1
done
redo="$(curl -s "$url/healthz" | sed -n 's/.*"redo_log_bytes":\([0-9]*\).*/\1/p')"
# The WAL may still hold pages not yet copied into the file (the redo-logged writer
# checkpoints every 64 MB): copy them now, from here, and count those writes too.
checkpoint="$(python3 -c '
import sqlite3, sys
def written():
    io = dict(l.split(": ") for l in open("/proc/self/io"))
    return int(io["write_bytes"]) - int(io["cancelled_write_bytes"])
before = written()
sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
print(written() - before)' "$dir/bench.db" 2>/dev/null || echo 0)"
written_after="$(( $(io write_bytes) + checkpoint ))"; cancelled_after="$(io cancelled_write_bytes)"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
checkouts="$("$bin" status --db "$dir/bench.db" --json | sed -n 's/.*"checkouts_by_outcome":{\([^}]*\)}.*/\1/p' \
  | tr ',' '\n' | cut -d: -f2 | awk '{s += $1} END {print s + 0}')"
# The file alone: the checkpoint above copied every committed page into it, and the WAL
# left beside it is scratch space SQLite writes over.
store_bytes="$(stat -c %s "$dir/bench.db")"

echo "== medians"
for conns in 64 8; do
  f="$dir/results-$conns"
  printf "%s connections: POST/s %s · p50 %s ms · p90 %s ms · p99 %s ms · non-2xx %s\n" "$conns" \
    "$(field rps < "$f" | median)" "$(field p50 < "$f" | median)" "$(field p90 < "$f" | median)" \
    "$(field p99 < "$f" | median)" "$(field non2xx < "$f" | awk '{s += $1} END {print s}')"
done
post="$(field rps < "$dir/results-64" | median)"
# Where a POST's CPU goes at 64 connections, wrk's own included: two cores' worth is the
# ceiling the ratio meets (docs/benchmarks.md, "what two cores allow").
requests64="$(field requests < "$dir/results-64" | awk '{s += $1} END {print s}')"
hz="$(getconf CLK_TCK)"
join "$dir/threads-before" "$dir/threads-after" | awk -v n="$requests64" -v hz="$hz" -v w="$(awk '{s += $1 + $2} END {print s}' "$dir/wrk-cpu-64")" '
  { d[$1] = ($3 - $2) / hz * 1e6 / n }
  END {
    total = d["process"]; d["pool"] = total - d["engine"] - d["commit"] - d["redo-log"] - d["NIO"]
    printf "CPU per POST at 64 connections: "
    split("engine commit redo-log NIO pool", order, " ")
    for (i = 1; i <= 5; i++) if (order[i] in d) printf "%s %.0f µs · ", order[i], d[order[i]]
    printf "wrk %.0f µs · all %.0f µs\n", w * 1e6 / n, total + w * 1e6 / n }'
awk -v p="$post" -v s="$sim" 'BEGIN { printf "ratio POST/s (64 connections) ÷ simulate: %.2f (goal ≥ 0.90)\n", p / s }'
if [ -n "$checkouts" ] && [ "$checkouts" -gt 0 ]; then
  awk -v w="$((written_after - written_before))" -v c="$((cancelled_after - cancelled_before))" -v r="${redo:-0}" \
      -v b="$store_bytes" -v n="$checkouts" 'BEGIN {
    printf "disk: %.0f bytes reached the disk per checkout for %.0f stored (%.1f×, goal ≤ 4×) over %d checkouts\n", (w - c) / n, b / n, (w - c) / b, n
    printf "      (%.0f handed to the kernel: redo log %.0f, SQLite %.0f, %.1f×; %.0f of them deleted before written back)\n",
      w / n, r / n, (w - r) / n, w / b, c / n }'
fi
