/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * How a guest kernel stops on what it cannot handle, the same in every
 * kernel (cmake/riscv_kernel.cmake links kpanic.c into each): one line that
 * starts "panic" on the SBI console, which scripts/qemu-test fails the run
 * on, then power-off through SBI, so a broken run ends at once instead of
 * at its timeout. Any context, any hart.
 */
#ifndef KPANIC_H
#define KPANIC_H

/* "panic: <msg>", then power off. */
_Noreturn void kpanic(const char *msg);

/*
 * libaexec's panic hook, for aexec_set_panic_handler(kpanic_assert) at boot:
 * "panic: <msg> (<file>:<line>)", then power off. The kernel's own fatal
 * checks may call it too.
 */
_Noreturn void kpanic_assert(const char *msg, const char *file, int line);

/*
 * For the trap handler's last branch, a trap it does not take: "panic:
 * unexpected trap [on hart <hart>]: scause, sepc, stval" (hex; the hart
 * only when `hart` >= 0, for kernels that know it), then power off.
 * Trap context, with the trap's CSRs still in place.
 */
_Noreturn void kpanic_trap(unsigned long scause, long hart);

#endif /* KPANIC_H */
