#!/usr/bin/env bash
# Regenerates the QEMU virt blobs in this directory (checked in, so the host
# tests need no QEMU). QEMU writes its whole 1 MiB buffer; the tree is the
# first totalsize bytes, which is what a kernel finds in a1, so each file is
# cut there. Made with QEMU 7.2 (Debian 12); rng-seed differs on every run.
# opensbi-virt-smp2.dtb is what S mode receives instead: the tree after
# OpenSBI's fixups (a reserved-memory node for itself, M-mode PLIC contexts
# masked as irq 0xffffffff), printed by the fdt_dtb_dump kernel of a riscv64
# cross build (scripts/test qemu-rv64 makes one) given as the argument.
# Usage: tests/fdt/blobs/make-qemu-blobs.sh [build/test/qemu-rv64/tests/fdt/guest/fdt_dtb_dump.elf]
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp) disk0=$(mktemp) disk1=$(mktemp)
trap 'rm -f "$tmp" "$disk0" "$disk1"' EXIT
truncate -s 1M "$disk0" "$disk1"

dump() { # dump NAME MACHINE-OPTIONS qemu-args...
  local name=$1 machine=$2; shift 2
  qemu-system-riscv64 -nographic -bios none -machine "virt$machine,dumpdtb=$tmp" "$@" >/dev/null 2>&1
  local total
  total=$(od -An -tu1 -j4 -N4 "$tmp" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
  head -c "$total" "$tmp" >"$name"
  echo "$name: $total bytes"
}

# One hart without Sstc; 128 MiB.
dump qemu-virt-smp1.dtb "" -smp 1 -m 128M -cpu rv64,sstc=off
# The demo's machine: two harts.
dump qemu-virt-smp2.dtb "" -smp 2 -m 256M
# Four harts, 1 GiB, two virtio-blk disks (the device tree lists all eight slots either way).
dump qemu-virt-smp4-blk.dtb "" -smp 4 -m 1G \
  -drive file=$disk0,if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0 \
  -drive file=$disk1,if=none,format=raw,id=d1 -device virtio-blk-device,drive=d1
# The AIA interrupt controllers instead of a PLIC: the reader must report no PLIC.
dump qemu-virt-aia.dtb ",aia=aplic" -smp 2

if [ $# -ge 1 ]; then
  qemu-system-riscv64 -machine virt -smp 2 -m 256M -nographic -bios default -kernel "$1" </dev/null \
    | tr -d '\r' | sed -n 's/^@//p' | xxd -r -p >opensbi-virt-smp2.dtb
  echo "opensbi-virt-smp2.dtb: $(stat -c %s opensbi-virt-smp2.dtb) bytes"
fi
