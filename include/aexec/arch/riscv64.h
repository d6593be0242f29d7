/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The RISC-V S-mode backend, for a kernel running under SBI (OpenSBI):
 *   now()        the `time` CSR (rdtime), at the board's timebase
 *   set_alarm()  SBI TIME set_timer
 *   idle()       wfi with sstatus.SIE cleared around the check, so a pend
 *                between "nothing to do" and wfi is not lost
 *   cs           sstatus.SIE cleared and restored (one hart; an SMP kernel
 *                passes its own spinlock-plus-SIE section to sync objects)
 *   pend()       a flag, and an SBI IPI to the executor's hart, so a wake
 *                from another hart ends its wfi
 * The kernel owns the trap vector: it enables STIE (and SEIE for devices)
 * and calls aexec_riscv_on_timer_irq() from its supervisor timer handler.
 * No libc: everything here is freestanding.
 */
#ifndef AEXEC_ARCH_RISCV64_H
#define AEXEC_ARCH_RISCV64_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/executor.h"

typedef struct aexec_riscv {
    _Atomic uint32_t pended;
    unsigned long hartid; /* the hart that runs this executor */
} aexec_riscv;

/*
 * Initializes `ex` for hart `hartid` (the one that will call aexec_run) with
 * the board's timebase `tick_hz` (the
 * device tree's timebase-frequency: 10 MHz on QEMU virt, 4 MHz on a
 * VisionFive 2). Returns 0 or AEXEC_EINVAL. Boot context, before interrupts.
 */
int aexec_riscv_executor_init(aexec_executor *ex, aexec_riscv *hart, unsigned long hartid,
                              uint64_t tick_hz);

/*
 * Call from the supervisor timer interrupt: disarms the SBI timer (which
 * clears STIP) and pends the executor. ISR context.
 */
void aexec_riscv_on_timer_irq(aexec_riscv *hart);

/*
 * Call from the supervisor software interrupt (an IPI from pend()): clears
 * sip.SSIP. The interrupt itself has ended wfi. ISR context.
 */
void aexec_riscv_on_soft_irq(void);

/* The `time` CSR. Any context. */
uint64_t aexec_riscv_rdtime(void);

/* SBI calls the backend makes, for the kernel's own use. */
void aexec_riscv_sbi_set_timer(uint64_t at);
void aexec_riscv_sbi_putchar(int c);
/* SBI HSM hart_start: starts `hartid` at `start` (S-mode, MMU off) with a1 = opaque. */
long aexec_riscv_sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque);
_Noreturn void aexec_riscv_sbi_shutdown(void);

#endif /* AEXEC_ARCH_RISCV64_H */
