#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Checks a trace_json recording: it parses, every hook left events, and
every flow arrow starts at a wake and ends, later or at the same time, at
the start of a poll of the woken task on the same id.
Usage: check_trace.py TRACE.json"""
import json
import sys

def main(path):
    with open(path) as f:
        events = json.load(f)["traceEvents"]
    names = [e.get("name", "") for e in events]
    need = {
        "spawn": any(n.startswith("spawn ") for n in names),
        "wake from a task": any(e.get("args", {}).get("from") == "task" for e in events),
        "wake from the executor": any(e.get("args", {}).get("from") == "executor" for e in events),
        "wake from outside": any(e.get("args", {}).get("from") == "outside" for e in events),
        "poll begin": any(e["ph"] == "B" and e.get("cat") == "poll" for e in events),
        "poll end": any(e["ph"] == "E" and "result" in e.get("args", {}) for e in events),
        "idle enter/exit": any(e["ph"] == "B" and e.get("name") == "idle" for e in events)
        and any(e["ph"] == "E" and "result" not in e.get("args", {}) for e in events),
        "timer arm": "timer arm" in names,
        "timer cancel": "timer cancel" in names,
        "timer expire": "timer expire" in names,
        "task end": any(n.startswith("task end ") for n in names),
    }
    missing = [k for k, ok in need.items() if not ok]
    starts = {e["id"]: e for e in events if e["ph"] == "s"}
    ends = {e["id"]: e for e in events if e["ph"] == "f"}
    bad = [i for i, f in ends.items() if i not in starts or starts[i]["ts"] > f["ts"]]
    if missing or bad or not ends:
        print("check_trace: missing %s, flows ending before their wake %s, %d flows"
              % (missing, bad, len(ends)))
        print("0 passed, 1 failed")
        return 1
    print("check_trace: %d events, %d flows, every hook seen" % (len(events), len(ends)))
    return 0

sys.exit(main(sys.argv[1]))
