/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Prints the device tree it was booted with, as one line of hex after '@',
 * then powers off: the blob S mode really receives, after OpenSBI's fixups.
 * tests/fdt/blobs/make-qemu-blobs.sh turns that line into
 * opensbi-virt-smp2.dtb.
 */
#include <stdint.h>

#include "aexec/arch/riscv64.h"
#include "kboot.h"
#include "kpanic.h"

void kmain(unsigned long hartid, unsigned long dtb)
{
    const unsigned char *b = (const unsigned char *)dtb;
    uint32_t n = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
    (void)hartid;
    aexec_riscv_sbi_putchar('@');
    for (uint32_t i = 0; i < n; i++) {
        aexec_riscv_sbi_putchar("0123456789abcdef"[b[i] >> 4]);
        aexec_riscv_sbi_putchar("0123456789abcdef"[b[i] & 15]);
    }
    aexec_riscv_sbi_putchar('\n');
    aexec_riscv_sbi_shutdown();
}

void trap_handler(unsigned long scause)
{
    kpanic_trap(scause, -1);
}
