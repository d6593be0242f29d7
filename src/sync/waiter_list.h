/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * FIFO lists of waiters (internal). Every function here runs inside the
 * owning object's critical section. A waiter is QUEUED while linked; the
 * object completes it by unlinking it and storing a final status (0 or a
 * negative code), then the caller wakes its task after leaving the section
 * (a wake may pend, which must not run inside someone's spinlock).
 *
 * The list operations are inline where the primitives' speed is measured,
 * and functions in waiter_list.c, shared by every primitive, when the
 * compiler optimizes for size (__OPTIMIZE_SIZE__: -Os, -Oz), where an
 * inline copy in each entry point of each primitive is what the part's
 * flash pays for. The cancel path is a function either way: it is rare.
 */
#ifndef AEXEC_SRC_WAITER_LIST_H
#define AEXEC_SRC_WAITER_LIST_H

#include <stddef.h>

#include "aexec/error.h"
#include "aexec/sync.h"
#include "aexec/waker.h"

#define AEXEC__W_IDLE 1   /* not started */
#define AEXEC__W_QUEUED 2 /* linked, waiting */
/* a status <= 0 is final: 0 done, or an AEXEC_E* code */

static inline aexec_cs_state aexec__cs_enter(const aexec_cs *cs)
{
    return cs->enter(cs->ctx);
}

static inline void aexec__cs_exit(const aexec_cs *cs, aexec_cs_state saved)
{
    cs->exit(cs->ctx, saved);
}

/*
 * An init must not reset a waiter that is still linked in an object's list:
 * the list would keep pointing at it. Storage is zero (never used), or a
 * finished or cancelled operation, so a linked one is a missing cancel.
 * Every primitive's init asserts it with one message, stored once
 * (waiter_list.c), that names them all: a copy per init would cost the
 * flash each time. Where the build reports the place
 * (AEXEC_CONFIG_ASSERT_WHERE), the file and line say which init it was.
 */
#define AEXEC__WAITER_QUEUED_TEXT                                       \
    "aexec_channel_send_init/recv_init, aexec_semaphore_acquire_init, " \
    "aexec_mutex_lock_init, aexec_wait_init: still waiting; cancel it first"
extern const char aexec__waiter_queued_msg[sizeof AEXEC__WAITER_QUEUED_TEXT];
#define AEXEC__WAITER_NOT_QUEUED(w) \
    AEXEC_ASSERT(!((w)->linked == 1 && (w)->status == AEXEC__W_QUEUED), aexec__waiter_queued_msg)

/* Field by field: a struct assignment becomes a memcpy call at -Os, and a
 * kernel linked with bare ld has no memcpy. */
static inline void aexec__cs_copy(aexec_cs *dst, const aexec_cs *src)
{
    dst->enter = src->enter;
    dst->exit = src->exit;
    dst->ctx = src->ctx;
}

/*
 * A waiter's final status may be read outside the section by its own task
 * (aexec__waiter_status_acquire), so a waiting future's re-poll need not
 * take the section just to learn that it is still waiting or that it is
 * done. The completion is a release store made after everything handed
 * over (an item copied into the waiter's buffer); the read is an acquire
 * load. Both are plain 32-bit loads and stores with ordering, no
 * read-modify-write, so cores without atomics keep them. Compilers without
 * the GNU atomic built-ins get 0 from AEXEC__WAITER_STATUS_LOCK_FREE and the
 * callers read the status inside the section instead.
 */
#if defined(__GNUC__)
#define AEXEC__WAITER_STATUS_LOCK_FREE 1
static inline void aexec__waiter_finish(aexec_waiter *w, int32_t status)
{
    __atomic_store_n(&w->status, status, __ATOMIC_RELEASE);
}
static inline int32_t aexec__waiter_status_acquire(const aexec_waiter *w)
{
    return __atomic_load_n(&w->status, __ATOMIC_ACQUIRE);
}
#else
#define AEXEC__WAITER_STATUS_LOCK_FREE 0
static inline void aexec__waiter_finish(aexec_waiter *w, int32_t status)
{
    w->status = status;
}
#endif

/*
 * The part of a reset that an idle waiter needs: cancel looks at `linked`
 * and `status` only, and the rest is written when the waiter is queued. For
 * futures set up once per item, where the four other stores show.
 */
static inline void aexec__waiter_prepare(aexec_waiter *w)
{
    w->status = AEXEC__W_IDLE;
    w->linked = 0;
}

#if defined(__OPTIMIZE_SIZE__)
#define AEXEC__WAITER_LIST_INLINE 0
#else
#define AEXEC__WAITER_LIST_INLINE 1
#endif

#if AEXEC__WAITER_LIST_INLINE
#define AEXEC__WL_FN static inline
#else
#define AEXEC__WL_FN
/* Resets a waiter to idle, as an init does. */
void aexec__waiter_reset(aexec_waiter *w);
/* Links `w` last and marks it queued. */
void aexec__waiters_push(aexec_waiter **head, aexec_waiter **tail, aexec_waiter *w);
/* Unlinks `w` (its status is left to the caller). */
void aexec__waiters_unlink(aexec_waiter **head, aexec_waiter **tail, aexec_waiter *w);
/* Unlinks the first waiter, gives it `status`, and returns the task to wake. */
aexec_task *aexec__waiters_complete_first(aexec_waiter **head, aexec_waiter **tail, int32_t status);
#endif

/* The definitions: here when inline, in waiter_list.c (which defines the macro) when not. */
#if AEXEC__WAITER_LIST_INLINE || defined(AEXEC__WAITER_LIST_DEFINE)
AEXEC__WL_FN void aexec__waiter_reset(aexec_waiter *w)
{
    w->next = NULL;
    w->prev = NULL;
    w->task = NULL;
    w->item = NULL;
    w->status = AEXEC__W_IDLE;
    w->linked = 0;
}

AEXEC__WL_FN void aexec__waiters_push(aexec_waiter **head, aexec_waiter **tail, aexec_waiter *w)
{
    w->next = NULL;
    w->prev = *tail;
    if (*tail != NULL)
        (*tail)->next = w;
    else
        *head = w;
    *tail = w;
    w->linked = 1;
    w->status = AEXEC__W_QUEUED;
}

AEXEC__WL_FN void aexec__waiters_unlink(aexec_waiter **head, aexec_waiter **tail, aexec_waiter *w)
{
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        *head = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    else
        *tail = w->prev;
    w->next = NULL;
    w->prev = NULL;
    w->linked = 0;
}

AEXEC__WL_FN aexec_task *aexec__waiters_complete_first(aexec_waiter **head, aexec_waiter **tail,
                                                       int32_t status)
{
    aexec_waiter *w = *head;
    aexec_task *task = w->task; /* read first: after the release, w may be gone */
    aexec__waiters_unlink(head, tail, w);
    aexec__waiter_finish(w, status);
    return task;
}
#endif

/*
 * Withdraws `w` from its list, whatever its state, and resets it to idle.
 * Returns 1 if it had been completed with 0 (the hand-over happened), else 0.
 * Takes the section itself: the cancel path of every primitive.
 */
int aexec__waiter_cancel(const aexec_cs *cs, aexec_waiter **head, aexec_waiter **tail,
                         aexec_waiter *w);

/* Wakes a task after the section: through the cx when the waker is a task. */
static inline void aexec__wake_after(aexec_task *task, aexec_cx *cx)
{
    if (task == NULL)
        return;
    if (cx != NULL)
        aexec_cx_wake(cx, task);
    else
        aexec_wake(task);
}

#endif /* AEXEC_SRC_WAITER_LIST_H */
