/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The executor's FIFO (internal): linked wakes made on the executor's own
 * thread. A task goes here when a wake from that thread set its RUN_QUEUED
 * bit (a local wake that could not use the local wake list, a watched task
 * whose wake left the link to the executor, a launch from one of its tasks);
 * it is linked through `next` like a run-queue entry, but only the
 * executor's thread touches the FIFO, so it needs no atomic operation. The
 * next batch polls it after the wake list and the run queue.
 *
 * While the FIFO holds a task, the wake list takes no new entry (it is
 * "closed" for the batch), so the local wakes after that one follow it
 * here and the batch polls them in wake order. The closed list has a NULL
 * end (wake_list_end), so that aexec/waker.h's inline wake, which lists a
 * task only where the end is not NULL, tests one word for both "this
 * library has a list" and "the list is open"; the library's own paths test
 * fifo_head, which says the same.
 */
#ifndef AEXEC_SRC_FIFO_H
#define AEXEC_SRC_FIFO_H

#include <stdatomic.h>
#include <stddef.h>

#include "aexec/executor.h"
#include "attention.h"

/* Appends `t`, whose RUN_QUEUED bit the caller just set. The executor's thread. */
static inline void aexec__fifo_append(aexec_executor *ex, aexec_task *t)
{
    t->next = NULL;
    *ex->fifo_tail = t;
    ex->fifo_tail = &t->next;
    ex->wake_list_end = NULL; /* closed while the FIFO holds a task */
    aexec__attn_set(ex, AEXEC__ATTN_FIFO);
}

/*
 * Empties the FIFO once a batch has taken its tasks (from ex->fifo_head,
 * which the batch reads itself: a helper returning the head makes clang
 * spill the test the batch repeats later), and opens the wake list again
 * at its first word: the batch takes the list next (wake_list.h), which
 * leaves it empty.
 */
static inline void aexec__fifo_clear(aexec_executor *ex)
{
    ex->fifo_head = NULL;
    ex->fifo_tail = &ex->fifo_head;
    ex->wake_list_end = &ex->wake_list_first;
    aexec__attn_clear(ex, AEXEC__ATTN_FIFO);
}

/* True if a local wake waits for the next batch: in the FIFO or on the local wake list. */
static inline int aexec__local_wakes_pending(const aexec_executor *ex)
{
    return ex->fifo_head != NULL ||
           atomic_load_explicit(&ex->wake_list_first, memory_order_relaxed) != 0u;
}

#endif /* AEXEC_SRC_FIFO_H */
