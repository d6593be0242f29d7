/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* What the executor calls in task_handle.c (internal): completing the joins of a finished task. */
#ifndef AEXEC_SRC_TASK_HANDLE_H
#define AEXEC_SRC_TASK_HANDLE_H

#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/task.h"

/*
 * Completes the joins waiting for incarnation `gen` of `t`, which finished
 * with `result`. The executor's thread, from the finish (JOINED was set).
 */
void aexec__task_joined(aexec_executor *ex, const aexec_task *t, uint32_t gen, int32_t result);

#endif /* AEXEC_SRC_TASK_HANDLE_H */
