/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The timer queue without a wheel (AEXEC_CONFIG_TIMER_WHEEL_LEVELS 0): every
 * armed timer in the one pairing heap, `near`. O(1) to arm, O(log n)
 * amortized to fire or cancel, and no slot arrays: the choice for firmware
 * with a handful of timers, where the wheel's code and RAM buy nothing
 * (docs/porting.md, "Footprint"). The same interface and the same order as
 * the wheel (timer_queue.c): by deadline, equal deadlines in arming order.
 */
#include "aexec/timer_queue.h"

#if AEXEC_CONFIG_TIMER_WHEEL_LEVELS == 0

#include <stddef.h>

#include "aexec/trace.h"
#include "pairing_heap.h"
#include "timer_queue.h"

void aexec__tq_init(aexec_timer_queue *q, uint64_t tick_hz)
{
    (void)tick_hz;
    q->near = NULL;
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    q->pending = NULL;
#endif
    q->seq = 0;
    q->count = 0;
}

void aexec__tq_insert(aexec_timer_queue *q, aexec_timer *t)
{
    t->seq = q->seq++;
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    /* Read only to tell a pending timer from one in the heap. */
    t->place = AEXEC__TIMER_IN_NEAR;
#endif
    q->count++;
    aexec__heap_insert(&q->near, t);
}

#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
/* A stamped pending timer goes into the heap. */
static void near_insert(aexec_timer_queue *q, aexec_timer *t)
{
    t->place = AEXEC__TIMER_IN_NEAR;
    aexec__heap_insert(&q->near, t);
}
#endif

void aexec__tq_remove(aexec_timer_queue *q, aexec_timer *t)
{
    q->count--;
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    if (t->place == AEXEC__TIMER_PENDING) {
        aexec__tq_pending_unlink(q, t);
        return;
    }
#endif
    aexec__heap_remove(&q->near, t);
}

aexec_timer *aexec__tq_pop_due_slow(aexec_timer_queue *q, uint64_t now)
{
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    if (q->pending != NULL)
        aexec__tq_pending_stamp(q, now, near_insert);
#endif
    if (q->near == NULL || q->near->deadline > now)
        return NULL;
    q->count--;
    return aexec__heap_pop(&q->near);
}

uint64_t aexec__tq_next(const aexec_timer_queue *q)
{
    return q->near != NULL ? q->near->deadline : UINT64_MAX;
}

#else
typedef int aexec__timer_heap_unused; /* ISO C: no empty translation unit */
#endif
