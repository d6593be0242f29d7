#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Drives the demo kernel's echo from the host, through QEMU's serial port.

Boots the kernel with the guest's UART on this script's pipes, waits for the
shell, then for each requested transfer sends `loop N [PAUSE]` (the driver's
echo) or `ploop N` (the busy-wait peer), writes N random bytes into the UART
and reads the echo back. A transfer passes when the echo's CRC-32 equals the
sent bytes' and the guest reports zero line errors; a slow transfer must also
report that the receive ring filled (receive masked at least once). Then it
powers the guest off. It fails on a guest panic, a missing line, or a hang
(--stall seconds without an echoed byte, or --timeout for the whole run:
a slow host slows the line but never stops it).

Usage: uart_echo_test.py KERNEL [--bytes N] [--pause US] [--polled] [--timeout S] [--stall S]
"""
import argparse
import os
import random
import re
import sys
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no cache beside the shared driver in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
from qemu_guest import Guest, GuestError, test_failed  # noqa: E402

guest = None


def fail(msg):
    test_failed("uart_echo_test", msg, guest)


def transfer(cmd, data, deadline, stall, slow):
    g = guest
    start = len(g.buf)
    g.send(cmd.encode() + b"\n")
    word = cmd.split()[0]
    ready = g.wait_for(rb"%s: ready for %d bytes\r\n" % (word.encode(), len(data)), start,
                       deadline)
    at = ready.end()
    t0 = time.monotonic()
    writer = threading.Thread(target=g.send, args=(data,), daemon=True)
    writer.start()
    g.wait_len(at + len(data), deadline, stall)
    echo = bytes(g.buf[at:at + len(data)])
    line = g.wait_for(rb"%s: echoed: [^\r\n]*\r\n" % word.encode(), at + len(data), deadline)
    writer.join()
    text = line.group(0).decode().strip()
    print(text)
    sent, got = zlib.crc32(data), zlib.crc32(echo)
    if sent != got:
        first = next(i for i in range(len(data)) if data[i] != echo[i])
        fail("%s: CRC-32 %08x sent, %08x echoed (first difference at byte %d)" %
             (cmd, sent, got, first))
    m = re.search(r"line errors (\d+)", text)
    if not m or int(m.group(1)) != 0:
        fail("%s: the guest reported line errors" % cmd)
    m = re.search(r"(\d+) bytes to the driver", text)
    if word == "ploop" and (not m or int(m.group(1)) != 0):
        fail("%s: the driver's ring took bytes meant for the busy-wait loop" % cmd)
    if slow:
        m = re.search(r"receive masked (\d+) times", text)
        if not m or int(m.group(1)) == 0:
            fail("%s: the ring never filled: back-pressure was not exercised" % cmd)
    print("%s: %d bytes, CRC-32 %08x both ways, %.1f s of wall time" %
          (cmd, len(data), sent, time.monotonic() - t0))


def main():
    global guest
    ap = argparse.ArgumentParser()
    ap.add_argument("kernel")
    ap.add_argument("--bytes", type=int, default=65536)
    ap.add_argument("--pause", type=int, default=0,
                    help="a slow guest reader: it waits, in steps of this many us, for its ring to fill before each read")
    ap.add_argument("--polled", action="store_true", help="also run the busy-wait peer")
    ap.add_argument("--timeout", type=float, default=60, help="wall clock for the whole run")
    ap.add_argument("--stall", type=float, default=15,
                    help="seconds without an echoed byte that count as a hang")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    deadline = time.monotonic() + args.timeout
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    print("seed %d" % seed)
    data = random.Random(seed).randbytes(args.bytes)
    guest = Guest(args.kernel)
    try:
        guest.wait_for(rb"aexec> ", 0, deadline)
        transfer("loop %d %d" % (args.bytes, args.pause), data, deadline, args.stall, args.pause > 0)
        if args.polled:
            transfer("ploop %d" % args.bytes, data, deadline, args.stall, False)
        guest.poweroff(deadline)
    except GuestError as e:
        fail(str(e))
    print("uart_echo_test: ok")


if __name__ == "__main__":
    main()
