# SPDX-License-Identifier: MIT OR Apache-2.0
"""The demo kernel under QEMU, driven through its serial port by a host test.

Guest boots the kernel on QEMU virt (2 harts, OpenSBI) with the guest's
first UART on this process's pipes, collects everything the guest prints,
and lets a test wait for a line, or for the output to reach a length, with
a deadline. Any failure (a guest panic, a line that never comes, QEMU
stopping early) ends the test through fail(), which prints the guest's last
output. Used by uart_echo_test.py and ctrl_c_test.py.
"""
import os
import re
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
    def __init__(self, kernel, name, extra=()):
        """Boots `kernel`; `name` prefixes failures; `extra` are more QEMU arguments (a disk)."""
        global _guest, _name
        _guest, _name = self, name
        self.buf = bytearray()
        self.cv = threading.Condition()
        self.qemu = subprocess.Popen(
            ["qemu-system-riscv64", "-machine", "virt", "-smp", "2", "-bios", "default", "-accel", "tcg,thread=multi",
             "-kernel", kernel, "-display", "none", "-monitor", "none", "-serial", "stdio"] + list(extra),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()

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
