/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The per-executor timer queue's operations (internal); the data and the
 * shape are described in aexec/timer_queue.h.
 *
 * Invariants, kept by every operation below:
 *  Q1. The near heap holds exactly the armed timers whose deadline is at or
 *      before near_last, so when it is not empty its root is the earliest
 *      timer of the whole queue.
 *  Q2. A timer in the wheel has deadline > near_last and slot number
 *      d = deadline >> shift >= pos; it sits at the level of the highest
 *      BITS-bit group in which d and pos differ (level 0 if none), in slot
 *      (d >> BITS * level) % SLOTS, on lane seq % LANES. So every level-k
 *      slot lies ahead of pos, and when pos reaches a slot, its timers fall
 *      to lower levels.
 *  Q3. A timer in the far heap differs from pos above the top level: it is
 *      later than everything in the wheel.
 *  Q4. near_last >= (pos << shift) - 1: nothing before pos's slot is in the
 *      wheel.
 *  Q5. The wheel moves only into a slot that has begun by the clock of the
 *      last aexec__tq_pop_due(); sorting a level-1 slot into the near heap
 *      is as far as it runs ahead, so near_last stays within one level-1
 *      slot of that clock and timers armed later land in the wheel.
 *      wheel_min, when known, is the earliest deadline in the wheel.
 *  Q6. A timer on q->pending (place AEXEC__TIMER_PENDING) is counted but in
 *      no other part, and its deadline field holds its delay; every
 *      aexec__tq_pop_due() empties the list first, so Q1-Q5 speak of the
 *      stamped deadlines.
 * Only the owning executor's thread touches a queue.
 */
#ifndef AEXEC_SRC_TIMER_QUEUE_H
#define AEXEC_SRC_TIMER_QUEUE_H

#include <stddef.h>

#include "aexec/timer_queue.h"
#include "aexec/trace.h"

/*
 * A level-1 slot holding at most this many timers drains straight into the
 * near heap: one pass over its nodes instead of two (cascade, then drain),
 * and a heap that size still fits in cache. It is also the most timers one
 * drain sorts from a slot, and a refill stops taking further level-0 slots
 * once it has sorted this many: any more in one slot (a burst on one
 * deadline) join the heap one by one, so no refill costs more than
 * O(m + SORT_MAX log SORT_MAX). Here, not in timer_queue.c, so that the
 * tests derive their counts from the same value.
 */
#ifndef AEXEC_CONFIG_TIMER_SORT_MAX
#define AEXEC_CONFIG_TIMER_SORT_MAX 256u
#endif

/* Where an armed timer is when it is not in a wheel slot (aexec_timer.place). */
#define AEXEC__TIMER_IN_NEAR 0xffffu
#define AEXEC__TIMER_IN_FAR 0xfffeu
#define AEXEC__TIMER_PENDING 0xfffdu /* on q->pending: aexec__tq_insert_after() */

/*
 * Empties `q` for a clock of `tick_hz` ticks per second: a level-0 slot is
 * the largest power of two of ticks not longer than 1/262144 s (so 2 to 4 us,
 * or one tick on slower clocks).
 */
void aexec__tq_init(aexec_timer_queue *q, uint64_t tick_hz);

/* Adds `t`, whose deadline is set; gives it the next seq. O(1). */
void aexec__tq_insert(aexec_timer_queue *q, aexec_timer *t);

/* Removes `t`, which is in `q`. O(1) in a slot, O(log n) amortized in a heap. */
void aexec__tq_remove(aexec_timer_queue *q, aexec_timer *t);

#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
/*
 * Adds `t` to fire `delay` ticks after the `now` of the next
 * aexec__tq_pop_due(), which stamps its deadline (saturating) and sorts it
 * in; gives it the next seq now, so equal deadlines still fire in arming
 * order. Until then it waits on q->pending, counted and removable. O(1).
 * The pending list is doubly linked through sibling/prev, the same for both
 * queue implementations, and inline: every relative sleep's first poll
 * comes here.
 */
static inline void aexec__tq_insert_after(aexec_timer_queue *q, aexec_timer *t, uint64_t delay)
{
    t->seq = q->seq++;
    q->count++;
    t->deadline = delay;
    t->place = AEXEC__TIMER_PENDING;
    t->prev = NULL;
    t->sibling = q->pending;
    if (q->pending != NULL)
        q->pending->prev = t;
    q->pending = t;
}

/*
 * Empties the pending list, giving each timer its deadline (`now` plus the
 * delay it waited with, saturating) and handing it to `enqueue`, the
 * implementation's own insert (a constant: the call is inlined).
 */
static inline void aexec__tq_pending_stamp(aexec_timer_queue *q, uint64_t now,
                                           void (*enqueue)(aexec_timer_queue *, aexec_timer *))
{
    aexec_timer *t = q->pending;
    q->pending = NULL;
    while (t != NULL) {
        aexec_timer *next = t->sibling; /* enqueue may reuse the link */
        t->deadline = now > UINT64_MAX - t->deadline ? UINT64_MAX : now + t->deadline;
        AEXEC__TRACE(timer_arm, t->executor, t, t->deadline);
        enqueue(q, t);
        t = next;
    }
}

static inline void aexec__tq_pending_unlink(aexec_timer_queue *q, aexec_timer *t)
{
    if (t->prev != NULL)
        t->prev->sibling = t->sibling;
    else
        q->pending = t->sibling;
    if (t->sibling != NULL)
        t->sibling->prev = t->prev;
    t->sibling = NULL;
    t->prev = NULL;
}
#endif

/*
 * aexec__tq_pop_due() in full, for the cases its inline part below leaves:
 * timers to stamp, or a near heap to refill from the wheel.
 */
aexec_timer *aexec__tq_pop_due_slow(aexec_timer_queue *q, uint64_t now);

/*
 * Removes and returns the earliest timer if its deadline is at or before
 * `now`, else returns NULL. First stamps the timers armed with
 * aexec__tq_insert_after() with `now`. Moves the wheel forward as needed
 * (each timer cascades at most once per level).
 *
 * The expiry loop calls this once per timer, and most calls find the near
 * heap filled and nothing pending: that case is inlined (the root decides,
 * and along a sorted slot's path it has at most one child), so a call saves
 * the full function's register saves. Optimizing for size, the call alone.
 */
static inline aexec_timer *aexec__tq_pop_due(aexec_timer_queue *q, uint64_t now)
{
#if !defined(__OPTIMIZE_SIZE__)
    aexec_timer *t = q->near;
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    int settled = t != NULL && q->pending == NULL;
#else
    int settled = t != NULL;
#endif
    if (settled) {
        if (t->deadline > now)
            return NULL;
        aexec_timer *c = t->child;
        if (c == NULL || c->sibling == NULL) {
            if (c != NULL)
                c->prev = NULL;
            q->near = c;
            t->child = NULL;
            q->count--;
            return t;
        }
    }
#endif
    return aexec__tq_pop_due_slow(q, now);
}

/*
 * The earliest deadline in `q`, exact, or UINT64_MAX when it is empty. Valid
 * after aexec__tq_pop_due() returned NULL, until the next insert or remove
 * (a pending timer has no deadline yet).
 */
uint64_t aexec__tq_next(const aexec_timer_queue *q);

#endif /* AEXEC_SRC_TIMER_QUEUE_H */
