/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The footprint benchmark: the smallest useful firmware, an LED toggled
 * every 500 ms by one task on one executor, in machine mode on an rv32 core
 * with a CLINT (mtime, mtimecmp) and a memory-mapped GPIO. It is linked,
 * never run: footprint.cmake reports its text at -Os with asserts off,
 * -ffunction-sections and --gc-sections. The port is what such firmware
 * would really carry: a wfi idle with interrupts masked around the check,
 * mstatus.MIE as the critical section, mtime as the clock.
 */
#include <stdint.h>

#include "aexec/aexec.h"

#define CLINT_MTIMECMP 0x02004000u
#define CLINT_MTIME 0x0200bff8u
#define GPIO_OUTPUT 0x1001200cu
#define MTIME_HZ 32768u
#define MSTATUS_MIE 0x8u
#define MIE_MTIE 0x80u

void _start(void);
void blink_timer_irq(void) __attribute__((interrupt("machine")));

/* rv32imc has no atomic read-modify-write; idle() reads and clears this
 * with interrupts masked, and only the timer interrupt sets it. */
static volatile uint32_t pended;

static uint64_t mtime(void)
{
    volatile uint32_t *t = (volatile uint32_t *)CLINT_MTIME;
    uint32_t hi, lo;
    do {
        hi = t[1];
        lo = t[0];
    } while (t[1] != hi);
    return (uint64_t)hi << 32 | lo;
}

static void set_mtimecmp(uint64_t at)
{
    volatile uint32_t *c = (volatile uint32_t *)CLINT_MTIMECMP;
    c[1] = 0xffffffffu; /* no spurious match while the halves change */
    c[0] = (uint32_t)at;
    c[1] = (uint32_t)(at >> 32);
}

static void pend(void *ctx)
{
    (void)ctx;
    pended = 1u;
}

static void idle(void *ctx)
{
    (void)ctx;
    __asm__ __volatile__("csrc mstatus, %0" ::"r"(MSTATUS_MIE) : "memory");
    if (!pended)
        __asm__ __volatile__("wfi" ::: "memory");
    pended = 0u;
    __asm__ __volatile__("csrs mstatus, %0" ::"r"(MSTATUS_MIE) : "memory");
}

static aexec_cs_state cs_enter(void *ctx)
{
    (void)ctx;
    unsigned long old;
    __asm__ __volatile__("csrrc %0, mstatus, %1" : "=r"(old) : "r"(MSTATUS_MIE) : "memory");
    return old & MSTATUS_MIE;
}

static void cs_exit(void *ctx, aexec_cs_state saved)
{
    (void)ctx;
    if (saved)
        __asm__ __volatile__("csrs mstatus, %0" ::"r"(MSTATUS_MIE) : "memory");
}

static uint64_t now(void *ctx)
{
    (void)ctx;
    return mtime();
}

static void set_alarm(void *ctx, uint64_t at)
{
    (void)ctx;
    set_mtimecmp(at);
}

static const aexec_port port = {pend, idle, cs_enter, cs_exit, now, set_alarm};

/* The machine timer interrupt: disarm, wake the executor. */
void blink_timer_irq(void)
{
    set_mtimecmp(AEXEC_ALARM_NONE);
    pend(NULL);
}

struct blink {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
};

static aexec_poll blink_poll(aexec_task *t, aexec_cx *cx)
{
    struct blink *b = AEXEC_CONTAINER_OF(t, struct blink, task);
    AEXEC_CO_BEGIN(&b->co, cx);
    for (;;) {
        *(volatile uint32_t *)GPIO_OUTPUT ^= 1u;
        aexec_sleep_for_init(&b->sleep, MTIME_HZ / 2u);
        AEXEC_AWAIT(aexec_sleep_poll(&b->sleep, cx));
    }
    AEXEC_CO_END;
}

static aexec_executor ex;
static struct blink blink;

void _start(void)
{
    __asm__ __volatile__("csrw mtvec, %0" ::"r"(blink_timer_irq));
    __asm__ __volatile__("csrs mie, %0" ::"r"(MIE_MTIE));
    __asm__ __volatile__("csrs mstatus, %0" ::"r"(MSTATUS_MIE));
    aexec_executor_init(&ex, &port, NULL, MTIME_HZ);
    aexec_spawn(&ex, &blink.task, blink_poll);
    aexec_run(&ex);
    for (;;)
        __asm__ __volatile__("wfi");
}
