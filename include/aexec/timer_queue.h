/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The timer node and the per-executor timer queue (data only).
 *
 * The queue lives inside aexec_executor, so its layout is public; its
 * operations are internal (src/time/timer_queue.h) and a task reaches them
 * through aexec_timer_arm() / aexec_timer_cancel() in aexec/time.h.
 *
 * Shape (docs/time.md, "The queue", has the argument):
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
 *  - a "pending" list of relative sleeps armed since the last expiry step,
 *    whose deadline the next one stamps with its clock
 *    (AEXEC_CONFIG_TIMER_BATCH_CLOCK below).
 * A timer is touched a bounded number of times between arm and fire (once
 * per level it cascades through), so the cost per expiry does not grow with
 * the number of timers.
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
 * The wheel's size: LEVELS levels of 2^BITS slots, each slot LANES lists.
 * BITS is 4 to 8; LEVELS * BITS must stay below 64; LEVELS 0 leaves the two
 * heaps alone. A level-0 slot is the largest power of two of ticks not
 * longer than 1/262144 s: 32 ticks (3.2 us) at 10 MHz, 2,048 (2.05 us) at
 * 1 GHz. The wheel spans 2^(LEVELS * BITS) level-0 slots; later deadlines
 * wait in the far heap. A timer cascades once per level it falls through,
 * so wide levels mean few cache misses per expiry. Hosted targets (a
 * compiler for an OS: __linux__, __unix__, __APPLE__, _WIN32) default to a
 * wheel for 100,000 timers, bare-metal ones (an -elf toolchain) to a small
 * one. What follows from the constants (sizeof(aexec_timer_queue), inside
 * each executor):
 *
 *   default for              LEVELS  BITS  LANES  span        at 10 MHz  at 1 GHz  memory
 *   64-bit hosted               5      8     4    2^40 slots  40 days    26 days   41.2 KiB
 *   64-bit hosted, 1 lane       5      8     1    2^40 slots  40 days    26 days   11.2 KiB
 *   32-bit hosted               3      8     1    2^24 slots  54 s       34 s      4.1 KiB
 *   bare metal, rv64            4      6     1    2^24 slots  54 s       34 s      2.3 KiB
 *   bare metal, rv32            4      6     1    2^24 slots  54 s       34 s      1.3 KiB
 *   heaps only (-Os default)    0      -     -    none        -          -         24 bytes
 *
 * Memory is LEVELS * 2^BITS * LANES slot pointers, 2^BITS 32-bit level-1
 * counts, LEVELS * ceil(2^BITS / 64) occupancy words and the fields.
 * docs/porting.md ("Footprint") has more configurations, docs/time.md ("The
 * queue") the argument and docs/benchmarks.md (B4, B4q) the measurements.
 */
#ifndef AEXEC_CONFIG_TIMER_WHEEL_BITS
#if AEXEC__HOSTED_TARGET
#define AEXEC_CONFIG_TIMER_WHEEL_BITS 8
#else
#define AEXEC_CONFIG_TIMER_WHEEL_BITS 6
#endif
#endif
/*
 * A build optimizing for size (-Os, -Oz: __OPTIMIZE_SIZE__) has no wheel by
 * default: the wheel is a speed structure for many timers, and the heaps
 * alone keep the same API, the same exact order and O(log n) amortized
 * arming and firing, in 1.4 KiB less text and most of the executor's RAM.
 * The level count shapes aexec_executor, so the library and every file
 * that includes this header must see the same value: a kernel that builds
 * the library at -Os and its own code at another level (or links a library
 * built at another level) sets AEXEC_CONFIG_TIMER_WHEEL_LEVELS for both.
 */
#ifndef AEXEC_CONFIG_TIMER_WHEEL_LEVELS
#if defined(__OPTIMIZE_SIZE__)
#define AEXEC_CONFIG_TIMER_WHEEL_LEVELS 0
#elif AEXEC__HOSTED_TARGET && UINTPTR_MAX > 0xffffffffu
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
 * timer, while four lists keep four misses in flight. That pays where
 * timers outgrow the caches, so 64-bit hosted targets get 4 lanes; 32-bit
 * and bare-metal ones, whose RAM is usually on-chip and whose executors
 * should stay small, get 1. 1, 2, 4 or 8.
 */
#ifndef AEXEC_CONFIG_TIMER_LANES
#if AEXEC__HOSTED_TARGET && UINTPTR_MAX > 0xffffffffu
#define AEXEC_CONFIG_TIMER_LANES 4
#else
#define AEXEC_CONFIG_TIMER_LANES 1
#endif
#endif

/*
 * 1: a relative sleep (aexec_sleep_for_init, aexec_timeout_for_init) counts
 * from the clock the executor reads for its next expiry step, right after
 * the batch in which the sleep was first polled, so a batch that arms m
 * sleeps reads now() once instead of m + 1 times (on a hosted target each
 * read is a vDSO call; docs/time.md has the cost). The sleep still never
 * ends early (that clock is read after its first poll) and ends at most
 * the rest of that batch late. 0: each first poll reads now() itself. The
 * stamping code costs text, so builds optimizing for size (-Os:
 * __OPTIMIZE_SIZE__) default to 0.
 */
#ifndef AEXEC_CONFIG_TIMER_BATCH_CLOCK
#if defined(__OPTIMIZE_SIZE__)
#define AEXEC_CONFIG_TIMER_BATCH_CLOCK 0
#else
#define AEXEC_CONFIG_TIMER_BATCH_CLOCK 1
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
    uint64_t wheel_min; /* if wheel_min_known: the earliest deadline in the wheel, exactly */
    uint32_t wheel_min_known;
    uint32_t shift; /* log2 of a level-0 slot's width in ticks */
    /* bit s % 64 of word s / 64: slot s is not empty */
    uint64_t occupied[AEXEC_CONFIG_TIMER_WHEEL_LEVELS][AEXEC_TIMER_WHEEL_WORDS];
    aexec_timer
        *slot[AEXEC_CONFIG_TIMER_WHEEL_LEVELS][AEXEC_TIMER_WHEEL_SLOTS][AEXEC_CONFIG_TIMER_LANES];
    /* Timers in each level-1 slot: a small one is sorted in the near heap
     * at once instead of cascading through level 0 first. */
    uint32_t level1_count[AEXEC_TIMER_WHEEL_SLOTS];
#endif
    /* Armed relative to the next pop's clock, so no deadline yet
     * (aexec__tq_insert_after): linked by sibling/prev, deadline holds the
     * delay. Present whatever AEXEC_CONFIG_TIMER_BATCH_CLOCK says, so that
     * option does not change the layout; last, so the fields above keep
     * their (short) offsets. */
    aexec_timer *pending;
} aexec_timer_queue;

/* How many timers are armed in `q` (internal: the executor asks before every batch). */
static inline uint32_t aexec__tq_count(const aexec_timer_queue *q)
{
    return q->count;
}

#endif /* AEXEC_TIMER_QUEUE_H */
