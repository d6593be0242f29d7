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
 *   traffic   hart 1 wakes a task of hart 0's executor 5,000 times (spin:
 *             1,000) while two tasks sleep 1 ms at a time: every round
 *             answered, no sleep ends early, the run finishes
 * A round left unanswered for STALL_S seconds makes hart 1 print what both
 * sides hold and panic, so a lost wake names itself instead of running into
 * the runner's time limit.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"
#include "kconsole.h"
#include "sleeper.h"

#define TIMEBASE_HZ 10000000u
#define ROUNDS 5000u
/*
 * Under spin neither hart ever sleeps, so when the host runs both vCPUs on
 * one core each round costs a host time slice per hart: 76 rounds/s measured
 * (taskset -c 1), 66 s for 5,000. The wfi variants sleep and hand the core
 * over at once. A thousand rounds prove the polled flag as well.
 */
#define SPIN_ROUNDS 1000u
#define SLEEPS 30u
#define STALL_S 10u

static aexec_executor ex;
static aexec_riscv hart;
static _Atomic uint32_t timer_irqs, soft_irqs;
static _Atomic uint32_t soft_irq_pends; /* the spin test's handler sets the pend flag */
static _Atomic uint32_t stall_probe;    /* 1: hart 1 asks hart 0's handler for its CSRs; 2: done */

static void print_csrs(void)
{
    unsigned long sip, sie, sstatus;
    __asm__ __volatile__("csrr %0, sip" : "=r"(sip));
    __asm__ __volatile__("csrr %0, sie" : "=r"(sie));
    __asm__ __volatile__("csrr %0, sstatus" : "=r"(sstatus));
    kputs("stall: hart 0 took the probe IPI: sip=");
    kputu(sip);
    kputs(" sie=");
    kputu(sie);
    kputs(" sstatus.SIE=");
    kputu((sstatus & SSTATUS_SIE) != 0);
    kputs("\n");
}

void trap_handler(unsigned long scause)
{
    aexec_riscv_idle_rollback(); /* every interrupt, for the rollback variant */
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        atomic_fetch_add_explicit(&timer_irqs, 1u, memory_order_relaxed);
        aexec_riscv_on_timer_irq(&hart);
        return;
    }
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        atomic_fetch_add_explicit(&soft_irqs, 1u, memory_order_relaxed);
        if (atomic_load_explicit(&stall_probe, memory_order_acquire) == 1u) {
            print_csrs();
            atomic_store_explicit(&stall_probe, 2u, memory_order_release);
        }
        aexec_riscv_on_soft_irq();
        if (atomic_load_explicit(&soft_irq_pends, memory_order_relaxed))
            atomic_store_explicit(&hart.pended, 1u, memory_order_release);
        return;
    }
    kpanic_trap(scause, -1);
}

static const char *const variant_name[] = {"masked wfi", "rollback wfi", "spin"};
static _Atomic uint32_t variant; /* the one under test, for the stall report */

/* The gap: SSIP pending, pend flag clear, SIE clear, then idle(). */
static void test_gap(aexec_riscv_idle how)
{
    uint32_t softs = atomic_load(&soft_irqs);
    uint32_t rolled = aexec_riscv_idle_rollbacks();
    atomic_store(&soft_irq_pends, how == AEXEC_RISCV_IDLE_SPIN);
    __asm__ __volatile__("csrc sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
    atomic_store(&hart.pended, 0u);
    aexec_riscv_self_ipi();
    ex.port->idle(ex.ctx); /* the hook aexec_run() calls */
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
    atomic_store(&soft_irq_pends, 0u);
    kc_check(atomic_load(&soft_irqs) == softs + 1u, "gap: the software interrupt was taken once");
    kc_check((aexec_riscv_idle_rollbacks() - rolled == 1u) ==
                 (how == AEXEC_RISCV_IDLE_WFI_ROLLBACK),
             "gap: the rollback moved sepc past the wfi (rollback variant only)");
}

/* ---- traffic ------------------------------------------------------------ */

static _Atomic uint32_t request, reply, hart1_go;
static uint32_t rounds; /* this variant's; hart 1 reads it after the go */
/*
 * Hart 1 is back waiting for a go: it has seen the previous variant's last
 * reply. Hart 0 resets `reply` only then. Without this handover hart 0, which
 * runs on from its last answer through the next gap test, could zero `reply`
 * before hart 1 (whose vCPU may not have run since) saw the last round's answer,
 * and hart 1 would wait for it forever: a hang that looks like a lost wake.
 */
static _Atomic uint32_t hart1_ready;

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
    while (a->n < rounds) {
        AEXEC_AWAIT_NOTIFICATION();
        a->n = atomic_load_explicit(&request, memory_order_acquire);
        atomic_store_explicit(&reply, a->n, memory_order_release);
    }
    AEXEC_CO_END;
}

static struct answer answer;
static struct sleeper sleepers[2];
static uint8_t hart1_stack[4096] __attribute__((aligned(16)));

/*
 * Round `round` has had no reply for STALL_S s: print what both sides hold
 * (answer.n is a plain read of hart 0's field, a snapshot for a human) and
 * ask hart 0's handler for its CSRs, which also shows that its IPIs arrive.
 */
static _Noreturn void report_stall(uint32_t round)
{
    kputs("stall: ");
    kputs(variant_name[atomic_load(&variant)]);
    kputs(", round ");
    kputu(round);
    kputs(": request=");
    kputu(atomic_load(&request));
    kputs(" reply=");
    kputu(atomic_load(&reply));
    kputs(" answered=");
    kputu(answer.n);
    kputs(" task.state=");
    kputu(atomic_load(&answer.task.state));
    kputs(" run queue head=");
    kputu((uintptr_t)atomic_load(&ex.head));
    kputs(" pended=");
    kputu(atomic_load(&hart.pended));
    kputs(" soft irqs=");
    kputu(atomic_load(&soft_irqs));
    kputs(" timer irqs=");
    kputu(atomic_load(&timer_irqs));
    kputs("\n");
    atomic_store_explicit(&stall_probe, 1u, memory_order_release);
    aexec_riscv_sbi_send_ipi(hart.hartid);
    uint64_t until = aexec_riscv_rdtime() + TIMEBASE_HZ;
    while (atomic_load_explicit(&stall_probe, memory_order_acquire) != 2u &&
           aexec_riscv_rdtime() < until) {
    }
    if (atomic_load(&stall_probe) != 2u)
        kputs("stall: hart 0 did not take the probe IPI within 1 s\n");
    kpanic("a round was not answered");
}

/* Hart 1 plays a device: one round per go, for every variant in turn. */
void kmain_secondary(unsigned long hartid)
{
    (void)hartid;
    for (;;) {
        atomic_store_explicit(&hart1_ready, 1u, memory_order_release);
        while (atomic_load_explicit(&hart1_go, memory_order_acquire) == 0u) {
        }
        atomic_store(&hart1_go, 0u);
        for (uint32_t i = 1; i <= rounds; i++) {
            atomic_store_explicit(&request, i, memory_order_release);
            aexec_notify(&answer.task);
            uint64_t stall_at = aexec_riscv_rdtime() + (uint64_t)STALL_S * TIMEBASE_HZ;
            while (atomic_load_explicit(&reply, memory_order_acquire) != i) {
                if (aexec_riscv_rdtime() > stall_at)
                    report_stall(i);
            }
        }
    }
}

static void test_traffic(aexec_riscv_idle how)
{
    uint32_t rolled = aexec_riscv_idle_rollbacks();
    while (atomic_load_explicit(&hart1_ready, memory_order_acquire) == 0u) {
    }
    atomic_store(&hart1_ready, 0u);
    atomic_store(&reply, 0u);
    rounds = how == AEXEC_RISCV_IDLE_SPIN ? SPIN_ROUNDS : ROUNDS;
    aexec_spawn(&ex, &answer.task, answer_poll);
    for (int i = 0; i < 2; i++) {
        sleeper_init(&sleepers[i], SLEEPS, TIMEBASE_HZ / 1000u, NULL); /* 1 ms each */
        aexec_spawn(&ex, &sleepers[i].task, sleeper_poll);
    }
    kc_check(aexec_run(&ex) == AEXEC_RUN_DONE, "traffic: every task finished");
    kc_check(answer.n == rounds, "traffic: every round from hart 1 answered");
    kc_check(sleepers[0].early == 0 && sleepers[1].early == 0, "traffic: no sleep ended early");
    kputs(variant_name[how]);
    kputs(": ");
    kputu(rounds);
    kputs(" rounds, ");
    kputu(2u * SLEEPS);
    kputs(" sleeps");
    if (how == AEXEC_RISCV_IDLE_WFI_ROLLBACK) {
        kputs(", ");
        kputu(aexec_riscv_idle_rollbacks() - rolled);
        kputs(" interrupts in the window rolled back");
    }
    kputs("\n");
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    aexec_set_panic_handler(kpanic_assert);
    aexec_riscv_init(0);
    kc_enable_traps();
    aexec_riscv_executor_init(&ex, &hart, hartid, TIMEBASE_HZ);
    if (aexec_riscv_sbi_hart_start(hartid ^ 1u, (unsigned long)_start_secondary,
                                   (unsigned long)(hart1_stack + sizeof hart1_stack)) != 0) {
        kpanic("could not start hart 1 (run with -smp 2)");
    }
    static const aexec_riscv_idle variants[] = {
        AEXEC_RISCV_IDLE_WFI_MASKED, AEXEC_RISCV_IDLE_WFI_ROLLBACK, AEXEC_RISCV_IDLE_SPIN};
    for (unsigned i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        aexec_riscv_set_idle(&hart, variants[i]);
        atomic_store(&variant, (uint32_t)variants[i]);
        test_gap(variants[i]);
        test_traffic(variants[i]);
    }
    kc_finish();
}
