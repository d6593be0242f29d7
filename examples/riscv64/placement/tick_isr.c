/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Placement (b): the executor is polled from the kernel's own timer
 * interrupt, the way rCore embedded Embassy. The kernel keeps its 100 Hz
 * scheduler tick; every timer interrupt does the kernel's tick work and then
 * calls aexec_executor_poll(). The executor's next deadline and the kernel's
 * next tick share the hart's one timer: the port's set_alarm hands the
 * executor's deadline to a mux (alarm_mux.c) that programs the earlier of
 * the two, so a 3 ms sleep ends at 3 ms, not at the next tick.
 *
 * The limit: a wake from a device (here hart 1, playing one) comes between
 * ticks, and a poll that only runs on the tick leaves the woken task waiting
 * up to a whole period, 10 ms. The port's pend() removes that wait: it
 * raises a supervisor software interrupt on hart 0 (sip.SSIP from the boot
 * hart itself, an SBI IPI from elsewhere), whose handler polls. The test measures
 * the wait both ways: pend() ignored (phase 1), pend() polling (phase 2).
 * Interrupts never nest here (the handler runs with SIE clear), so the two
 * handlers never poll at once.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "../backend/kconsole.h"
#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"
#include "alarm_mux.h"
#include "sleeper.h"

#define TIMEBASE_HZ 10000000u
#define TICK_PERIOD (TIMEBASE_HZ / 100u) /* the kernel's 100 Hz tick */
#define SRC_TICK 0u
#define SRC_EXECUTOR 1u
#define ROUNDS_TICK_ONLY 40u
#define ROUNDS_SOFT 400u
#define MAX_ROUNDS 400u
#define SLEEPS 20u

enum poller { POLL_NONE, POLL_TIMER, POLL_SOFT };

static aexec_executor ex;
static struct alarm_mux mux;
static uint64_t tick_start, next_tick;
static uint32_t kernel_ticks, executor_alarms;
static volatile enum poller polling_from = POLL_NONE;
static _Atomic uint32_t soft_poll; /* phase 2: pend() raises the software interrupt */
static unsigned long boot_hart;    /* runs the executor; the other hart plays the device */

static unsigned long this_hart(void)
{
    unsigned long id;
    __asm__ __volatile__("mv %0, tp" : "=r"(id)); /* kmain* keep the hart id in tp */
    return id;
}

/* ---- the port: no idle (the executor is only polled), the mux for the alarm ---- */

static void tick_pend(void *ctx)
{
    (void)ctx;
    if (!atomic_load_explicit(&soft_poll, memory_order_relaxed))
        return; /* the next timer interrupt polls */
    if (this_hart() == boot_hart)
        aexec_riscv_self_ipi();
    else
        aexec_riscv_sbi_send_ipi(boot_hart);
}

static uint64_t tick_now(void *ctx)
{
    (void)ctx;
    return aexec_riscv_rdtime();
}

static void tick_set_alarm(void *ctx, uint64_t at)
{
    (void)ctx;
    alarm_mux_set(&mux, SRC_EXECUTOR, at);
}

static aexec_cs_state tick_cs_enter(void *ctx)
{
    (void)ctx;
    unsigned long old;
    __asm__ __volatile__("csrrc %0, sstatus, %1" : "=r"(old) : "r"(SSTATUS_SIE) : "memory");
    return old & SSTATUS_SIE;
}

static void tick_cs_exit(void *ctx, aexec_cs_state saved)
{
    (void)ctx;
    if (saved)
        __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
}

static const aexec_port tick_port = {
    .pend = tick_pend,
    .cs_enter = tick_cs_enter,
    .cs_exit = tick_cs_exit,
    .now = tick_now,
    .set_alarm = tick_set_alarm,
};

static void poll_from(enum poller who)
{
    polling_from = who;
    aexec_executor_poll(&ex);
    polling_from = POLL_NONE;
}

void trap_handler(unsigned long scause)
{
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        uint64_t now = aexec_riscv_rdtime();
        uint32_t due = alarm_mux_fire(&mux, now);
        if (due & (1u << SRC_TICK)) {
            while (next_tick <= now) { /* the scheduler's work would go here */
                next_tick += TICK_PERIOD;
                kernel_ticks++;
            }
            alarm_mux_set(&mux, SRC_TICK, next_tick);
        }
        if (due & (1u << SRC_EXECUTOR))
            executor_alarms++;
        poll_from(POLL_TIMER); /* every timer interrupt polls, as rCore did */
        return;
    }
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        aexec_riscv_on_soft_irq();
        poll_from(POLL_SOFT);
        return;
    }
    kpanic_trap(scause, -1);
}

/* ---- the device's wakes, and a sleeper between ticks ----------------------- */

static _Atomic uint32_t request, reply, rounds_wanted;
static _Atomic uint64_t woken_at;
static uint64_t latency[MAX_ROUNDS];

struct waiter {
    aexec_task task;
    aexec_co co;
    uint32_t n, rounds, by_timer, by_soft, seen;
};

static aexec_poll waiter_poll(aexec_task *t, aexec_cx *cx)
{
    struct waiter *w = AEXEC_CONTAINER_OF(t, struct waiter, task);
    AEXEC_CO_BEGIN(&w->co, cx);
    w->by_timer = w->by_soft = 0;
    atomic_store_explicit(&rounds_wanted, w->rounds, memory_order_release);
    for (w->n = 0; w->n < w->rounds;) {
        AEXEC_AWAIT_NOTIFICATION();
        w->seen = atomic_load_explicit(&request, memory_order_acquire);
        if (w->seen == atomic_load_explicit(&reply, memory_order_relaxed))
            continue; /* a notification already answered */
        latency[w->n] = aexec_riscv_rdtime() - atomic_load(&woken_at);
        w->by_timer += polling_from == POLL_TIMER;
        w->by_soft += polling_from == POLL_SOFT;
        w->n++;
        atomic_store_explicit(&reply, w->seen, memory_order_release);
    }
    AEXEC_CO_END;
}

static struct waiter waiter;
static struct sleeper sleeper;
static uint8_t hart1_stack[4096] __attribute__((aligned(16)));

/* Hart 1: a device that raises an event at uneven times between 0.3 and 3.3 ms apart. */
void kmain_secondary(unsigned long hartid)
{
    __asm__ __volatile__("mv tp, %0" ::"r"(hartid));
    uint32_t seed = 12345u, seq = 0;
    for (;;) {
        uint32_t want;
        while ((want = atomic_exchange_explicit(&rounds_wanted, 0u, memory_order_acquire)) == 0u) {
        }
        for (uint32_t i = 0; i < want; i++) {
            seed = seed * 1103515245u + 12345u;
            uint64_t until = aexec_riscv_rdtime() + 3000u + (seed >> 8) % 30000u;
            while (aexec_riscv_rdtime() < until) {
            }
            atomic_store(&woken_at, aexec_riscv_rdtime());
            atomic_store_explicit(&request, ++seq, memory_order_release);
            aexec_notify(&waiter.task); /* a device ISR would do this */
            while (atomic_load_explicit(&reply, memory_order_acquire) != seq) {
            }
        }
    }
}

static void report(const char *how, uint32_t rounds)
{
    uint64_t worst, median = kc_median(latency, rounds, &worst);
    kputs(how);
    kputs(": device wake to task, median ");
    kputu(median);
    kputs(", worst ");
    kputu(worst);
    kputs(" ticks at 10 MHz (");
    kputu(rounds);
    kputs(" wakes)\n");
}

static void phase(uint32_t rounds, int soft)
{
    atomic_store(&soft_poll, (uint32_t)soft);
    waiter.rounds = rounds;
    aexec_co_init(&waiter.co); /* the storage ran to the end in the last phase */
    /* EBUSY while the last wake of the previous phase's waiter is still
     * linked in the run queue: the next poll pops it. */
    while (aexec_spawn(&ex, &waiter.task, waiter_poll) == AEXEC_EBUSY)
        __asm__ __volatile__("wfi");
    while (aexec_executor_live(&ex) != 0 || waiter.n < rounds) /* the kernel's own idle */
        __asm__ __volatile__("wfi");
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    __asm__ __volatile__("mv tp, %0" ::"r"(hartid));
    boot_hart = hartid;
    aexec_set_panic_handler(kpanic_assert);
    aexec_riscv_init(0);
    alarm_mux_init(&mux);
    aexec_executor_init(&ex, &tick_port, NULL, TIMEBASE_HZ);
    tick_start = aexec_riscv_rdtime();
    next_tick = tick_start + TICK_PERIOD;
    alarm_mux_set(&mux, SRC_TICK, next_tick);
    kc_enable_traps();
    if (aexec_riscv_sbi_hart_start(hartid ^ 1u, (unsigned long)_start_secondary,
                                   (unsigned long)(hart1_stack + sizeof hart1_stack)) != 0) {
        kpanic("could not start hart 1 (run with -smp 2)");
    }

    /* Phase 1: pend() does nothing; each wake waits for the next tick's poll. */
    sleeper_init(&sleeper, SLEEPS, aexec_ticks_from_ms(TIMEBASE_HZ, 3), NULL);
    aexec_spawn(&ex, &sleeper.task, sleeper_poll);
    phase(ROUNDS_TICK_ONLY, 0);
    kc_check(waiter.by_timer == ROUNDS_TICK_ONLY && waiter.by_soft == 0,
             "tick only: every wake was served by a timer poll");
    report("tick only", ROUNDS_TICK_ONLY);

    /* Phase 2: pend() raises the software interrupt, whose handler polls. */
    phase(ROUNDS_SOFT, 1);
    kc_check(waiter.by_soft > 0, "soft poll: wakes were served by the software interrupt's poll");
    report("soft poll", ROUNDS_SOFT);
    kputs("soft poll: ");
    kputu(waiter.by_soft);
    kputs(" of the wakes served by the software interrupt, ");
    kputu(waiter.by_timer);
    kputs(" by a timer interrupt that came first\n");

    while (aexec_executor_live(&ex) != 0) /* the sleeper may still be at it */
        __asm__ __volatile__("wfi");
    kc_check(sleeper.n == SLEEPS && sleeper.early == 0, "sleeps between ticks: none ended early");
    kc_check(executor_alarms > 0, "the executor's own deadlines fired between the kernel's ticks");

    __asm__ __volatile__("csrc sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
    uint64_t elapsed = aexec_riscv_rdtime() - tick_start;
    /* Phase 1 finishing proves the tick kept coming (only its polls served
     * the wakes); how closely it kept 100 Hz depends on the host's load. */
    kputs("kernel ticks: ");
    kputu(kernel_ticks);
    kputs(" in ");
    kputu(elapsed / (TIMEBASE_HZ / 1000u));
    kputs(" ms; executor alarms between them: ");
    kputu(executor_alarms);
    kputs("\n");
    kc_finish();
}
