/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The timer node and the per-executor timer queue (data only).
 *
 * The queue lives inside aexec_executor, so its layout is public; its
 * operations are internal (src/time/timer_queue.h) and a task reaches them
 * through aexec_timer_arm() / aexec_timer_cancel() in aexec/time.h.
 *
 * Shape (docs/time.md, "The timer queue", has the argument and the numbers):
 *  - a hierarchical timing wheel of AEXEC_CONFIG_TIMER_WHEEL_LEVELS levels of
 *    64 slots; a level-0 slot spans 2^shift ticks (about 4 us, chosen from
 *    tick_hz), each level 64 times the one below. A slot is an unsorted list,
 *    so arming a timer is O(1) and touches only its node and the slot's head.
 *  - a "near" pairing heap that holds, exactly ordered by (deadline, seq),
 *    every timer due up to near_last: the slot being drained and anything
 *    armed behind the wheel's position. The next deadline is its root, so
 *    the alarm is always exact.
 *  - a "far" pairing heap for deadlines beyond the wheel's span (and
 *    AEXEC_INSTANT_MAX); they enter the wheel only when they come due.
 * A timer is touched a bounded number of times between arm and fire (once
 * per level it cascades through), which is what keeps the cost per expiry
 * flat from 1,000 to 100,000 timers.
 */
#ifndef AEXEC_TIMER_QUEUE_H
#define AEXEC_TIMER_QUEUE_H

#include <stdint.h>

typedef struct aexec_task aexec_task;
typedef struct aexec_executor aexec_executor;

/*
 * Levels of the wheel (each 64 slots of one pointer). With the default 4 and
 * 4 us slots the wheel spans about 17 s (34 s on a 1 GHz host); later
 * deadlines wait in the far heap. 1 is the smallest; every level costs 64
 * pointers and 8 bytes in each executor.
 */
#ifndef AEXEC_CONFIG_TIMER_WHEEL_LEVELS
#define AEXEC_CONFIG_TIMER_WHEEL_LEVELS 4
#endif

/*
 * A timer node: a deadline, the task to wake, and its place in the
 * executor's queue. Embed it in a future; the futures in aexec/time.h do.
 * Zero it, or aexec_timer_init() it, before first use.
 */
typedef struct aexec_timer {
    uint64_t deadline;
    uint64_t seq;                /* arming order: equal deadlines fire FIFO */
    struct aexec_timer *child;   /* in a heap: first child */
    struct aexec_timer *sibling; /* in a heap: next sibling; in a slot: next node */
    struct aexec_timer *prev;    /* in a heap: left sibling or parent; in a slot: previous node */
    aexec_task *waker;
    aexec_executor *executor; /* while armed */
    uint16_t state;           /* AEXEC_TIMER_IDLE / _ARMED / _FIRED */
    uint16_t place;           /* while armed: level * 64 + slot, or a heap (internal) */
} aexec_timer;

#define AEXEC_TIMER_IDLE 0u
#define AEXEC_TIMER_ARMED 1u
#define AEXEC_TIMER_FIRED 2u

typedef struct aexec_timer_queue {
    aexec_timer *near;  /* heap: every armed timer with deadline <= near_last */
    aexec_timer *far;   /* heap: deadlines beyond the wheel's span */
    uint64_t near_last; /* see above */
    uint64_t pos;       /* the wheel's position, in level-0 slots (deadline >> shift) */
    uint64_t seq;       /* the next arming's seq */
    uint32_t count;     /* armed timers */
    uint32_t shift;     /* log2 of a level-0 slot's width in ticks */
    uint64_t occupied[AEXEC_CONFIG_TIMER_WHEEL_LEVELS]; /* bit s: slot s is not empty */
    aexec_timer *slot[AEXEC_CONFIG_TIMER_WHEEL_LEVELS][64];
} aexec_timer_queue;

#endif /* AEXEC_TIMER_QUEUE_H */
