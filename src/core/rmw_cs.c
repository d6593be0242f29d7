/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The read-modify-writes of rmw_cs.h that take the executor's critical
 * section (AEXEC_CONFIG_RUNQUEUE_CS=1): a load and a store between the
 * port's cs_enter() and cs_exit(). With atomics (rmw_atomic.h) they are
 * inline instructions and this file defines nothing.
 */
#include "rmw.h"

#if AEXEC_CONFIG_RUNQUEUE_CS

#if AEXEC__FAST_PATHS
uint32_t aexec__cs_word_update(aexec_executor *ex, _Atomic uint32_t *w, uint32_t keep, uint32_t set)
{
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    uint32_t old = atomic_load_explicit(w, memory_order_relaxed);
    atomic_store_explicit(w, (old & keep) | set, memory_order_relaxed);
    ex->port->cs_exit(ex->ctx, cs);
    return old;
}

int aexec__cs_word_cas(aexec_executor *ex, _Atomic uint32_t *w, uint32_t *expect, uint32_t desired)
{
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    uint32_t old = atomic_load_explicit(w, memory_order_relaxed);
    int ok = old == *expect;
    if (ok)
        atomic_store_explicit(w, desired, memory_order_relaxed);
    else
        *expect = old;
    ex->port->cs_exit(ex->ctx, cs);
    return ok;
}

aexec_task *aexec__head_push(aexec_executor *ex, aexec_task *t, aexec_task *guess)
{
    (void)guess;
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    aexec_task *h = atomic_load_explicit(&ex->head, memory_order_relaxed);
    t->next = h;
    atomic_store_explicit(&ex->head, t, memory_order_relaxed);
    ex->port->cs_exit(ex->ctx, cs);
    return h;
}

aexec_task *aexec__cs_head_swap(aexec_executor *ex, const aexec_task *expect, aexec_task *with,
                                int always)
{
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    aexec_task *h = atomic_load_explicit(&ex->head, memory_order_relaxed);
    if (always || h == expect)
        atomic_store_explicit(&ex->head, with, memory_order_relaxed);
    ex->port->cs_exit(ex->ctx, cs);
    return h;
}
#else
uintptr_t aexec__cs_rmw(aexec_executor *ex, _Atomic uint32_t *w, uintptr_t expect, uint32_t keep,
                        uintptr_t set)
{
    aexec_cs_state cs = ex->port->cs_enter(ex->ctx);
    uintptr_t old;
    if (w != NULL) {
        old = atomic_load_explicit(w, memory_order_relaxed);
        if (keep != 0u || old == expect)
            atomic_store_explicit(w, (uint32_t)((old & keep) | set), memory_order_relaxed);
    } else {
        aexec_task *h = atomic_load_explicit(&ex->head, memory_order_relaxed);
        aexec_task *with = (aexec_task *)set; // NOLINT(performance-no-int-to-ptr): a task's address
        if (keep == 2u)
            with->next = h;
        old = (uintptr_t)h;
        if (keep != 0u || old == expect)
            atomic_store_explicit(&ex->head, with, memory_order_relaxed);
    }
    ex->port->cs_exit(ex->ctx, cs);
    /* A push onto a sleeping executor's queue pends, after the section. */
    if (w == NULL && keep == 2u && old == 0u)
        ex->port->pend(ex->ctx);
    return old;
}
#endif

#endif /* AEXEC_CONFIG_RUNQUEUE_CS */
