/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * idle(): three ways to sleep until a pend, for three kinds of core.
 *
 * The pend flag is set by pend() and by the timer interrupt before the
 * interrupt that ends the sleep; idle() consumes it, so a pend that comes
 * between the executor's last look at its queue and the sleep makes idle()
 * return at once. What differs is how the gap between the flag check and
 * wfi is closed:
 *   masked    the check and wfi run with sstatus.SIE clear: an interrupt
 *             stays pending, and a pending interrupt ends wfi even though it
 *             is not enabled (privileged spec, WFI). The handler runs when
 *             SIE is set again. Needs mstatus.TW clear.
 *   rollback  SIE set, so the check and wfi can be interrupted: the trap
 *             handler calls aexec_riscv_idle_rollback(), which moves sepc
 *             past the wfi when the interrupt came inside the window (a
 *             restartable sequence, as MIPS kernels do for their `wait`).
 *   spin      SIE set, no wfi: poll the flag. For firmware that traps wfi.
 */
#include "riscv64_internal.h"

#include "../../core/cpu_relax.h"

static _Atomic uint32_t rollbacks;

/*
 * The rollback window: an interrupt taken with sepc anywhere from its first
 * instruction up to and including the wfi returns to idle_window_end
 * instead. An interrupt that ends the wfi itself is taken with sepc already
 * at idle_window_end. The window sets SIE itself, so an interrupt that was
 * pending while SIE was clear is taken inside it (at the load) and skips the
 * wfi too. a0 = &pended; the flag's 32-bit load is the check.
 */
void aexec__riscv_idle_window(_Atomic uint32_t *pended);
extern const char aexec__riscv_idle_window_wfi[], aexec__riscv_idle_window_end[];
__asm__(".text\n"
        ".balign 4\n"
        ".globl aexec__riscv_idle_window\n"
        ".type aexec__riscv_idle_window, @function\n"
        "aexec__riscv_idle_window:\n\t"
        "csrsi sstatus, 2\n\t"
        "lw t0, 0(a0)\n\t"
        "bnez t0, aexec__riscv_idle_window_end\n"
        ".globl aexec__riscv_idle_window_wfi\n"
        "aexec__riscv_idle_window_wfi:\n\t"
        "wfi\n"
        ".globl aexec__riscv_idle_window_end\n"
        "aexec__riscv_idle_window_end:\n\t"
        "ret\n"
        ".size aexec__riscv_idle_window, . - aexec__riscv_idle_window\n");

void aexec_riscv_idle_rollback(void)
{
    uintptr_t pc;
    __asm__ __volatile__("csrr %0, sepc" : "=r"(pc));
    if (pc >= (uintptr_t)aexec__riscv_idle_window &&
        pc <= (uintptr_t)aexec__riscv_idle_window_wfi) {
        __asm__ __volatile__("csrw sepc, %0" ::"r"(aexec__riscv_idle_window_end) : "memory");
        atomic_fetch_add_explicit(&rollbacks, 1u, memory_order_relaxed);
    }
}

uint32_t aexec_riscv_idle_rollbacks(void)
{
    return atomic_load_explicit(&rollbacks, memory_order_relaxed);
}

static int take_pend(aexec_riscv *h)
{
    return atomic_exchange_explicit(&h->pended, 0u, memory_order_acquire) != 0;
}

void aexec__riscv_idle(void *ctx)
{
    aexec_riscv *h = ctx;
    switch (h->idle) {
    case AEXEC_RISCV_IDLE_WFI_ROLLBACK:
        if (!take_pend(h))
            aexec__riscv_idle_window(&h->pended);
        break;
    case AEXEC_RISCV_IDLE_SPIN:
        __asm__ __volatile__("csrs sstatus, %0" ::"r"(AEXEC__SSTATUS_SIE) : "memory");
        while (!take_pend(h)) {
            while (atomic_load_explicit(&h->pended, memory_order_relaxed) == 0u)
                aexec__cpu_relax();
        }
        break;
    default:
        __asm__ __volatile__("csrc sstatus, %0" ::"r"(AEXEC__SSTATUS_SIE) : "memory");
        if (!take_pend(h))
            __asm__ __volatile__("wfi" ::: "memory");
        __asm__ __volatile__("csrs sstatus, %0" ::"r"(AEXEC__SSTATUS_SIE) : "memory");
        break;
    }
}
