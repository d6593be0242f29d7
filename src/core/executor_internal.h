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

#endif /* AEXEC_SRC_EXECUTOR_INTERNAL_H */
