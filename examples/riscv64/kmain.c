/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A tiny S-mode kernel on QEMU virt that runs libaexec as its idle loop:
 *   ticker   fires every 100 ms on the 10 MHz timebase, five times
 *   ping/pong  two tasks passing a task notification back and forth
 *   sleeper  waits 350 ms, then cancels a task that would never finish
 * The timer interrupt only pends the executor; aexec_run() sleeps in wfi
 * between interrupts. When every task has finished, SBI powers off.
 */
#include <stdint.h>

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"

#define TIMEBASE_HZ 10000000u /* QEMU virt; a real kernel reads the device tree */

static aexec_executor ex;
static aexec_riscv hart;

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
#define IRQ_S_TIMER 5u

void trap_handler(unsigned long scause);
void trap_entry(void);
void kmain(unsigned long hartid, unsigned long dtb);

void trap_handler(unsigned long scause)
{
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        aexec_riscv_on_timer_irq(&hart); /* the handler only wakes */
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
        puts_("  [");
        putu(now_ms());
        puts_(" ms] tick ");
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
    puts_("  [");
    putu(now_ms());
    puts_(" ms] forever: cancelled, timer released\n");
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
    puts_("  [");
    putu(now_ms());
    puts_(" ms] sleeper: woke after 350 ms, cancelling forever\n");
    aexec_task_cancel(aexec_task_handle(&forever.task));
    AEXEC_CO_END;
}

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

    __asm__ __volatile__("csrw stvec, %0" ::"r"(trap_entry));
    __asm__ __volatile__("csrs sie, %0" ::"r"(1ul << IRQ_S_TIMER));
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(0x2ul));

    aexec_riscv_executor_init(&ex, &hart, TIMEBASE_HZ);
    ping.peer = &pong.task;
    pong.peer = &ping.task;
    aexec_spawn(&ex, &ticker.task, ticker_poll);
    aexec_spawn(&ex, &ping.task, player_poll);
    aexec_spawn(&ex, &pong.task, player_poll);
    aexec_spawn(&ex, &forever.task, forever_poll);
    aexec_spawn(&ex, &sleeper.task, sleeper_poll);
    aexec_notify(&ping.task); /* serve */

    int r = aexec_run(&ex); /* sleeps in wfi between interrupts */
    puts_(r == AEXEC_RUN_DONE ? "all tasks finished: powering off\n" : "stopped\n");
    aexec_riscv_sbi_shutdown();
}
