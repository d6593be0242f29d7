/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What the executor calls in pool.c (internal): a finished slot goes on its
 * pool's list of slots finished in this batch, and the flush after it (at
 * the batch's end, or at the start of aexec_run()'s next round when the
 * batch was the list alone: attention.h) returns each pool's list to its
 * free stack with one CAS (I4 in
 * task_state.h: a slot is free only while it is linked nowhere).
 */
#ifndef AEXEC_SRC_POOL_H
#define AEXEC_SRC_POOL_H

#include "aexec/executor.h"
#include "aexec/task.h"
#include "attention.h"

/*
 * Notes a finished pool slot, to be returned by aexec__pools_flush(). The
 * executor's thread. Inline in the executor's finish path: a pool that runs
 * short tasks (B2) finishes one per poll, and the executor reaches the rest
 * of pool.c only through the flush hook (hooks.h).
 */
static inline void aexec__pool_finished(aexec_executor *ex, aexec_pool *pool, aexec_task *t)
{
    /* The link is free: a finished slot is linked nowhere (one that finished
     * linked comes here only once the executor has popped it). */
    t->next = pool->done;
    pool->done = t;
    /* Listed once per batch, even if claims emptied the list meanwhile. */
    if (!pool->done_listed) {
        pool->done_listed = 1;
        pool->done_next = ex->done_pools;
        ex->done_pools = pool;
        aexec__attn_set(ex, AEXEC__ATTN_POOLS);
    }
}

/* Returns the slots noted since the last flush: one CAS per pool. The executor's thread. */
void aexec__pools_flush(aexec_executor *ex);

/*
 * aexec__pool_finished() of slot `t`, its pool read from its owner word: the
 * executor's call when optimizing for size, through a hook (hooks.h), so
 * that a program without pools links none of it.
 */
void aexec__pool_slot_finished(aexec_executor *ex, aexec_task *t);

#endif /* AEXEC_SRC_POOL_H */
