/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The core's read-modify-writes as atomic instructions (internal; rmw.h
 * picks this file unless AEXEC_CONFIG_RUNQUEUE_CS). rmw_cs.h defines the
 * same functions with the same meaning.
 */
#ifndef AEXEC_SRC_RMW_ATOMIC_H
#define AEXEC_SRC_RMW_ATOMIC_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/task.h"

#define AEXEC__RMW_LOCK_FREE 1

/* A push leaves the pend to its caller (rmw_cs.h may do it itself). */
#define AEXEC__RMW_PUSH_PENDS 0

/* Whether `port` has the hooks this backend needs: none. */
static inline int aexec__rmw_port_ok(const aexec_port *port)
{
    (void)port;
    return 1;
}

/* ---- a task's state word, `ex` being its executor ---------------------- */

/* acq_rel: a waker's writes before its wake are visible to the poll it causes. */
static inline uint32_t aexec__state_fetch_or(aexec_executor *ex, aexec_task *t, uint32_t bits)
{
    (void)ex;
    return atomic_fetch_or_explicit(&t->state, bits, memory_order_acq_rel);
}

static inline uint32_t aexec__state_fetch_and(aexec_executor *ex, aexec_task *t, uint32_t bits)
{
    (void)ex;
    return atomic_fetch_and_explicit(&t->state, bits, memory_order_acq_rel);
}

/* A weak CAS: it may fail spuriously, with the current state in *expect. */
// NOLINTNEXTLINE(readability-non-const-parameter): a failed CAS writes the current value here
static inline int aexec__state_cas(aexec_executor *ex, aexec_task *t, uint32_t *expect,
                                   uint32_t desired)
{
    (void)ex;
    return atomic_compare_exchange_weak_explicit(&t->state, expect, desired, memory_order_acq_rel,
                                                 memory_order_relaxed);
}

/*
 * aexec__state_fetch_or() from a context that has not looked up the
 * executor (a wake from anywhere). A backend that needs the executor looks
 * it up first and leaves it in *ex (NULL if it did not: the caller looks it
 * up when it needs it), and returns 0 (no bit: "not spawned") when the task
 * never had one.
 */
static inline uint32_t aexec__state_fetch_or_any(aexec_task *t, uint32_t bits, aexec_executor **ex)
{
    *ex = NULL;
    return atomic_fetch_or_explicit(&t->state, bits, memory_order_acq_rel);
}

/*
 * fetch_or and fetch_and on the state of a claimed pool slot, by its
 * claimer: other contexts can only leave trace bits in it (I5), so a plain
 * load and store do (a trace they overwrite meant nothing, and an RMW after
 * them keeps what they stored).
 */
static inline uint32_t aexec__state_fetch_or_claimed(aexec_executor *ex, aexec_task *t,
                                                     uint32_t bits)
{
    (void)ex;
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    atomic_store_explicit(&t->state, s | bits, memory_order_relaxed);
    return s;
}

static inline uint32_t aexec__state_fetch_and_claimed(aexec_executor *ex, aexec_task *t,
                                                      uint32_t bits)
{
    (void)ex;
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    atomic_store_explicit(&t->state, s & bits, memory_order_relaxed);
    return s;
}

/* aexec__state_fetch_or() by a context that holds the executor's critical section. */
static inline uint32_t aexec__state_fetch_or_in_cs(aexec_task *t, uint32_t bits)
{
    return atomic_fetch_or_explicit(&t->state, bits, memory_order_acq_rel);
}

/* ---- the run queue's head (run_queue.h) --------------------------------- */

/*
 * Puts `t` on top of the head and returns the head it replaced. Guesses
 * that the head is `guess` rather than loading it first: when the line is
 * on the executor's core, a load and then a CAS move it twice, a CAS alone
 * once. A wrong guess costs one failed CAS, which returns the real head.
 */
static inline aexec_task *aexec__head_push(aexec_executor *ex, aexec_task *t, aexec_task *guess)
{
    aexec_task *h = guess;
    do {
        t->next = h;
    } while (!atomic_compare_exchange_weak_explicit(&ex->head, &h, t, memory_order_release,
                                                    memory_order_relaxed));
    return h;
}

/* Replaces the head with `with` and returns what it held. */
static inline aexec_task *aexec__head_exchange(aexec_executor *ex, aexec_task *with)
{
    return atomic_exchange_explicit(&ex->head, with, memory_order_acquire);
}

/*
 * Replaces the head with `with` if it still is `expect`; returns 1 if it
 * did. seq_cst: it orders the store before idle()'s check of its pend flag.
 */
static inline int aexec__head_replace(aexec_executor *ex, aexec_task *expect, aexec_task *with)
{
    return atomic_compare_exchange_strong_explicit(&ex->head, &expect, with, memory_order_seq_cst,
                                                   memory_order_relaxed);
}

/* ---- the executor's polling flag and a pool's free-stack top ------------ */

/* Sets ex->polling and returns what it was. */
static inline uint32_t aexec__polling_claim(aexec_executor *ex)
{
    return atomic_exchange_explicit(&ex->polling, 1u, memory_order_acquire);
}

/* A weak CAS of pool->free_top (pool.c). */
// NOLINTNEXTLINE(readability-non-const-parameter): a failed CAS writes the current value here
static inline int aexec__pool_top_cas(aexec_pool *pool, uint32_t *expect, uint32_t desired)
{
    return atomic_compare_exchange_weak_explicit(&pool->free_top, expect, desired,
                                                 memory_order_acq_rel, memory_order_acquire);
}

#endif /* AEXEC_SRC_RMW_ATOMIC_H */
