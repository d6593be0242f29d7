/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Timers: arm, cancel, and the executor's expiry step, on the executor's
 * timer queue (timer_queue.h). The core is reached only through
 * ../core/executor_timers.h: a fired timer wakes its task as a local wake
 * (no atomic queue operation, no pend).
 */
#include <stddef.h>

#include "../core/executor_timers.h"
#include "../core/stats_hooks.h"
#include "aexec/error.h"
#include "aexec/trace.h"
#include "aexec/time.h"
#include "timer.h"
#include "timer_queue.h"

/* One message for the three places that need the port's clock: one literal
 * in the object. */
#define NO_TIME_DRIVER "aexec_timer_arm/aexec_now/sleep poll: port has no time driver"

uint64_t aexec__timers_expire(aexec_executor *ex)
{
    aexec_instant now = ex->port->now(ex->ctx);
    for (uint32_t n = 0; n < AEXEC_CONFIG_TIMER_BATCH; n++) {
        aexec_timer *t = aexec__tq_pop_due(&ex->timers, now);
        if (t == NULL)
            return aexec__tq_next(&ex->timers);
        t->state = AEXEC_TIMER_FIRED;
        t->executor = NULL;
        AEXEC__TRACE(timer_expire, ex, t);
        aexec__timer_fired(ex, t->waker);
    }
    return now; /* more are due: they fire with the next batch */
}

#if AEXEC__TIMERS_INIT_CALLED
void aexec__timers_init(aexec_executor *ex)
{
    aexec__tq_init(&ex->timers, ex->tick_hz);
}
#endif

void aexec_timer_init(aexec_timer *timer)
{
    AEXEC_ASSERT(timer->state != AEXEC_TIMER_ARMED,
                 "aexec_timer_init: still armed; cancel it first");
    aexec__timer_clear(timer);
}

#if defined(__OPTIMIZE_SIZE__) && !AEXEC_CONFIG_TIMER_BATCH_CLOCK
/*
 * Built for size, the arming of an idle timer is a function of its own
 * (timer.h), which every arming ends in. The stores that need no clock come
 * first, so that fewer values live across a relative sleep's clock read.
 */
aexec_poll aexec__timer_arm_idle_at(aexec_timer *timer, aexec_cx *cx, uint64_t at,
                                    uint32_t from_now)
{
    aexec_executor *ex = cx->executor;
    timer->waker = cx->task;
    timer->executor = ex;
    timer->state = AEXEC_TIMER_ARMED;
    if (from_now) { /* counted from now, read here: a sleep never ends early */
        uint64_t now = aexec_now(ex);
        at += now;
        if (at < now) /* saturates, as aexec_instant_add() does */
            at = AEXEC_INSTANT_MAX;
    }
    AEXEC_ASSERT(ex->port->now != NULL, NO_TIME_DRIVER);
    timer->deadline = at;
    aexec__tq_insert(&ex->timers, timer);
    AEXEC__TRACE(timer_arm, ex, timer, at);
    aexec__timer_armed(ex);
    aexec__stats_timer_armed(ex, aexec__tq_count(&ex->timers));
    return AEXEC_PENDING;
}

void aexec_timer_arm(aexec_timer *timer, aexec_cx *cx, aexec_instant deadline)
{
    if (timer->state == AEXEC_TIMER_ARMED) {
        AEXEC_ASSERT(timer->executor == cx->executor,
                     "aexec_timer_arm: armed on another executor; cancel it there");
        aexec__tq_remove(&timer->executor->timers, timer);
        AEXEC__TRACE(timer_cancel, timer->executor, timer);
    }
    aexec__timer_arm_idle(timer, cx, deadline);
}
#else
/* Arms the timer, which is in no queue, for the task polled through `cx`. */
static inline void arm_idle(aexec_executor *ex, aexec_timer *timer, aexec_cx *cx,
                            aexec_instant deadline)
{
    timer->deadline = deadline;
    timer->waker = cx->task;
    timer->executor = ex;
    timer->state = AEXEC_TIMER_ARMED;
    aexec__tq_insert(&ex->timers, timer);
    AEXEC__TRACE(timer_arm, ex, timer, deadline);
    aexec__timer_armed(ex);
    aexec__stats_timer_armed(ex, aexec__tq_count(&ex->timers));
}

void aexec_timer_arm(aexec_timer *timer, aexec_cx *cx, aexec_instant deadline)
{
    aexec_executor *ex = cx->executor;
    AEXEC_ASSERT(ex->port->now != NULL, NO_TIME_DRIVER);
    if (timer->state == AEXEC_TIMER_ARMED) {
        AEXEC_ASSERT(timer->executor == ex,
                     "aexec_timer_arm: armed on another executor; cancel it there");
        aexec__tq_remove(&ex->timers, timer);
        AEXEC__TRACE(timer_cancel, ex, timer);
    }
    arm_idle(ex, timer, cx, deadline);
}

void aexec__timer_arm_after(aexec_timer *timer, aexec_cx *cx, aexec_duration delay)
{
    aexec_executor *ex = cx->executor;
    AEXEC_ASSERT(ex->port->now != NULL, NO_TIME_DRIVER);
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    /* No clock read here: the queue stamps the deadline with the clock of
     * the next expiry step (aexec/timer_queue.h, _BATCH_CLOCK). */
    timer->waker = cx->task;
    timer->executor = ex;
    timer->state = AEXEC_TIMER_ARMED;
    aexec__tq_insert_after(&ex->timers, timer, delay);
    aexec__timer_armed(ex);
    aexec__stats_timer_armed(ex, aexec__tq_count(&ex->timers));
#else
    arm_idle(ex, timer, cx, aexec_instant_add(ex->port->now(ex->ctx), delay));
#endif
}
#endif

int aexec_timer_cancel(aexec_timer *timer)
{
    int fired = timer->state == AEXEC_TIMER_FIRED;
    if (timer->state == AEXEC_TIMER_ARMED) {
        aexec__tq_remove(&timer->executor->timers, timer);
        AEXEC__TRACE(timer_cancel, timer->executor, timer);
    }
    timer->executor = NULL;
    timer->state = AEXEC_TIMER_IDLE;
    return fired;
}

aexec_instant aexec_now(const aexec_executor *ex)
{
    AEXEC_ASSERT(ex->port->now != NULL, NO_TIME_DRIVER);
    return ex->port->now(ex->ctx);
}
