/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Where the executor counts (internal; aexec/stats.h). Every hook is an
 * empty inline function when AEXEC_CONFIG_STATS is 0, so the hot path
 * compiles exactly as without them. With statistics on, a tracked task has
 * TS_TRACKED in its state word, which the hot paths' tests of the common
 * case include: an untracked task's wake and poll cost nothing more, and a
 * tracked one takes the general path, which looks its record up.
 */
#ifndef AEXEC_SRC_STATS_HOOKS_H
#define AEXEC_SRC_STATS_HOOKS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/stats.h"
#include "inline.h"
#include "task_owner.h"
#include "task_state.h"

#if AEXEC_CONFIG_STATS

/* Zeroes the executor's counters (stats.c). */
void aexec__stats_zero(aexec_executor *ex);

/* The table index where the search for `t` starts: a multiplicative hash of its address. */
static inline uint32_t aexec__stats_hash(const aexec_executor *ex, const aexec_task *t)
{
    uint32_t a = (uint32_t)((uintptr_t)t >> 4);
    return (a * 0x9E3779B1u >> 8) & ex->stats_mask;
}

/* The record of `t`, or NULL if it is not tracked. Any context (wakes). */
static inline aexec_task_stats *aexec__stats_find(const aexec_executor *ex, const aexec_task *t)
{
    if (ex->stats_mask == 0u)
        return NULL;
    for (uint32_t i = aexec__stats_hash(ex, t);; i = (i + 1u) & ex->stats_mask) {
        aexec_task_stats *r = &ex->stats_table[i];
        uintptr_t k = atomic_load_explicit(&r->task, memory_order_acquire);
        if (k == (uintptr_t)t)
            return r;
        if (k == 0u)
            return NULL;
    }
}

static inline uint64_t aexec__stats_now(const aexec_executor *ex)
{
    return ex->port->now != NULL ? ex->port->now(ex->ctx) : 0u;
}

/* Polls tracked task `t` of `ex`: counts the poll and the ticks it took (stats.c). */
aexec_poll aexec__stats_timed_poll(aexec_executor *ex, aexec_task *t, aexec_cx *cx);

/* Counts a wake of tracked task `t` in its executor's table (stats.c). Any context. */
void aexec__stats_wake_tracked(const aexec_task *t);

/*
 * Polls `t`, whose state word read `s` as its poll began: a tracked task
 * out of line, so an untracked poll keeps no record and no start time
 * across its call. The executor's thread.
 */
static AEXEC__ALWAYS_INLINE aexec_poll aexec__stats_poll(aexec_executor *ex, aexec_task *t,
                                                         aexec_cx *cx, uint32_t s)
{
    if (s & TS_TRACKED)
        return aexec__stats_timed_poll(ex, t, cx);
    return t->poll(t, cx);
}

/*
 * aexec_spawn() of `t` on `ex`, which owns its storage (CLAIMED): a task
 * in the table gets its bit back if its header was initialized anew since
 * it was tracked. The spawner's context.
 */
static inline void aexec__stats_spawn(aexec_executor *ex, aexec_task *t)
{
    if (ex->stats_mask != 0u && aexec__stats_find(ex, t) != NULL)
        atomic_fetch_or_explicit(&t->state, TS_TRACKED, memory_order_relaxed);
}

/* A wake call on `t`, whose state word read `s` just before or as it acted. Any context. */
static inline void aexec__stats_wake_seen(const aexec_task *t, uint32_t s)
{
    if (s & TS_TRACKED)
        aexec__stats_wake_tracked(t);
}

/* A wake call on `t` where no state word was read: reads one. Any context. */
static inline void aexec__stats_wake_task(const aexec_task *t)
{
    aexec__stats_wake_seen(t, atomic_load_explicit(&t->state, memory_order_relaxed));
}

/*
 * A batch polled `n` tasks. No clock read here: busy time is the time since
 * the counters started less the idle time (stats.c), so a batch costs no
 * time-driver call, which on a host is a clock_gettime() per batch.
 */
static inline void aexec__stats_batch(aexec_executor *ex, uint32_t n)
{
    if (n == 0u)
        return;
    ex->stats.batches++;
    if (n > ex->stats.ready_high)
        ex->stats.ready_high = n;
}

static inline uint64_t aexec__stats_idle_begin(aexec_executor *ex)
{
    return aexec__stats_now(ex);
}

static inline void aexec__stats_idle_end(aexec_executor *ex, uint64_t start)
{
    ex->stats.idles++;
    ex->stats.idle_ticks += aexec__stats_now(ex) - start;
}

/* A timer was armed; `count` timers are armed now. */
static inline void aexec__stats_timer_armed(aexec_executor *ex, uint32_t count)
{
    if (count > ex->stats.timers_high)
        ex->stats.timers_high = count;
}

#else /* !AEXEC_CONFIG_STATS */

static AEXEC__ALWAYS_INLINE aexec_poll aexec__stats_poll(aexec_executor *ex, aexec_task *t,
                                                         aexec_cx *cx, uint32_t s)
{
    (void)ex;
    (void)s;
    return t->poll(t, cx);
}
static inline void aexec__stats_spawn(aexec_executor *ex, aexec_task *t)
{
    (void)ex;
    (void)t;
}
static inline void aexec__stats_wake_seen(const aexec_task *t, uint32_t s)
{
    (void)t;
    (void)s;
}
/* No load of the state word: an atomic load stays even when nothing uses it. */
static inline void aexec__stats_wake_task(const aexec_task *t)
{
    (void)t;
}
static inline void aexec__stats_batch(aexec_executor *ex, uint32_t n)
{
    (void)ex;
    (void)n;
}
static inline uint64_t aexec__stats_idle_begin(aexec_executor *ex)
{
    (void)ex;
    return 0u;
}
static inline void aexec__stats_idle_end(aexec_executor *ex, uint64_t start)
{
    (void)ex;
    (void)start;
}
static inline void aexec__stats_timer_armed(aexec_executor *ex, uint32_t count)
{
    (void)ex;
    (void)count;
}

#endif /* AEXEC_CONFIG_STATS */

#endif /* AEXEC_SRC_STATS_HOOKS_H */
