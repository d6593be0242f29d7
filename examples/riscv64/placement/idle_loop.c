/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Placement (a): the executor is the kernel's idle loop. kmain() sets up the
 * trap vector, spawns the tasks and calls aexec_run(), which polls whatever
 * is ready and otherwise sleeps in wfi until an interrupt. The interrupt
 * handlers only wake: the timer's pends the executor, a device's would wake
 * the task waiting on it. Everything the kernel does is a task.
 *
 * Here: a ticker task at 100 Hz for 20 ticks, and a pair of tasks passing a
 * counter through a channel with a 2 ms sleep per item. The checks: every
 * tick and item arrived in order, and the hart slept (the timer interrupts
 * that woke it are counted) instead of spinning.
 */
#include <stdint.h>

#include "../backend/kconsole.h"
#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"

#define TIMEBASE_HZ 10000000u /* a real kernel reads the device tree's timebase-frequency */
#define TICKS 20u
#define ITEMS 20u

static aexec_executor ex;
static aexec_riscv hart;
static uint32_t timer_irqs;

void trap_handler(unsigned long scause)
{
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        timer_irqs++;
        aexec_riscv_on_timer_irq(&hart); /* wakes the executor; the poll happens in aexec_run */
        return;
    }
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        aexec_riscv_on_soft_irq();
        return;
    }
    kpanic_trap(scause, -1);
}

struct ticker_task {
    aexec_task task;
    aexec_co co;
    aexec_ticker ticker;
    uint32_t n;
};

static aexec_poll ticker_poll(aexec_task *t, aexec_cx *cx)
{
    struct ticker_task *k = AEXEC_CONTAINER_OF(t, struct ticker_task, task);
    AEXEC_CO_BEGIN(&k->co, cx);
    aexec_ticker_init(&k->ticker, 1, 100);
    for (k->n = 0; k->n < TICKS; k->n++)
        AEXEC_AWAIT(aexec_ticker_poll(&k->ticker, cx));
    AEXEC_CO_FINALLY;
    aexec_ticker_cancel(&k->ticker);
    AEXEC_CO_END;
}

static aexec_channel chan;
static uint32_t ring[4];

struct producer {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    aexec_channel_send tx;
    uint32_t n;
    int err;
};

static aexec_poll producer_poll(aexec_task *t, aexec_cx *cx)
{
    struct producer *p = AEXEC_CONTAINER_OF(t, struct producer, task);
    AEXEC_CO_BEGIN(&p->co, cx);
    for (p->n = 0; p->n < ITEMS; p->n++) {
        aexec_sleep_for_init(&p->sleep, aexec_ticks_from_ms(TIMEBASE_HZ, 2));
        AEXEC_AWAIT(aexec_sleep_poll(&p->sleep, cx));
        aexec_channel_send_init(&p->tx, &chan, &p->n);
        AEXEC_AWAIT(aexec_channel_send_poll(&p->tx, cx, &p->err));
    }
    AEXEC_CO_END;
}

struct consumer {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv rx;
    uint32_t item, expect, out_of_order;
    int err;
};

static aexec_poll consumer_poll(aexec_task *t, aexec_cx *cx)
{
    struct consumer *c = AEXEC_CONTAINER_OF(t, struct consumer, task);
    AEXEC_CO_BEGIN(&c->co, cx);
    for (c->expect = 0; c->expect < ITEMS; c->expect++) {
        aexec_channel_recv_init(&c->rx, &chan, &c->item);
        AEXEC_AWAIT(aexec_channel_recv_poll(&c->rx, cx, &c->err));
        if (c->err != 0 || c->item != c->expect)
            c->out_of_order++;
    }
    AEXEC_CO_END;
}

static struct ticker_task ticker;
static struct producer producer;
static struct consumer consumer;

void kmain(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    aexec_set_panic_handler(kpanic_assert);
    aexec_riscv_init(0); /* probe SBI and Sstc before interrupts */
    kc_enable_traps();
    aexec_riscv_executor_init(&ex, &hart, hartid, TIMEBASE_HZ);
    static aexec_cs cs; /* one hart: the backend's sstatus.SIE section */
    aexec_executor_cs(&ex, &cs);
    aexec_channel_init(&chan, &cs, ring, sizeof ring[0], 4);
    aexec_spawn(&ex, &ticker.task, ticker_poll);
    aexec_spawn(&ex, &producer.task, producer_poll);
    aexec_spawn(&ex, &consumer.task, consumer_poll);

    int r = aexec_run(&ex); /* the idle loop: returns when every task finished */

    kc_check(r == AEXEC_RUN_DONE, "aexec_run returned AEXEC_RUN_DONE");
    kc_check(ticker.n == TICKS, "every tick of the 100 Hz ticker arrived");
    kc_check(consumer.expect == ITEMS && consumer.out_of_order == 0,
             "every item arrived once, in order");
    kc_check(timer_irqs >= 1u, "the hart slept in wfi and a timer interrupt woke it");
    kputs("idle loop: ");
    kputu(TICKS);
    kputs(" ticks, ");
    kputu(ITEMS);
    kputs(" items, ");
    kputu(timer_irqs);
    kputs(" timer interrupts\n");
    kc_finish();
}
