/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The executor: one run queue, one timer queue, one consumer.
 *
 * aexec_executor_poll() runs one batch of ready tasks, expires due timers,
 * programs the next alarm and returns: a kernel can call it from its timer
 * interrupt or its idle loop. aexec_run() is a loop on top of it that sleeps
 * in the port's idle() hook when nothing is ready.
 *
 * Exactly one context polls a given executor at a time (the "executor's
 * thread"); wakes and spawns may come from anywhere.
 */
#ifndef AEXEC_EXECUTOR_H
#define AEXEC_EXECUTOR_H

#include <stdint.h>

#include "aexec/error.h"
#include "aexec/port.h"
#include "aexec/stats.h"
#include "aexec/task.h"
#include "aexec/timer_queue.h"

struct aexec_join; /* aexec/task.h */

/*
 * The cache line size the executor's layout assumes (bytes; 0 for no
 * padding, e.g. on a core without caches). The library and every user of
 * this header must see the same value.
 */
#ifndef AEXEC_CONFIG_CACHE_LINE
#define AEXEC_CONFIG_CACHE_LINE 64
#endif
#if AEXEC_CONFIG_CACHE_LINE > 0
#define AEXEC__OWN_LINE _Alignas(AEXEC_CONFIG_CACHE_LINE)
#else
#define AEXEC__OWN_LINE
#endif

/*
 * An executor: its run queue, its timer queue and its port. Static storage,
 * set up by aexec_executor_init() (or a backend's init).
 */
struct aexec_executor { // NOLINT(clang-analyzer-optin.performance.Padding): lines, see below
    /* private: the library's state; use the functions below. */
    /*
     * The run queue: an intrusive stack that wakers push with one CAS and the
     * executor takes whole with one exchange. While the executor is awake the
     * stack ends in a marker instead of NULL, so a push onto an empty queue
     * only calls pend() when the executor has said it is going to sleep.
     *
     * The first cache line is what other contexts touch: the head, and the
     * fields a waker reads to pend, which never change after init, beside
     * the spin setting, which the executor reads and seldom sets. The
     * executor's own fields live on the next line, so a waker on another
     * core steals only the head's line and the executor's bookkeeping
     * between two wakes never has to fetch it back.
     */
    aexec_task *_Atomic head;
    const aexec_port *port;
    void *ctx;
    uint32_t magic;
    uint32_t spin; /* queue checks before idle(); 0 on bare metal */
    /*
     * Wakes of this executor's own tasks made on its thread (aexec_cx_wake).
     * The local wake list, linked through the tasks' `wake_link` words,
     * holds the ones that cost no atomic read-modify-write
     * (src/core/wake_list.h): wake_list_end is the word the next entry's
     * link goes into, wake_list_first (below, with the other words) the
     * first entry's link. The FIFO, linked through `next`, holds the ones
     * that set RUN_QUEUED (src/core/fifo.h); while it holds a task, local
     * wakes follow it there, so a batch polls them in order.
     */
    AEXEC__OWN_LINE _Atomic uint32_t *wake_list_end;
    aexec_task *fifo_head;
    aexec_task **fifo_tail;
    _Atomic uint32_t stop;            /* aexec_executor_stop() was called */
    _Atomic uint32_t polling;         /* guards the single-consumer rule */
    uint32_t live;                    /* spawned tasks this executor has counted and not finished */
    uint32_t lingering;               /* links of finished tasks (LINGER) not popped yet */
    _Atomic uint32_t wake_list_first; /* the local wake list's first link, or 0 */
    uint32_t attn; /* what a batch must look at besides the list (src/core/attention.h) */
    aexec_task *last_pending; /* the last task the last batch left pending: the one to watch */
    aexec_task *watched;      /* the task whose WATCHED bit this executor set (I7), or NULL */
    aexec_pool *done_pools;   /* pools with slots to return before the next batch */
    struct aexec_join *joins; /* tasks waiting for one of ours to finish (under the port's cs) */
    uint64_t tick_hz;
    uint64_t alarm; /* deadline last passed to set_alarm (unused when built for size) */
#if AEXEC_CONFIG_STATS
    /* aexec/stats.h: the caller's table of tracked tasks, and the executor's counters. */
    aexec_task_stats *stats_table;
    uint32_t stats_mask; /* table size - 1, or 0 with no table */
    uint32_t stats_tracked;
    uint64_t stats_since; /* now() when the counters started */
    aexec_executor_counts stats;
#endif
    /* Last: the wheel's slots are cold next to the fields above. */
    aexec_timer_queue timers;
};

/*
 * The configuration that decides aexec_executor's layout, as the code that
 * includes this header sees it: the wheel's shape, the cache-line padding,
 * statistics, and the size they add up to. Some defaults depend on the
 * compiler's flags (no wheel under -Os), so a program and the library built
 * at different levels, or with different AEXEC_CONFIG_* flags, can disagree
 * about the executor's size and the offsets of its fields. The init
 * functions below are macros that pass this value, and the library compares
 * it with its own before it writes to the executor (docs/porting.md, "One
 * layout for the library and its users").
 */
#define AEXEC__LAYOUT                                                                             \
    ((uint32_t)AEXEC_CONFIG_TIMER_WHEEL_LEVELS | (uint32_t)AEXEC_CONFIG_TIMER_WHEEL_BITS << 4u |  \
     (uint32_t)AEXEC_CONFIG_TIMER_LANES << 8u | (uint32_t)(AEXEC_CONFIG_CACHE_LINE != 0) << 12u | \
     (uint32_t)AEXEC_CONFIG_STATS << 13u | (uint32_t)sizeof(aexec_executor) << 14u)

/* aexec_run() results. */
#define AEXEC_RUN_DONE 0    /* every spawned task finished */
#define AEXEC_RUN_STOPPED 1 /* aexec_executor_stop() was called */

/*
 * Initializes `ex` with the hooks in `port`, called with `ctx`, and the time
 * driver's tick rate `tick_hz` (0 if the port has no time driver). `port`
 * must outlive the executor. Before any other use, from one context.
 * Returns 0, or AEXEC_EINVAL if `ex` or `port` is NULL, port->pend is NULL,
 * or now/set_alarm are given without the other or without a tick rate.
 * Asserts that a tick rate comes with a time driver (tick_hz != 0 with no
 * now is a port that is wrong, not an input to report).
 */
int aexec_executor_init(aexec_executor *ex, const aexec_port *port, void *ctx, uint64_t tick_hz);

/*
 * The layout test of the init macros (this one and the backends'): 0 if
 * `layout` is the library's AEXEC__LAYOUT, else asserts (a program built
 * with other configuration flags than its library is a build that is wrong)
 * and returns AEXEC_EINVAL. Internal; any context.
 */
int aexec__layout_check(uint32_t layout);

/*
 * aexec_executor_init() that first compares `layout`, the caller's
 * AEXEC__LAYOUT, with the library's: a mismatch asserts and returns
 * AEXEC_EINVAL with `ex` untouched (as aexec__layout_check). Internal; the
 * call a caller that optimizes for size makes through the macro below.
 */
int aexec__executor_init(aexec_executor *ex, const aexec_port *port, void *ctx, uint64_t tick_hz,
                         uint32_t layout);

/*
 * aexec_executor_init() as a call spells it: the caller's AEXEC__LAYOUT is
 * checked first, and a mismatch returns AEXEC_EINVAL with `ex` untouched.
 * `(aexec_executor_init)(...)` and a pointer to the function skip the check.
 * Optimizing for size, one call does both (aexec__executor_init).
 */
#if defined(__OPTIMIZE_SIZE__)
#define aexec_executor_init(ex, port, ctx, tick_hz) \
    aexec__executor_init((ex), (port), (ctx), (tick_hz), AEXEC__LAYOUT)
#else
#define aexec_executor_init(ex, port, ctx, tick_hz) \
    (aexec__layout_check(AEXEC__LAYOUT) != 0        \
         ? AEXEC_EINVAL                             \
         : (aexec_executor_init)((ex), (port), (ctx), (tick_hz)))
#endif

/*
 * Sets how many times aexec_run() re-checks its queue before it calls idle()
 * (with a CPU pause hint between checks). A spin hides the cost of waking a
 * sleeping executor from a peer that answers within microseconds; bare metal
 * wants 0 (sleep at once, save power), which is the default after
 * aexec_executor_init(). The executor's thread.
 */
void aexec_executor_set_spin(aexec_executor *ex, uint32_t checks);

/*
 * Runs one batch: expires due timers (at most AEXEC_CONFIG_TIMER_BATCH, in
 * deadline order; the alarm stays in the past while more are due), then
 * polls every task that was ready when the batch began, in wake order. A
 * task woken during the batch runs in the next one, so a task that keeps
 * waking itself cannot starve the others. Finally programs the alarm for the
 * earliest timer and, if wakes arrived during the batch, calls pend() so the
 * caller's idle loop does not sleep through them.
 * Task context of the kernel, its idle loop, or a timer interrupt; never from
 * inside one of this executor's polls, never from two contexts at once
 * (both assert). Returns the number of tasks polled.
 */
uint32_t aexec_executor_poll(aexec_executor *ex);

/*
 * Polls batches until no spawned task remains (returns AEXEC_RUN_DONE) or
 * until aexec_executor_stop() is called (returns AEXEC_RUN_STOPPED), sleeping
 * in the port's idle() whenever nothing is ready. The executor's thread;
 * asserts that the port has an idle hook.
 * A task that finished while another context was linking it for a wake
 * leaves that link to be popped; AEXEC_RUN_DONE waits for it, so a task
 * spawned again into such storage gets its first poll, and a pool slot is
 * back in its pool, before aexec_run() returns.
 */
int aexec_run(aexec_executor *ex);

/*
 * Asks aexec_run() to return after the batch in progress. Any context. The
 * request is consumed by the run loop that returns; tasks stay spawned and a
 * later aexec_run() resumes them.
 */
void aexec_executor_stop(aexec_executor *ex);

/*
 * How many spawned tasks this executor has started polling and not
 * finished. The executor's thread.
 */
static inline uint32_t aexec_executor_live(const aexec_executor *ex)
{
    return ex->live;
}

#endif /* AEXEC_EXECUTOR_H */
