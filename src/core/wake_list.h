/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The local wake list (internal): wakes that a task makes of another task
 * of its own executor, on the executor's thread, recorded and polled with
 * no atomic read-modify-write. Why that is safe is invariant I6 in
 * task_state.h; docs/design.md, "The local wake list", tells the story.
 *
 * Only the executor's thread touches the list. It is linked through the
 * tasks' `wake_link` words: the byte offset of the next entry's header from
 * the executor (0 after the last entry), with two flags in the low bits
 * that the headers' and the executor's alignment leave free. The executor
 * holds the first entry's offset in a word of the same kind
 * (wake_list_first) and a pointer to the word the next entry's offset goes
 * into (wake_list_end: the last entry's word, or wake_list_first), so
 * listing a task is one add to that word and two stores, with no test for
 * an empty list. Offsets from the executor fit the 32-bit word that a
 * pointer would not, and whether one reaches a task does not depend on the
 * list's other entries; a task more than 2 GiB away from its executor
 * cannot be listed, and its wakes go to the executor's FIFO (fifo.h).
 */
#ifndef AEXEC_SRC_WAKE_LIST_H
#define AEXEC_SRC_WAKE_LIST_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/task.h"
#include "aexec/waker.h"
#include "task_state.h"

/* aexec/waker.h lists a task inline in the waking poll outside -Os: the
 * flags, the link and the tests of the state and the owner are the same. */
#define WL_LISTED AEXEC__WL_LISTED /* 0x1: on the list */
#define WL_NOTIFY AEXEC__WL_NOTIFY /* 0x2: a notification for the entry's poll (the cx flag) */
#define WL_FLAGS (WL_LISTED | WL_NOTIFY)
_Static_assert(WL_NOTIFY == AEXEC_CX_NOTIFIED, "wake_list.h: WL_NOTIFY must be the cx flag");
_Static_assert(AEXEC__TASK_TRACKED == TS_TRACKED_BIT,
               "wake_list.h: aexec/waker.h tests the statistics bit of the state");
_Static_assert(_Alignof(aexec_executor) >= 4 && _Alignof(aexec_task) >= 4,
               "wake_list.h: an offset between a header and its executor keeps two bits free");

static inline uint32_t aexec__task_wake_link(const aexec_task *t)
{
    return atomic_load_explicit(&t->wake_link, memory_order_relaxed);
}

static inline void aexec__task_set_wake_link(aexec_task *t, uint32_t v)
{
    atomic_store_explicit(&t->wake_link, v, memory_order_relaxed);
}

/* The entry whose offset from the executor a link word `l` holds (not 0: a next entry). */
static inline aexec_task *aexec__wake_list_at(const aexec_executor *ex, uint32_t l)
{
    /* Sign-extends on 64-bit targets (an offset can be negative); on 32-bit
     * ones it wraps to the same address. The conversion to int32_t is
     * implementation-defined for offsets of 2 GiB and more, and every
     * compiler this builds with (GCC, Clang) reduces it modulo 2^32: one
     * sign-extending move, where a portable spelling costs three
     * instructions per entry. Integer arithmetic: the task and the
     * executor are separate objects, so pointer subtraction is undefined. */
    uintptr_t d = (uintptr_t)(intptr_t)(int32_t)(l & ~WL_FLAGS);
    // NOLINTNEXTLINE(performance-no-int-to-ptr): see above
    return (aexec_task *)((uintptr_t)ex + d);
}

/*
 * True if a 32-bit link word can hold `t`'s offset from its executor `ex`.
 * Decided at the spawn of a plain task wherever there is a list
 * (task_owner.h's AEXEC__OWNER_FAR), at each local wake of a pool slot
 * (and of every task when optimizing for size, see task.c).
 */
static inline int aexec__wake_list_reaches(const aexec_executor *ex, const aexec_task *t)
{
#if UINTPTR_MAX > 0xFFFFFFFFu
    uintptr_t d = (uintptr_t)t - (uintptr_t)ex;
    return d + 0x80000000u <= 0xFFFFFFFFu; /* within 2 GiB */
#else
    (void)ex;
    (void)t;
    return 1;
#endif
}

/*
 * Lists `t` (a spawned task of `ex`, unlisted, not RUN_QUEUED, within the
 * list's reach) with the flags `notify` (0 or WL_NOTIFY). The end word's
 * offset is 0 (it is the last entry's, or the empty list's first), so
 * adding the new offset keeps its flags.
 */
static inline void aexec__wake_list_link(aexec_executor *ex, aexec_task *t, uint32_t notify)
{
    _Atomic uint32_t *end = ex->wake_list_end;
    uint32_t off = (uint32_t)((uintptr_t)t - (uintptr_t)ex);
    atomic_store_explicit(end, atomic_load_explicit(end, memory_order_relaxed) + off,
                          memory_order_relaxed);
    aexec__task_set_wake_link(t, WL_LISTED | notify);
    ex->wake_list_end = &t->wake_link;
}

/*
 * Records a wake of `t` (a spawned task of `ex`, not RUN_QUEUED, within the
 * list's reach) carrying `notify` (0 or WL_NOTIFY): a task listed already
 * only gains the notification, since one poll serves both wakes; another
 * is listed.
 */
static inline void aexec__wake_list_add(aexec_executor *ex, aexec_task *t, uint32_t notify)
{
    uint32_t l = aexec__task_wake_link(t);
    if (!(l & WL_LISTED))
        aexec__wake_list_link(ex, t, notify);
    else if (notify & ~l)
        aexec__task_set_wake_link(t, l | notify);
}

/* Empties the list (at init, and when a batch takes it). */
static inline void aexec__wake_list_clear(aexec_executor *ex)
{
    atomic_store_explicit(&ex->wake_list_first, 0u, memory_order_relaxed);
    ex->wake_list_end = &ex->wake_list_first;
}

/*
 * Takes the whole list for a batch, leaving it empty: returns the link word
 * of its first entry (aexec__wake_list_at), 0 if it was empty. The batch
 * unlists each entry just before its poll (a wake during the poll lists it
 * anew) by reading its word, the link to the next, and storing 0.
 */
static inline uint32_t aexec__wake_list_take(aexec_executor *ex)
{
    uint32_t first = atomic_load_explicit(&ex->wake_list_first, memory_order_relaxed);
    if (first != 0u)
        aexec__wake_list_clear(ex);
    return first;
}

#endif /* AEXEC_SRC_WAKE_LIST_H */
