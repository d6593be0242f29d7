/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The core's read-modify-writes inside the executor's critical section
 * (internal; rmw.h picks this file when AEXEC_CONFIG_RUNQUEUE_CS), for cores
 * without atomic read-modify-write: every one is a plain load and a plain
 * store between the port's cs_enter() and cs_exit(). The functions and
 * their meaning are those of rmw_atomic.h.
 */
#ifndef AEXEC_SRC_RMW_CS_H
#define AEXEC_SRC_RMW_CS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/task.h"
#include "task_owner.h"

/* A plain store of a state would race the other contexts' load-store pairs. */
#define AEXEC__RMW_LOCK_FREE 0

/* Whether `port` has the hooks this backend needs: the critical section. */
static inline int aexec__rmw_port_ok(const aexec_port *port)
{
    return port->cs_enter != NULL && port->cs_exit != NULL;
}

/* ---- a task's state word, `ex` being its executor ---------------------- */

static inline uint32_t aexec__state_fetch_or(aexec_executor *ex, aexec_task *t, uint32_t bits)
{
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    atomic_store_explicit(&t->state, s | bits, memory_order_relaxed);
    ex->port->cs_exit(ex->ctx, cs);
    return s;
}

static inline uint32_t aexec__state_fetch_and(aexec_executor *ex, aexec_task *t, uint32_t bits)
{
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    atomic_store_explicit(&t->state, s & bits, memory_order_relaxed);
    ex->port->cs_exit(ex->ctx, cs);
    return s;
}

static inline int aexec__state_cas(aexec_executor *ex, aexec_task *t, uint32_t *expect,
                                   uint32_t desired)
{
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    int ok = s == *expect;
    if (ok)
        atomic_store_explicit(&t->state, desired, memory_order_relaxed);
    else
        *expect = s;
    ex->port->cs_exit(ex->ctx, cs);
    return ok;
}

/* The section guards the state word, so the executor must be known first;
 * a never-spawned task has none, and nothing to wake. */
static inline uint32_t aexec__state_fetch_or_any(aexec_task *t, uint32_t bits, aexec_executor **ex)
{
    *ex = aexec__task_executor(t);
    if (*ex == NULL)
        return 0;
    return aexec__state_fetch_or(*ex, t, bits);
}

/* A plain store could slip between another context's load and store: the section's RMW. */
static inline uint32_t aexec__state_fetch_or_claimed(aexec_executor *ex, aexec_task *t,
                                                     uint32_t bits)
{
    return aexec__state_fetch_or(ex, t, bits);
}

static inline uint32_t aexec__state_fetch_and_claimed(aexec_executor *ex, aexec_task *t,
                                                      uint32_t bits)
{
    return aexec__state_fetch_and(ex, t, bits);
}

/* The section is held already: no nested one. */
static inline uint32_t aexec__state_fetch_or_in_cs(aexec_task *t, uint32_t bits)
{
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    atomic_store_explicit(&t->state, s | bits, memory_order_relaxed);
    return s;
}

/* ---- the run queue's head (run_queue.h) --------------------------------- */

static inline aexec_task *aexec__head_push(aexec_executor *ex, aexec_task *t, aexec_task *guess)
{
    (void)guess;
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    aexec_task *h = atomic_load_explicit(&ex->head, memory_order_relaxed);
    t->next = h;
    atomic_store_explicit(&ex->head, t, memory_order_relaxed);
    ex->port->cs_exit(ex->ctx, cs);
    return h;
}

static inline aexec_task *aexec__head_exchange(aexec_executor *ex, aexec_task *with)
{
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    aexec_task *h = atomic_load_explicit(&ex->head, memory_order_relaxed);
    atomic_store_explicit(&ex->head, with, memory_order_relaxed);
    ex->port->cs_exit(ex->ctx, cs);
    return h;
}

static inline int aexec__head_replace(aexec_executor *ex, aexec_task *expect, aexec_task *with)
{
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    int ok = atomic_load_explicit(&ex->head, memory_order_relaxed) == expect;
    if (ok)
        atomic_store_explicit(&ex->head, with, memory_order_relaxed);
    ex->port->cs_exit(ex->ctx, cs);
    return ok;
}

/* ---- the executor's polling flag and a pool's free-stack top ------------ */

static inline uint32_t aexec__polling_claim(aexec_executor *ex)
{
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    uint32_t was = atomic_load_explicit(&ex->polling, memory_order_relaxed);
    atomic_store_explicit(&ex->polling, 1u, memory_order_relaxed);
    ex->port->cs_exit(ex->ctx, cs);
    return was;
}

static inline int aexec__pool_top_cas(aexec_pool *pool, uint32_t *expect, uint32_t desired)
{
    aexec_executor *ex = pool->executor;
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    uint32_t top = atomic_load_explicit(&pool->free_top, memory_order_relaxed);
    int ok = top == *expect;
    if (ok)
        atomic_store_explicit(&pool->free_top, desired, memory_order_relaxed);
    else
        *expect = top;
    ex->port->cs_exit(ex->ctx, cs);
    return ok;
}

#endif /* AEXEC_SRC_RMW_CS_H */
