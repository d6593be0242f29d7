/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The executor and its timer queue (internal): everything each side calls
 * of the other. The queue lives in the executor (ex->timers) and only the
 * executor's thread touches it, so neither side takes a lock; src/time/
 * includes this file and nothing else of the core, and the core asks the
 * queue itself only for its count (aexec__tq_count, aexec/timer_queue.h).
 */
#ifndef AEXEC_SRC_EXECUTOR_TIMERS_H
#define AEXEC_SRC_EXECUTOR_TIMERS_H

#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/task.h"
#include "aexec/trace.h"
#include "aexec/waker.h"
#include "attention.h"
#include "executor_internal.h"
#include "inline.h"

/* ---- implemented by src/time/timer.c, called by the executor ----------- */

/*
 * 1 where aexec_executor_init() calls aexec__timers_init(). Not where it
 * zeroes the executor whole (at -Os, !AEXEC__FAST_PATHS) and the queue has
 * no wheel: a heap-only queue of all zero bytes is empty, and it takes
 * nothing from the tick rate. There the function is not compiled at all.
 */
#define AEXEC__TIMERS_INIT_CALLED (AEXEC__FAST_PATHS || AEXEC_CONFIG_TIMER_WHEEL_LEVELS != 0)

#if AEXEC__TIMERS_INIT_CALLED
/* Empties the executor's timer queue for its tick rate. From aexec_executor_init(). */
void aexec__timers_init(aexec_executor *ex);
#endif

/*
 * Wakes the task of every timer due at the driver's now() (at most
 * AEXEC_CONFIG_TIMER_BATCH of them) and returns the earliest deadline left,
 * or AEXEC_ALARM_NONE. The executor's thread, between batches.
 */
uint64_t aexec__timers_expire(aexec_executor *ex);

/* ---- implemented by the core, called by src/time/timer.c --------------- */

/*
 * Wakes the task of a timer that fired in aexec__timers_expire(): a local
 * wake (the executor's thread, outside any poll), so no atomic queue
 * operation and no pend.
 */
static inline void aexec__timer_fired(aexec_executor *ex, aexec_task *task)
{
    AEXEC__TRACE(wake, ex, task, AEXEC_TRACE_FROM_EXECUTOR, NULL);
#if defined(AEXEC__WAKE_LIKELY) /* the inline listing of aexec/waker.h, outside -Os */
    /* No poll is in progress: the task is not the one being polled. */
    _Atomic uint32_t *end = ex->wake_list_end;
    uint32_t s = atomic_load_explicit(&task->state, memory_order_acquire);
    if (AEXEC__WAKE_LIKELY(aexec__wake_list_open_for(ex, end, task, s))) {
        aexec__wake_list_put(ex, end, task, 0u);
        return;
    }
#endif
    aexec__wake_local(ex, task, AEXEC_TASK_RUN_QUEUED);
}

/*
 * Tells the run loop that the queue holds a timer (attention.h): after every
 * insert, so that a busy loop looks at the queue again. The executor's
 * thread (a poll that arms a timer).
 */
static inline void aexec__timer_armed(aexec_executor *ex)
{
    aexec__attn_set(ex, AEXEC__ATTN_TIMERS);
}

#endif /* AEXEC_SRC_EXECUTOR_TIMERS_H */
