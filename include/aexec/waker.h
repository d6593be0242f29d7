/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Wakers. The waker of a task is the task pointer: a future stores
 * aexec_cx_waker(cx) where an interrupt handler or another thread can find it,
 * and that context calls aexec_wake() on it.
 */
#ifndef AEXEC_WAKER_H
#define AEXEC_WAKER_H

#include "aexec/task.h"

/*
 * Wakes `task`: queues one poll of it on its executor. One atomic fetch_or;
 * only the waker that sets RUN_QUEUED pushes, so a burst of wakes before the
 * poll costs one poll. A wake that lands while the task is being polled
 * queues another poll, so a task may wake itself. Waking a task that is not
 * spawned (finished, or never spawned) is a harmless no-op.
 * Any context: task, ISR, another thread or hart. Returns nothing.
 */
void aexec_wake(aexec_task *task);

/*
 * Wakes `task` from inside a poll, like aexec_wake(). When `task` belongs to
 * the executor running the poll, the executor records the wake on its own
 * thread: no atomic read-modify-write at all (the local wake list), or, in a
 * batch where a wake has already taken the linked path, one fetch_or and no
 * queue atomics; never a pend. A task's wake of itself takes effect when its
 * poll returns (it is polled in the next batch, after the tasks it woke in
 * this poll), and not at all if that poll finishes it. Use it wherever a cx
 * is at hand (a future waking a peer task, a task waking itself); a context
 * without a cx (ISR, other thread) uses aexec_wake().
 * Task context only, with the cx of the poll in progress. Returns nothing.
 */
void aexec_cx_wake(aexec_cx *cx, aexec_task *task);

/*
 * Task notifications: a one-slot binary signal built into every task, for
 * the common case where an interrupt handler (or a peer task) knows which
 * task to signal. Notifying sets the task's NOTIFY bit and wakes it in the
 * same fetch_or; the executor hands the bit to the next poll in its cx, so
 * signal and wake together cost one atomic. Notifications do not count:
 * several before a take are one. A notification that a poll does not take
 * stays pending for a later poll; none is lost.
 */

/* Notifies `task` and wakes it. Any context (task, ISR, other thread). */
void aexec_notify(aexec_task *task);

/* aexec_notify() from a task, with the same-executor fast path of aexec_cx_wake(). Task context. */
void aexec_cx_notify(aexec_cx *cx, aexec_task *task);

/*
 * Takes the notification delivered to this poll, if any: returns 1 once per
 * notification, 0 when there is none. Task context, in the polled task.
 */
static inline int aexec_take_notification(aexec_cx *cx)
{
    /* Writes only when there is one to take: a body that waits for a
     * notification tests for it again after every step. */
    if (!(cx->flags & AEXEC_CX_NOTIFIED))
        return 0;
    cx->flags &= ~AEXEC_CX_NOTIFIED;
    return 1;
}

/* The waker of the task being polled: what a future registers. Task context. */
static inline aexec_task *aexec_cx_waker(const aexec_cx *cx)
{
    return cx->task;
}

#endif /* AEXEC_WAKER_H */
