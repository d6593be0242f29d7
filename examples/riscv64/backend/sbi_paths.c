/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The backend's SBI paths, run one way per build: SBI_FLAGS is the
 * aexec_riscv_init() flags (0: the extensions and Sstc where found;
 * AEXEC_RISCV_NO_SSTC: the TIME ecall; AEXEC_RISCV_LEGACY_SBI too: the v0.1
 * calls). Each run checks that the probe chose what the flags and the
 * device tree say, then drives the chosen paths:
 *   timer     20 sleeps of 2 ms through the executor: each ends by a timer
 *             interrupt, never before its deadline
 *   IPI       hart 1 wakes a task of hart 0's sleeping executor 2,000 times
 *             (every round answered, software interrupts taken)
 *   alarm     the cost of programming the alarm: rdtime around 21 x 100 calls
 *   shutdown  the power-off after the closing line (a hang fails the test)
 */
#include <stdatomic.h>
#include <stdint.h>

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"
#include "kconsole.h"
#include "sleeper.h"

#define TIMEBASE_HZ 10000000u
#define SLEEPS 20u
#define SLEEP_TICKS 20000u /* 2 ms */
#define ROUNDS 2000u
#define ALARM_CALLS 100u
#define ALARM_BATCHES 21u

static aexec_executor ex;
static aexec_riscv hart;
static _Atomic uint32_t timer_irqs, soft_irqs;

void trap_handler(unsigned long scause)
{
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        atomic_fetch_add_explicit(&timer_irqs, 1u, memory_order_relaxed);
        aexec_riscv_on_timer_irq(&hart);
        return;
    }
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        atomic_fetch_add_explicit(&soft_irqs, 1u, memory_order_relaxed);
        aexec_riscv_on_soft_irq();
        return;
    }
    kpanic_trap(scause, -1);
}

/* ---- timer -------------------------------------------------------------- */

static struct sleeper sleeper;

/* The timer alone first: nothing else can end the executor's sleeps. */
static void check_timer(void)
{
    uint32_t irqs_before = atomic_load(&timer_irqs);
    sleeper_init(&sleeper, SLEEPS, SLEEP_TICKS, NULL);
    aexec_spawn(&ex, &sleeper.task, sleeper_poll);
    kc_check(aexec_run(&ex) == AEXEC_RUN_DONE, "timer: the sleeper finished");
    kc_check(sleeper.early == 0, "timer: a sleep ended before its deadline");
    /* One interrupt per sleep, unless the guest was descheduled past a
     * deadline and the executor found it due without sleeping. */
    uint32_t irqs = atomic_load(&timer_irqs) - irqs_before;
    kc_check(irqs >= 1 && irqs <= SLEEPS,
             "timer: sleeps ended by timer interrupts, one at most each");
    kputs("timer: ");
    kputu(SLEEPS);
    kputs(" sleeps, ");
    kputu(irqs);
    kputs(" timer interrupts\n");
}

/* ---- IPI ---------------------------------------------------------------- */

static _Atomic uint32_t request, reply;

struct answer {
    aexec_task task;
    aexec_co co;
    uint32_t n;
};

static aexec_poll answer_poll(aexec_task *t, aexec_cx *cx)
{
    struct answer *a = AEXEC_CONTAINER_OF(t, struct answer, task);
    AEXEC_CO_BEGIN(&a->co, cx);
    while (a->n < ROUNDS) {
        AEXEC_AWAIT_NOTIFICATION();
        a->n = atomic_load_explicit(&request, memory_order_acquire);
        atomic_store_explicit(&reply, a->n, memory_order_release);
    }
    AEXEC_CO_END;
}

static struct answer answer;
static uint8_t hart1_stack[4096] __attribute__((aligned(16)));

void kmain_secondary(unsigned long hartid)
{
    (void)hartid;
    for (uint32_t i = 1; i <= ROUNDS; i++) {
        atomic_store_explicit(&request, i, memory_order_release);
        aexec_notify(&answer.task); /* hart 0 is usually asleep: pend() sends the IPI */
        while (atomic_load_explicit(&reply, memory_order_acquire) != i) {
        }
    }
    for (;;)
        __asm__ __volatile__("wfi");
}

/* ---- what the probe should have found ------------------------------------ */

/* Whether the device tree's riscv,isa strings name Sstc (a byte search: no parser needed). */
static int dtb_lists_sstc(const uint8_t *dtb)
{
    uint32_t size =
        (uint32_t)dtb[4] << 24 | (uint32_t)dtb[5] << 16 | (uint32_t)dtb[6] << 8 | dtb[7];
    static const char needle[] = "_sstc";
    for (uint32_t i = 0; i + sizeof needle - 1 <= size; i++) {
        uint32_t k = 0;
        while (k < sizeof needle - 1 && dtb[i + k] == (uint8_t)needle[k])
            k++;
        if (k == sizeof needle - 1)
            return 1;
    }
    return 0;
}

static void print_platform(const aexec_riscv_platform *p)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{AEXEC_RISCV_HAS_BASE, " BASE"}, {AEXEC_RISCV_HAS_TIME, " TIME"},
                 {AEXEC_RISCV_HAS_IPI, " sPI"},   {AEXEC_RISCV_HAS_SRST, " SRST"},
                 {AEXEC_RISCV_HAS_HSM, " HSM"},   {AEXEC_RISCV_HAS_SSTC, " Sstc"}};
    kputs("SBI ");
    kputu(p->spec_major);
    kputs(".");
    kputu(p->spec_minor);
    kputs(", implementation ");
    kputu(p->impl_id);
    kputs(" version ");
    kputu(p->impl_version >> 16);
    kputs(".");
    kputu(p->impl_version & 0xffffu);
    kputs("; using:");
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (p->features & names[i].bit)
            kputs(names[i].name);
    kputs("\n");
}

/*
 * rdtime around batches of calls; the median and the best batch, because the
 * guest shares the host with other work and a batch can be descheduled.
 */
static void measure_alarm(const aexec_riscv_platform *p)
{
    static uint64_t per_batch[ALARM_BATCHES];
    uint64_t far = aexec_riscv_rdtime() + 10u * TIMEBASE_HZ;
    for (uint32_t b = 0; b < ALARM_BATCHES; b++) {
        uint64_t t0 = aexec_riscv_rdtime();
        for (uint32_t i = 0; i < ALARM_CALLS; i++)
            aexec_riscv_set_timer(far + i);
        per_batch[b] = aexec_riscv_rdtime() - t0;
    }
    aexec_riscv_set_timer(AEXEC_ALARM_NONE);
    uint64_t worst, median = kc_median(per_batch, ALARM_BATCHES, &worst);
    kputs("alarm cost (");
    kputs(p->features & AEXEC_RISCV_HAS_SSTC   ? "stimecmp write"
          : p->features & AEXEC_RISCV_HAS_TIME ? "SBI TIME set_timer"
                                               : "legacy set_timer");
    kputs("): median ");
    kc_putc2(median * 100u / ALARM_CALLS);
    kputs(", best ");
    kc_putc2(per_batch[0] * 100u / ALARM_CALLS);
    kputs(" ticks per call at 10 MHz (");
    kputu(ALARM_BATCHES);
    kputs(" batches of ");
    kputu(ALARM_CALLS);
    kputs(")\n");
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    aexec_set_panic_handler(kpanic_assert);
    aexec_riscv_init(SBI_FLAGS);
    const aexec_riscv_platform *p = aexec_riscv_platform_info();
    print_platform(p);

    int legacy = (SBI_FLAGS & AEXEC_RISCV_LEGACY_SBI) != 0;
    kc_check((p->features & AEXEC_RISCV_HAS_BASE) != 0, "probe: BASE answers (SBI v0.2+)");
    kc_check(((p->features & AEXEC_RISCV_HAS_TIME) == 0) == legacy,
             "probe: TIME used unless legacy");
    kc_check(((p->features & AEXEC_RISCV_HAS_IPI) == 0) == legacy, "probe: sPI used unless legacy");
    kc_check(((p->features & AEXEC_RISCV_HAS_SRST) == 0) == legacy,
             "probe: SRST used unless legacy");
    kc_check((p->features & AEXEC_RISCV_HAS_HSM) != 0, "probe: HSM found (no legacy hart start)");
    int want_sstc = !(SBI_FLAGS & AEXEC_RISCV_NO_SSTC) && dtb_lists_sstc((const uint8_t *)dtb);
    kc_check(((p->features & AEXEC_RISCV_HAS_SSTC) != 0) == want_sstc,
             "probe: Sstc used exactly where the device tree lists it and the flags allow it");

    measure_alarm(p);

    __asm__ __volatile__("csrw sscratch, %0" ::"r"(&hart));
    kc_enable_traps();
    aexec_riscv_executor_init(&ex, &hart, hartid, TIMEBASE_HZ);
    check_timer();
    aexec_spawn(&ex, &answer.task, answer_poll);
    long r = aexec_riscv_sbi_hart_start(hartid ^ 1u, (unsigned long)_start_secondary,
                                        (unsigned long)(hart1_stack + sizeof hart1_stack));
    kc_check(r == 0, "HSM: hart 1 started");
    if (r == 0) {
        kc_check(aexec_run(&ex) == AEXEC_RUN_DONE, "IPI: the answering task finished");
        kc_check(answer.n == ROUNDS, "IPI: every round from hart 1 answered");
        kc_check(atomic_load(&soft_irqs) > 0,
                 "IPI: pend() from hart 1 arrived as software interrupts");
        kputs("IPI: ");
        kputu(ROUNDS);
        kputs(" rounds, ");
        kputu(atomic_load(&soft_irqs));
        kputs(" software interrupts on hart 0\n");
    }
    kc_finish(); /* through SRST, or the legacy shutdown */
}
