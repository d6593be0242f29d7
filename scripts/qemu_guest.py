# SPDX-License-Identifier: MIT OR Apache-2.0
"""The demo kernel under QEMU, driven through its serial port from the host.

Guest boots a kernel on qemu-system-riscv64 -machine virt (OpenSBI, 2 harts
by default) with the guest's first UART on this process's pipes, collects
everything the guest prints (and copies it to a log file if given), and lets
the caller wait for a pattern or a length, type into the shell, and power
the guest off, each with a deadline. With `qmp`, QEMU also answers QMP on a
socket, so a test can read a device model's own counters (blockstats) from
outside the guest. Every failure (a guest panic, a pattern that never
comes, QEMU stopping early) raises GuestError.

Used by scripts/qemu-trace and by the demo's host-driven tests
(examples/riscv64/demo/*_test.py).
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time


class GuestError(Exception):
    pass


def test_failed(name, msg, guest=None, tail=4000):
    """Ends test `name` with status 1: prints why, then (with a guest) the
    last `tail` bytes of its console, and kills its QEMU."""
    print("%s: FAIL: %s" % (name, msg), file=sys.stderr)
    if guest is not None:
        sys.stdout.write(guest.buf[-tail:].decode("latin-1"))
        guest.kill()
    sys.exit(1)


class Guest:
    """The demo kernel on qemu-system-riscv64, its console on our pipes."""

    def __init__(self, kernel, extra=(), log=None, smp=2, qmp=None):
        """Boots `kernel`; `extra` are more QEMU arguments (a disk), `log` a
        file for the console, `qmp` a socket path for QEMU's QMP server."""
        self.buf = bytearray()
        self.cv = threading.Condition()
        self.eof = False
        self.log = open(log, "wb") if log else None
        self.qmp = None
        more = ["-qmp", "unix:%s,server=on,wait=off" % qmp] if qmp else []
        self.qemu = subprocess.Popen(
            ["qemu-system-riscv64", "-machine", "virt", "-smp", str(smp), "-bios", "default",
             "-accel", "tcg,thread=multi", "-kernel", kernel, "-display", "none",
             "-monitor", "none", "-serial", "stdio"] + more + list(extra),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()
        if qmp:
            self._qmp_connect(qmp)

    def _read(self):
        while True:
            chunk = os.read(self.qemu.stdout.fileno(), 65536)
            with self.cv:
                if self.log:
                    self.log.write(chunk)
                    self.log.flush()
                if not chunk:
                    self.eof = True
                    self.cv.notify_all()
                    return
                self.buf += chunk
                self.cv.notify_all()

    def wait_for(self, pattern, start, deadline):
        """The first match of `pattern` (a bytes regex) at or after `start`."""
        rx = re.compile(pattern)
        with self.cv:
            while True:
                m = rx.search(self.buf, start)
                if m:
                    return m
                if re.search(rb"(^|\n)panic", self.buf):
                    raise GuestError("the guest panicked")
                if self.eof:
                    raise GuestError("the guest stopped before printing /%s/" % pattern.decode())
                left = deadline - time.monotonic()
                if left <= 0:
                    raise GuestError("no /%s/ in time (a hang)" % pattern.decode())
                self.cv.wait(min(left, 0.5))

    def wait_len(self, n, deadline, stall):
        """Until the output is `n` bytes long. A hang is `stall` seconds without a
        byte (a lost byte stops an echo for good); a slow line that keeps moving
        only fails at the deadline, and the message says which it was."""
        with self.cv:
            start = last = time.monotonic()
            seen = len(self.buf)
            while len(self.buf) < n:
                now = time.monotonic()
                if len(self.buf) != seen:
                    last, seen = now, len(self.buf)
                if now - last >= stall or now >= deadline or self.eof:
                    raise GuestError("the output stopped %d bytes short, after %.1f s (the last byte "
                                     "came %.1f s ago)" % (n - len(self.buf), now - start, now - last))
                self.cv.wait(min(deadline - now, 0.5))

    def send(self, data):
        """Writes raw bytes into the guest's UART."""
        self.qemu.stdin.write(data)
        self.qemu.stdin.flush()

    def type(self, line):
        """Types `line` and Enter."""
        self.send(line.encode() + b"\r")

    def command(self, line, until, deadline):
        """Types `line`, waits for `until` (if any), then for the next prompt;
        returns what the command printed from `until` on."""
        start = len(self.buf)
        self.type(line)
        if until:
            start = self.wait_for(until, start, deadline).start()
        end = self.wait_for(rb"\naexec> ", start, deadline).start()
        return bytes(self.buf[start:end]).decode("latin-1")

    def poweroff(self, deadline):
        """Types `poweroff` and waits for QEMU to exit with status 0."""
        start = len(self.buf)
        self.type("poweroff")
        self.wait_for(rb"demo: powering off", start, deadline)
        try:
            rc = self.qemu.wait(max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise GuestError("no power-off (a hang)")
        if rc != 0:
            raise GuestError("qemu exited with status %d" % rc)

    def kill(self):
        self.qemu.kill()

    def _qmp_connect(self, path):
        for _ in range(100):  # the socket appears once QEMU has parsed its options
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(path)
                break
            except OSError:
                s.close()
                if self.qemu.poll() is not None:
                    raise GuestError("qemu exited with status %d before its QMP socket was up" %
                                     self.qemu.returncode)
                time.sleep(0.05)
        else:
            self.kill()
            raise GuestError("no QMP socket at %s" % path)
        self.qmp = s.makefile("rw")
        json.loads(self.qmp.readline())  # the greeting
        self._qmp("qmp_capabilities")

    def _qmp(self, command):
        self.qmp.write(json.dumps({"execute": command}) + "\n")
        self.qmp.flush()
        while True:
            reply = json.loads(self.qmp.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise GuestError("QMP %s: %s" % (command, reply["error"]))
            # an event, not the answer

    def blockstats(self, device):
        """QEMU's own counters of block device `device` (its -drive id):
        rd_operations, wr_operations, flush_operations, rd_merged, ..."""
        for dev in self._qmp("query-blockstats"):
            if dev.get("device") == device:
                return dev["stats"]
        raise GuestError("QEMU has no block device %s" % device)


def scratch_disk(path, mib=8):
    """A disk of `mib` MiB of zeros at `path`, and the QEMU arguments that attach it."""
    with open(path, "wb") as f:
        f.truncate(mib << 20)
    return ["-drive", "file=%s,if=none,format=raw,id=blk0" % path,
            "-device", "virtio-blk-device,drive=blk0"]
