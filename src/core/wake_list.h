/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The local wake list (internal): wakes that a task makes of another task
 * of its own executor, on the executor's thread, recorded and polled with
 * no atomic read-modify-write. Why that is safe is invariant I6 in
 * task_state.h; docs/design.md, "The local wake list", tells the story.
 *
 * Only the executor's thread touches the list. It is linked through the
 * tasks' `wake_link` words: the byte offset from one entry's header to the
 * next one's (0 for the last entry), with two flags in the low bits that a
 * header's alignment leaves free. A relative link fits the 32-bit word that
 * a pointer would not; entries more than 2 GiB apart cannot be linked, and
 * such a wake goes to the executor's FIFO (fifo.h) instead.
 */
#ifndef AEXEC_SRC_WAKE_LIST_H
#define AEXEC_SRC_WAKE_LIST_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/task.h"

#define WL_LISTED 0x1u /* on the list */
#define WL_NOTIFY 0x2u /* a notification for the entry's poll: AEXEC_CX_NOTIFIED */
#define WL_FLAGS (WL_LISTED | WL_NOTIFY)
_Static_assert(WL_NOTIFY == AEXEC_CX_NOTIFIED, "wake_list.h: WL_NOTIFY must be the cx flag");

static inline uint32_t aexec__task_wake_link(const aexec_task *t)
{
    return atomic_load_explicit(&t->wake_link, memory_order_relaxed);
}

static inline void aexec__task_set_wake_link(aexec_task *t, uint32_t v)
{
    atomic_store_explicit(&t->wake_link, v, memory_order_relaxed);
}

/* The entry after `t`, whose link word is `l`, or NULL. */
static inline aexec_task *aexec__wake_list_next(aexec_task *t, uint32_t l)
{
    uintptr_t off = (uintptr_t)(l & ~WL_FLAGS);
    if (l & 0x80000000u)
        off |= ~(uintptr_t)0xFFFFFFFFu; /* sign-extends on 64-bit targets; 0 on 32-bit */
    /* Integer arithmetic: the entries are separate objects, so pointer subtraction is undefined. */
    // NOLINTNEXTLINE(performance-no-int-to-ptr): see above
    return off == 0u ? NULL : (aexec_task *)((uintptr_t)t + off);
}

/* True if a 32-bit link from the list's last entry reaches `t`. */
static inline int aexec__wake_list_reaches(const aexec_executor *ex, const aexec_task *t)
{
#if UINTPTR_MAX > 0xFFFFFFFFu
    uintptr_t d = (uintptr_t)t - (uintptr_t)ex->wake_list_tail;
    return ex->wake_list_tail == NULL || d + 0x80000000u <= 0xFFFFFFFFu; /* within 2 GiB */
#else
    (void)ex;
    (void)t;
    return 1;
#endif
}

/*
 * Lists `t` (a spawned task of `ex`, unlisted, not RUN_QUEUED, within the
 * list's reach) with the flags `notify` (0 or WL_NOTIFY).
 */
static inline void aexec__wake_list_link(aexec_executor *ex, aexec_task *t, uint32_t notify)
{
    aexec_task *tail = ex->wake_list_tail;
    if (tail == NULL) {
        ex->wake_list_head = t;
    } else {
        uint32_t d = (uint32_t)((uintptr_t)t - (uintptr_t)tail);
        aexec__task_set_wake_link(tail, d | (aexec__task_wake_link(tail) & WL_FLAGS));
    }
    aexec__task_set_wake_link(t, WL_LISTED | notify);
    ex->wake_list_tail = t;
}

/*
 * Records a wake of `t` (a spawned task of `ex`, not RUN_QUEUED) carrying
 * `notify` (0 or WL_NOTIFY): a task listed already only gains the
 * notification, since one poll serves both wakes; another is listed if the
 * list reaches it. Returns 0, recording nothing, if it does not.
 */
static inline int aexec__wake_list_add(aexec_executor *ex, aexec_task *t, uint32_t notify)
{
    uint32_t l = aexec__task_wake_link(t);
    if (l & WL_LISTED) {
        if (notify & ~l)
            aexec__task_set_wake_link(t, l | notify);
        return 1;
    }
    if (!aexec__wake_list_reaches(ex, t))
        return 0;
    aexec__wake_list_link(ex, t, notify);
    return 1;
}

/* Takes the whole list for a batch, leaving it empty; returns the first entry or NULL. */
static inline aexec_task *aexec__wake_list_take(aexec_executor *ex)
{
    aexec_task *first = ex->wake_list_head;
    if (first != NULL) {
        ex->wake_list_head = NULL;
        ex->wake_list_tail = NULL;
    }
    return first;
}

/*
 * Unlists `t`, an entry of a taken list, just before its poll (a wake
 * during the poll lists it anew): returns the next entry or NULL, and the
 * entry's notification (0 or AEXEC_CX_NOTIFIED) in *notify.
 */
static inline aexec_task *aexec__wake_list_unlist(aexec_task *t, uint32_t *notify)
{
    uint32_t l = aexec__task_wake_link(t);
    aexec_task *next = aexec__wake_list_next(t, l);
    aexec__task_set_wake_link(t, 0);
    *notify = l & WL_NOTIFY;
    return next;
}

#endif /* AEXEC_SRC_WAKE_LIST_H */
