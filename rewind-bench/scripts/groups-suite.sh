#!/usr/bin/env bash
# Consumer group throughput beside a plain subscription (docs/BENCHMARKS.md, "Consumer groups
# (issue 14)"), in one run:
#
#   rewind-bench/scripts/groups-suite.sh OUT
#
# ROUNDS times (default 3), each round in this order: 1, 3 and 8 consumers, each round-robin then
# pinned by stream, acking on the listener's thread; then 1 round-robin consumer acking on 10
# threads of its own (`--ack-threads 10`: up to max in flight acks outstanding). Every leg is one `bench groups --serve log:DIR` (a fresh log store, fsync=always,
# a server with its group service in the benchmark's process): it prefills EVENTS events over STREAMS
# streams, reads them all once with a plain SUBSCRIBE and once through the group, and reports both,
# so each leg carries its own baseline (ratio_to_plain). Before each leg the 1-minute load average
# goes into the JSON line (`load`) and `uptime` into OUT/load.log: the machine may be shared.
# Every JSON line, tagged, is appended to OUT/results.jsonl; summarize with
#   python3 rewind-bench/scripts/summarize.py OUT/results.jsonl
# Takes /tmp/rewind-bench.lock itself (waiting for whoever holds it). Environment: ROUNDS (3),
# EVENTS (100000), STREAMS (1000), WARMUP_EVENTS (20000), MAX_IN_FLIGHT (10), DATA (where stores go,
# OUT/data).
set -euo pipefail
if [ -z "${REWIND_BENCH_LOCKED:-}" ]; then
  echo "groups-suite: waiting for /tmp/rewind-bench.lock ..." >&2
  REWIND_BENCH_LOCKED=1 exec flock /tmp/rewind-bench.lock "$0" "$@"
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$here/../bench"
out="${1:?usage: groups-suite.sh OUT}"
rounds="${ROUNDS:-3}"
events="${EVENTS:-100000}"
streams="${STREAMS:-1000}"
warmup="${WARMUP_EVENTS:-20000}"
in_flight="${MAX_IN_FLIGHT:-10}"
mkdir -p "$out"
data="${DATA:-$out/data}"
results="$out/results.jsonl"
trap 'rm -rf "$data/groups"' EXIT

echo "groups-suite: started $(date -u +%FT%TZ), build $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo ?)" \
    | tee -a "$out/load.log" >&2
leg() { # round, tag, bench groups options...
  local round="$1" tag="$2"; shift 2
  rm -rf "$data/groups"; mkdir -p "$data/groups"
  local load; load="$(cut -d' ' -f1 /proc/loadavg)"
  echo "round $round $tag: $(uptime)" >> "$out/load.log"
  local json
  if json="$("$bench" groups --serve "log:$data/groups" --fsync always --events "$events" --streams "$streams" \
      --warmup-events "$warmup" --max-in-flight "$in_flight" "$@" --json)"; then
    echo "{\"tag\":\"$tag\",\"round\":$round,\"load\":$load,${json#\{}" >> "$results"
    echo "round $round $tag: $json" >&2
  else
    echo "{\"tag\":\"$tag\",\"round\":$round,\"load\":$load,\"failed\":true}" >> "$results"
    echo "round $round $tag: FAILED" >&2
  fi
}
for round in $(seq "$rounds"); do
  for consumers in 1 3 8; do
    for strategy in round-robin pinned; do
      leg "$round" "groups c=$consumers $strategy" --consumers "$consumers" --strategy "$strategy"
    done
  done
  leg "$round" "groups c=1 round-robin ack-threads=10" --consumers 1 --strategy round-robin --ack-threads 10
done
echo "groups-suite: done $(date -u +%FT%TZ)" | tee -a "$out/load.log" >&2
