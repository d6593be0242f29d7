/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The worked kernel-thread port, run: the executor in a "kernel thread", a
 * task sleeping 1 ms 200 times through the port's kernel-timer alarm (none
 * may end early), and a task draining 20,000 items that two "interrupt"
 * threads push with try_send (each once, in order per producer). Every wake
 * of the sleeping executor goes through pend() = flag + kwakeup.
 */
#include <sched.h>
#include <stdio.h>

#include "kthread_port.h"
#include "sleeper.h"

#define SLEEPS 200u
#define PER_PRODUCER 10000u

static struct kx_executor kx = {.lock = KSPINLOCK_INIT, .cs_lock = KSPINLOCK_INIT};
static aexec_channel chan;
static uint32_t ring[16];

struct drain {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv rx;
    uint32_t item, got, next[2], bad;
    int err;
};

static aexec_poll drain_poll(aexec_task *t, aexec_cx *cx)
{
    struct drain *d = AEXEC_CONTAINER_OF(t, struct drain, task);
    AEXEC_CO_BEGIN(&d->co, cx);
    for (d->got = 0; d->got < 2u * PER_PRODUCER; d->got++) {
        aexec_channel_recv_init(&d->rx, &chan, &d->item);
        AEXEC_AWAIT(aexec_channel_recv_poll(&d->rx, cx, &d->err));
        uint32_t who = d->item >> 31, seq = d->item & 0x7fffffffu;
        if (d->err != 0 || seq != d->next[who])
            d->bad++;
        d->next[who] = seq + 1u;
    }
    AEXEC_CO_END;
}

static struct sleeper sleeper;
static struct drain drain;

static void *producer(void *arg)
{
    uint32_t who = (uint32_t)(uintptr_t)arg << 31;
    for (uint32_t i = 0; i < PER_PRODUCER; i++) {
        uint32_t item = who | i;
        while (aexec_channel_try_send(&chan, &item) == AEXEC_EFULL)
            sched_yield();
    }
    return NULL;
}

static void *kernel_thread(void *unused)
{
    (void)unused;
    return (void *)(intptr_t)kx_executor_thread(&kx);
}

int main(void)
{
    aexec_cs cs;
    if (kx_executor_init(&kx) != 0 || aexec_executor_cs(&kx.ex, &cs) != 0 ||
        aexec_channel_init(&chan, &cs, ring, sizeof ring[0], 16) != 0)
        return 1;
    sleeper_init(&sleeper, SLEEPS, kclock_hz() / 1000u, NULL); /* 1 ms each */
    aexec_spawn(&kx.ex, &sleeper.task, sleeper_poll);
    aexec_spawn(&kx.ex, &drain.task, drain_poll);
    pthread_t k, p0, p1;
    pthread_create(&k, NULL, kernel_thread, NULL);
    pthread_create(&p0, NULL, producer, (void *)0);
    pthread_create(&p1, NULL, producer, (void *)1);
    void *r;
    pthread_join(p0, NULL);
    pthread_join(p1, NULL);
    pthread_join(k, &r);
    int ok = (intptr_t)r == AEXEC_RUN_DONE && sleeper.n == SLEEPS && sleeper.early == 0 &&
             drain.got == 2u * PER_PRODUCER && drain.bad == 0 && drain.next[0] == PER_PRODUCER &&
             drain.next[1] == PER_PRODUCER;
    printf("kernel-thread port: %u sleeps (%u early), %u items (%u out of order): %s\n", sleeper.n,
           sleeper.early, drain.got, drain.bad, ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
