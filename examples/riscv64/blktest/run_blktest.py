#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Runs the block test kernel on QEMU virt against a disk image this script
makes, then checks the image from outside the guest.

  run_blktest.py --qemu-test scripts/qemu-test --kernel blktest.elf --image DIR/x.img
                 [--modern] [--readonly] [--timeout S] [--log FILE]

Before the run the image holds zeros, except sectors 2048..4095, which get the
host's pattern (the guest verifies it). After the run: on a writable disk,
sectors 0..2047 must hold the guest's pattern (1 MiB the guest wrote) and the
host's region must be untouched; on a read-only disk, every byte must be as
it was. The pattern is blk_pattern() of examples/riscv64/blktest/blk_job.h.
"""
import argparse
import hashlib
import struct
import subprocess
import sys

SECTOR = 512
SECTORS = 8192
GUEST_SEED = 0x6A09E667
HOST_SEED = 0xBB67AE85
GUEST_LBA, HOST_LBA, REGION = 0, 2048, 2048
M = 0xFFFFFFFF


def pattern_sector(seed, lba):
    words = []
    base = (seed * 0x9E3779B1 + (lba & M) * 0x85EBCA77 + (lba >> 32) * 0x27D4EB2F) & M
    for k in range(SECTOR // 4):
        x = (base + k * 0xC2B2AE3D) & M
        x ^= x >> 15
        x = (x * 0x2C1B3C6D) & M
        x ^= x >> 12
        words.append(x)
    return struct.pack("<%dI" % len(words), *words)


def region(seed, lba, n):
    return b"".join(pattern_sector(seed, lba + i) for i in range(n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu-test", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--modern", action="store_true")
    ap.add_argument("--readonly", action="store_true")
    ap.add_argument("--throttled", action="store_true",
                    help="QEMU throttles the disk to 20 requests/s: the cancel and timeout cases")
    ap.add_argument("--timeout", default="30")
    ap.add_argument("--log")
    a = ap.parse_args()

    host = region(HOST_SEED, HOST_LBA, REGION)
    img = bytearray(SECTORS * SECTOR)
    img[HOST_LBA * SECTOR:(HOST_LBA + REGION) * SECTOR] = host
    if a.throttled:
        tag = b"aexec-blktest throttled\0"
        img[(SECTORS - 1) * SECTOR:(SECTORS - 1) * SECTOR + len(tag)] = tag
    with open(a.image, "wb") as f:
        f.write(img)
    before = hashlib.sha256(img).hexdigest()

    drive = "file=%s,if=none,format=raw,id=d0" % a.image
    if a.readonly:
        drive += ",readonly=on"
    if a.throttled:
        drive += ",throttling.iops-total=20"
    qemu = ["-drive", drive, "-device", "virtio-blk-device,drive=d0,serial=aexec-blk"]
    if a.modern:
        qemu += ["-global", "virtio-mmio.force-legacy=false"]
    cmd = [a.qemu_test, "--timeout", a.timeout]
    if a.log:
        cmd += ["--log", a.log]
    want = ["modern" if a.modern else "legacy"]
    if a.throttled:
        want += ["race: .* [1-9][0-9]* timed out"]
    elif not a.readonly:
        want += ["1 MiB written, at most [0-9]+ requests in flight", "bench: depth 8"]
    for re_ in want:
        cmd += ["--expect", re_]
    cmd += [a.kernel, "--"] + qemu
    if subprocess.call(cmd) != 0:
        return 1

    with open(a.image, "rb") as f:
        after = f.read()
    if len(after) != len(img):
        print("run_blktest: FAIL: the image changed size")
        return 1
    if a.readonly or a.throttled:
        if hashlib.sha256(after).hexdigest() != before:
            print("run_blktest: FAIL: an image the guest only reads changed")
            return 1
        print("run_blktest: ok: the image is unchanged (the run only read)")
        return 0
    want_guest = region(GUEST_SEED, GUEST_LBA, REGION)
    got = after[GUEST_LBA * SECTOR:(GUEST_LBA + REGION) * SECTOR]
    if got != want_guest:
        bad = next(i for i in range(REGION)
                   if got[i * SECTOR:(i + 1) * SECTOR] != want_guest[i * SECTOR:(i + 1) * SECTOR])
        print("run_blktest: FAIL: sector %d of the guest's 1 MiB differs in the image" % bad)
        return 1
    if after[HOST_LBA * SECTOR:(HOST_LBA + REGION) * SECTOR] != host:
        print("run_blktest: FAIL: the host's region changed")
        return 1
    print("run_blktest: ok: the guest's 1 MiB is in the image, the host's region intact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
