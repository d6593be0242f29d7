#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Checks a trace-event recording (examples/trace/trace_json.c on the host,
scripts/trace-json from the QEMU demo kernel's dump): it parses, every hook
left events, and every flow arrow starts at a wake and ends, later or at
the same time, at the start of a poll of the woken task on the same id.

Usage: check_trace.py [--skip HOOK]... [--tracks N] [--cross] [--context C]... TRACE.json
  --skip HOOK   a hook the workload cannot produce (as named in the report)
  --tracks N    at least N tracks, each with polls of its own (one per executor)
  --cross       at least one arrow from one track to another (a wake across harts)
  --context C   at least one wake from outside whose "context" is C (the kernel's word)"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip", action="append", default=[])
    ap.add_argument("--tracks", type=int, default=1)
    ap.add_argument("--cross", action="store_true")
    ap.add_argument("--context", action="append", default=[])
    ap.add_argument("trace")
    a = ap.parse_args()
    with open(a.trace) as f:
        events = json.load(f)["traceEvents"]
    names = [e.get("name", "") for e in events]
    froms = [e.get("args", {}).get("from") for e in events if e.get("cat") == "wake"]
    need = {
        "spawn": any(n.startswith("spawn ") for n in names),
        "wake from a task": "task" in froms,
        "wake from the executor": "executor" in froms,
        "wake from outside": "outside" in froms,
        "poll begin": any(e["ph"] == "B" and e.get("cat") == "poll" for e in events),
        "poll end": any(e["ph"] == "E" and "result" in e.get("args", {}) for e in events),
        "idle enter/exit": any(e["ph"] == "B" and e.get("name") == "idle" for e in events)
        and any(e["ph"] == "E" and "result" not in e.get("args", {}) for e in events),
        "timer arm": "timer arm" in names,
        "timer cancel": "timer cancel" in names,
        "timer expire": "timer expire" in names,
        "task end": any(n.startswith("task end ") for n in names),
    }
    unknown = [s for s in a.skip if s not in need]
    missing = [k for k, ok in need.items() if not ok and k not in a.skip]
    for c in a.context:
        if not any(e.get("cat") == "wake" and e.get("args", {}).get("context") == c
                   for e in events):
            missing.append("a wake from outside in context '%s'" % c)
    # Each arrow: from a wake slice of task T to the start of a poll of T,
    # on the tracks and at the times of those two events, never backwards.
    at = {}
    for e in events:
        if e["ph"] in ("X", "B"):
            at.setdefault((e["ph"], e["tid"], e["ts"]), []).append(e["name"])
    starts = {e["id"]: e for e in events if e["ph"] == "s"}
    ends = {e["id"]: e for e in events if e["ph"] == "f"}
    bad = []
    for i, f in ends.items():
        s = starts.get(i)
        woken = [n[len("wake "):] for n in at.get(("X", s["tid"], s["ts"]), [])] if s else []
        polled = at.get(("B", f["tid"], f["ts"]), [])
        if s is None or s["ts"] > f["ts"] or not set(woken) & set(polled):
            bad.append(i)
    polling = {e["tid"] for e in events if e["ph"] == "B" and e.get("cat") == "poll"}
    tracks = {e["tid"] for e in events if e["ph"] == "M"}
    if len(tracks & polling) < a.tracks:
        missing.append("%d tracks with polls (%d have)" % (a.tracks, len(tracks & polling)))
    crossing = sum(1 for i, f in ends.items() if i in starts and starts[i]["tid"] != f["tid"])
    if a.cross and crossing == 0:
        missing.append("an arrow across tracks")
    if unknown or missing or bad or not ends:
        print("check_trace: unknown --skip %s, missing %s, arrows that are not wake -> the poll "
              "it caused %s, %d arrows" % (unknown, missing, bad[:10], len(ends)))
        print("0 passed, 1 failed")
        return 1
    print("check_trace: %d events, %d arrows (%d across tracks) on %d tracks, every hook seen%s"
          % (len(events), len(ends), crossing, len(tracks & polling),
             " (not required: %s)" % ", ".join(a.skip) if a.skip else ""))
    return 0


sys.exit(main())
