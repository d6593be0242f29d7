/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The RISC-V S-mode backend: SBI timer and IPI, rdtime, wfi idle, sstatus.SIE critical section. */
#include "aexec/arch/riscv64.h"

#include "aexec/error.h"

#define SSTATUS_SIE 0x2ul

#define SBI_EXT_TIME 0x54494d45ul /* "TIME" */
#define SBI_EXT_SRST 0x53525354ul /* "SRST" */
#define SBI_EXT_LEGACY_PUTCHAR 0x01ul
#define SBI_EXT_IPI 0x735049ul /* "sPI" */
#define SBI_EXT_HSM 0x48534dul /* "HSM" */
#define SIP_SSIP 0x2ul

static long sbi_call3(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
                      unsigned long a2)
{
    register unsigned long r0 __asm__("a0") = a0;
    register unsigned long r1 __asm__("a1") = a1;
    register unsigned long r2 __asm__("a2") = a2;
    register unsigned long r6 __asm__("a6") = fid;
    register unsigned long r7 __asm__("a7") = eid;
    __asm__ __volatile__("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    return (long)r0;
}

static long sbi_call(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1)
{
    return sbi_call3(eid, fid, a0, a1, 0);
}

long aexec_riscv_sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque)
{
    return sbi_call3(SBI_EXT_HSM, 0, hartid, start, opaque);
}

void aexec_riscv_sbi_set_timer(uint64_t at)
{
    sbi_call(SBI_EXT_TIME, 0, (unsigned long)at, 0);
}

void aexec_riscv_sbi_putchar(int c)
{
    sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned long)c, 0);
}

_Noreturn void aexec_riscv_sbi_shutdown(void)
{
    sbi_call(SBI_EXT_SRST, 0, 0 /* shutdown */, 0 /* no reason */);
    for (;;)
        __asm__ __volatile__("wfi");
}

uint64_t aexec_riscv_rdtime(void)
{
    uint64_t t;
    __asm__ __volatile__("rdtime %0" : "=r"(t));
    return t;
}

static uint64_t rv_now(void *ctx)
{
    (void)ctx;
    return aexec_riscv_rdtime();
}

static void rv_set_alarm(void *ctx, uint64_t at)
{
    (void)ctx;
    aexec_riscv_sbi_set_timer(at); /* AEXEC_ALARM_NONE (all ones) is "never" */
}

static void rv_pend(void *ctx)
{
    aexec_riscv *h = ctx;
    atomic_store_explicit(&h->pended, 1u, memory_order_release);
    /* From the executor's own hart the interrupt that got us here already
     * ends wfi; from another hart only an IPI does. One IPI is cheap next to
     * a sleep, and pend() is called only when the executor sleeps. */
    sbi_call(SBI_EXT_IPI, 0, 1ul << (h->hartid % 64u), h->hartid / 64u * 64u);
}

void aexec_riscv_on_soft_irq(void)
{
    __asm__ __volatile__("csrc sip, %0" ::"r"(SIP_SSIP) : "memory");
}

static void rv_idle(void *ctx)
{
    aexec_riscv *h = ctx;
    /* With SIE clear, an interrupt that arrives after the check stays pending
     * and still ends wfi; the handler then runs when SIE is set again. */
    __asm__ __volatile__("csrc sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
    if (!atomic_exchange_explicit(&h->pended, 0u, memory_order_acquire))
        __asm__ __volatile__("wfi" ::: "memory");
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
}

static aexec_cs_state rv_cs_enter(void *ctx)
{
    (void)ctx;
    unsigned long old;
    __asm__ __volatile__("csrrc %0, sstatus, %1" : "=r"(old) : "r"(SSTATUS_SIE) : "memory");
    return old & SSTATUS_SIE;
}

static void rv_cs_exit(void *ctx, aexec_cs_state saved)
{
    (void)ctx;
    if (saved)
        __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
}

static const aexec_port rv_port = {
    .pend = rv_pend,
    .idle = rv_idle,
    .cs_enter = rv_cs_enter,
    .cs_exit = rv_cs_exit,
    .now = rv_now,
    .set_alarm = rv_set_alarm,
};

int aexec_riscv_executor_init(aexec_executor *ex, aexec_riscv *hart, unsigned long hartid,
                              uint64_t tick_hz)
{
    if (hart == NULL)
        return AEXEC_EINVAL;
    atomic_init(&hart->pended, 0u);
    hart->hartid = hartid;
    return aexec_executor_init(ex, &rv_port, hart, tick_hz);
}

void aexec_riscv_on_timer_irq(aexec_riscv *hart)
{
    aexec_riscv_sbi_set_timer(AEXEC_ALARM_NONE); /* clears STIP */
    /* This interrupt has already ended wfi on this hart: no IPI needed. */
    atomic_store_explicit(&hart->pended, 1u, memory_order_release);
}
