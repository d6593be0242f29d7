/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Spawn and wake: the producer side of the task state machine.
 * The transitions and their invariants are listed in task_state.h.
 */
#include <stddef.h>

#include "aexec/error.h"
#include "aexec/trace.h"
#include "aexec/waker.h"
#include "executor_internal.h"
#include "fifo.h"
#include "inline.h"
#include "launch.h"
#include "rmw.h"
#include "run_queue.h"
#include "stats_hooks.h"
#include "task_owner.h"
#include "task_state.h"
#include "wake_list.h"

int aexec_spawn(aexec_executor *ex, aexec_task *task, aexec_poll_fn poll)
{
    if (ex == NULL || task == NULL || poll == NULL)
        return AEXEC_EINVAL;
    AEXEC_ASSERT(ex->magic == AEXEC__EXECUTOR_MAGIC, "aexec_spawn: executor not initialized");
    AEXEC_ASSERT(!(aexec__task_owner(task) & 1u), "aexec_spawn: pool task; use aexec_pool_spawn");

    /* Claim the storage first, so a concurrent spawn of it fails instead of
     * overwriting the fields below. */
    uint32_t s = atomic_load_explicit(&task->state, memory_order_relaxed);
    do {
        if (s & (TS_SPAWNED | TS_CLAIMED))
            return AEXEC_EBUSY;
    } while (!aexec__state_cas(ex, task, &s, s | TS_CLAIMED));

    /* Still linked in another executor's queue: that executor will pop it,
     * so it cannot move yet. Optimizing for size without the local wake
     * list, the owner word is that executor itself (no far tag, and a pool
     * slot never comes here). */
    if ((s & TS_LINGER) &&
        ((AEXEC__FAST_PATHS || AEXEC__LOCAL_WAKES) ? aexec__task_executor(task) != ex
                                                   : aexec__task_owner(task) != (uintptr_t)ex)) {
        aexec__state_fetch_and(ex, task, ~TS_CLAIMED);
        return AEXEC_EBUSY;
    }
    task->poll = poll;
    /* A task out of the local wake list's reach is tagged, so a local wake
     * tests reach with the owner compare it makes anyway. Tagged wherever
     * there is a list, -Os included: a caller built at -O2 lists a task
     * inline after that compare alone (aexec/waker.h). */
    uintptr_t owner = (uintptr_t)ex;
    if (AEXEC__LOCAL_WAKES && !aexec__wake_list_reaches(ex, task))
        owner |= AEXEC__OWNER_FAR;
    if (!AEXEC__FAST_PATHS || aexec__task_owner(task) != owner)
        atomic_store_explicit(&task->owner, owner, memory_order_relaxed);
    aexec__stats_spawn(ex, task);
    aexec__launch(ex, task, NULL);
    return AEXEC_OK;
}

#if AEXEC__LOCAL_WAKES || AEXEC_CONFIG_STATS /* its two callers; clang warns of an unused one */
/*
 * Links a task whose wake set RUN_QUEUED on it: on the FIFO if it is a task
 * of `local`, the executor whose thread this is (NULL: any context), else
 * on its own executor's run queue.
 */
static inline void link_woken(aexec_executor *local, aexec_task *task)
{
    aexec_executor *owner = aexec__task_executor(task);
    if (local != NULL && owner == local)
        aexec__fifo_append(local, task);
    else
        aexec__rq_push(owner, task);
}
#endif

#if AEXEC_CONFIG_STATS
/*
 * The rest of a wake of a tracked task after the fetch_or that returned
 * `prev`: counts it (if `count`), and links the task if that fetch_or set
 * RUN_QUEUED on a live task that is not watched. Out of line, so that an
 * untracked wake makes no call and keeps no frame.
 */
static AEXEC__NOINLINE void wake_linked_tracked(aexec_executor *local, aexec_task *task,
                                                uint32_t prev, int count)
{
    if (count)
        aexec__stats_wake_tracked(task);
    if ((prev & (TS_SPAWNED | TS_RUN_QUEUED | TS_WATCHED)) == TS_SPAWNED)
        link_woken(local, task);
}
#else
static inline void wake_linked_tracked(aexec_executor *local, aexec_task *task, uint32_t prev,
                                       int count)
{
    (void)local;
    (void)task;
    (void)prev;
    (void)count;
}
#endif

/*
 * WATCHED in a wake's test: only the local wake list's build watches tasks
 * (I7), so with one queue at -Os the bit is never set and its mask is the
 * shorter immediate.
 */
#if AEXEC__FAST_PATHS || AEXEC__LOCAL_WAKES
#define WAKE_WATCHED TS_WATCHED
#else
#define WAKE_WATCHED 0u
#endif

/*
 * Sets `bits` (RUN_QUEUED and maybe NOTIFY) and queues the task if this call
 * woke it; `count`: a wake call to count in statistics.
 */
static inline void task_wake(aexec_task *task, uint32_t bits, int count)
{
    aexec_executor *ex;
    uint32_t prev = aexec__state_fetch_or_any(task, bits, &ex);
    /* Push only if this wake set RUN_QUEUED on a live task (invariant I1);
     * on a dead task the bits are a harmless trace (I2). A task the
     * spinning executor watches is taken by the executor itself (I7). A
     * tracked task takes its own path (one test for all three). */
    if ((prev & (TS_SPAWNED | TS_RUN_QUEUED | WAKE_WATCHED | TS_TRACKED)) != TS_SPAWNED) {
        if (prev & TS_TRACKED)
            wake_linked_tracked(NULL, task, prev, count);
        return;
    }
    if (ex == NULL)
        ex = aexec__task_executor(task);
    aexec__rq_push(ex, task);
}

void aexec_wake(aexec_task *task)
{
    AEXEC__TRACE(wake, aexec__task_executor(task), task, AEXEC_TRACE_FROM_OUTSIDE, NULL);
    task_wake(task, TS_RUN_QUEUED, 1);
}

void aexec_notify(aexec_task *task)
{
    AEXEC__TRACE(wake, aexec__task_executor(task), task, AEXEC_TRACE_FROM_OUTSIDE, NULL);
    task_wake(task, TS_RUN_QUEUED | TS_NOTIFY, 1);
}

#if AEXEC__LOCAL_WAKES
/*
 * The linked path of a local wake of a live task of `ex`: the fetch_or sets
 * RUN_QUEUED and the task goes on the FIFO. Only this thread clears SPAWNED
 * and RUN_QUEUED of a task of `ex` (I3), so SPAWNED is still set and only
 * the RUN_QUEUED of the fetch_or decides who links it.
 */
static void wake_via_fifo(aexec_executor *ex, aexec_task *task, uint32_t bits)
{
    /* Linked by another context first, or watched: the spinning executor
     * links a watched task itself when it sees RUN_QUEUED (I7). */
    if (aexec__state_fetch_or(ex, task, bits) & (TS_RUN_QUEUED | TS_WATCHED))
        return;
    /* Same executor, its thread: nobody else touches the FIFO. */
    aexec__fifo_append(ex, task);
}

/*
 * A local wake of a live task of `ex` that is not linked: the local wake
 * list (I6.2), unless the FIFO holds a task (then the FIFO, to keep wake
 * order) or the task lies out of the list's reach (tested here unless the
 * caller knows it is near).
 */
static AEXEC__ALWAYS_INLINE void wake_via_list(aexec_executor *ex, aexec_task *task, uint32_t bits,
                                               int known_near)
{
    /* With atomics, wake_local() has sent every wake past a closed list
     * down the linked path already. */
    if ((AEXEC__RMW_LOCK_FREE || ex->fifo_head == NULL) &&
        (known_near || aexec__wake_list_reaches(ex, task)))
        aexec__wake_list_add(ex, task, TS_CX_FLAGS(bits & TS_NOTIFY));
    else
        wake_via_fifo(ex, task, bits);
}

/*
 * The rest of wake_local(): a task that is not spawned, is linked already,
 * is a pool slot, lies out of the list's reach, belongs to another
 * executor, or is tracked by statistics (counted if `count`).
 */
static AEXEC__NOINLINE void wake_local_other(aexec_executor *ex, aexec_task *task, uint32_t bits,
                                             uint32_t s, int count)
{
    if (count)
        aexec__stats_wake_seen(task, s);
    if (!(s & TS_SPAWNED))
        return; /* a wake on a task that is not spawned is a no-op (I2) */
    if (aexec__task_executor(task) != ex) {
        task_wake(task, bits, 0); /* counted above */
        return;
    }
    if (!(s & TS_RUN_QUEUED))
        wake_via_list(ex, task, bits, 0);
    else if ((bits & ~s) != 0u)
        /* Linked: its poll is still to come, on this thread (I3); only a
         * notification has to be added. */
        aexec__state_fetch_or(ex, task, bits);
}

/*
 * A local wake: task_wake() on `ex`'s thread, of a task that is not being
 * polled. A task of `ex` goes on the local wake list (I6), or on the FIFO.
 * `count`: a wake call to count in statistics (not one its caller counted).
 */
static AEXEC__ALWAYS_INLINE void wake_local(aexec_executor *ex, aexec_task *task, uint32_t bits,
                                            int count)
{
    /* The list is closed for this batch (the FIFO holds a task): the linked
     * path, with the fetch_or first, as a waker from another context does.
     * A plain load before it would fetch the state's line to read it and
     * then again to write it. */
    if (AEXEC__RMW_LOCK_FREE && ex->fifo_head != NULL) {
        uint32_t prev = aexec__state_fetch_or(ex, task, bits);
        if ((prev & (TS_SPAWNED | TS_RUN_QUEUED | TS_WATCHED | TS_TRACKED)) != TS_SPAWNED) {
            if (prev & TS_TRACKED)
                wake_linked_tracked(ex, task, prev, count);
            return; /* dead, linked already, or linked by the watching executor (I7) */
        }
        link_woken(ex, task);
        return;
    }
    /* Acquire: if this shows a new incarnation, the owner read below is
     * its owner. An owner word equal to `ex` is a plain task of `ex` within
     * the list's reach (task_owner.h). */
    uint32_t s = atomic_load_explicit(&task->state, memory_order_acquire);
    if ((s & (TS_SPAWNED | TS_RUN_QUEUED | TS_TRACKED)) == TS_SPAWNED &&
        aexec__task_owner(task) == (uintptr_t)ex)
        wake_via_list(ex, task, bits, AEXEC__FAST_PATHS);
    else
        wake_local_other(ex, task, bits, s, count);
}
#else
/*
 * One queue (AEXEC__LOCAL_WAKES 0, the default at -Os): no local wake list
 * and no FIFO, so a local wake is a wake like any other, a fetch_or and a
 * push onto the run queue of the task's executor. On this executor's
 * thread that queue is awake (the batch's take left it so), so the push
 * does not pend.
 */
static inline void wake_local(aexec_executor *ex, aexec_task *task, uint32_t bits, int count)
{
    (void)ex;
    task_wake(task, bits, count);
}
#endif

void aexec__wake_local(aexec_executor *ex, aexec_task *task, uint32_t bits)
{
    wake_local(ex, task, bits, 1);
}

#if AEXEC_CONFIG_STATS
void aexec__wake_local_self(aexec_executor *ex, aexec_task *task, uint32_t bits)
{
    wake_local(ex, task, bits, 0);
}
#endif

/*
 * A wake from a poll. A task that wakes itself is not listed now but when
 * its poll returns, and only if it is still alive (I6.4): so a task never
 * finishes listed.
 */
static AEXEC__ALWAYS_INLINE void cx_wake(aexec_cx *cx, aexec_task *task, uint32_t bits)
{
    AEXEC__TRACE(wake, aexec__task_executor(task), task, AEXEC_TRACE_FROM_TASK, cx->task);
    if (task == cx->task) {
        cx->flags |= bits & TS_NOTIFY ? AEXEC__CX_WOKE | AEXEC__CX_WOKE_NOTIFY : AEXEC__CX_WOKE;
        /* Counted now (last, so a call here is a tail call): after_pending()
         * applies the wake without counting it, and not at all if the poll
         * finished the task. */
        aexec__stats_wake_task(task);
    } else {
        wake_local(cx->executor, task, bits, 1);
    }
}

/* In parentheses: outside -Os the names are also aexec/waker.h's inline macros. */
void(aexec_cx_wake)(aexec_cx *cx, aexec_task *task)
{
    cx_wake(cx, task, TS_RUN_QUEUED);
}

void(aexec_cx_notify)(aexec_cx *cx, aexec_task *task)
{
    cx_wake(cx, task, TS_RUN_QUEUED | TS_NOTIFY);
}

uint32_t aexec_task_state(const aexec_task *task)
{
    uint32_t s = atomic_load_explicit(&task->state, memory_order_acquire);
    /* A RUN_QUEUED left by a wake on a dead task means nothing (I2): hide it. */
    if (!(s & (TS_SPAWNED | TS_LINGER)))
        s &= ~TS_RUN_QUEUED;
    return s & (TS_GEN_MASK | TS_SPAWNED | TS_RUN_QUEUED | TS_CANCEL);
}
