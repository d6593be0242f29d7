/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The backend's SMP critical section (aexec_riscv_smp_cs) from four harts at
 * once. A task on each hart increments one plain counter inside the section:
 * a load, a pause, a store, so two harts inside together lose increments,
 * and only the exact total says the lock excluded them. Each section also
 * checks the interrupt state: masked inside, and after the exit what its
 * enter found (every eighth round enters with interrupts already masked, as
 * a nested section would, and must find them still masked after its exit).
 */
#include <stdatomic.h>
#include <stdio.h>

#include "guest.h"
#include "stress.h"

#define ROUNDS 25000u /* per hart */
#define BATCH 500u    /* rounds per poll: the hart's other stress tasks run in between */

struct cs_task {
    aexec_task task;
    _Atomic uint32_t rounds;
};

static struct cs_task tasks[GUEST_MAX_HARTS];
static volatile uint32_t counter; /* no atomics: the section is all that guards it */
static _Atomic uint32_t sie_faults;

static unsigned long sie_now(void)
{
    unsigned long s;
    __asm__ __volatile__("csrr %0, sstatus" : "=r"(s));
    return s & SSTATUS_SIE;
}

static void increment(void)
{
    unsigned long before = sie_now();
    aexec_cs_state saved = aexec_riscv_smp_cs_enter(NULL);
    if (sie_now() != 0)
        atomic_fetch_add_explicit(&sie_faults, 1u, memory_order_relaxed);
    uint32_t v = counter;
    for (volatile unsigned i = 0; i < 16u; i++) { /* widen the window a second hart would hit */
    }
    counter = v + 1u;
    aexec_riscv_smp_cs_exit(NULL, saved);
    if (sie_now() != before)
        atomic_fetch_add_explicit(&sie_faults, 1u, memory_order_relaxed);
}

static aexec_poll cs_poll(aexec_task *t, aexec_cx *cx)
{
    struct cs_task *c = AEXEC_CONTAINER_OF(t, struct cs_task, task);
    uint32_t n = atomic_load_explicit(&c->rounds, memory_order_relaxed);
    for (uint32_t i = 0; i < BATCH && n < ROUNDS; i++, n++) {
        if (n % 8u == 7u) { /* inside an outer mask, as a nested section runs */
            __asm__ __volatile__("csrc sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
            increment();
            __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
        } else {
            increment();
        }
        atomic_store_explicit(&c->rounds, n + 1u, memory_order_relaxed);
    }
    if (n == ROUNDS)
        return AEXEC_READY;
    aexec_cx_wake(cx, t);
    return AEXEC_PENDING;
}

void stress_cs_spawn(unsigned hart)
{
    if (aexec_spawn(&guest_harts[hart].ex, &tasks[hart].task, cs_poll) != 0)
        aexec_panic("stress_cs: spawn failed", __FILE__, __LINE__);
}

uint64_t stress_cs_progress(void)
{
    uint64_t sum = 0;
    for (unsigned h = 0; h < GUEST_MAX_HARTS; h++)
        sum += atomic_load_explicit(&tasks[h].rounds, memory_order_relaxed);
    return sum;
}

void stress_cs_report(void)
{
    uint64_t rounds = stress_cs_progress();
    printf("  smp cs: %llu sections, counter %u, %u interrupt-state faults\n",
           (unsigned long long)rounds, (unsigned)counter, (unsigned)atomic_load(&sie_faults));
    guest_report("stress", "smp_cs_lets_one_hart_in_at_a_time",
                 rounds == ROUNDS * GUEST_MAX_HARTS && counter == ROUNDS * GUEST_MAX_HARTS);
    guest_report("stress", "smp_cs_masks_this_hart_and_restores_what_it_found",
                 atomic_load(&sie_faults) == 0);
}
