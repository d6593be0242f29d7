/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* What the executor shares with the rest of the library (internal). */
#ifndef AEXEC_SRC_EXECUTOR_INTERNAL_H
#define AEXEC_SRC_EXECUTOR_INTERNAL_H

#include "aexec/executor.h"
#include "aexec/stats.h"

/* ex->magic of an initialized executor ("aexc"). */
#define AEXEC__EXECUTOR_MAGIC 0x61657863u

/*
 * A local wake: wakes `task` with `bits` (RUN_QUEUED, maybe NOTIFY) from
 * `ex`'s thread, outside a poll of `task` (a poll of another of its tasks,
 * the executor loop itself, a fired timer, a finished task's joins). A task
 * of `ex` goes on the local wake list, or on the FIFO; another executor's
 * is pushed onto its run queue. Counted in statistics if `task` is tracked.
 */
void aexec__wake_local(aexec_executor *ex, aexec_task *task, uint32_t bits);

/*
 * aexec__wake_local() of the wakes a poll made of its own task, applied
 * when the poll returns: not counted, as the wake calls were (a poll that
 * wakes itself twice made two calls, and one that then finishes made them
 * too).
 */
#if AEXEC_CONFIG_STATS
void aexec__wake_local_self(aexec_executor *ex, aexec_task *task, uint32_t bits);
#else
static inline void aexec__wake_local_self(aexec_executor *ex, aexec_task *task, uint32_t bits)
{
    aexec__wake_local(ex, task, bits);
}
#endif

#endif /* AEXEC_SRC_EXECUTOR_INTERNAL_H */
