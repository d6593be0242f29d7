/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A task's owner word (internal): the executor it was last spawned on, or
 * its pool with bit 0 set (a pool knows its executor). Written by a spawn
 * (aexec_spawn) or once for every slot (aexec_pool_init); read by wakes,
 * handles and the executor. Relaxed loads: a stale handle may read it while
 * a spawn moves the storage to another executor, and whoever needs the
 * executor of a particular life reads the state with acquire first.
 */
#ifndef AEXEC_SRC_TASK_OWNER_H
#define AEXEC_SRC_TASK_OWNER_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/task.h"

/* The owner word: the executor, or the pool | 1. */
static inline uintptr_t aexec__task_owner(const aexec_task *t)
{
    return atomic_load_explicit(&t->owner, memory_order_relaxed);
}

/* The executor a task was last spawned on, or its pool's; NULL if neither exists yet. */
static inline aexec_executor *aexec__task_executor(const aexec_task *t)
{
    uintptr_t o = atomic_load_explicit(&t->owner, memory_order_relaxed);
    if (o & 1u) /* NOLINTNEXTLINE(performance-no-int-to-ptr): bit 0 tags a pool pointer */
        return ((const aexec_pool *)(o - 1u))->executor;
    return (aexec_executor *)o; // NOLINT(performance-no-int-to-ptr): an untagged owner word
}

#endif /* AEXEC_SRC_TASK_OWNER_H */
