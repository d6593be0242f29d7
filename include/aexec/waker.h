/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Wakers. The waker of a task is the task pointer: a future stores
 * aexec_cx_waker(cx) where an interrupt handler or another thread can find it,
 * and that context calls aexec_wake() on it.
 */
#ifndef AEXEC_WAKER_H
#define AEXEC_WAKER_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/task.h"
#include "aexec/trace.h"

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

/*
 * Outside -Os (and with the trace hooks off), aexec_cx_wake() and
 * aexec_cx_notify() are also macros: the common local wake, a plain task of
 * the polling executor that is alive, not linked and not tracked by
 * statistics, is listed inline in the waking poll, as the library would
 * list it (src/core/wake_list.h), and every other wake calls the library.
 * The call and its return cost about as much as the listing itself, and a
 * poll that wakes a peer and returns (a ping-pong, a fan-out) pays them on
 * every wake. So the local wake list's layout is part of this header, and
 * the library keeps it for any build a caller may link: the executor's
 * wake_list_end is NULL wherever the list takes no entry (a library without
 * the list, AEXEC_CONFIG_LOCAL_WAKES 0; a FIFO that holds a task, which
 * closes the list), and a task out of the list's reach, or on a pool, never
 * has the executor alone as its owner word. wake_list_end starts the
 * executor's own cache line, at the offset that the padding decides, and
 * the padding is part of AEXEC__LAYOUT, which the init macros check.
 * `(aexec_cx_wake)(cx, task)` and a pointer to the function skip the macro.
 */

/* The link word's flags and the state's statistics bit (src/core/wake_list.h, task_state.h). */
#define AEXEC__WL_LISTED 0x1u
#define AEXEC__WL_NOTIFY 0x2u
#define AEXEC__TASK_TRACKED 0x200u

#if !defined(__OPTIMIZE_SIZE__) && !AEXEC_CONFIG_TRACE

/* The listing is the likely case: laid out as the fall-through, the call out of the way. */
#if defined(__GNUC__)
#define AEXEC__WAKE_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define AEXEC__WAKE_LIKELY(x) (x)
#endif

/*
 * True if a wake of `task`, whose state word read `s`, may be listed
 * inline on `ex`'s local wake list (`end`, its end word, NULL when the
 * list is closed): a plain near task of `ex`, alive, not linked, not
 * tracked. Internal. `ex`'s thread.
 */
static inline int aexec__wake_list_open_for(const aexec_executor *ex, const _Atomic uint32_t *end,
                                            aexec_task *task, uint32_t s)
{
    return end != NULL &&
           (s & (AEXEC_TASK_SPAWNED | AEXEC_TASK_RUN_QUEUED | AEXEC__TASK_TRACKED)) ==
               AEXEC_TASK_SPAWNED &&
           atomic_load_explicit(&task->owner, memory_order_relaxed) == (uintptr_t)ex;
}

/*
 * The library's listing of such a task with `notify` (0 or
 * AEXEC__WL_NOTIFY), inline: a task listed already only gains the
 * notification. Internal. `ex`'s thread.
 */
static inline void aexec__wake_list_put(aexec_executor *ex, _Atomic uint32_t *end, aexec_task *task,
                                        uint32_t notify)
{
    uint32_t l = atomic_load_explicit(&task->wake_link, memory_order_relaxed);
    if (!(l & AEXEC__WL_LISTED)) {
        /* The end word's offset is 0, so adding the entry's keeps its flags. */
        uint32_t off = (uint32_t)((uintptr_t)task - (uintptr_t)ex);
        atomic_store_explicit(end, atomic_load_explicit(end, memory_order_relaxed) + off,
                              memory_order_relaxed);
        atomic_store_explicit(&task->wake_link, AEXEC__WL_LISTED | notify, memory_order_relaxed);
        ex->wake_list_end = &task->wake_link;
    } else if (notify & ~l) {
        atomic_store_explicit(&task->wake_link, l | notify, memory_order_relaxed);
    }
}

/*
 * aexec_cx_wake(cx, task) (`notify` 0) or aexec_cx_notify(cx, task)
 * (`notify` AEXEC__WL_NOTIFY): the library's listing, inline, of a task
 * that aexec__wake_list_open_for() admits and that is not the one being
 * polled (whose wakes of itself the executor applies when its poll
 * returns). Else the library call. Internal. Task context, with the cx of
 * the poll in progress.
 */
static inline void aexec__cx_wake_inline(aexec_cx *cx, aexec_task *task, uint32_t notify)
{
    aexec_executor *ex = cx->executor;
    _Atomic uint32_t *end = ex->wake_list_end;
    /* Acquire, as the library's: if this shows a new life, the owner read
     * next is that life's owner. */
    uint32_t s = atomic_load_explicit(&task->state, memory_order_acquire);
    if (AEXEC__WAKE_LIKELY(task != cx->task && aexec__wake_list_open_for(ex, end, task, s))) {
        aexec__wake_list_put(ex, end, task, notify);
        return;
    }
    if (notify)
        (aexec_cx_notify)(cx, task);
    else
        (aexec_cx_wake)(cx, task);
}

/* aexec_cx_wake() with the common local wake inline (above). Task context. */
#define aexec_cx_wake(cx, task) aexec__cx_wake_inline((cx), (task), 0u)

/* aexec_cx_notify() with the common local wake inline (above). Task context. */
#define aexec_cx_notify(cx, task) aexec__cx_wake_inline((cx), (task), AEXEC__WL_NOTIFY)

#endif

/* The waker of the task being polled: what a future registers. Task context. */
static inline aexec_task *aexec_cx_waker(const aexec_cx *cx)
{
    return cx->task;
}

#endif /* AEXEC_WAKER_H */
