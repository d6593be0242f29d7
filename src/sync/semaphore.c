/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The counting semaphore: permits, and a FIFO of waiters. A release while
 * someone waits hands the permit to the first waiter directly, so the count
 * stays 0 and a newcomer's try_acquire cannot take it: strict FIFO.
 */
#include "aexec/error.h"
#include "aexec/sync.h"
#include "waiter_list.h"

void aexec_semaphore_init(aexec_semaphore *sem, const aexec_cs *cs, uint32_t permits)
{
    aexec__cs_copy(&sem->cs, cs);
    sem->permits = permits;
    sem->waiters = NULL;
    sem->waiters_tail = NULL;
}

int aexec_semaphore_try_acquire(aexec_semaphore *sem)
{
    aexec_cs_state s = aexec__cs_enter(&sem->cs);
    int got = sem->permits > 0 && sem->waiters == NULL;
    if (got)
        sem->permits--;
    aexec__cs_exit(&sem->cs, s);
    return got;
}

void aexec_semaphore_release(aexec_semaphore *sem)
{
    aexec_task *wake = NULL;
    aexec_cs_state s = aexec__cs_enter(&sem->cs);
    if (sem->waiters != NULL)
        wake = aexec__waiters_complete_first(&sem->waiters, &sem->waiters_tail, 0);
    else
        sem->permits++;
    aexec__cs_exit(&sem->cs, s);
    aexec__wake_after(wake, NULL);
}

void aexec_semaphore_acquire_init(aexec_semaphore_acquire *op, aexec_semaphore *sem)
{
    AEXEC__WAITER_NOT_QUEUED(&op->w);
    aexec__waiter_reset(&op->w);
    op->sem = sem;
}

aexec_poll aexec_semaphore_acquire_poll(aexec_semaphore_acquire *op, aexec_cx *cx)
{
    aexec_semaphore *sem = op->sem;
    aexec_poll r = AEXEC_PENDING;
    aexec_cs_state s = aexec__cs_enter(&sem->cs);
    if (op->w.status <= 0) {
        r = AEXEC_READY; /* handed over by a release */
    } else if (op->w.status == AEXEC__W_IDLE) {
        if (sem->permits > 0 && sem->waiters == NULL) {
            sem->permits--;
            op->w.status = 0;
            r = AEXEC_READY;
        } else {
            op->w.task = cx->task;
            aexec__waiters_push(&sem->waiters, &sem->waiters_tail, &op->w);
        }
    }
    aexec__cs_exit(&sem->cs, s);
    return r;
}

int aexec_semaphore_acquire_cancel(aexec_semaphore_acquire *op)
{
    aexec_semaphore *sem = op->sem;
    if (sem == NULL)
        return 0; /* zeroed, never initialized */
    return aexec__waiter_cancel(&sem->cs, &sem->waiters, &sem->waiters_tail, &op->w);
}
