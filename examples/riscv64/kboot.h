/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What the shared boot code (start.S, linked into every kernel by
 * cmake/riscv_kernel.cmake) and a kernel expect of each other: the symbols
 * start.S provides and the ones it calls, and the supervisor CSR bits the
 * kernels' trap set-up and trap handlers use.
 */
#ifndef KBOOT_H
#define KBOOT_H

#define SSTATUS_SIE 0x2ul            /* sstatus: supervisor interrupts enabled */
#define SCAUSE_INTERRUPT (1ul << 63) /* scause: an interrupt, not an exception */
#define IRQ_S_SOFT 1u                /* scause codes and sie bits: software, */
#define IRQ_S_TIMER 5u               /* timer */
#define IRQ_S_EXT 9u                 /* and external (PLIC) interrupts */

/* start.S provides: the trap vector (saves the caller-saved registers and
 * calls trap_handler), and the entry of a hart started through SBI HSM. */
void trap_entry(void);
void _start_secondary(void);

/* start.S calls: kmain on the boot hart with OpenSBI's a0/a1, kmain_secondary
 * on a started hart (optional: start.S's weak default parks the hart), and
 * trap_handler on every trap with scause. */
void kmain(unsigned long hartid, unsigned long dtb);
void kmain_secondary(unsigned long hartid);
void trap_handler(unsigned long scause);

#endif /* KBOOT_H */
