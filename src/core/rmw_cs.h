/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The core's read-modify-writes inside the executor's critical section
 * (internal; rmw.h picks this file when AEXEC_CONFIG_RUNQUEUE_CS), for cores
 * without atomic read-modify-write: every one is a plain load and a plain
 * store between the port's cs_enter() and cs_exit(). The functions and
 * their meaning are those of rmw_atomic.h.
 *
 * Those that take the section are functions in rmw_cs.c rather than inline
 * here: each is two indirect calls (the port's hooks) around a load and a
 * store, so a call adds little to its cost, while an inline copy in every
 * caller costs the flash a small part (the only kind that lacks atomics)
 * can least spare.
 */
#ifndef AEXEC_SRC_RMW_CS_H
#define AEXEC_SRC_RMW_CS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/task.h"
#include "inline.h"
#include "task_owner.h"

/* A plain store of a state would race the other contexts' load-store pairs. */
#define AEXEC__RMW_LOCK_FREE 0

/* Optimizing for size, a push pends by itself (aexec__cs_rmw). */
#define AEXEC__RMW_PUSH_PENDS (!AEXEC__FAST_PATHS)

/* Whether `port` has the hooks this backend needs: the critical section. */
static inline int aexec__rmw_port_ok(const aexec_port *port)
{
    return port->cs_enter != NULL && port->cs_exit != NULL;
}

#if AEXEC__FAST_PATHS
/*
 * The two shapes every read-modify-write here takes, on a 32-bit word that
 * `ex`'s section guards: *w becomes (*w & keep) | set, returning the old
 * value; and a compare-and-swap, which stores `desired` if *w equals
 * *expect and otherwise writes the value found to *expect.
 */
uint32_t aexec__cs_word_update(aexec_executor *ex, _Atomic uint32_t *w, uint32_t keep,
                               uint32_t set);
int aexec__cs_word_cas(aexec_executor *ex, _Atomic uint32_t *w, uint32_t *expect, uint32_t desired);
#else
/*
 * Optimizing for size, one function serves every read-modify-write here, so
 * that the section's two hook calls and their frame are in the text once.
 * On the word `w`: *w becomes (*w & keep) | set, and it returns the old
 * value; with `keep` 0, which keeps nothing of the old value (a
 * compare-and-swap), the store happens only if *w equals `expect`. With `w`
 * NULL, on the run queue's head (see aexec__cs_head_swap below): it stores
 * `set` if `keep` is not 0 or the head is `expect`, and returns the head;
 * a push (`keep` 2) that finds the head NULL then calls pend() itself,
 * after the section (AEXEC__RMW_PUSH_PENDS).
 */
uintptr_t aexec__cs_rmw(aexec_executor *ex, _Atomic uint32_t *w, uintptr_t expect, uint32_t keep,
                        uintptr_t set);

/* The word's shapes: one argument fewer than an update and a CAS apart. */
static inline uint32_t aexec__cs_word_rmw(aexec_executor *ex, _Atomic uint32_t *w, uint32_t expect,
                                          uint32_t keep, uint32_t set)
{
    return (uint32_t)aexec__cs_rmw(ex, w, expect, keep, set);
}

/* Every update keeps bits but the polling flag's claim (keep 0, set 1),
 * whose word is 0 or 1: storing 1 only over a 0 is the same exchange. */
static inline uint32_t aexec__cs_word_update(aexec_executor *ex, _Atomic uint32_t *w, uint32_t keep,
                                             uint32_t set)
{
    return aexec__cs_word_rmw(ex, w, 0u, keep, set);
}

static inline int aexec__cs_word_cas(aexec_executor *ex, _Atomic uint32_t *w, uint32_t *expect,
                                     uint32_t desired)
{
    uint32_t old = aexec__cs_word_rmw(ex, w, *expect, 0u, desired);
    int ok = old == *expect;
    *expect = old;
    return ok;
}
#endif

/* ---- a task's state word, `ex` being its executor ---------------------- */

static inline uint32_t aexec__state_fetch_or(aexec_executor *ex, aexec_task *t, uint32_t bits)
{
    return aexec__cs_word_update(ex, &t->state, ~0u, bits);
}

static inline uint32_t aexec__state_fetch_and(aexec_executor *ex, aexec_task *t, uint32_t bits)
{
    return aexec__cs_word_update(ex, &t->state, bits, 0u);
}

static inline int aexec__state_cas(aexec_executor *ex, aexec_task *t, uint32_t *expect,
                                   uint32_t desired)
{
    return aexec__cs_word_cas(ex, &t->state, expect, desired);
}

/* The state becomes (state & keep) | set in one step; returns the old state. */
static inline uint32_t aexec__state_update(aexec_executor *ex, aexec_task *t, uint32_t keep,
                                           uint32_t set)
{
    return aexec__cs_word_update(ex, &t->state, keep, set);
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

#if AEXEC__FAST_PATHS
aexec_task *aexec__head_push(aexec_executor *ex, aexec_task *t, aexec_task *guess);

/* Stores `with` if `always` or if the head is `expect`; returns the head it found. */
aexec_task *aexec__cs_head_swap(aexec_executor *ex, const aexec_task *expect, aexec_task *with,
                                int always);
#else
/*
 * Optimizing for size, aexec__cs_rmw() serves the three: it stores `with`
 * if `always` or if the head is `expect`, and a push (`always` 2) first
 * links `with` to the head it found, which it returns.
 */
static inline aexec_task *aexec__cs_head_swap(aexec_executor *ex, const aexec_task *expect,
                                              aexec_task *with, int always)
{
    // NOLINTNEXTLINE(performance-no-int-to-ptr): the head, a task's address or the marker
    return (aexec_task *)aexec__cs_rmw(ex, NULL, (uintptr_t)expect, (uint32_t)always,
                                       (uintptr_t)with);
}

static inline aexec_task *aexec__head_push(aexec_executor *ex, aexec_task *t, aexec_task *guess)
{
    (void)guess;
    return aexec__cs_head_swap(ex, NULL, t, 2);
}
#endif

static inline aexec_task *aexec__head_exchange(aexec_executor *ex, aexec_task *with)
{
    return aexec__cs_head_swap(ex, NULL, with, 1);
}

static inline int aexec__head_replace(aexec_executor *ex, aexec_task *expect, aexec_task *with)
{
    return aexec__cs_head_swap(ex, expect, with, 0) == expect;
}

/* ---- the executor's polling flag and a pool's free-stack top ------------ */

static inline uint32_t aexec__polling_claim(aexec_executor *ex)
{
    return aexec__cs_word_update(ex, &ex->polling, 0u, 1u);
}

static inline int aexec__pool_top_cas(aexec_pool *pool, uint32_t *expect, uint32_t desired)
{
    return aexec__cs_word_cas(pool->executor, &pool->free_top, expect, desired);
}

#endif /* AEXEC_SRC_RMW_CS_H */
