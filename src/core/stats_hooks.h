/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Where the executor counts (internal; aexec/stats.h). Every hook is an
 * empty inline function when AEXEC_CONFIG_STATS is 0, so the hot path
 * compiles exactly as without them.
 */
#ifndef AEXEC_SRC_STATS_HOOKS_H
#define AEXEC_SRC_STATS_HOOKS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/stats.h"
#include "task_owner.h"

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

typedef struct aexec__stats_poll {
    aexec_task_stats *rec;
    uint64_t start;
} aexec__stats_poll;

static inline aexec__stats_poll aexec__stats_poll_begin(aexec_executor *ex, aexec_task *t)
{
    aexec__stats_poll p;
    p.rec = aexec__stats_find(ex, t);
    p.start = 0u;
    if (p.rec != NULL) {
        /* Counted as it begins: a task inside its first poll (a shell
         * printing its own statistics) shows 1, not 0. */
        p.rec->polls++;
        p.start = aexec__stats_now(ex);
    }
    return p;
}

static inline void aexec__stats_poll_end(aexec_executor *ex, aexec__stats_poll p)
{
    if (p.rec == NULL)
        return;
    p.rec->poll_ticks += aexec__stats_now(ex) - p.start;
}

/* A wake call on `t` of executor `ex` (NULL when the task has none yet). Any context. */
static inline void aexec__stats_wake(const aexec_executor *ex, const aexec_task *t)
{
    if (ex == NULL)
        return;
    aexec_task_stats *r = aexec__stats_find(ex, t);
    if (r != NULL)
        atomic_fetch_add_explicit(&r->wakes, 1u, memory_order_relaxed);
}

/* A wake call on `t`, whose executor is looked up only in a stats build. Any context. */
static inline void aexec__stats_wake_task(const aexec_task *t)
{
    aexec__stats_wake(aexec__task_executor(t), t);
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

typedef struct aexec__stats_poll {
    char unused;
} aexec__stats_poll;

static inline aexec__stats_poll aexec__stats_poll_begin(aexec_executor *ex, aexec_task *t)
{
    (void)ex;
    (void)t;
    aexec__stats_poll p;
    p.unused = 0; /* not `= {0}`: clang -O0 makes that a memset call, which bare metal lacks */
    return p;
}
static inline void aexec__stats_poll_end(aexec_executor *ex, aexec__stats_poll p)
{
    (void)ex;
    (void)p;
}
static inline void aexec__stats_wake(const aexec_executor *ex, const aexec_task *t)
{
    (void)ex;
    (void)t;
}
/* Takes the task alone: an argument such as the owner's atomic load would
 * be evaluated even for a no-op. */
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
