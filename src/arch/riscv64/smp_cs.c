/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The SMP critical section: this hart's sstatus.SIE cleared first, then one
 * spinlock that every hart shares. Masking first means an interrupt on this
 * hart can never spin on a lock its own hart holds; the lock excludes the
 * other harts. One lock for every section keeps the hooks free of set-up
 * (ctx is ignored, so the same pair serves a port and any sync object), at
 * the cost of unrelated sections on different harts waiting for each other:
 * sections are a list splice or an item copy (port.h), so that wait is short.
 */
#include "riscv64_internal.h"

#if defined(__riscv_atomic) /* amoswap.w: without the A extension there is no SMP lock */

static _Atomic uint32_t smp_lock;

aexec_cs_state aexec_riscv_smp_cs_enter(void *ctx)
{
    (void)ctx;
    unsigned long old;
    __asm__ __volatile__("csrrc %0, sstatus, %1" : "=r"(old) : "r"(AEXEC__SSTATUS_SIE) : "memory");
    /* Test and test-and-set: a waiter spins on a plain load, so the word
     * stays shared in the caches until the holder's release store. */
    while (atomic_exchange_explicit(&smp_lock, 1u, memory_order_acquire) != 0u) {
        while (atomic_load_explicit(&smp_lock, memory_order_relaxed) != 0u) {
        }
    }
    return old & AEXEC__SSTATUS_SIE;
}

void aexec_riscv_smp_cs_exit(void *ctx, aexec_cs_state saved)
{
    (void)ctx;
    atomic_store_explicit(&smp_lock, 0u, memory_order_release);
    if (saved)
        __asm__ __volatile__("csrs sstatus, %0" ::"r"(AEXEC__SSTATUS_SIE) : "memory");
}

const aexec_cs aexec_riscv_smp_cs = {aexec_riscv_smp_cs_enter, aexec_riscv_smp_cs_exit, NULL};

#endif
