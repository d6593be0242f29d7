/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The waker slot: one word holding nothing, a task pointer, or WOKEN (a wake
 * that found nobody registered). Tasks are at least 4-byte aligned, so the
 * value 1 is never a task. Register and wake each end with one atomic
 * operation on the word; there is no lock, so an ISR may wake while a task
 * registers.
 */
#include "aexec/error.h"
#include "aexec/sync.h"
#include "aexec/waker.h"

#ifndef AEXEC_CONFIG_RUNQUEUE_CS
#define AEXEC_CONFIG_RUNQUEUE_CS 0
#endif

#define SLOT_WOKEN ((uintptr_t)1)

void aexec_waker_slot_init(aexec_waker_slot *slot, const aexec_cs *cs)
{
    AEXEC_ASSERT(!AEXEC_CONFIG_RUNQUEUE_CS || cs != NULL,
                 "aexec_waker_slot_init: cs is NULL (needed without CAS)");
    atomic_init(&slot->word, (uintptr_t)0);
    slot->cs = cs;
    slot->registered = 0;
}

/* The one read-modify-write everything below is built on. */
// NOLINTNEXTLINE(readability-non-const-parameter): a failed CAS writes the current value here
static int slot_cas(aexec_waker_slot *slot, uintptr_t *expect, uintptr_t desired)
{
#if AEXEC_CONFIG_RUNQUEUE_CS
    aexec_cs_state s = slot->cs->enter(slot->cs->ctx);
    uintptr_t now = atomic_load_explicit(&slot->word, memory_order_relaxed);
    int ok = now == *expect;
    if (ok)
        atomic_store_explicit(&slot->word, desired, memory_order_relaxed);
    else
        *expect = now;
    slot->cs->exit(slot->cs->ctx, s);
    return ok;
#else
    return atomic_compare_exchange_weak_explicit(&slot->word, expect, desired, memory_order_acq_rel,
                                                 memory_order_acquire);
#endif
}

int aexec_waker_slot_register(aexec_waker_slot *slot, aexec_cx *cx)
{
    uintptr_t me = (uintptr_t)cx->task;
    uintptr_t old = atomic_load_explicit(&slot->word, memory_order_acquire);
    for (;;) {
        if (old == SLOT_WOKEN) {
            /* Consume the early wake: the caller's condition already holds,
             * and a self-wake makes sure it is looked at again. */
            if (slot_cas(slot, &old, (uintptr_t)0)) {
                aexec_cx_wake(cx, cx->task);
                return 1;
            }
            continue;
        }
        if (slot_cas(slot, &old, me)) {
            slot->registered = 1;
            return 0;
        }
    }
}

void aexec_waker_slot_wake(aexec_waker_slot *slot)
{
    uintptr_t old = atomic_load_explicit(&slot->word, memory_order_acquire);
    for (;;) {
        uintptr_t next = old == 0 || old == SLOT_WOKEN ? SLOT_WOKEN : 0;
        if (slot_cas(slot, &old, next))
            break;
    }
    if (old != 0 && old != SLOT_WOKEN)
        aexec_wake((aexec_task *)old); // NOLINT(performance-no-int-to-ptr): the word holds a task
}

int aexec_waker_slot_cancel(aexec_waker_slot *slot, aexec_task *task)
{
    /* `registered` is the waiting side's own note (task context only, never
     * a waker's), so a cancel without a registration reports nothing. */
    if (!slot->registered)
        return 0;
    slot->registered = 0;
    uintptr_t expect = (uintptr_t)task;
    /* A weak CAS may fail spuriously: retry while the word is still ours. */
    while (!slot_cas(slot, &expect, (uintptr_t)0)) {
        if (expect != (uintptr_t)task)
            return 1; /* a wake took the registration */
    }
    return 0;
}
