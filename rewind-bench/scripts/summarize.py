#!/usr/bin/env python3
"""Summarizes run-suite.sh results: per configuration (tag), the median of each figure over its
runs and the spread (min..max), plus the load average seen when the runs started.
usage: summarize.py OUT/results.jsonl"""
import json, statistics, sys
from collections import OrderedDict

FIGURES = ["events_per_s", "mb_per_s", "p50_us", "p99_us", "p999_us", "mean_events_per_fsync",
           "ceiling_events_per_s", "ratio_to_ceiling", "delivered_per_s", "gaps", "reopen_ms", "heap_mb",
           "heap_used_mb", "plain_events_per_s", "ratio_to_plain", "redeliveries", "ack_p50_us", "ack_p99_us",
           "consumer_min_acked", "consumer_max_acked"]
runs = OrderedDict()
for line in open(sys.argv[1]):
    line = line.strip()
    if line:
        record = json.loads(line)
        runs.setdefault(record["tag"], []).append(record)
failed = {tag: sum(1 for r in records if r.get("failed")) for tag, records in runs.items()}
runs = OrderedDict((tag, [r for r in records if not r.get("failed")]) for tag, records in runs.items())

def show(values):
    median = statistics.median(values)
    fmt = (lambda v: f"{v:,.0f}") if median >= 100 else (lambda v: f"{v:.2f}")
    return f"{fmt(median)} ({fmt(min(values))}..{fmt(max(values))})" if len(values) > 1 else fmt(median)

for tag, records in runs.items():
    if not records:
        print(f"{tag}: all {failed[tag]} runs failed")
        continue
    loads = [r["load"] for r in records]
    parts = [f"n={len(records)}", f"load {min(loads):.1f}..{max(loads):.1f}"]
    if failed[tag]:
        parts.append(f"failed={failed[tag]}")
    for key in FIGURES:
        values = [r[key] for r in records if key in r]
        if values:
            parts.append(f"{key}={show(values)}")
    print(f"{tag}: " + "  ".join(parts))
