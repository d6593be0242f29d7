/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The executor as a kernel thread. pend() is a flag and the kernel's wakeup;
 * idle() is the kernel's sleep on that flag, so the thread gives its hart to
 * other threads while no task is ready. Nothing here is per hart: the
 * scheduler may move the thread between harts at any sleep, and the alarm is
 * a kernel timer, not a hart's stimecmp.
 */
#include "kthread_port.h"

static void kx_pend(void *ctx)
{
    struct kx_executor *k = ctx;
    kspin_lock(&k->lock);
    k->pended = 1;
    kspin_unlock(&k->lock);
    kwakeup(&k->pended); /* after the unlock: a sleeper checked under the lock */
}

static void kx_idle(void *ctx)
{
    struct kx_executor *k = ctx;
    kspin_lock(&k->lock);
    while (!k->pended)
        ksleep(&k->pended, &k->lock); /* a pend after our check wakes us */
    k->pended = 0;
    kspin_unlock(&k->lock);
}

static uint64_t kx_now(void *ctx)
{
    (void)ctx;
    return kclock_ticks();
}

static void kx_alarm_fired(void *ctx)
{
    kx_pend(ctx); /* interrupt context: pend is callable from anywhere */
}

static void kx_set_alarm(void *ctx, uint64_t at)
{
    struct kx_executor *k = ctx;
    if (at == AEXEC_ALARM_NONE)
        ktimer_stop(&k->alarm);
    else
        ktimer_start(&k->alarm, at, kx_alarm_fired, k);
}

/* The library never nests sections and wakes only after leaving one. */
static aexec_cs_state kx_cs_enter(void *ctx)
{
    struct kx_executor *k = ctx;
    kspin_lock(&k->cs_lock); /* masks interrupts itself: nothing to save */
    return 0;
}

static void kx_cs_exit(void *ctx, aexec_cs_state saved)
{
    struct kx_executor *k = ctx;
    (void)saved;
    kspin_unlock(&k->cs_lock);
}

static const aexec_port kx_port = {
    .pend = kx_pend,
    .idle = kx_idle,
    .cs_enter = kx_cs_enter,
    .cs_exit = kx_cs_exit,
    .now = kx_now,
    .set_alarm = kx_set_alarm,
};

int kx_executor_init(struct kx_executor *k)
{
    k->pended = 0;
    return aexec_executor_init(&k->ex, &kx_port, k, kclock_hz());
}

int kx_executor_thread(struct kx_executor *k)
{
    return aexec_run(&k->ex);
}
