# SPDX-License-Identifier: MIT OR Apache-2.0
"""The demo kernel under QEMU, driven through its serial port by a host test.

Guest boots the kernel on QEMU virt (2 harts, OpenSBI) with the guest's
first UART on this process's pipes, collects everything the guest prints,
and lets a test wait for a line, or for the output to reach a length, with
a deadline. Any failure (a guest panic, a line that never comes, QEMU
stopping early) ends the test through fail(), which prints the guest's last
output. With `qmp`, QEMU also answers QMP on a socket, so a test can read
the device models' own counters (blockstats) from outside the guest. Used
by uart_echo_test.py and ctrl_c_test.py.
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

_name = "qemu_guest"
_guest = None


def fail(msg):
    print("%s: FAIL: %s" % (_name, msg), file=sys.stderr)
    if _guest is not None:
        sys.stdout.write(_guest.buf[-4000:].decode("latin-1"))
        _guest.qemu.kill()
    sys.exit(1)


class Guest:
    def __init__(self, kernel, name, extra=(), qmp=None):
        """Boots `kernel`; `name` prefixes failures; `extra` are more QEMU arguments (a disk);
        `qmp`, a socket path for QEMU's QMP server (see blockstats)."""
        global _guest, _name
        _guest, _name = self, name
        self.buf = bytearray()
        self.cv = threading.Condition()
        self.qmp = None
        more = ["-qmp", "unix:%s,server=on,wait=off" % qmp] if qmp else []
        self.qemu = subprocess.Popen(
            ["qemu-system-riscv64", "-machine", "virt", "-smp", "2", "-bios", "default", "-accel", "tcg,thread=multi",
             "-kernel", kernel, "-display", "none", "-monitor", "none", "-serial", "stdio"] + more + list(extra),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()
        if qmp:
            self._qmp_connect(qmp)

    def _qmp_connect(self, path):
        for _ in range(100):  # the socket appears once QEMU has parsed its options
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
                break
            except OSError:
                s.close()
                time.sleep(0.05)
        else:
            fail("no QMP socket at %s" % path)
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
                fail("QMP %s: %s" % (command, reply["error"]))
            # an event: not the answer

    def blockstats(self, device):
        """QEMU's own counters of the block device `device` (its -drive id):
        rd_operations, wr_operations, flush_operations, rd_merged, ..."""
        for dev in self._qmp("query-blockstats"):
            if dev.get("device") == device:
                return dev["stats"]
        fail("QEMU has no block device %s" % device)

    def _read(self):
        while True:
            chunk = os.read(self.qemu.stdout.fileno(), 65536)
            with self.cv:
                if not chunk:
                    self.eof = True
                    self.cv.notify_all()
                    return
                self.buf += chunk
                self.cv.notify_all()

    def wait_for(self, pattern, start, deadline):
        """The first match of `pattern` (bytes regex) at or after `start`."""
        rx = re.compile(pattern)
        with self.cv:
            while True:
                m = rx.search(self.buf, start)
                if m:
                    return m
                if re.search(rb"(^|\n)panic", self.buf):
                    fail("the guest panicked")
                if getattr(self, "eof", False):
                    fail("the guest stopped before printing /%s/" % pattern.decode())
                left = deadline - time.monotonic()
                if left <= 0:
                    fail("no /%s/ in time (a hang)" % pattern.decode())
                self.cv.wait(min(left, 0.5))

    def wait_len(self, n, deadline, stall):
        """Until the output is `n` bytes long. A hang is `stall` seconds without a
        byte (a lost byte stops the echo for good); a slow line that keeps moving
        only fails at the run's deadline, and the message says which it was."""
        with self.cv:
            start = last = time.monotonic()
            seen = len(self.buf)
            while len(self.buf) < n:
                now = time.monotonic()
                if len(self.buf) != seen:
                    last, seen = now, len(self.buf)
                if now - last >= stall or now >= deadline or getattr(self, "eof", False):
                    fail("the echo stopped %d bytes short, after %.1f s (the last byte came %.1f s ago)" %
                         (n - len(self.buf), now - start, now - last))
                self.cv.wait(min(deadline - now, 0.5))

    def send(self, data):
        self.qemu.stdin.write(data)
        self.qemu.stdin.flush()

    def power_off(self, deadline):
        """Types `poweroff` and waits for QEMU to exit with status 0."""
        start = len(self.buf)
        self.send(b"poweroff\n")
        self.wait_for(rb"demo: powering off", start, deadline)
        try:
            rc = self.qemu.wait(max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            fail("no power-off (a hang)")
        if rc != 0:
            fail("qemu exited with status %d" % rc)
