/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Spawn and wake: the producer side of the task state machine.
 * The transitions and their invariants are listed in task_state.h.
 */
#include <stddef.h>

#include "aexec/error.h"
#include "aexec/waker.h"
#include "executor_internal.h"
#include "run_queue.h"
#include "task_state.h"

int aexec_spawn(aexec_executor *ex, aexec_task *task, aexec_poll_fn poll)
{
    if (ex == NULL || task == NULL || poll == NULL)
        return AEXEC_EINVAL;
    AEXEC_ASSERT(ex->magic == AEXEC__EXECUTOR_MAGIC,
                 "aexec_spawn: executor is not initialized (call aexec_executor_init first)");
    AEXEC_ASSERT(!(aexec__task_owner(task) & 1u),
                 "aexec_spawn: task belongs to a pool; spawn it with aexec_pool_spawn");

    /* Claim the storage first, so a concurrent spawn of it fails instead of
     * overwriting the fields below. */
    uint32_t s = atomic_load_explicit(&task->state, memory_order_relaxed);
    do {
        if (s & (TS_SPAWNED | TS_CLAIMED))
            return AEXEC_EBUSY;
    } while (!aexec__state_cas(ex, task, &s, s | TS_CLAIMED));

    /* Still linked in another executor's queue: that executor will pop it,
     * so it cannot move yet. */
    if ((s & TS_LINGER) && aexec__task_executor(task) != ex) {
        aexec__state_fetch_and(ex, task, ~TS_CLAIMED);
        return AEXEC_EBUSY;
    }
    task->poll = poll;
    atomic_store_explicit(&task->result, 0, memory_order_relaxed);
    if (aexec__task_owner(task) != (uintptr_t)ex)
        atomic_store_explicit(&task->owner, (uintptr_t)ex, memory_order_relaxed);
    aexec__task_launch(ex, task, NULL);
    return AEXEC_OK;
}

/* Sets `bits` (RUN_QUEUED and maybe NOTIFY) and queues the task if this call woke it. */
static inline void task_wake(aexec_task *task, uint32_t bits)
{
#if AEXEC_CONFIG_RUNQUEUE_CS
    /* Without atomic RMW the executor's critical section guards the state
     * word, so the executor must be known first; a never-spawned task has none. */
    aexec_executor *ex = aexec__task_executor(task);
    if (ex == NULL)
        return;
    uint32_t prev = aexec__state_fetch_or(ex, task, bits);
#else
    uint32_t prev = aexec__state_fetch_or(NULL, task, bits);
#endif
    /* Push only if this wake set RUN_QUEUED on a live task (invariant I1);
     * on a dead task the bits are a harmless trace (I2). A task the
     * spinning executor watches is taken by the executor itself (I6). */
    if ((prev & (TS_SPAWNED | TS_RUN_QUEUED | TS_WATCHED)) != TS_SPAWNED)
        return;
#if !AEXEC_CONFIG_RUNQUEUE_CS
    aexec_executor *ex = aexec__task_executor(task);
#endif
    aexec__rq_push(ex, task);
}

void aexec_wake(aexec_task *task)
{
    task_wake(task, TS_RUN_QUEUED);
}

void aexec_notify(aexec_task *task)
{
    task_wake(task, TS_RUN_QUEUED | TS_NOTIFY);
}

/* task_wake() on `ex`'s thread: a task of `ex` goes on the local queue. */
void aexec__wake_local(aexec_executor *ex, aexec_task *task, uint32_t bits)
{
    uint32_t prev = aexec__state_fetch_or(ex, task, bits);
    if ((prev & (TS_SPAWNED | TS_RUN_QUEUED | TS_WATCHED)) != TS_SPAWNED)
        return;
    aexec_executor *owner = aexec__task_executor(task);
    if (owner != ex) {
        aexec__rq_push(owner, task);
        return;
    }
    /* Same executor, task context: nobody else touches the local queue. */
    aexec__local_append(ex, task);
}

void aexec_cx_wake(aexec_cx *cx, aexec_task *task)
{
    aexec__wake_local(cx->executor, task, TS_RUN_QUEUED);
}

void aexec_cx_notify(aexec_cx *cx, aexec_task *task)
{
    aexec__wake_local(cx->executor, task, TS_RUN_QUEUED | TS_NOTIFY);
}

uint32_t aexec_task_state(const aexec_task *task)
{
    uint32_t s = atomic_load_explicit(&task->state, memory_order_acquire);
    /* A RUN_QUEUED left by a wake on a dead task means nothing (I2): hide it. */
    if (!(s & (TS_SPAWNED | TS_LINGER)))
        s &= ~TS_RUN_QUEUED;
    return s & (TS_GEN_MASK | TS_SPAWNED | TS_RUN_QUEUED | TS_CANCEL);
}
