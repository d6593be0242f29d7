/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The timer node and the per-executor timer queue (data only).
 *
 * The queue lives inside aexec_executor, so its layout is public; its
 * operations are internal (src/time/timer_queue.h) and a task reaches them
 * through aexec_timer_arm() / aexec_timer_cancel() in aexec/time.h.
 *
 * Shape (docs/time.md, "The queue", has the argument and the numbers):
 *  - a hierarchical timing wheel of AEXEC_CONFIG_TIMER_WHEEL_LEVELS levels of
 *    2^AEXEC_CONFIG_TIMER_WHEEL_BITS slots; a level-0 slot spans 2^shift
 *    ticks (2 to 4 us, or one tick on slower clocks), each level 2^BITS
 *    times the one below. A slot is an unsorted list, so arming a timer is
 *    O(1) and touches only its node and the slot's head.
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

/* Hosted targets: a compiler for an OS (the defaults below differ). */
#if defined(__linux__) || defined(__unix__) || defined(__APPLE__) || defined(_WIN32)
#define AEXEC__HOSTED_TARGET 1
#else
#define AEXEC__HOSTED_TARGET 0
#endif

/*
 * The wheel's size: LEVELS levels of 2^BITS slots, each slot LANES
 * pointers (below). BITS is 4 to 8; LEVELS * BITS must stay below 64.
 *
 * Hosted targets (a compiler for an OS: __linux__, __unix__, __APPLE__,
 * _WIN32) default to a wheel for 100,000 timers. 64-bit ones get 5 levels
 * of 256 slots: they span 2^40 level-0 slots, 26 days on a 1 GHz host, so
 * even timeouts of hours and days are armed and fired in O(1) (B4q with
 * deadlines spread over 3 days: 1,200 ns per insert+pop with 3 levels, 128
 * with 5); 32-bit ones get 3 levels, 2^24 slots. A timer cascades once per
 * level it falls through, so wide levels mean few cache misses per expiry.
 *
 * Bare-metal targets (an -elf toolchain) default to 4 levels of 64 slots
 * and one lane: the same 2^24 slots (54 s at 10 MHz; later deadlines wait
 * in the far heap) at one more cascade, for an executor of 2.6 KiB on rv64
 * and 1.3 KiB on rv32 instead of 41 KiB and 4.3 KiB. docs/porting.md
 * ("Footprint") has the table, and a configuration of under 512 bytes.
 */
#ifndef AEXEC_CONFIG_TIMER_WHEEL_BITS
#if AEXEC__HOSTED_TARGET
#define AEXEC_CONFIG_TIMER_WHEEL_BITS 8
#else
#define AEXEC_CONFIG_TIMER_WHEEL_BITS 6
#endif
#endif
#ifndef AEXEC_CONFIG_TIMER_WHEEL_LEVELS
#if AEXEC__HOSTED_TARGET && UINTPTR_MAX > 0xffffffffu
#define AEXEC_CONFIG_TIMER_WHEEL_LEVELS 5
#elif AEXEC__HOSTED_TARGET
#define AEXEC_CONFIG_TIMER_WHEEL_LEVELS 3
#else
#define AEXEC_CONFIG_TIMER_WHEEL_LEVELS 4
#endif
#endif
/*
 * At most this many timers fire per expiry step (one before each batch):
 * a burst of due timers is spread over batches, in deadline order, so each
 * task is polled while its timer's cache lines are still warm and no batch
 * grows without bound. Leftover due timers keep the alarm in the past.
 */
#ifndef AEXEC_CONFIG_TIMER_BATCH
#define AEXEC_CONFIG_TIMER_BATCH 128
#endif
/*
 * Each slot keeps LANES lists (a timer's lane is its seq modulo LANES), and a
 * cascade walks them side by side: a list walk waits for one node before it
 * can load the next, so with nodes in DRAM one list costs a full miss per
 * timer, while four lists keep four misses in flight (B4 at 100,000 timers:
 * 245 -> 126 CPU ns per expiry; B4q: 301 -> 106 ns). That pays where timers
 * outgrow the caches, so 64-bit hosted targets get 4 lanes; 32-bit and
 * bare-metal ones, whose RAM is usually on-chip and whose executors should
 * stay small, get 1. 1, 2, 4 or 8.
 */
#ifndef AEXEC_CONFIG_TIMER_LANES
#if AEXEC__HOSTED_TARGET && UINTPTR_MAX > 0xffffffffu
#define AEXEC_CONFIG_TIMER_LANES 4
#else
#define AEXEC_CONFIG_TIMER_LANES 1
#endif
#endif

/* Derived: slots per level, and 64-bit words in a level's occupancy bitmap. */
#define AEXEC_TIMER_WHEEL_SLOTS (1u << AEXEC_CONFIG_TIMER_WHEEL_BITS)
#define AEXEC_TIMER_WHEEL_WORDS ((AEXEC_TIMER_WHEEL_SLOTS + 63u) / 64u)

/*
 * A timer node: a deadline, the task to wake, and its place in the
 * executor's queue. Embed it in a future; the futures in aexec/time.h do.
 * Zero it, or aexec_timer_init() it, before first use.
 */
typedef struct aexec_timer {
    /* private: the timer queue's; aexec/time.h's functions read and write it. */
    uint64_t deadline;
    uint64_t seq;                /* arming order: equal deadlines fire FIFO */
    struct aexec_timer *child;   /* in a heap: first child */
    struct aexec_timer *sibling; /* in a heap: next sibling; in a slot: next node */
    struct aexec_timer *prev;    /* in a heap: left sibling or parent; in a slot: previous node */
    aexec_task *waker;
    aexec_executor *executor; /* while armed */
    uint16_t state;           /* AEXEC_TIMER_IDLE / _ARMED / _FIRED */
    uint16_t place;           /* while armed: level << BITS | slot, or a heap (internal) */
} aexec_timer;

/* A timer's state: not armed, armed in a queue, fired (until armed again). */
#define AEXEC_TIMER_IDLE 0u
#define AEXEC_TIMER_ARMED 1u
#define AEXEC_TIMER_FIRED 2u

/* The timer queue of one executor (the shape is described at the top of this file). */
typedef struct aexec_timer_queue {
    /* private: the executor's state; src/time/timer_queue.h has its operations. */
    aexec_timer *near; /* heap: every armed timer with deadline <= near_last */
    uint64_t seq;      /* the next arming's seq */
    uint32_t count;    /* armed timers */
#if AEXEC_CONFIG_TIMER_WHEEL_LEVELS > 0
    aexec_timer *far;   /* heap: deadlines beyond the wheel's span */
    uint64_t near_last; /* see above */
    uint64_t pos;       /* the wheel's position, in level-0 slots (deadline >> shift) */
    uint64_t hint;      /* if hint_valid: the earliest deadline in the wheel */
    uint32_t hint_valid;
    uint32_t shift; /* log2 of a level-0 slot's width in ticks */
    /* bit s % 64 of word s / 64: slot s is not empty */
    uint64_t occupied[AEXEC_CONFIG_TIMER_WHEEL_LEVELS][AEXEC_TIMER_WHEEL_WORDS];
    aexec_timer
        *slot[AEXEC_CONFIG_TIMER_WHEEL_LEVELS][AEXEC_TIMER_WHEEL_SLOTS][AEXEC_CONFIG_TIMER_LANES];
    /* Timers in each level-1 slot: a small one is sorted in the near heap
     * at once instead of cascading through level 0 first. */
    uint32_t level1_count[AEXEC_TIMER_WHEEL_SLOTS];
#endif
} aexec_timer_queue;

#endif /* AEXEC_TIMER_QUEUE_H */
