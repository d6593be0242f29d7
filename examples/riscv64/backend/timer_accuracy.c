/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * How late a sleep ends in the guest: every hart runs its own executor with
 * a sleeper (examples/common/sleeper.h) that sleeps SHORT_N times for 1 ms,
 * then one that sleeps LONG_N times for 100 ms, each time until a deadline
 * computed from the executor's clock (rdtime), recording how far past it
 * each one resumed. The boot hart prints the median and the worst
 * over all harts, in ticks of the 10 MHz timebase. No sleep may end before
 * its deadline (checked); how late one ends is QEMU's and the host's
 * business, so the figures are printed, not asserted (docs/porting.md has
 * them). Built short for ctest and long (1,000 of each) for
 * scripts/timer-accuracy.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"
#include "kconsole.h"
#include "sleeper.h"

#define TIMEBASE_HZ 10000000u
#define MAX_HARTS 4u
#ifndef SHORT_N
#define SHORT_N 1000u
#endif
#ifndef LONG_N
#define LONG_N 10u
#endif

struct hart {
    aexec_riscv backend;
    aexec_executor ex;
    struct sleeper shorts, longs;
    uint64_t short_late[SHORT_N], long_late[LONG_N];
    uint8_t stack[8192] __attribute__((aligned(16)));
};

static struct hart harts[MAX_HARTS];
static _Atomic uint32_t harts_done;

void trap_handler(unsigned long scause)
{
    aexec_riscv *self;
    __asm__ __volatile__("csrr %0, sscratch" : "=r"(self));
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        aexec_riscv_on_timer_irq(self);
        return;
    }
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        aexec_riscv_on_soft_irq();
        return;
    }
    kpanic_trap(scause, -1);
}

static void run_hart(unsigned long hartid, struct hart *h)
{
    __asm__ __volatile__("csrw sscratch, %0" ::"r"(&h->backend));
    kc_enable_traps();
    aexec_riscv_executor_init(&h->ex, &h->backend, hartid, TIMEBASE_HZ);
    /* The short sleeps, then the long ones: one at a time, as one task would. */
    sleeper_init(&h->shorts, SHORT_N, TIMEBASE_HZ / 1000u, h->short_late);
    aexec_spawn(&h->ex, &h->shorts.task, sleeper_poll);
    aexec_run(&h->ex);
    sleeper_init(&h->longs, LONG_N, TIMEBASE_HZ / 10u, h->long_late);
    aexec_spawn(&h->ex, &h->longs.task, sleeper_poll);
    aexec_run(&h->ex);
    atomic_fetch_add_explicit(&harts_done, 1u, memory_order_release);
}

void kmain_secondary(unsigned long hartid)
{
    run_hart(hartid, &harts[hartid]);
    for (;;)
        __asm__ __volatile__("wfi");
}

static uint64_t pool[MAX_HARTS * SHORT_N];

static void report(const char *what, uint32_t nharts, int longs)
{
    uint32_t n = 0, per = longs ? LONG_N : SHORT_N;
    for (uint32_t h = 0; h < MAX_HARTS; h++) {
        if (!harts[h].shorts.n)
            continue;
        for (uint32_t i = 0; i < per; i++)
            pool[n++] = longs ? harts[h].long_late[i] : harts[h].short_late[i];
    }
    uint64_t worst, median = kc_median(pool, n, &worst);
    kputs(what);
    kputs(" at ");
    kputu(nharts);
    kputs(" hart(s): late by median ");
    kputu(median);
    kputs(", worst ");
    kputu(worst);
    kputs(" ticks at 10 MHz (");
    kputu(n);
    kputs(" sleeps)\n");
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    aexec_set_panic_handler(kpanic_assert);
    aexec_riscv_init(0);
    uint32_t nharts = 1;
    for (unsigned long id = 0; id < MAX_HARTS; id++) {
        if (id == hartid)
            continue;
        struct hart *h = &harts[id];
        if (aexec_riscv_sbi_hart_start(id, (unsigned long)_start_secondary,
                                       (unsigned long)(h->stack + sizeof h->stack)) == 0)
            nharts++;
    }
    run_hart(hartid, &harts[hartid]);
    while (atomic_load_explicit(&harts_done, memory_order_acquire) != nharts) {
    }
    uint32_t early = 0;
    for (uint32_t h = 0; h < MAX_HARTS; h++)
        early += harts[h].shorts.early + harts[h].longs.early;
    kc_check(early == 0, "no sleep ended before its deadline");
    report("1 ms sleep", nharts, 0);
    report("100 ms sleep", nharts, 1);
    kc_finish();
}
