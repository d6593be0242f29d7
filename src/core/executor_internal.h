/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* What the executor shares with the rest of the library (internal). */
#ifndef AEXEC_SRC_EXECUTOR_INTERNAL_H
#define AEXEC_SRC_EXECUTOR_INTERNAL_H

#include "aexec/executor.h"

/* ex->magic of an initialized executor ("aexc"). */
#define AEXEC__EXECUTOR_MAGIC 0x61657863u

/*
 * Wakes `task` with `bits` (RUN_QUEUED, maybe NOTIFY): a task of `ex` is
 * put on the local wake list, or linked on the local FIFO; another
 * executor's is pushed onto its run queue. `ex`'s thread only, and not for
 * the task being polled (a poll of another of its tasks, or the executor
 * loop itself).
 */
void aexec__wake_local(aexec_executor *ex, aexec_task *task, uint32_t bits);

/*
 * Completes the joins waiting for incarnation `gen` of `t`, which finished
 * with `result`. The executor's thread.
 */
void aexec__task_joined(aexec_executor *ex, aexec_task *t, uint32_t gen, int32_t result);

/* Notes a finished pool slot, to be returned by aexec__pools_flush(). The executor's thread. */
void aexec__pool_finished(aexec_executor *ex, aexec_pool *pool, aexec_task *t);

/* Returns the slots noted since the last flush: one CAS per pool. The executor's thread. */
void aexec__pools_flush(aexec_executor *ex);

/*
 * Wakes the task of every timer due at the driver's now() and returns the
 * earliest deadline left, or AEXEC_ALARM_NONE. The executor's thread;
 * implemented by src/time/.
 */
uint64_t aexec__timers_expire(aexec_executor *ex);

/* Empties the executor's timer queue for its tick rate. Implemented by src/time/. */
void aexec__timers_init(aexec_executor *ex);

#endif /* AEXEC_SRC_EXECUTOR_INTERNAL_H */
