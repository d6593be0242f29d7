/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The bare-metal half of a consumer test: an executor with a port of the
 * program's own (a tick counter as the clock, no pender needed on one core),
 * one task that sleeps, linked by the consumer with `ld` and no libc. It is
 * linked, not run: the link itself proves that libaexec.a needs nothing the
 * kernel does not supply.
 */
#include <stdint.h>

#include "aexec/aexec.h"

static volatile uint64_t ticks;

static uint64_t now(void *ctx)
{
    (void)ctx;
    return ticks++;
}

static void set_alarm(void *ctx, uint64_t at)
{
    (void)ctx;
    (void)at;
}

static void pend(void *ctx)
{
    (void)ctx;
}

static void idle(void *ctx)
{
    (void)ctx;
}

struct blink {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    int n;
};

static aexec_poll blink_poll(aexec_task *t, aexec_cx *cx)
{
    struct blink *self = AEXEC_CONTAINER_OF(t, struct blink, task);
    AEXEC_CO_BEGIN(&self->co, cx);
    for (self->n = 0; self->n < 3; self->n++) {
        aexec_sleep_for_init(&self->sleep, 100);
        AEXEC_AWAIT(aexec_sleep_poll(&self->sleep, cx));
    }
    AEXEC_CO_END;
}

void _start(void);
void _start(void)
{
    static aexec_executor ex;
    static struct blink b;
    static const aexec_port port = {.pend = pend, .idle = idle, .now = now, .set_alarm = set_alarm};
    aexec_executor_init(&ex, &port, 0, 1000);
    aexec_spawn(&ex, &b.task, blink_poll);
    aexec_run(&ex);
    for (;;) {
    }
}
