/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The wait queue: a FIFO of waiters under the critical section. */
#include "aexec/sync.h"
#include "waiter_list.h"

#define WAKE_BATCH 8

void aexec_wait_queue_init(aexec_wait_queue *q, const aexec_cs *cs)
{
    aexec__cs_copy(&q->cs, cs);
    q->head = NULL;
    q->tail = NULL;
}

/* Wakes up to `limit` waiters, a batch per section (wakes happen outside it). */
static uint32_t wake_some(aexec_wait_queue *q, uint32_t limit)
{
    uint32_t woken = 0;
    while (woken < limit) {
        aexec_task *wake[WAKE_BATCH];
        int n = 0;
        aexec_cs_state s = aexec__cs_enter(&q->cs);
        while (n < WAKE_BATCH && woken + (uint32_t)n < limit && q->head != NULL)
            wake[n++] = aexec__waiters_complete_first(&q->head, &q->tail, 0);
        aexec__cs_exit(&q->cs, s);
        for (int i = 0; i < n; i++)
            aexec_wake(wake[i]);
        woken += (uint32_t)n;
        if (n < WAKE_BATCH)
            break;
    }
    return woken;
}

uint32_t aexec_wait_queue_wake_one(aexec_wait_queue *q)
{
    return wake_some(q, 1);
}

uint32_t aexec_wait_queue_wake_all(aexec_wait_queue *q)
{
    return wake_some(q, UINT32_MAX);
}

void aexec_wait_init(aexec_wait *op, aexec_wait_queue *q)
{
    AEXEC__WAITER_NOT_QUEUED(&op->w);
    aexec__waiter_reset(&op->w);
    op->q = q;
}

void aexec_wait_arm(aexec_wait *op, aexec_cx *cx)
{
    aexec_wait_queue *q = op->q;
    aexec_cs_state s = aexec__cs_enter(&q->cs);
    if (!op->w.linked) {
        op->w.task = cx->task;
        aexec__waiters_push(&q->head, &q->tail, &op->w);
    }
    aexec__cs_exit(&q->cs, s);
}

aexec_poll aexec_wait_poll(aexec_wait *op, aexec_cx *cx)
{
    aexec_wait_queue *q = op->q;
    aexec_poll r = AEXEC_PENDING;
    aexec_cs_state s = aexec__cs_enter(&q->cs);
    if (op->w.status <= 0) {
        r = AEXEC_READY; /* a wake completed it */
    } else if (!op->w.linked) {
        op->w.task = cx->task;
        aexec__waiters_push(&q->head, &q->tail, &op->w);
    }
    aexec__cs_exit(&q->cs, s);
    return r;
}

int aexec_wait_cancel(aexec_wait *op)
{
    aexec_wait_queue *q = op->q;
    if (q == NULL)
        return 0; /* zeroed, never initialized */
    return aexec__waiter_cancel(&q->cs, &q->head, &q->tail, &op->w);
}
