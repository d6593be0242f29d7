/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Placement (c): an interrupt-priority executor beside the idle-loop one.
 *
 * The thread executor runs in aexec_run() as the idle loop (placement a).
 * The priority executor has no loop: its pend() raises the supervisor
 * software interrupt on this hart (sip.SSIP), and that interrupt's handler
 * polls it. A task there preempts whatever the thread executor is polling,
 * the way an interrupt preempts thread mode: Embassy's InterruptExecutor,
 * which Embassy offers only on Cortex-M.
 *
 * Both executors want the one hart timer, so their set_alarm hooks go
 * through the mux (alarm_mux.c); the timer handler pends whichever is due:
 * the thread executor by its flag (the interrupt has ended wfi), the
 * priority one by raising SSIP, taken as soon as the timer handler returns.
 *
 * Re-entrancy: the software interrupt can come in the middle of a thread
 * poll, so the priority executor's tasks run while the thread executor's
 * state is half-updated. They touch it only through the calls documented
 * for any context (aexec_notify, aexec_wake, aexec_spawn, sync objects
 * whose critical section masks SIE); they never poll it or call what the
 * executor's thread alone may call. The two executors share no poll state.
 * Traps do not nest: the handler runs with SIE clear (trap_entry saves no
 * sepc), so a timer interrupt waits while a priority poll runs; keep those
 * polls short.
 *
 * The test: a thread task busy for 10 ms in one poll (a loop on rdtime),
 * 30 times, while an urgent task sleeps 3 ms into each busy stretch (the
 * two keep in step: a stretch starts once the urgent sleep is armed, the
 * next round once the urgent task has run). With
 * the urgent task on the priority executor it runs inside the busy poll;
 * on the thread executor, only after it. Both latencies are printed.
 */
#include <stdint.h>

#include "../backend/kconsole.h"
#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"
#include "alarm_mux.h"

#define TIMEBASE_HZ 10000000u
#define BUSY_TICKS (TIMEBASE_HZ / 100u)   /* 10 ms */
#define URGENT_TICKS (TIMEBASE_HZ / 333u) /* 3 ms */
#define ROUNDS 30u
#define SRC_THREAD 0u
#define SRC_PRIO 1u

static struct alarm_mux mux;
static aexec_executor thread_ex, prio_ex;
static volatile uint32_t thread_pended;

/* ---- ports ---------------------------------------------------------------- */

static aexec_cs_state sie_enter(void *ctx)
{
    (void)ctx;
    unsigned long old;
    __asm__ __volatile__("csrrc %0, sstatus, %1" : "=r"(old) : "r"(SSTATUS_SIE) : "memory");
    return old & SSTATUS_SIE;
}

static void sie_exit(void *ctx, aexec_cs_state saved)
{
    (void)ctx;
    if (saved)
        __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
}

static uint64_t now(void *ctx)
{
    (void)ctx;
    return aexec_riscv_rdtime();
}

/* The thread executor: every wake comes from this hart, an ISR or a task, so the
 * flag is enough: an ISR has already ended wfi, a task runs while we are awake. */
static void thread_pend(void *ctx)
{
    (void)ctx;
    thread_pended = 1;
}

static void thread_idle(void *ctx)
{
    (void)ctx;
    __asm__ __volatile__("csrc sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
    if (!thread_pended)
        __asm__ __volatile__("wfi" ::: "memory");
    thread_pended = 0;
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
}

static void thread_set_alarm(void *ctx, uint64_t at)
{
    (void)ctx;
    alarm_mux_set(&mux, SRC_THREAD, at);
}

static const aexec_port thread_port = {
    .pend = thread_pend,
    .idle = thread_idle,
    .cs_enter = sie_enter,
    .cs_exit = sie_exit,
    .now = now,
    .set_alarm = thread_set_alarm,
};

/* The priority executor: pended by its own interrupt, polled there, no idle. */
static void prio_pend(void *ctx)
{
    (void)ctx;
    aexec_riscv_self_ipi();
}

static void prio_set_alarm(void *ctx, uint64_t at)
{
    (void)ctx;
    alarm_mux_set(&mux, SRC_PRIO, at);
}

static const aexec_port prio_port = {
    .pend = prio_pend,
    .cs_enter = sie_enter,
    .cs_exit = sie_exit,
    .now = now,
    .set_alarm = prio_set_alarm,
};

void trap_handler(unsigned long scause)
{
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        uint32_t due = alarm_mux_fire(&mux, aexec_riscv_rdtime());
        if (due & (1u << SRC_THREAD))
            thread_pended = 1;
        if (due & (1u << SRC_PRIO))
            aexec_riscv_self_ipi(); /* taken right after this handler returns */
        return;
    }
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        aexec_riscv_on_soft_irq();
        aexec_executor_poll(&prio_ex); /* may preempt a thread poll: see above */
        return;
    }
    kpanic_trap(scause, -1);
}

/* ---- tasks ---------------------------------------------------------------- */

static volatile uint32_t busy; /* the thread task is inside its 10 ms poll */

struct urgent {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    uint64_t deadline;
    volatile uint32_t armed, n; /* rounds whose sleep is armed, rounds done */
    uint32_t during_busy;
    uint64_t latency[ROUNDS];
};

static aexec_poll urgent_poll(aexec_task *t, aexec_cx *cx)
{
    struct urgent *u = AEXEC_CONTAINER_OF(t, struct urgent, task);
    AEXEC_CO_BEGIN(&u->co, cx);
    for (u->n = 0; u->n < ROUNDS; u->n++) {
        AEXEC_AWAIT_NOTIFICATION(); /* a busy stretch is about to start */
        u->deadline = aexec_riscv_rdtime() + URGENT_TICKS;
        aexec_sleep_until_init(&u->sleep, u->deadline);
        u->armed = u->n + 1u;
        AEXEC_AWAIT(aexec_sleep_poll(&u->sleep, cx));
        u->latency[u->n] = aexec_riscv_rdtime() - u->deadline;
        u->during_busy += busy;
    }
    AEXEC_CO_END;
}

static struct urgent urgent;

struct hog {
    aexec_task task;
    aexec_co co;
    uint32_t n;
};

static aexec_poll hog_poll(aexec_task *t, aexec_cx *cx)
{
    struct hog *h = AEXEC_CONTAINER_OF(t, struct hog, task);
    AEXEC_CO_BEGIN(&h->co, cx);
    for (h->n = 0; h->n < ROUNDS; h->n++) {
        aexec_notify(&urgent.task);
        while (urgent.armed != h->n + 1u) /* at once on the priority executor */
            AEXEC_YIELD();
        busy = 1;
        for (uint64_t end = aexec_riscv_rdtime() + BUSY_TICKS; aexec_riscv_rdtime() < end;) {
        }
        busy = 0;
        while (urgent.n != h->n + 1u) /* one round at a time: notifications do not queue */
            AEXEC_YIELD();
    }
    AEXEC_CO_END;
}

static struct hog hog;

static void run(aexec_executor *urgent_ex, const char *how)
{
    aexec_co_init(&urgent.co);
    aexec_co_init(&hog.co);
    urgent.during_busy = 0;
    urgent.armed = 0;
    while (aexec_spawn(urgent_ex, &urgent.task, urgent_poll) == AEXEC_EBUSY)
        __asm__ __volatile__("wfi"); /* the last run's final wake is still linked */
    aexec_spawn(&thread_ex, &hog.task, hog_poll);
    kc_check(aexec_run(&thread_ex) == AEXEC_RUN_DONE, "the thread executor's tasks finished");
    while (aexec_task_is_alive(&urgent.task))
        __asm__ __volatile__("wfi");
    uint64_t worst, median = kc_median(urgent.latency, ROUNDS, &worst);
    kputs(how);
    kputs(": urgent timer wake to its poll, median ");
    kputu(median);
    kputs(", worst ");
    kputu(worst);
    kputs(" ticks at 10 MHz; ran inside the 10 ms poll ");
    kputu(urgent.during_busy);
    kputs(" of ");
    kputu(ROUNDS);
    kputs(" times\n");
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    (void)hartid;
    (void)dtb;
    aexec_set_panic_handler(kpanic_assert);
    aexec_riscv_init(0);
    alarm_mux_init(&mux);
    aexec_executor_init(&thread_ex, &thread_port, NULL, TIMEBASE_HZ);
    aexec_executor_init(&prio_ex, &prio_port, NULL, TIMEBASE_HZ);
    kc_enable_traps();

    run(&prio_ex, "priority executor");
    kc_check(urgent.during_busy == ROUNDS,
             "priority executor: the urgent task preempted every 10 ms thread poll");
    run(&thread_ex, "same executor");
    kc_check(urgent.during_busy == 0, "same executor: the urgent task waited for the poll to end");
    kc_finish();
}
