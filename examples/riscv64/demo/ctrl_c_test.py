#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Ctrl-C cancels the demo shell's running command, and nothing is lost.

Boots the demo kernel with a disk and types into its shell as a user would:
  * `sleep 600000` (ten minutes), then Ctrl-C: the prompt must come back at
    once, so the sleep's timer was withdrawn, not waited for;
  * `bench 16000000` (some 20 s of output), Ctrl-C once its progress bar has
    started: the prompt comes back and no result line is printed;
  * `blk bench 15000` on a 64 MiB disk (15,000 reads of 4 KiB one at a
    time, then 15,000 eight at a time, then a polled pass), twice: Ctrl-C
    once QEMU's own counters (QMP query-blockstats, read from outside the
    guest) show it serving the first pass's reads, and again in the second
    pass; each time QEMU must have served fewer reads than the bench
    makes (it was cancelled, not finished), the driver must have completed
    exactly the reads QEMU served and hold none in flight or waiting (every
    request the device owned at the cancel came back, none was lost), and a
    second `blk bench` must run to its results;
  * a line typed while a command runs is kept for the prompt;
  * `write 7 ...` after all that; once QEMU has exited, sector 7 of the disk
    image must hold exactly those bytes, read from outside the guest.

Usage: ctrl_c_test.py KERNEL [--timeout S]
"""
import argparse
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no cache beside the shared driver in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
from qemu_guest import Guest, GuestError, scratch_disk, test_failed  # noqa: E402

guest = None


def fail(msg):
    test_failed("ctrl_c_test", msg, guest)


PROMPT = rb"\r\naexec> "
DISK_MIB = 64
BLK_BENCH_N = 15000  # 4 KiB reads per pass: the disk above the demo's 2 MiB scratch offset holds 15,872


def start_command(g, line, deadline):
    """Types `line` and returns where its echo ends in the output."""
    start = len(g.buf)
    g.send(line.encode() + b"\n")
    return g.wait_for(re.escape(line.encode()) + rb"\r\n", start, deadline).end()


def interrupt(g, at, deadline, within):
    """Sends Ctrl-C; the shell must print ^C and its prompt within `within` s.
    Returns the output of the command from `at` up to the ^C."""
    g.send(b"\x03")
    m = g.wait_for(rb"\^C" + PROMPT, at, min(deadline, time.monotonic() + within))
    return bytes(g.buf[at:m.start()])


def cancel_blk_bench(g, deadline, depth, after):
    """Runs `blk bench`, sends Ctrl-C once QEMU has served more than `after`
    of its reads, and checks that nothing was lost."""
    before = g.blockstats("blk0")["rd_operations"]
    at = start_command(g, "blk bench %d" % BLK_BENCH_N, deadline)
    while g.blockstats("blk0")["rd_operations"] - before <= after:
        if time.monotonic() > deadline:
            fail("QEMU served too few of the bench's reads")
        time.sleep(0.01)
    out = interrupt(g, at, deadline, 10)
    if b"blk bench:" in out:
        fail("blk bench printed results: it finished before the Ctrl-C")
    at = start_command(g, "blk", deadline)
    m = g.wait_for(rb"blk: queue \d+, in flight (\d+), waiting (\d+), completed (\d+)", at, deadline)
    in_flight, waiting, completed = (int(x) for x in m.groups())
    total = g.blockstats("blk0")["rd_operations"]
    served = total - before
    print("blk bench %d cancelled with up to %d in flight: QEMU served %d of its %d reads; "
          "the driver: completed %d in all (QEMU %d), in flight %d, waiting %d" %
          (BLK_BENCH_N, depth, served, 3 * BLK_BENCH_N, completed, total, in_flight, waiting))
    if served >= 2 * BLK_BENCH_N:
        fail("QEMU served every read of the interrupt-driven passes: the cancel came too late")
    if completed != total:
        fail("the driver completed %d requests, QEMU served %d" % (completed, total))
    if in_flight or waiting:
        fail("requests left in the driver after the cancel")


def session(g, disk, deadline):
    g.wait_for(rb"aexec> ", 0, deadline)

    at = start_command(g, "sleep 600000", deadline)
    time.sleep(0.2)
    interrupt(g, at, deadline, 10)
    print("sleep 600000: ended by Ctrl-C")

    at = start_command(g, "bench 16000000", deadline)
    g.wait_for(rb"bench \[#", at, deadline)
    out = interrupt(g, at, deadline, 10)
    if b"bench: wrote" in out:
        fail("bench printed its result: it was not cancelled")
    print("bench 16000000: ended by Ctrl-C after %d bytes of progress bar" % len(out))

    # Cancelled in the first pass (one read in flight), then in the
    # second (eight in flight: each the device's until it comes back).
    cancel_blk_bench(g, deadline, 1, 0)
    cancel_blk_bench(g, deadline, 8, BLK_BENCH_N + 8)
    at = start_command(g, "blk bench 64", deadline)
    g.wait_for(rb"blk bench: polled  8 in flight: \d+ req/s", at, deadline)

    # A line typed while a command runs waits for the prompt.
    start = len(g.buf)
    g.send(b"sleep 300\necho typed ahead\n")
    g.wait_for(rb"\r\ntyped ahead\r\n", start, deadline)

    text = b"after the cancels"
    at = start_command(g, "write 7 " + text.decode(), deadline)
    g.wait_for(rb"wrote sector 7\r\n", at, deadline)
    g.poweroff(deadline)
    with open(disk, "rb") as f:
        f.seek(7 * 512)
        sector = f.read(512)
    if sector != text + bytes(512 - len(text)):
        fail("sector 7 of the disk image does not hold what the shell wrote")
    print("sector 7 of the image: %r, then zeros" % text.decode())


def main():
    global guest
    ap = argparse.ArgumentParser()
    ap.add_argument("kernel")
    ap.add_argument("--timeout", type=float, default=60, help="wall clock for the whole run")
    args = ap.parse_args()
    deadline = time.monotonic() + args.timeout
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "disk.img")
        try:
            guest = Guest(args.kernel, scratch_disk(disk, DISK_MIB), qmp=os.path.join(tmp, "qmp.sock"))
            session(guest, disk, deadline)
        except GuestError as e:
            fail(str(e))
    print("ctrl_c_test: ok")


if __name__ == "__main__":
    main()
