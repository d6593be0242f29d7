/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The three idle() variants, each in two parts:
 *   the gap   a software interrupt already pending when idle() starts, with
 *             no pend flag set: it must end idle() (masked: the pending
 *             interrupt ends wfi although SIE is clear; rollback: it is
 *             taken inside the window, which then skips the wfi; spin: its
 *             handler sets the flag the spin watches). No timer is armed:
 *             a variant that sleeps through it hangs, and the test runner's
 *             time limit fails the run (no timing assert).
 *   traffic   hart 1 wakes a task of hart 0's executor 5,000 times while
 *             two tasks sleep 1 ms at a time: every round answered, no
 *             sleep ends early, the run finishes
 */
#include <stdatomic.h>
#include <stdint.h>

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"
#include "kconsole.h"

#define TIMEBASE_HZ 10000000u
#define ROUNDS 5000u
#define SLEEPS 30u

static aexec_executor ex;
static aexec_riscv hart;
static _Atomic uint32_t timer_irqs, soft_irqs;
static _Atomic uint32_t soft_irq_pends; /* the spin test's handler sets the pend flag */

void trap_handler(unsigned long scause)
{
    aexec_riscv_idle_rollback(); /* every interrupt, for the rollback variant */
    if (scause == (KC_SCAUSE_INTERRUPT | KC_IRQ_S_TIMER)) {
        atomic_fetch_add_explicit(&timer_irqs, 1u, memory_order_relaxed);
        aexec_riscv_on_timer_irq(&hart);
        return;
    }
    if (scause == (KC_SCAUSE_INTERRUPT | KC_IRQ_S_SOFT)) {
        atomic_fetch_add_explicit(&soft_irqs, 1u, memory_order_relaxed);
        aexec_riscv_on_soft_irq();
        if (atomic_load_explicit(&soft_irq_pends, memory_order_relaxed))
            atomic_store_explicit(&hart.pended, 1u, memory_order_release);
        return;
    }
    kc_puts("panic: unexpected trap\n");
    aexec_riscv_sbi_shutdown();
}

static const char *const variant_name[] = {"masked wfi", "rollback wfi", "spin"};

/* The gap: SSIP pending, pend flag clear, SIE clear, then idle(). */
static void test_gap(aexec_riscv_idle how)
{
    uint32_t softs = atomic_load(&soft_irqs);
    uint32_t rolled = aexec_riscv_idle_rollbacks();
    atomic_store(&soft_irq_pends, how == AEXEC_RISCV_IDLE_SPIN);
    __asm__ __volatile__("csrc sstatus, %0" ::"r"(KC_SSTATUS_SIE) : "memory");
    atomic_store(&hart.pended, 0u);
    aexec_riscv_self_ipi();
    ex.port->idle(ex.ctx); /* the hook aexec_run() calls */
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(KC_SSTATUS_SIE) : "memory");
    atomic_store(&soft_irq_pends, 0u);
    kc_check(atomic_load(&soft_irqs) == softs + 1u, "gap: the software interrupt was taken once");
    kc_check((aexec_riscv_idle_rollbacks() - rolled == 1u) ==
                 (how == AEXEC_RISCV_IDLE_WFI_ROLLBACK),
             "gap: the rollback moved sepc past the wfi (rollback variant only)");
}

/* ---- traffic ------------------------------------------------------------ */

static _Atomic uint32_t request, reply, hart1_go;

struct answer {
    aexec_task task;
    aexec_co co;
    uint32_t n;
};

static aexec_poll answer_poll(aexec_task *t, aexec_cx *cx)
{
    struct answer *a = AEXEC_CONTAINER_OF(t, struct answer, task);
    AEXEC_CO_BEGIN(&a->co, cx);
    a->n = 0;
    atomic_store_explicit(&hart1_go, 1u, memory_order_release);
    while (a->n < ROUNDS) {
        AEXEC_AWAIT_NOTIFICATION();
        a->n = atomic_load_explicit(&request, memory_order_acquire);
        atomic_store_explicit(&reply, a->n, memory_order_release);
    }
    AEXEC_CO_END;
}

struct sleeper {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    uint64_t deadline;
    uint32_t n, early;
};

static aexec_poll sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    struct sleeper *s = AEXEC_CONTAINER_OF(t, struct sleeper, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    for (s->n = 0; s->n < SLEEPS; s->n++) {
        s->deadline = aexec_riscv_rdtime() + TIMEBASE_HZ / 1000u;
        aexec_sleep_until_init(&s->sleep, s->deadline);
        AEXEC_AWAIT(aexec_sleep_poll(&s->sleep, cx));
        if (aexec_riscv_rdtime() < s->deadline)
            s->early++;
    }
    AEXEC_CO_END;
}

static struct answer answer;
static struct sleeper sleepers[2];
static uint8_t hart1_stack[4096] __attribute__((aligned(16)));

/* Hart 1 plays a device: one round per go, for every variant in turn. */
void kmain_secondary(unsigned long hartid)
{
    (void)hartid;
    for (;;) {
        while (atomic_load_explicit(&hart1_go, memory_order_acquire) == 0u) {
        }
        atomic_store(&hart1_go, 0u);
        for (uint32_t i = 1; i <= ROUNDS; i++) {
            atomic_store_explicit(&request, i, memory_order_release);
            aexec_notify(&answer.task);
            while (atomic_load_explicit(&reply, memory_order_acquire) != i) {
            }
        }
    }
}

static void test_traffic(aexec_riscv_idle how)
{
    uint32_t rolled = aexec_riscv_idle_rollbacks();
    atomic_store(&reply, 0u);
    aexec_spawn(&ex, &answer.task, answer_poll);
    for (int i = 0; i < 2; i++) {
        sleepers[i].early = 0;
        aexec_spawn(&ex, &sleepers[i].task, sleeper_poll);
    }
    kc_check(aexec_run(&ex) == AEXEC_RUN_DONE, "traffic: every task finished");
    kc_check(answer.n == ROUNDS, "traffic: every round from hart 1 answered");
    kc_check(sleepers[0].early == 0 && sleepers[1].early == 0, "traffic: no sleep ended early");
    kc_puts(variant_name[how]);
    kc_puts(": ");
    kc_putu(ROUNDS);
    kc_puts(" rounds, ");
    kc_putu(2u * SLEEPS);
    kc_puts(" sleeps");
    if (how == AEXEC_RISCV_IDLE_WFI_ROLLBACK) {
        kc_puts(", ");
        kc_putu(aexec_riscv_idle_rollbacks() - rolled);
        kc_puts(" interrupts in the window rolled back");
    }
    kc_puts("\n");
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    kc_init();
    aexec_riscv_init(0);
    kc_enable_traps();
    aexec_riscv_executor_init(&ex, &hart, hartid, TIMEBASE_HZ);
    if (aexec_riscv_sbi_hart_start(hartid ^ 1u, (unsigned long)_start_secondary,
                                   (unsigned long)(hart1_stack + sizeof hart1_stack)) != 0) {
        kc_puts("panic: could not start hart 1 (run with -smp 2)\n");
        aexec_riscv_sbi_shutdown();
    }
    static const aexec_riscv_idle variants[] = {
        AEXEC_RISCV_IDLE_WFI_MASKED, AEXEC_RISCV_IDLE_WFI_ROLLBACK, AEXEC_RISCV_IDLE_SPIN};
    for (unsigned i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        aexec_riscv_set_idle(&hart, variants[i]);
        test_gap(variants[i]);
        test_traffic(variants[i]);
    }
    kc_finish();
}
