/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The watched task (internal; invariant I7 in task_state.h). While
 * aexec_run() spins for work, the executor watches the task its last batch
 * left pending (ex->last_pending): it sets that task's WATCHED bit, and a
 * wake whose fetch_or finds WATCHED leaves the link to the executor instead
 * of pushing. (Outside -Os no poll stores it: aexec_run sets it before the
 * spin from its cx, which names the last task polled, NULL if that poll
 * finished it.) The executor sees RUN_QUEUED in its spin, or at the start of
 * its next batch, and appends the task to its FIFO, so a thread that
 * answers one task touches only that task's cache line per round trip.
 *
 * Exactly one side links each wake: the waker's fetch_or and the
 * executor's un-watch (a fetch_and of WATCHED) act on one word. The
 * executor un-watches before idle() and before aexec_run() returns, so it
 * never sleeps on a wake that did not pend. Everything here runs on the
 * executor's thread; docs/design.md, "Waking the task the executor
 * watches", has the costs. Included by executor.c only: aexec__watch and
 * aexec__unwatch are plain static functions, as they were there, so the
 * compiler weighs inlining them into the run loop as before.
 */
#ifndef AEXEC_SRC_WATCH_H
#define AEXEC_SRC_WATCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "attention.h"
#include "fifo.h"
#include "inline.h"
#include "rmw.h"
#include "task_state.h"

#if AEXEC__LOCAL_WAKES

/*
 * Stops watching. A wake that saw WATCHED left the link to us: queue the
 * task on the FIFO, so the caller does not sleep on it.
 */
static void aexec__unwatch(aexec_executor *ex)
{
    aexec_task *w = ex->watched;
    if (w == NULL)
        return;
    ex->watched = NULL;
    aexec__attn_clear(ex, AEXEC__ATTN_WATCHED);
    if (aexec__state_fetch_and(ex, w, ~TS_WATCHED) & TS_RUN_QUEUED)
        aexec__fifo_append(ex, w);
}

/*
 * Watches ex->last_pending, if it is not watched yet: sets WATCHED unless a
 * wake already queued it. In a steady ping-pong the same task is watched
 * round after round, and this costs nothing.
 */
static void aexec__watch(aexec_executor *ex)
{
    aexec_task *w = ex->last_pending;
    if (w == ex->watched)
        return;
    aexec__unwatch(ex);
    if (w == NULL || aexec__local_wakes_pending(ex))
        return;
    uint32_t s = atomic_load_explicit(&w->state, memory_order_relaxed);
    do {
        if ((s & (TS_SPAWNED | TS_RUN_QUEUED)) != TS_SPAWNED)
            return;
    } while (!aexec__state_cas(ex, w, &s, s | TS_WATCHED));
    ex->watched = w;
    aexec__attn_set(ex, AEXEC__ATTN_WATCHED);
}

/* True if `w` (ex->watched, or NULL) was woken: its wake left the link to us. */
static inline int aexec__watched_woken(const aexec_task *w)
{
    return w != NULL && (atomic_load_explicit(&w->state, memory_order_relaxed) & TS_RUN_QUEUED);
}

/* At the start of a batch: a wake of the watched task left the link to us; take it. */
static inline void aexec__watched_collect(aexec_executor *ex)
{
    if (ex->watched != NULL &&
        (atomic_load_explicit(&ex->watched->state, memory_order_relaxed) & TS_RUN_QUEUED))
        aexec__fifo_append(ex, ex->watched);
}

#else
/* One queue (AEXEC__LOCAL_WAKES 0, the default at -Os): there is no FIFO
 * to hand a watched task to, so the spin looks at the run queue only and
 * nothing is ever watched. */
static inline void aexec__unwatch(aexec_executor *ex)
{
    (void)ex;
}

static inline void aexec__watch(aexec_executor *ex)
{
    (void)ex;
}

static inline int aexec__watched_woken(const aexec_task *w)
{
    (void)w;
    return 0;
}

static inline void aexec__watched_collect(aexec_executor *ex)
{
    (void)ex;
}
#endif

#endif /* AEXEC_SRC_WATCH_H */
