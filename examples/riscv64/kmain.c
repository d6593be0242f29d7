/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A tiny S-mode kernel on QEMU virt that runs libaexec as its idle loop:
 *   ticker   fires every 100 ms on the 10 MHz timebase, five times
 *   ping/pong  two tasks passing a task notification back and forth
 *   sleeper  waits 350 ms, then cancels a task that would never finish
 *   hart 1   a second hart, started through SBI HSM. First it plays a device:
 *            it try_sends 100,000 numbered items into a channel that a task
 *            on hart 0 drains, and bounces 10,000 notifications off another
 *            task; every item must arrive once and in order. Then it runs an
 *            executor of its own, whose task plays 10,000 rounds of
 *            notification ping-pong with a task on hart 0's executor: a
 *            cross-executor wake pushes onto the other run queue and, when
 *            that hart sleeps, pends it with an IPI
 * The timer interrupt only pends the executor; a wake from hart 1 pends it
 * with an IPI; aexec_run() sleeps in wfi between interrupts. When every task
 * has finished, SBI powers off.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"

#define TIMEBASE_HZ 10000000u /* QEMU virt; a real kernel reads the device tree */

static aexec_executor ex; /* hart 0's */
static aexec_riscv hart;
static aexec_executor ex1; /* hart 1's */
static aexec_riscv hart1;

/* ---- console ---------------------------------------------------------- */

static void puts_(const char *s)
{
    while (*s)
        aexec_riscv_sbi_putchar(*s++);
}

static void putu(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    puts_(&buf[i]);
}

static uint64_t now_ms(void)
{
    return aexec_ticks_to_ms(TIMEBASE_HZ, aexec_now(&ex));
}

/* "  [<uptime> ms]": the prefix of every timed line. */
static void log_time(void)
{
    puts_("  [");
    putu(now_ms());
    puts_(" ms]");
}

static void kernel_panic(const char *msg, const char *file, int line)
{
    puts_("panic: ");
    puts_(msg);
    puts_(" (");
    puts_(file);
    puts_(":");
    putu((uint64_t)line);
    puts_(")\n");
    aexec_riscv_sbi_shutdown();
}

/* ---- traps -------------------------------------------------------------- */

#define SCAUSE_INTERRUPT (1ul << 63)
#define IRQ_S_SOFT 1u
#define IRQ_S_TIMER 5u

void trap_handler(unsigned long scause);
void trap_entry(void);
void _start_secondary(void);
void kmain(unsigned long hartid, unsigned long dtb);
void kmain_secondary(unsigned long hartid);

void trap_handler(unsigned long scause)
{
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        /* sscratch holds this hart's backend state (set at its boot) */
        aexec_riscv *self;
        __asm__ __volatile__("csrr %0, sscratch" : "=r"(self));
        aexec_riscv_on_timer_irq(self); /* the handler only wakes */
        return;
    }
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        aexec_riscv_on_soft_irq(); /* an IPI from the other hart's pend() */
        return;
    }
    puts_("unexpected trap, scause ");
    putu(scause);
    puts_("\n");
    aexec_riscv_sbi_shutdown();
}

/* ---- tasks -------------------------------------------------------------- */

struct ticker_task {
    aexec_task task;
    aexec_co co;
    aexec_ticker ticker;
    int n;
};

static aexec_poll ticker_poll(aexec_task *t, aexec_cx *cx)
{
    struct ticker_task *k = AEXEC_CONTAINER_OF(t, struct ticker_task, task);
    AEXEC_CO_BEGIN(&k->co, cx);
    aexec_ticker_init(&k->ticker, 1, 10); /* 1/10 s */
    for (k->n = 1; k->n <= 5; k->n++) {
        AEXEC_AWAIT(aexec_ticker_poll(&k->ticker, cx));
        log_time();
        puts_(" tick ");
        putu((uint64_t)k->n);
        puts_("\n");
    }
    AEXEC_CO_FINALLY;
    aexec_ticker_cancel(&k->ticker);
    AEXEC_CO_END;
}

struct player {
    aexec_task task;
    aexec_co co;
    const char *name;
    aexec_task *peer;
    int rounds;
};

static aexec_poll player_poll(aexec_task *t, aexec_cx *cx)
{
    struct player *p = AEXEC_CONTAINER_OF(t, struct player, task);
    AEXEC_CO_BEGIN(&p->co, cx);
    while (p->rounds < 3) {
        AEXEC_AWAIT_NOTIFICATION();
        p->rounds++;
        puts_("  ");
        puts_(p->name);
        puts_(" ");
        putu((uint64_t)p->rounds);
        puts_("\n");
        aexec_cx_notify(cx, p->peer);
    }
    AEXEC_CO_END;
}

struct forever {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
};

static aexec_poll forever_poll(aexec_task *t, aexec_cx *cx)
{
    struct forever *f = AEXEC_CONTAINER_OF(t, struct forever, task);
    AEXEC_CO_BEGIN(&f->co, cx);
    aexec_sleep_until_init(&f->sleep, AEXEC_INSTANT_MAX); /* never */
    AEXEC_AWAIT(aexec_sleep_poll(&f->sleep, cx));
    AEXEC_CO_FINALLY;
    aexec_sleep_cancel(&f->sleep);
    log_time();
    puts_(" forever: cancelled, timer released\n");
    AEXEC_CO_END;
}

static struct forever forever;

struct sleeper {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
};

static aexec_poll sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    struct sleeper *s = AEXEC_CONTAINER_OF(t, struct sleeper, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    aexec_sleep_for_init(&s->sleep, aexec_ticks_from_ms(TIMEBASE_HZ, 350));
    AEXEC_AWAIT(aexec_sleep_poll(&s->sleep, cx));
    log_time();
    puts_(" sleeper: woke after 350 ms, cancelling forever\n");
    aexec_task_cancel(aexec_task_handle(&forever.task));
    AEXEC_CO_END;
}

/* ---- two harts ---------------------------------------------------------- */

/*
 * The channel is shared by two harts, so its critical section must exclude
 * the other hart too: a spinlock, taken with interrupts masked on this hart
 * (the hook a kernel supplies; sstatus.SIE alone is per hart).
 */
static atomic_flag smp_lock = ATOMIC_FLAG_INIT;

static aexec_cs_state smp_cs_enter(void *ctx)
{
    (void)ctx;
    unsigned long old;
    __asm__ __volatile__("csrrc %0, sstatus, %1" : "=r"(old) : "r"(0x2ul) : "memory");
    while (atomic_flag_test_and_set_explicit(&smp_lock, memory_order_acquire)) {
    }
    return old & 0x2ul;
}

static void smp_cs_exit(void *ctx, aexec_cs_state saved)
{
    (void)ctx;
    atomic_flag_clear_explicit(&smp_lock, memory_order_release);
    if (saved)
        __asm__ __volatile__("csrs sstatus, %0" ::"r"(0x2ul) : "memory");
}

static const aexec_cs smp_cs = {smp_cs_enter, smp_cs_exit, 0};

#define ITEMS 100000u
#define BOUNCES 10000u

static aexec_channel items;
static uint32_t items_ring[32];
static _Atomic uint32_t bounce_request, bounce_reply;
static _Atomic int hart1_done;

struct drain {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv rx;
    uint32_t item, expect;
    int err;
};

static aexec_poll drain_poll(aexec_task *t, aexec_cx *cx)
{
    struct drain *d = AEXEC_CONTAINER_OF(t, struct drain, task);
    AEXEC_CO_BEGIN(&d->co, cx);
    while (d->expect < ITEMS) {
        aexec_channel_recv_init(&d->rx, &items, &d->item);
        AEXEC_AWAIT(aexec_channel_recv_poll(&d->rx, cx, &d->err));
        if (d->item != d->expect) {
            puts_("  drain: item out of order or lost\n");
            aexec_riscv_sbi_shutdown();
        }
        d->expect++;
    }
    log_time();
    puts_(" drain: 100000 items from hart 1, each once, in order\n");
    AEXEC_CO_END;
}

struct echo {
    aexec_task task;
    aexec_co co;
    uint32_t n;
};

static aexec_poll echo_poll(aexec_task *t, aexec_cx *cx)
{
    struct echo *e = AEXEC_CONTAINER_OF(t, struct echo, task);
    AEXEC_CO_BEGIN(&e->co, cx);
    while (e->n < BOUNCES) {
        AEXEC_AWAIT_NOTIFICATION();
        e->n = atomic_load_explicit(&bounce_request, memory_order_acquire);
        atomic_store_explicit(&bounce_reply, e->n, memory_order_release);
    }
    log_time();
    puts_(" echo: 10000 notifications from hart 1 answered\n");
    AEXEC_CO_END;
}

static struct drain drain;
static struct echo echo;

/* Cross-executor ping-pong: `local` on hart 0, `remote` on hart 1. */
#define ROUNDS 10000u

struct rally {
    aexec_task task;
    aexec_co co;
    aexec_task *peer;
    uint32_t n;
    int serves;
};

static aexec_poll rally_poll(aexec_task *t, aexec_cx *cx)
{
    struct rally *r = AEXEC_CONTAINER_OF(t, struct rally, task);
    AEXEC_CO_BEGIN(&r->co, cx);
    if (r->serves)
        aexec_cx_notify(cx, r->peer); /* the peer is on the other executor */
    for (r->n = 0; r->n < ROUNDS; r->n++) {
        AEXEC_AWAIT_NOTIFICATION();
        if (!r->serves || r->n + 1 < ROUNDS)
            aexec_cx_notify(cx, r->peer);
    }
    AEXEC_CO_END;
}

static struct rally rally_local, rally_remote;
static uint8_t hart1_stack[8192] __attribute__((aligned(16)));

/* Hart 1: no executor, just a "device" poking tasks on hart 0. */
void kmain_secondary(unsigned long hartid)
{
    for (uint32_t i = 0; i < ITEMS; i++) {
        while (aexec_channel_try_send(&items, &i) == AEXEC_EFULL) {
        }
    }
    for (uint32_t i = 1; i <= BOUNCES; i++) {
        atomic_store_explicit(&bounce_request, i, memory_order_release);
        aexec_notify(&echo.task);
        while (atomic_load_explicit(&bounce_reply, memory_order_acquire) != i) {
        }
    }
    /* Now an executor of its own on this hart. */
    __asm__ __volatile__("csrw sscratch, %0" ::"r"(&hart1));
    __asm__ __volatile__("csrw stvec, %0" ::"r"(trap_entry));
    __asm__ __volatile__("csrs sie, %0" ::"r"((1ul << IRQ_S_TIMER) | (1ul << IRQ_S_SOFT)));
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(0x2ul));
    aexec_riscv_executor_init(&ex1, &hart1, hartid, TIMEBASE_HZ);
    rally_remote.peer = &rally_local.task;
    rally_remote.serves = 1; /* hart 0's task is already spawned: it hears the serve */
    aexec_spawn(&ex1, &rally_remote.task, rally_poll);
    int r = aexec_run(&ex1);
    atomic_store(&hart1_done, r == AEXEC_RUN_DONE ? 1 : -1);
    for (;;)
        __asm__ __volatile__("wfi");
}

/* Hart 0 waits for hart 1's executor to report before it powers off. */
struct hart1_watch {
    aexec_task task;
    aexec_co co;
    aexec_ticker poll_period;
};

static aexec_poll hart1_watch_poll(aexec_task *t, aexec_cx *cx)
{
    struct hart1_watch *w = AEXEC_CONTAINER_OF(t, struct hart1_watch, task);
    AEXEC_CO_BEGIN(&w->co, cx);
    aexec_ticker_init(&w->poll_period, 1, 100); /* look every 10 ms */
    while (atomic_load(&hart1_done) == 0)
        AEXEC_AWAIT(aexec_ticker_poll(&w->poll_period, cx));
    log_time();
    puts_(atomic_load(&hart1_done) == 1
              ? " rally: 10000 rounds between the executors of hart 0 and hart 1\n"
              : " rally: hart 1's executor failed\n");
    AEXEC_CO_FINALLY;
    aexec_ticker_cancel(&w->poll_period);
    AEXEC_CO_END;
}

static struct hart1_watch hart1_watch;

static struct ticker_task ticker;
static struct player ping = {.name = "ping"}, pong = {.name = "pong"};
static struct sleeper sleeper;

void kmain(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    aexec_set_panic_handler(kernel_panic);
    puts_("libaexec on RISC-V S-mode (QEMU virt), hart ");
    putu(hartid);
    puts_(", timebase 10 MHz\n");

    __asm__ __volatile__("csrw sscratch, %0" ::"r"(&hart));
    __asm__ __volatile__("csrw stvec, %0" ::"r"(trap_entry));
    __asm__ __volatile__("csrs sie, %0" ::"r"((1ul << IRQ_S_TIMER) | (1ul << IRQ_S_SOFT)));
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(0x2ul));

    aexec_riscv_executor_init(&ex, &hart, hartid, TIMEBASE_HZ);
    aexec_channel_init(&items, &smp_cs, items_ring, sizeof items_ring[0], 32);
    ping.peer = &pong.task;
    pong.peer = &ping.task;
    aexec_spawn(&ex, &ticker.task, ticker_poll);
    aexec_spawn(&ex, &ping.task, player_poll);
    aexec_spawn(&ex, &pong.task, player_poll);
    aexec_spawn(&ex, &forever.task, forever_poll);
    aexec_spawn(&ex, &sleeper.task, sleeper_poll);
    aexec_notify(&ping.task); /* serve */
    aexec_spawn(&ex, &drain.task, drain_poll);
    aexec_spawn(&ex, &echo.task, echo_poll);
    rally_local.peer = &rally_remote.task;
    aexec_spawn(&ex, &rally_local.task, rally_poll);
    aexec_spawn(&ex, &hart1_watch.task, hart1_watch_poll);
    if (aexec_riscv_sbi_hart_start(hartid ^ 1u, (unsigned long)_start_secondary,
                                   (unsigned long)(hart1_stack + sizeof hart1_stack)) != 0) {
        puts_("could not start a second hart (run QEMU with -smp 2)\n");
        aexec_riscv_sbi_shutdown();
    }

    int r = aexec_run(&ex); /* sleeps in wfi between interrupts */
    puts_(r == AEXEC_RUN_DONE ? "all tasks finished: powering off\n" : "stopped\n");
    aexec_riscv_sbi_shutdown();
}
