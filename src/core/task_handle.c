/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Task handles: cancel and join one incarnation (task, generation).
 *
 * Joiners wait in a list on the target task's executor, guarded by that
 * executor's critical section, because they may run anywhere. A joiner sets
 * JOINED in the task's state with an atomic OR inside that section; the
 * finishing executor clears SPAWNED and JOINED in one CAS and, if JOINED was
 * set, walks the list inside the section. Either the joiner's OR sees the
 * task already dead (and reads its result at once), or the executor sees
 * JOINED and, entering the section after the joiner left it, finds the
 * joiner linked: no interleaving loses a completion.
 */
#include <stddef.h>

#include "aexec/error.h"
#include "aexec/trace.h"
#include "aexec/waker.h"
#include "executor_internal.h"
#include "hooks.h"
#include "rmw.h"
#include "task_handle.h"
#include "task_owner.h"
#include "task_result.h"
#include "task_state.h"

#define JOIN_IDLE 0u
#define JOIN_WAITING 1u
#define JOIN_DONE 2u     /* finished; no poll has reported it yet */
#define JOIN_REPORTED 3u /* a poll returned READY with the result: later polls write nothing */

aexec_handle aexec_task_handle(const aexec_task *task)
{
    aexec_handle h;
    h.task = (aexec_task *)task; /* a handle names the task; the caller chooses const */
    h.gen = aexec_task_state(task) & TS_GEN_MASK;
    return h;
}

int aexec_task_cancel(aexec_handle h)
{
    aexec_task *t = h.task;
    aexec_executor *ex = aexec__task_executor(t);
    if (ex == NULL)
        return AEXEC_ESTALE; /* never spawned */
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    do {
        if ((s & TS_GEN_MASK) != h.gen || !(s & TS_SPAWNED))
            return AEXEC_ESTALE;
    } while (!aexec__state_cas(ex, t, &s, s | TS_CANCEL));
    aexec_wake(t);
    return AEXEC_OK;
}

void aexec_join_init(aexec_join *j, aexec_handle h)
{
    j->handle = h;
    j->next = NULL;
    j->prev = NULL;
    j->waiter = NULL;
    j->result = 0;
    j->state = JOIN_IDLE;
}

/* Sets JOINED inside the section already held (so no nested section in CS builds). */
static uint32_t set_joined_locked(aexec_task *t)
{
    return aexec__state_fetch_or_in_cs(t, TS_JOINED);
}

/*
 * The result of a finished incarnation, read like a seqlock: the code is
 * valid only if the storage still holds that incarnation after the read.
 * `s` was read with acquire, so the finish's store of the code is visible.
 * A new life writes the word only after a release fence that follows its
 * generation change (task_state.h, I6.5), so if the load below saw such a
 * write, the acquire fence makes the second read of the state see the new
 * generation, and the code is dropped.
 */
static int32_t finished_result(const aexec_join *j, uint32_t s)
{
    aexec_task *t = j->handle.task;
    if ((s & TS_GEN_MASK) != j->handle.gen)
        return AEXEC_ESTALE;
    int32_t r = aexec__task_result(t);
    aexec__result_fence_acquire();
    uint32_t again = atomic_load_explicit(&t->state, memory_order_relaxed);
    return (again & TS_GEN_MASK) == j->handle.gen ? r : AEXEC_ESTALE;
}

aexec_poll aexec_join_poll(aexec_join *j, aexec_cx *cx, int *result)
{
    aexec_task *t = j->handle.task;
    if (j->state == JOIN_REPORTED)
        return AEXEC_READY;
    aexec_executor *ex = aexec__task_executor(t);
    /* The polled task is alive: if the handle names its current life, it
     * would wait for its own end. (An earlier life is a finished one.) */
    AEXEC_ASSERT(t != cx->task || (atomic_load_explicit(&t->state, memory_order_relaxed) &
                                   TS_GEN_MASK) != j->handle.gen,
                 "aexec_join_poll: task joins itself");
    if (j->state == JOIN_IDLE) {
        uint32_t s = atomic_load_explicit(&t->state, memory_order_acquire);
        if (ex == NULL || (s & TS_GEN_MASK) != j->handle.gen || !(s & TS_SPAWNED)) {
            j->result = ex == NULL ? AEXEC_ESTALE : finished_result(j, s);
            j->state = JOIN_DONE;
        } else if (ex->port->cs_enter == NULL) {
            j->result = AEXEC_ENOTSUP;
            j->state = JOIN_DONE;
        }
    }
    if (j->state == JOIN_IDLE) {
        /* Before JOINED is set: a finish that sees JOINED calls it. */
        AEXEC__HOOK_INSTALL(aexec__task_joined_hook, aexec__task_joined);
        aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
        uint32_t s = set_joined_locked(t);
        if ((s & TS_GEN_MASK) != j->handle.gen || !(s & TS_SPAWNED)) {
            j->result = finished_result(j, s);
            j->state = JOIN_DONE;
        } else {
            j->waiter = cx->task;
            j->prev = NULL;
            j->next = ex->joins;
            if (ex->joins != NULL)
                ex->joins->prev = j;
            ex->joins = j;
            j->state = JOIN_WAITING;
        }
        ex->port->cs_exit(ex->ctx, cs);
    }
    if (j->state == JOIN_WAITING) {
        /* The state is written inside the section; read it there too. */
        aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
        uint32_t st = j->state;
        aexec_task *waiter = j->waiter;
        ex->port->cs_exit(ex->ctx, cs);
        /* The finish wakes only the task recorded at the first poll. */
        AEXEC_ASSERT(st != JOIN_WAITING || waiter == cx->task,
                     "aexec_join_poll: join awaited by another task");
        if (st == JOIN_WAITING)
            return AEXEC_PENDING;
    }
    *result = j->result;
    j->state = JOIN_REPORTED; /* the finisher is done with `j` once it stored DONE */
    return AEXEC_READY;
}

static void unlink_join(aexec_executor *ex, aexec_join *j)
{
    if (j->prev != NULL)
        j->prev->next = j->next;
    else
        ex->joins = j->next;
    if (j->next != NULL)
        j->next->prev = j->prev;
    j->next = NULL;
    j->prev = NULL;
}

int aexec_join_cancel(aexec_join *j)
{
    if (j->state != JOIN_WAITING)
        return j->state >= JOIN_DONE; /* idle or zeroed: nothing happened */
    aexec_executor *ex = aexec__task_executor(j->handle.task);
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    int done = j->state != JOIN_WAITING; /* the finish got there first */
    if (!done) {
        unlink_join(ex, j);
        j->state = JOIN_IDLE;
    }
    ex->port->cs_exit(ex->ctx, cs);
    return done;
}

void aexec__task_joined(aexec_executor *ex, const aexec_task *t, uint32_t gen, int32_t result)
{
    if (ex->port->cs_enter == NULL)
        return;
    /* Wake outside the section, a few at a time: a wake may pend. */
    for (;;) {
        aexec_task *wake[8];
        int n = 0, more = 0;
        aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
        aexec_join *j = ex->joins;
        while (j != NULL) {
            aexec_join *next = j->next;
            if (j->handle.task == t && j->handle.gen == gen) {
                if (n == 8) {
                    more = 1;
                    break;
                }
                unlink_join(ex, j);
                j->result = result;
                wake[n++] = j->waiter;
                j->state = JOIN_DONE;
            }
            j = next;
        }
        ex->port->cs_exit(ex->ctx, cs);
        for (int i = 0; i < n; i++) {
            AEXEC__TRACE(wake, aexec__task_executor(wake[i]), wake[i], AEXEC_TRACE_FROM_EXECUTOR,
                         NULL);
            aexec__wake_local(ex, wake[i], TS_RUN_QUEUED);
        }
        if (!more)
            return;
    }
}
