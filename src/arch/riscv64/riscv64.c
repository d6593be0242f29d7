/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The RISC-V S-mode port: rdtime, the hart's timer, pend by IPI, sstatus.SIE critical section. */
#include "riscv64_internal.h"

#include "aexec/error.h"

uint64_t aexec_riscv_rdtime(void)
{
    uint64_t t;
    __asm__ __volatile__("rdtime %0" : "=r"(t));
    return t;
}

void aexec_riscv_set_timer(uint64_t at)
{
    if (aexec__riscv_probed()->features & AEXEC_RISCV_HAS_SSTC)
        aexec__riscv_write_stimecmp(at);
    else
        aexec_riscv_sbi_set_timer(at);
}

void aexec_riscv_self_ipi(void)
{
    __asm__ __volatile__("csrs sip, %0" ::"r"(AEXEC__SIP_SSIP) : "memory");
}

static uint64_t rv_now(void *ctx)
{
    (void)ctx;
    return aexec_riscv_rdtime();
}

/*
 * The alarm is this hart's timer: an executor whose thread moved to another
 * hart leaves the old hart's alarm armed, which costs that hart one early
 * wake and nothing else (docs/porting.md).
 */
static void rv_set_alarm(void *ctx, uint64_t at)
{
    (void)ctx;
    aexec_riscv_set_timer(at); /* AEXEC_ALARM_NONE (all ones) is "never" */
}

static void rv_pend(void *ctx)
{
    aexec_riscv *h = ctx;
    atomic_store_explicit(&h->pended, 1u, memory_order_release);
    /* The flag and the run-queue push before it must be visible to the
     * target hart before the IPI is, and the SBI does not say that its
     * ecall orders them: fence here, as Linux does before sbi_send_ipi.
     * One fence beside an ecall. */
    atomic_thread_fence(memory_order_seq_cst);
    /* From the executor's own hart the interrupt that got us here already
     * ends wfi; from another hart only an IPI does. The backend cannot tell
     * which hart it runs on, so it always sends one: a spare software
     * interrupt costs an early return from idle(), a missing one a hang. */
    aexec_riscv_sbi_send_ipi(h->hartid);
}

void aexec_riscv_on_soft_irq(void)
{
    __asm__ __volatile__("csrc sip, %0" ::"r"(AEXEC__SIP_SSIP) : "memory");
}

/*
 * With AEXEC_CONFIG_RUNQUEUE_CS the port's section guards run queues and task
 * states, which a wake from another hart touches too: masking this hart alone
 * would let two harts interleave their loads and stores, so such a build
 * takes the SMP section (smp_cs.c) where the core has atomics. Without them
 * there are no SMP harts to exclude, and the mask is the whole section.
 */
static aexec_cs_state rv_cs_enter(void *ctx)
{
#if AEXEC_CONFIG_RUNQUEUE_CS && defined(__riscv_atomic)
    return aexec_riscv_smp_cs_enter(ctx);
#else
    (void)ctx;
    unsigned long old;
    __asm__ __volatile__("csrrc %0, sstatus, %1" : "=r"(old) : "r"(AEXEC__SSTATUS_SIE) : "memory");
    return old & AEXEC__SSTATUS_SIE;
#endif
}

static void rv_cs_exit(void *ctx, aexec_cs_state saved)
{
#if AEXEC_CONFIG_RUNQUEUE_CS && defined(__riscv_atomic)
    aexec_riscv_smp_cs_exit(ctx, saved);
#else
    (void)ctx;
    if (saved)
        __asm__ __volatile__("csrs sstatus, %0" ::"r"(AEXEC__SSTATUS_SIE) : "memory");
#endif
}

static const aexec_port rv_port = {
    .pend = rv_pend,
    .idle = aexec__riscv_idle,
    .cs_enter = rv_cs_enter,
    .cs_exit = rv_cs_exit,
    .now = rv_now,
    .set_alarm = rv_set_alarm,
};

int(aexec_riscv_executor_init)(aexec_executor *ex, aexec_riscv *hart, unsigned long hartid,
                               uint64_t tick_hz)
{
    if (hart == NULL)
        return AEXEC_EINVAL;
    aexec__riscv_probed(); /* before interrupts: the probe borrows stvec */
    atomic_init(&hart->pended, 0u);
    hart->hartid = hartid;
    hart->idle = AEXEC_RISCV_IDLE_WFI_MASKED;
    return aexec_executor_init(ex, &rv_port, hart, tick_hz);
}

void aexec_riscv_set_idle(aexec_riscv *hart, aexec_riscv_idle how)
{
    AEXEC_ASSERT(how == AEXEC_RISCV_IDLE_WFI_MASKED || how == AEXEC_RISCV_IDLE_WFI_ROLLBACK ||
                     how == AEXEC_RISCV_IDLE_SPIN,
                 "aexec_riscv_set_idle: not an aexec_riscv_idle value");
    hart->idle = how;
}

void aexec_riscv_on_timer_irq(aexec_riscv *hart)
{
    aexec_riscv_set_timer(AEXEC_ALARM_NONE); /* clears STIP */
    /* This interrupt has already ended wfi on this hart: no IPI needed. */
    atomic_store_explicit(&hart->pended, 1u, memory_order_release);
}
