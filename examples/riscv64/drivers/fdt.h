/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A flattened-device-tree reader for a RISC-V kernel's boot: it reads the few
 * things a kernel on QEMU virt or a board like the VisionFive 2 needs before it
 * can start an executor and its drivers, and nothing else. Freestanding C11:
 * no libc, no allocation, no memcpy or memset calls emitted; about 1 KiB of
 * stack (rv64, -O2). The blob is read byte by byte (big-endian), so it needs
 * no alignment. Blobs of version 17 (readable as 16), as dtc, QEMU and
 * OpenSBI write them.
 *
 * What it reads (into struct dt_platform):
 *   timebase   /cpus "timebase-frequency" (1 or 2 cells), else that of the
 *              first cpu node which has one; none, or 0, is an error (it is
 *              the executor's tick rate)
 *   memory     the first reg range of the first node with device_type "memory"
 *   harts      every child of /cpus with device_type "cpu", in tree order: hart
 *              id ("reg"), "status" (absent, "okay" or "ok" is okay), "riscv,isa"
 *              (else "riscv,isa-base"), and Sstc, found either as an
 *              underscore-separated extension of "riscv,isa" or as an entry of
 *              "riscv,isa-extensions"
 *   uart       the first enabled node compatible with "ns16550a", "ns16550" or
 *              "snps,dw-apb-uart": reg, the first cell of "interrupts" (else the
 *              second of "interrupts-extended"), "clock-frequency" (0 if absent),
 *              "reg-shift" (default 0, at most 31), "reg-io-width" (default 1; 1,
 *              2 or 4)
 *   plic       the first enabled "riscv,plic0" / "sifive,plic-1.0.0": reg,
 *              "riscv,ndev" (at most 1023), and each hart's S-mode context. A
 *              PLIC context is the index of a (phandle, irq) pair in
 *              "interrupts-extended"; the pair whose phandle is a cpu's
 *              "riscv,cpu-intc" child and whose irq is 9 (supervisor external)
 *              is that hart's S-mode context. Harts with only an M-mode context
 *              (irq 11), like the JH7110's hart 0, keep -1. (OpenSBI masks
 *              M-mode pairs as irq 0xffffffff; indices do not change.)
 *   virtio     every enabled "virtio,mmio" node, in tree order: reg, interrupt
 * Disabled nodes (status other than okay/ok) are skipped, except cpus, which
 * are listed with okay = 0. A reg is read with the #address-cells and
 * #size-cells of the node's parent (defaults 2 and 1; a reg the reader uses
 * must have at most 2 of each). Addresses are bus addresses: "ranges" are not
 * applied (QEMU virt and the JH7110 map their soc bus 1:1 with an empty
 * "ranges"). A device's irq is its first interrupt cell, taken as a PLIC
 * source: interrupt-parent is not followed. Cpu interrupt controllers are
 * assumed to have #interrupt-cells 1, as the riscv,cpu-intc binding requires.
 *
 * Limits: DT_MAX_HARTS cpu nodes and DT_MAX_VIRTIO virtio nodes are recorded;
 * further ones are counted in harts_ignored / virtio_ignored, not stored.
 * s_context is indexed by hart id, so harts with ids >= DT_MAX_HARTS have no
 * entry. Nodes nest at most DT_MAX_DEPTH deep. isa holds the first 127 bytes
 * of the string (Sstc detection reads all of it).
 *
 * Errors: the whole blob is checked before anything is written. A blob that
 * does not fit in max_size, has bad offsets, an unterminated reservation map,
 * unterminated names, a named root, unknown tokens, anything but FDT_END
 * after the root,
 * unbalanced nodes, a property running past the structure block, too deep a
 * nesting, or a malformed value in a property the reader uses is rejected with
 * a DT_E* code, and *out is left as it was. Only bytes in [blob, blob +
 * max_size) are ever read, and of those only the header and what it declares.
 */
#ifndef DT_FDT_H
#define DT_FDT_H

#include <stddef.h>
#include <stdint.h>

#define DT_MAX_HARTS 8
#define DT_MAX_VIRTIO 8
#define DT_MAX_DEPTH 16
#define DT_ISA_MAX 128

#define DT_EMAGIC (-1)       /* NULL, or not a flattened device tree (bad magic) */
#define DT_ETRUNCATED (-2)   /* totalsize exceeds max_size, or no room for a header */
#define DT_EVERSION (-3)     /* not a version 17 blob readable as version 16 */
#define DT_EHEADER (-4)      /* a header block out of bounds, or no end to the reservation map */
#define DT_ETOKEN (-5)       /* an unknown token in the structure block */
#define DT_ESTRUCT (-6)      /* unbalanced nodes, a misplaced property, or no FDT_END */
#define DT_ENAME (-7)        /* a name unterminated or out of bounds, or a named root */
#define DT_EPROPLEN (-8)     /* a property value runs past the structure block */
#define DT_EDEPTH (-9)       /* nodes nested deeper than DT_MAX_DEPTH */
#define DT_EVALUE (-10)      /* a property the reader uses has a malformed value */
#define DT_ENOTIMEBASE (-11) /* no timebase-frequency in /cpus or any cpu node */

struct dt_reg {
    uint64_t base, size;
};

struct dt_uart {
    int present;
    struct dt_reg reg;
    uint32_t irq; /* PLIC source, 0 if the node names none */
    uint32_t clock_hz, reg_shift, reg_io_width;
};

struct dt_plic {
    int present;
    struct dt_reg reg;
    uint32_t ndev;
    /* S-mode context index per hart id, -1 where none */
    int32_t s_context[DT_MAX_HARTS];
};

struct dt_virtio {
    struct dt_reg reg;
    uint32_t irq;
};

struct dt_hart {
    uint32_t hartid;
    int okay;
    char isa[DT_ISA_MAX]; /* riscv,isa, NUL-terminated (bytes after the NUL unspecified) */
    int has_sstc;         /* isa string or riscv,isa-extensions lists it */
};

struct dt_platform {
    uint64_t timebase_hz;
    struct dt_reg memory; /* size 0: no memory node */
    uint32_t nharts;
    struct dt_hart harts[DT_MAX_HARTS]; /* entries from nharts on are not written */
    uint32_t harts_ignored;             /* cpu nodes beyond DT_MAX_HARTS */
    struct dt_uart uart;                /* the first ns16550a / ns16550 / snps,dw-apb-uart */
    struct dt_plic plic;
    uint32_t nvirtio;
    struct dt_virtio virtio[DT_MAX_VIRTIO]; /* every virtio,mmio node, in tree order */
    uint32_t virtio_ignored;                /* virtio,mmio nodes beyond DT_MAX_VIRTIO */
};

/*
 * Reads the flattened device tree at `blob` into *out. At most `max_size`
 * bytes from `blob` are ever touched: pass what the kernel knows may belong to
 * the blob (the firmware does not say; QEMU's is about 5 KiB, and a bound such
 * as 64 KiB or the distance to the end of RAM works). A blob whose header
 * claims more than max_size is rejected. Any context; reentrant (no state
 * besides *out and the stack).
 * Returns 0 with *out filled, or a DT_E* code (< 0) with *out untouched. The
 * blob must not change during the call (it is read twice: check, then fill).
 * `out` must not be NULL (an assert: that is a bug, not bad input).
 */
int dt_parse(const void *blob, size_t max_size, struct dt_platform *out);

/*
 * Whether every enabled hart of *p lists Sstc: the condition for letting the
 * RISC-V backend write stimecmp, as it assumes harts alike (otherwise pass
 * AEXEC_RISCV_NO_SSTC to aexec_riscv_init). 0 if no hart is enabled, or if
 * cpu nodes went unrecorded (harts_ignored). Any context.
 */
int dt_sstc_on_every_hart(const struct dt_platform *p);

/* A short English description of a DT_E* code ("unknown error" for others). Any context. */
const char *dt_strerror(int err);

#endif /* DT_FDT_H */
