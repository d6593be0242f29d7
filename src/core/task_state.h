/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The task state word and the atomic operations on it (internal).
 *
 * Invariants (each transition below keeps them):
 *  I1. A task is linked into at most one run queue, at most once: only the
 *      context whose fetch_or set RUN_QUEUED on a SPAWNED task pushes, and
 *      RUN_QUEUED stays set until the executor pops the task.
 *  I2. RUN_QUEUED without SPAWNED means "linked" only when LINGER is set
 *      (the task finished while a wake was queued); otherwise it is the
 *      harmless trace of a wake on a dead task and nothing is linked.
 *  I3. Only the executor clears SPAWNED, RUN_QUEUED and LINGER (a launch
 *      adds SPAWNED to LINGER, keeping the link as the first poll, whose pop
 *      clears LINGER); only a spawner sets SPAWNED, after it owns the
 *      storage (CLAIMED, or a slot taken from a pool). The executor counts
 *      the LINGER it sets (ex->lingering) until it pops that link, and
 *      aexec_run() does not return AEXEC_RUN_DONE before: the link may be
 *      in flight in a waker that set RUN_QUEUED and has not pushed yet.
 *  I4. A pool slot is free (on its pool's index stack, or on the executor's
 *      list of slots finished in this batch) only while it is linked
 *      nowhere: one that finished linked (LINGER) goes back when the
 *      executor pops that link. So a free slot's ->next is free, and a
 *      claimed slot never has LINGER.
 *  I5. While a pool slot is claimed and not yet spawned, the only RMWs other
 *      contexts can apply to its state are wakes, notifies and joins (a
 *      cancel's CAS needs SPAWNED), whose bits on a dead task are a trace
 *      (I2). So the executor's own thread may launch it with a plain store
 *      (aexec__task_launch_local); any other context must CAS.
 *  I6. The local wake list (ex->wake_head, linked through the tasks' `local`
 *      fields) links nothing in the run-queue sense and owns no state bit.
 *      A wake from the executor's own thread of its own task that is
 *      SPAWNED and not RUN_QUEUED may list it with a plain load of the
 *      state: only that thread clears SPAWNED and RUN_QUEUED of the task
 *      (I3), and the poll runs later on the same thread, so it sees the
 *      waker's writes without a barrier. Other contexts still see
 *      RUN_QUEUED clear and link the task as usual (I1 is unchanged). A
 *      listed task is listed once (a second wake only adds its notification)
 *      and is never the task being polled: a task's wakes of itself during
 *      its poll are applied when the poll returns (AEXEC__CX_WOKE), and only
 *      if it is still alive. So a task finishes unlisted, and the `local` of
 *      a finished task is free to hold its result. A new life frees it
 *      after the generation has changed, behind a release fence (so a late
 *      joiner of the last life reads that life's result or sees the change):
 *      at its first poll when
 *      the launch linked it (nothing reads `local` of a RUN_QUEUED task), or
 *      by listing it when a task of the executor spawns a pool slot of the
 *      executor (aexec__task_launch_local). A batch takes the list
 *      whole before the run queue and the FIFO, and unlists each entry just
 *      before its poll; an entry whose task is RUN_QUEUED by then is
 *      superseded: that linked poll is still to come and serves it (the
 *      entry first hands it its notification with a fetch_or). A NOTIFY left
 *      in the state by an earlier poll is taken by the listed poll with a
 *      fetch_and.
 *  I7. WATCHED: the executor, spinning for work in aexec_run(), watches the
 *      task its last batch left pending. Only the executor's thread sets
 *      WATCHED (a CAS that needs SPAWNED and no RUN_QUEUED) and clears it
 *      (un-watch, or finish). While it is set, the wake that sets
 *      RUN_QUEUED does not push: the link is the executor's, which sees
 *      RUN_QUEUED in its spin or at the start of its next batch and appends
 *      the task to its local queue, or gets RUN_QUEUED back from the
 *      fetch_and that un-watches. The waker's fetch_or and that fetch_and
 *      act on one word, so exactly one side links each wake. So RUN_QUEUED
 *      on a WATCHED task means "woken, not linked" (no LINGER when it
 *      finishes), and the executor un-watches before idle() and before
 *      aexec_run() returns: a wake that did not pend is never slept on.
 *
 * With AEXEC_CONFIG_RUNQUEUE_CS the read-modify-writes run inside the
 * executor's critical section instead, for cores without atomic RMW.
 */
#ifndef AEXEC_SRC_TASK_STATE_H
#define AEXEC_SRC_TASK_STATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/task.h"

#define TS_SPAWNED AEXEC_TASK_SPAWNED       /* 0x01 alive */
#define TS_RUN_QUEUED AEXEC_TASK_RUN_QUEUED /* 0x02 a poll is queued */
#define TS_FRESH 0x04u                      /* spawned, not yet counted in ex->live */
#define TS_CLAIMED 0x08u                    /* a spawner owns the storage */
#define TS_CANCEL AEXEC_TASK_CANCELLED      /* 0x10 cancel requested */
#define TS_NOTIFY 0x20u                     /* a notification waits for the next poll */
#define TS_JOINED 0x40u                     /* someone awaits completion */
#define TS_LINGER 0x80u                     /* finished while still linked */
#define TS_WATCHED 0x100u                   /* the spinning executor watches it (I7) */
#define TS_GEN_ONE (1u << AEXEC_TASK_GEN_SHIFT)
#define TS_GEN_MASK (~(TS_GEN_ONE - 1u))
_Static_assert(TS_WATCHED < TS_GEN_ONE,
               "task_state.h: the flag bits must sit below the generation");

/* CANCEL and NOTIFY sit next to each other in the order of the cx flags they
 * become, so the executor turns one into the other with a shift and a mask. */
_Static_assert(TS_NOTIFY == TS_CANCEL << 1 && AEXEC_CX_CANCELLED == 1u && AEXEC_CX_NOTIFIED == 2u,
               "task_state.h: CANCEL, NOTIFY must map onto the cx flags by one shift");
#define TS_CX_FLAGS(s) (((s) / TS_CANCEL) & (AEXEC_CX_CANCELLED | AEXEC_CX_NOTIFIED))

#ifndef AEXEC_CONFIG_RUNQUEUE_CS
#define AEXEC_CONFIG_RUNQUEUE_CS 0
#endif

/*
 * The two fences of the late joiner's seqlock on `local` (I6, task_handle.c).
 * ThreadSanitizer does not model fences, and GCC refuses to compile them
 * under it; what TSan checks (plain accesses that race) this seqlock has
 * none of, and on x86, where the sanitizers run, the fences emit no
 * instruction. So its builds leave them out.
 */
#if defined(__SANITIZE_THREAD__)
#define AEXEC__TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AEXEC__TSAN 1
#endif
#endif
#ifdef AEXEC__TSAN
#define aexec__fence_release() ((void)0)
#define aexec__fence_acquire() ((void)0)
#else
#define aexec__fence_release() atomic_thread_fence(memory_order_release)
#define aexec__fence_acquire() atomic_thread_fence(memory_order_acquire)
#endif

/* The owner word: the executor, or the pool | 1. */
static inline uintptr_t aexec__task_owner(const aexec_task *t)
{
    return atomic_load_explicit(&t->owner, memory_order_relaxed);
}

/* The executor a task was last spawned on. */
static inline aexec_executor *aexec__task_executor(const aexec_task *t)
{
    uintptr_t o = atomic_load_explicit(&t->owner, memory_order_relaxed);
    if (o & 1u)
        return ((const aexec_pool *)(o - 1u))->executor;
    return (aexec_executor *)o;
}

#if AEXEC_CONFIG_RUNQUEUE_CS

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

#else

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

static inline int aexec__state_cas(aexec_executor *ex, aexec_task *t, uint32_t *expect,
                                   uint32_t desired)
{
    (void)ex;
    return atomic_compare_exchange_weak_explicit(&t->state, expect, desired, memory_order_acq_rel,
                                                 memory_order_relaxed);
}

#endif

/*
 * Appends a task whose RUN_QUEUED bit the caller just set to the local FIFO.
 * While the FIFO holds a task, the local wake list takes no new entry, so
 * that the local wakes after this one follow it in the FIFO and the next
 * batch polls them in order. Executor's thread.
 */
static inline void aexec__local_append(aexec_executor *ex, aexec_task *t)
{
    t->next = NULL;
    *ex->local_tail = t;
    ex->local_tail = &t->next;
}

/*
 * The local wake list's link (I6), in a task's `local` field while it is
 * spawned: the byte offset from this header to the next entry's (0 for the
 * last entry), with two flags in the low bits that a header's alignment
 * leaves free. A relative link fits the 32-bit word that a pointer would
 * not; entries more than 2 GiB apart cannot be linked, and such a wake takes
 * the linked path instead.
 */
#define TL_LISTED 0x1u /* on the list */
#define TL_NOTIFY 0x2u /* a notification for the entry's poll: AEXEC_CX_NOTIFIED */
#define TL_FLAGS (TL_LISTED | TL_NOTIFY)
_Static_assert(TL_NOTIFY == AEXEC_CX_NOTIFIED, "task_state.h: TL_NOTIFY must be the cx flag");

static inline uint32_t aexec__task_local(const aexec_task *t)
{
    return atomic_load_explicit(&t->local, memory_order_relaxed);
}

static inline void aexec__task_set_local(aexec_task *t, uint32_t v)
{
    atomic_store_explicit(&t->local, v, memory_order_relaxed);
}

/* The entry after `t`, whose link word is `l`, or NULL. */
static inline aexec_task *aexec__listed_next(aexec_task *t, uint32_t l)
{
    uintptr_t off = (uintptr_t)(l & ~TL_FLAGS);
    if (l & 0x80000000u)
        off |= ~(uintptr_t)0xFFFFFFFFu; /* sign-extends on 64-bit targets; 0 on 32-bit */
    return off == 0u ? NULL : (aexec_task *)((uintptr_t)t + off);
}

/* True if a 32-bit link from the list's last entry reaches `t`. Executor's thread. */
static inline int aexec__list_reaches(const aexec_executor *ex, const aexec_task *t)
{
#if UINTPTR_MAX > 0xFFFFFFFFu
    uintptr_t d = (uintptr_t)t - (uintptr_t)ex->wake_tail;
    return ex->wake_tail == NULL || d + 0x80000000u <= 0xFFFFFFFFu; /* within 2 GiB */
#else
    (void)ex;
    (void)t;
    return 1;
#endif
}

/*
 * Lists `t` (a spawned task of `ex`, unlisted, not RUN_QUEUED, within the
 * list's reach) with the flags `notify` (0 or TL_NOTIFY). Executor's thread.
 */
static inline void aexec__list_link(aexec_executor *ex, aexec_task *t, uint32_t notify)
{
    aexec_task *tail = ex->wake_tail;
    if (tail == NULL) {
        ex->wake_head = t;
    } else {
        uint32_t d = (uint32_t)((uintptr_t)t - (uintptr_t)tail);
        aexec__task_set_local(tail, d | (aexec__task_local(tail) & TL_FLAGS));
    }
    aexec__task_set_local(t, TL_LISTED | notify);
    ex->wake_tail = t;
}

/* aexec__list_link() if the list reaches `t`; returns 0, listing nothing, if not. */
static inline int aexec__list_append(aexec_executor *ex, aexec_task *t, uint32_t notify)
{
    if (!aexec__list_reaches(ex, t))
        return 0;
    aexec__list_link(ex, t, notify);
    return 1;
}

/* True if a local wake is waiting for the next batch (list or FIFO). Executor's thread. */
static inline int aexec__local_pending(const aexec_executor *ex)
{
    return ex->local_head != NULL || ex->wake_head != NULL;
}

/*
 * A finished task's result code, kept in `local` (I6: a finished task is
 * unlisted). The conversions are spelled out because int32_t <-> uint32_t
 * of a negative code is implementation-defined one way.
 */
static inline void aexec__task_set_result(aexec_task *t, int32_t r)
{
    aexec__task_set_local(t, (uint32_t)r);
}

static inline int32_t aexec__result_of(uint32_t v)
{
    return v <= 0x7FFFFFFFu ? (int32_t)v : -(int32_t)(~v) - 1;
}

#endif /* AEXEC_SRC_TASK_STATE_H */
