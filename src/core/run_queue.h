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

#include "task_result.h"
#include "fifo.h"
#include "task_state.h"
#include "wake_list.h"

/* The marker: an address that is never a task's. */
#define AEXEC__RQ_AWAKE(ex) ((aexec_task *)(void *)&(ex)->magic)

/* Pushes a task whose RUN_QUEUED bit the caller just set. Any context. */
static inline void aexec__rq_push(aexec_executor *ex, aexec_task *t)
{
    /* The guess: the common case, executor awake and queue empty. */
    if (aexec__head_push(ex, t, AEXEC__RQ_AWAKE(ex)) == NULL)
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

/*
 * The state word of a launched task: next generation, SPAWNED, RUN_QUEUED,
 * FRESH, and LINGER if it had it: a linked poll from the previous life
 * becomes the first poll, and its pop tells the executor that the link it
 * counted as lingering has arrived.
 */
static inline uint32_t aexec__launch_state(uint32_t s)
{
    uint32_t gen = (s & TS_GEN_MASK) + TS_GEN_ONE;
    if (gen == 0) /* generation 0 means "never spawned": skip it on wrap */
        gen = TS_GEN_ONE;
    return gen | TS_SPAWNED | TS_RUN_QUEUED | TS_FRESH | (s & TS_LINGER);
}

/*
 * Makes a task that the caller owns (CLAIMED, or a pool slot) spawned and
 * queued, with a new generation. Pushes it unless a queued poll of its
 * previous life is still linked, which then serves as its first poll.
 * The caller has written poll and owner. `cx` is the caller's poll context
 * when it is a task (NULL otherwise): a task of the same executor then goes
 * on the local queue.
 */
static inline void aexec__task_launch(aexec_executor *ex, aexec_task *t, aexec_cx *cx)
{
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    while (!aexec__state_cas(ex, t, &s, aexec__launch_state(s)))
        ;
    if (s & TS_LINGER)
        return;
    if (cx != NULL && cx->executor == ex)
        aexec__fifo_append(ex, t);
    else
        aexec__rq_push(ex, t);
}

/*
 * aexec__task_launch() of a claimed pool slot from a poll on its own
 * executor: a plain store instead of the CAS (task_state.h, I5), and the
 * slot goes on the local wake list when a local wake would (I6). The slot
 * is not SPAWNED, so a cancel's CAS fails; a wake, notify or join landing
 * before the store only left a trace on a dead task (I2), and one landing
 * after it sees the new, queued task. A claimed slot is never linked (I4);
 * the LINGER test stays as the cheap guard of that. With a critical section
 * instead of atomics, the other contexts' read-modify-writes are not atomic
 * against a plain store: keep the CAS there.
 */
static inline void aexec__task_launch_local(aexec_executor *ex, aexec_task *t, aexec_cx *cx)
{
    if (!AEXEC__RMW_LOCK_FREE) {
        aexec__task_launch(ex, t, cx);
        return;
    }
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    uint32_t n = aexec__launch_state(s);
    /* release: the first poll's fields are published with the new generation
     * to contexts that read the state (a joiner's handle, a stale waker). */
    if (!(s & TS_LINGER) && ex->fifo_head == NULL && aexec__wake_list_reaches(ex, t)) {
        /* Listed, not linked (I6): its first poll, like a local wake's,
         * needs no read-modify-write. It is counted in ex->live now, on
         * this thread, instead of through FRESH at that poll. */
        atomic_store_explicit(&t->state, n & ~(TS_RUN_QUEUED | TS_FRESH), memory_order_release);
        ex->live++;
        /* Orders the new generation before the link, for late joiners of
         * the last life, as at a linked launch's first poll. */
        aexec__result_fence_release();
        aexec__wake_list_link(ex, t, 0);
        return;
    }
    atomic_store_explicit(&t->state, n, memory_order_release);
    if (!(s & TS_LINGER))
        aexec__fifo_append(ex, t);
}

#endif /* AEXEC_SRC_RUN_QUEUE_H */
