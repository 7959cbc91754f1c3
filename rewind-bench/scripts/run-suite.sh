#!/usr/bin/env bash
# Runs the measurements of docs/BENCHMARKS.md, each configuration RUNS times (default 3), and
# appends every run's JSON object, tagged with its configuration, to OUT/results.jsonl.
# Summarize with: python3 rewind-bench/scripts/summarize.py OUT/results.jsonl
#
#   rewind-bench/scripts/run-suite.sh OUT [SECTION ...]
#   sections: ceiling append sql publish subscribe read reopen jmh (default: all)
#
# Environment: RUNS (3), DURATION (seconds measured per run, 10), DATA (where stores go, OUT/data),
# POSTGRES_URL (postgresql://user:password@host:port/database: the sql section measures PostgreSQL
# too, each run in a schema of its own; e.g. from `.ci/postgres start`).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$here/../bench"
out="${1:?usage: run-suite.sh OUT [SECTION ...]}"; shift
sections="${*:-ceiling append sql publish subscribe read reopen jmh}"
runs="${RUNS:-3}"
duration="${DURATION:-10}"
mkdir -p "$out"
data="${DATA:-$out/data}"
results="$out/results.jsonl"
command="tcp://127.0.0.1:19402"
stream="tcp://127.0.0.1:19403"

# One measured run: tag, then the bench arguments; the JSON line is stored with the tag and load.
# A failed run is reported and skipped; the suite goes on.
record() {
  local tag="$1"; shift
  local load; load="$(cut -d' ' -f1 /proc/loadavg)"
  local json
  if json="$("$bench" "$@" --json)"; then
    echo "{\"tag\":\"$tag\",\"load\":$load,${json#\{}" >> "$results"
    echo "$tag: $json" >&2
  else
    echo "{\"tag\":\"$tag\",\"load\":$load,\"failed\":true}" >> "$results"
    echo "$tag: FAILED" >&2
  fi
}

fresh() { rm -rf "$data/$1"; mkdir -p "$data/$1"; echo "$data/$1"; }

start_server() { # store URI, fsync
  "$bench" server --store "$1" --fsync "$2" --command-endpoint "$command" --stream-endpoint "$stream" \
      > "$out/server.log" 2>&1 &
  server_pid=$!
  sleep 3
}

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid"; wait "$server_pid" || true; server_pid=""
  fi
}
trap stop_server EXIT

for section in $sections; do
  case "$section" in
  ceiling)
    for batch in 1 16 64 1000; do
      for run in $(seq "$runs"); do
        record "ceiling b=$batch" ceiling --dir "$(fresh ceiling)" --batch "$batch" --duration "$duration"
      done
    done ;;
  append)
    for writers in 1 4 16 64; do
      for batch in 1 10 100; do
        for run in $(seq "$runs"); do
          record "append fsync=always w=$writers b=$batch" append --store "log:$(fresh append)" \
              --writers "$writers" --batch "$batch" --duration "$duration"
        done
      done
    done
    for run in $(seq "$runs"); do
      record "append fsync=never w=16 b=1" append --store "log:$(fresh append)" --fsync never --writers 16 \
          --duration "$duration"
      record "append memory w=16 b=1" append --store memory: --writers 16 --duration "$duration"
    done ;;
  sql)
    for config in "1 1" "16 1" "16 100"; do
      set -- $config
      for run in $(seq "$runs"); do
        record "append sqlite w=$1 b=$2" append --store "sqlite:$(fresh sqlite)/events.db" --writers "$1" \
            --batch "$2" --duration "$duration"
        if [ -n "${POSTGRES_URL:-}" ]; then
          record "append postgresql w=$1 b=$2" append --store "$POSTGRES_URL?currentSchema=bench_$$_${1}_${2}_$run" \
              --writers "$1" --batch "$2" --duration "$duration"
        fi
      done
    done ;;
  publish)
    # Only the log: the memory store keeps every event on the heap, so a long run at 100k+
    # events/s measures its garbage collector, not the server.
    start_server "log:$(fresh server)" always
    "$bench" publish --server "$command" --clients 16 --window 64 --duration 20 --warmup 0 > /dev/null || true # JIT warm-up
    for dialect in native gorewind rewind; do
      for run in $(seq "$runs"); do
        record "publish log fsync=always $dialect c=16 w=64" publish --server "$command" --dialect "$dialect" \
            --clients 16 --window 64 --duration "$duration"
      done
    done
    for run in $(seq "$runs"); do
      record "publish log fsync=always native c=4 w=64" publish --server "$command" --clients 4 --window 64 \
          --duration "$duration"
      record "publish log fsync=always native c=16 w=64 b=100" publish --server "$command" --clients 16 \
          --window 64 --batch 100 --duration "$duration"
    done
    stop_server ;;
  subscribe)
    for fsync in never always; do
      start_server "log:$(fresh server)" "$fsync"
      "$bench" subscribe --server "$command" --rate 10000 --duration 10 --warmup 0 > /dev/null || true # JIT warm-up
      for run in $(seq "$runs"); do
        record "subscribe fsync=$fsync r=10000 k=1" subscribe --server "$command" --rate 10000 --subscribers 1 \
            --duration "$duration"
        record "subscribe fsync=$fsync r=10000 k=8" subscribe --server "$command" --rate 10000 --subscribers 8 \
            --duration "$duration"
      done
      stop_server
    done ;;
  read)
    store="log:$(fresh read)"
    "$bench" reopen --store "$store" --events 10000000 --streams 100000 --repeat 1 > /dev/null # builds it
    for run in $(seq "$runs"); do
      record "read embedded log 10M" read --store "$store" --passes 2
    done
    start_server "$store" always
    for run in $(seq "$runs"); do
      record "read server log 10M" read --server "$command" --passes 1 --warmup-passes 1
    done
    stop_server ;;
  reopen)
    for events in 1000000 10000000; do
      store="log:$(fresh "reopen-$events")"
      for run in $(seq "$runs"); do
        record "reopen $events events 100k streams" reopen --store "$store" --events "$events" --streams 100000
      done
    done ;;
  jmh)
    "$bench" jmh -rf json -rff "$out/jmh.json" 2>&1 | tail -40 | tee "$out/jmh.txt" ;;
  *)
    echo "unknown section $section" >&2; exit 2 ;;
  esac
done
