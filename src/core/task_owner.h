/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A task's owner word (internal): the executor it was last spawned on, or
 * its pool with bit 0 set (a pool knows its executor). A task spawned on an
 * executor more than 2 GiB away, which the local wake list cannot link
 * (wake_list.h), has bit 1 set as well: so a local wake's one compare of
 * the owner with the executor tells both that the task is the executor's
 * and that it can be listed, and a far one takes the slower path. Written by a spawn
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
#include "inline.h"

#define AEXEC__OWNER_POOL 0x1u /* the word is a pool's address */
#define AEXEC__OWNER_FAR 0x2u  /* the executor's, but out of its wake list's reach */

/* The owner word: the executor (| AEXEC__OWNER_FAR), or the pool | AEXEC__OWNER_POOL. */
static inline uintptr_t aexec__task_owner(const aexec_task *t)
{
    return atomic_load_explicit(&t->owner, memory_order_relaxed);
}

/* The executor a task was last spawned on, or its pool's; NULL if neither exists yet. */
static inline aexec_executor *aexec__task_executor(const aexec_task *t)
{
    uintptr_t o = atomic_load_explicit(&t->owner, memory_order_relaxed);
    if (o & AEXEC__OWNER_POOL) /* NOLINTNEXTLINE(performance-no-int-to-ptr): a tagged pool */
        return ((const aexec_pool *)(o - AEXEC__OWNER_POOL))->executor;
    /* Only a build with the local wake list tags far tasks (task.c). */
    if (AEXEC__LOCAL_WAKES)
        o &= ~(uintptr_t)AEXEC__OWNER_FAR;
    return (aexec_executor *)o; // NOLINT(performance-no-int-to-ptr): an executor's address
}

#endif /* AEXEC_SRC_TASK_OWNER_H */
