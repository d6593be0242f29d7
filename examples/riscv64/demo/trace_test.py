#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Gets a timeline out of the demo kernel and checks it, from the host.

Boots the traced demo kernel on 2 harts with a scratch disk and types into
its shell, waiting for each prompt: `trace clear`, then commands that make
both harts wake each other (an echo, a sleep long enough for hart 0's
ticker, the block self-test, whose task the shell spawns and notifies and
whose requests the disk's interrupt on hart 0 completes), then `trace`.
The dump is cut from the console log, turned into JSON by scripts/trace-json
and checked by examples/trace/check_trace.py: every hook the demo produces,
a track with polls per hart, wakes from an interrupt handler, arrows across
harts, each arrow from a wake to the poll it caused. Then a longer self-test
(and a sleep, for a tick) overflows the rings, and a second dump must say so: a full ring keeps its
newest TRACE_RING_EVENTS and counts the rest as dropped, and that dump
still converts and checks. With --plain, the kernel without the hooks is
booted too and its `trace` must say it has none.

Usage: trace_test.py TRACED.elf --out DIR [--plain PLAIN.elf] [--timeout S]
"""
import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
# The guest driver users run too (scripts/qemu-trace's); no bytecode cache
# beside it in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from qemu_guest import Guest, GuestError, scratch_disk, test_failed  # noqa: E402
RING_EVENTS = 4096  # TRACE_RING_EVENTS in trace_ring.h
# Hooks the demo's commands never reach: no command cancels an armed timer
# or lets a task finish (the host example, examples/trace, has both).
NOT_IN_DEMO = ["timer cancel", "task end"]
guest = None


def fail(msg):
    test_failed("trace_test", msg, guest, 3000)


def run(cmd):
    print("$ " + " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd))
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(r.stdout)
    if r.returncode != 0:
        fail("%s failed" % os.path.basename(cmd[1]))
    return r.stdout


def check_dump(text, out, name, checks):
    """Converts one dump (its console text), checks the JSON; returns its track lines."""
    log = os.path.join(out, name + ".log")
    with open(log, "w") as f:
        f.write(text)
    js = os.path.join(out, name + ".json")
    run([sys.executable, os.path.join(ROOT, "scripts", "trace-json"), log, js])
    run([sys.executable, os.path.join(ROOT, "examples", "trace", "check_trace.py")] + checks + [js])
    return [tuple(int(x) for x in m) for m in
            re.findall(r"trace: track (\d+) events (\d+) dropped (\d+)", text)]


def main():
    global guest
    try:
        session()
    except GuestError as e:
        fail(str(e))


def session():
    global guest
    ap = argparse.ArgumentParser()
    ap.add_argument("kernel")
    ap.add_argument("--out", required=True)
    ap.add_argument("--plain")
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    deadline = time.monotonic() + a.timeout
    os.makedirs(a.out, exist_ok=True)
    drive = scratch_disk(os.path.join(a.out, "disk.img"))
    guest = Guest(a.kernel, drive, os.path.join(a.out, "console.log"))
    guest.wait_for(rb"aexec> ", 0, deadline)
    guest.command("trace clear", rb"trace: cleared", deadline)
    guest.command("echo traced", rb"traced", deadline)
    guest.command("sleep 2100", None, deadline)  # hart 0's ticker fires once at least
    guest.command("blk selftest 1", rb"self-test started", deadline)
    guest.wait_for(rb"\[selftest\] round 1: ok", 0, deadline)
    first = guest.command("trace", rb"trace: begin", deadline)
    tracks = check_dump(first, a.out, "trace1",
                        ["--skip=" + s for s in NOT_IN_DEMO] +
                        ["--tracks", "2", "--cross", "--context", "interrupt"])
    if len(tracks) != 2 or any(d for _, _, d in tracks):
        fail("the first dump should hold both harts, nothing dropped: %s" % tracks)

    # Enough block requests to overflow a ring (each is a few events on each
    # hart), then a tick of hart 0's ticker among the newest events.
    at = len(guest.buf)
    guest.command("blk selftest 20", rb"self-test started", deadline)
    guest.wait_for(rb"\[selftest\] round 20: ok", at, deadline)
    guest.command("sleep 2100", None, deadline)
    second = guest.command("trace", rb"trace: begin", deadline)
    tracks = check_dump(second, a.out, "trace2",
                        ["--skip=" + s for s in NOT_IN_DEMO + ["spawn", "wake from a task"]] +
                        ["--tracks", "2", "--cross"])
    full = [t for t in tracks if t[2] > 0]
    if not full or any(n != RING_EVENTS for _, n, _ in full):
        fail("the second dump should show a full ring keeping %d events and counting the "
             "rest as dropped: %s" % (RING_EVENTS, tracks))
    print("trace_test: ring overflow reported: " +
          ", ".join("track %d kept %d, dropped %d" % t for t in full))
    guest.poweroff(deadline)

    if a.plain:
        guest = Guest(a.plain, [], os.path.join(a.out, "plain.log"))
        guest.wait_for(rb"aexec> ", 0, deadline)
        guest.command("trace", rb"built without AEXEC_TRACE", deadline)
        guest.poweroff(deadline)
        print("trace_test: the plain kernel says it has no trace hooks")
    print("trace_test: ok")


if __name__ == "__main__":
    main()
