/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The run queue (internal): an intrusive multi-producer, single-consumer stack.
 *
 * Producers (wakers, spawners) push with one CAS on ex->head. The executor
 * takes the whole stack with one exchange and reverses it, so a batch runs in
 * wake order and a task woken during the batch waits for the next one: a
 * task that keeps waking itself cannot starve the others, and the latency of
 * a wake is bounded by one batch.
 *
 * The end of the stack tells producers whether the executor is awake:
 *   AWAKE  (a marker): the executor will look at the queue again before it
 *          sleeps, so a push needs no pend.
 *   NULL:  the executor is asleep or about to sleep; the push that finds the
 *          queue empty calls pend().
 * So a wake from a task on the executor's own thread never reaches pend(),
 * and a system call happens only when the executor really sleeps.
 *
 * Only the executor's thread changes AWAKE to NULL and back; producers only
 * put tasks on top of whichever is there.
 */
#ifndef AEXEC_SRC_RUN_QUEUE_H
#define AEXEC_SRC_RUN_QUEUE_H

#include <stdatomic.h>
#include <stddef.h>

#include "rmw.h"

/* The marker: an address that is never a task's. */
#define AEXEC__RQ_AWAKE(ex) ((aexec_task *)(void *)&(ex)->magic)

/* Pushes a task whose RUN_QUEUED bit the caller just set. Any context. */
static inline void aexec__rq_push(aexec_executor *ex, aexec_task *t)
{
    /* The guess: the common case, executor awake and queue empty. */
    aexec_task *h = aexec__head_push(ex, t, AEXEC__RQ_AWAKE(ex));
    if (!AEXEC__RMW_PUSH_PENDS && h == NULL)
        ex->port->pend(ex->ctx);
}

/*
 * Takes every queued task, leaving the queue empty and marked AWAKE, and
 * returns them in push order (NULL-terminated through ->next), the last one
 * in *tail. The executor's thread.
 */
static inline aexec_task *aexec__rq_take(aexec_executor *ex, aexec_task **tail)
{
    aexec_task *awake = AEXEC__RQ_AWAKE(ex);
    aexec_task *p;
    if (atomic_load_explicit(&ex->head, memory_order_relaxed) == awake)
        return NULL;
    p = aexec__head_exchange(ex, awake);
    aexec_task *fifo = NULL;
    *tail = p;
    while (p != NULL && p != awake) {
        aexec_task *next = p->next;
        p->next = fifo;
        fifo = p;
        p = next;
    }
    return fifo;
}

/*
 * Declares the executor about to sleep: AWAKE becomes NULL, so the next push
 * pends. Fails (returns 0) if tasks were pushed since the last take. The
 * executor's thread.
 */
static inline int aexec__rq_publish_sleep(aexec_executor *ex)
{
    return aexec__head_replace(ex, AEXEC__RQ_AWAKE(ex), NULL);
}

/* True if a push has happened since the last take. The executor's thread. */
static inline int aexec__rq_pushed(aexec_executor *ex)
{
    aexec_task *h = atomic_load_explicit(&ex->head, memory_order_relaxed);
    return h != NULL && h != AEXEC__RQ_AWAKE(ex);
}

#endif /* AEXEC_SRC_RUN_QUEUE_H */
