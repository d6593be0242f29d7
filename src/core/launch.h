/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Launching a task (internal): the step that turns storage a spawner owns
 * (CLAIMED by aexec_spawn, or a slot taken from a pool) into a spawned task
 * with its first poll queued. aexec_spawn() and aexec_pool_spawn() end here.
 *
 * The launch gives the storage a new generation, so handles of the last
 * life go stale, and sets SPAWNED, RUN_QUEUED and UNCOUNTED (task_state.h):
 * the first poll counts the task in ex->live. If a wake of the last life
 * is still linked (LINGER), that link becomes the first poll instead of a
 * new push.
 */
#ifndef AEXEC_SRC_LAUNCH_H
#define AEXEC_SRC_LAUNCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aexec/trace.h"
#include "fifo.h"
#include "inline.h"
#include "rmw.h"
#include "run_queue.h"
#include "task_result.h"
#include "task_state.h"
#include "wake_list.h"

/*
 * The state word of a launched task: next generation, SPAWNED, RUN_QUEUED,
 * UNCOUNTED, and LINGER if it had it: a linked poll from the previous life
 * becomes the first poll, and its pop tells the executor that the link it
 * counted as lingering has arrived. A tracked task stays tracked.
 */
static inline uint32_t aexec__launch_state(uint32_t s)
{
    uint32_t gen = (s & TS_GEN_MASK) + TS_GEN_ONE;
    /* cppcheck-suppress knownConditionTrueFalse ; the sum wraps to 0 after the last generation */
    if (gen == 0) /* generation 0 means "never spawned": skip it on wrap */
        gen = TS_GEN_ONE;
    return gen | TS_SPAWNED | TS_RUN_QUEUED | TS_UNCOUNTED | (s & (TS_LINGER | TS_TRACKED));
}

/*
 * Makes a task that the caller owns (CLAIMED, or a pool slot) spawned and
 * queued, with a new generation. Pushes it unless a queued poll of its
 * previous life is still linked, which then serves as its first poll.
 * The caller has written poll and owner. `cx` is the caller's poll context
 * when it is a task (NULL otherwise): a task of the same executor then goes
 * on the executor's FIFO.
 */
static inline void aexec__launch(aexec_executor *ex, aexec_task *t, aexec_cx *cx)
{
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
#if !AEXEC__RMW_LOCK_FREE && !AEXEC__FAST_PATHS
    /* Optimizing for size with the critical section: one update, no loop.
     * The generation comes from the plain load, as only the launch changes
     * it and the caller owns the storage; the bits other contexts may be
     * changing (LINGER, TRACKED) are kept from the word inside the section. */
    s = aexec__state_update(ex, t, TS_LINGER | TS_TRACKED,
                            aexec__launch_state(s & ~(TS_LINGER | TS_TRACKED)));
#else
    while (!aexec__state_cas(ex, t, &s, aexec__launch_state(s)))
        ;
#endif
    AEXEC__TRACE(spawn, ex, t);
    if (s & TS_LINGER)
        return;
    if (AEXEC__LOCAL_WAKES && cx != NULL && cx->executor == ex)
        aexec__fifo_append(ex, t);
    else
        aexec__rq_push(ex, t);
}

/*
 * aexec__launch() of a claimed slot of `pool` from a poll on its own
 * executor, whose state word read `s` (relaxed) just before: a plain store
 * instead of the CAS (task_state.h, I5), and the slot goes on the local
 * wake list when a local wake would (I6.5). The slot
 * is not SPAWNED, so a cancel's CAS fails; a wake, notify or join landing
 * before the store only left a trace on a dead task (I2), and one landing
 * after it sees the new, queued task. A claimed slot is never linked (I4);
 * the LINGER test stays as the cheap guard of that. With a critical section
 * instead of atomics, the other contexts' read-modify-writes are not atomic
 * against a plain store: keep the CAS there.
 */
/* The plain store needs atomics, the listing a local wake list. One macro:
 * spelled out in the test, clang-tidy reads `!1 || !1` as a slip. */
#if AEXEC__RMW_LOCK_FREE && AEXEC__LOCAL_WAKES
#define AEXEC__LAUNCH_MAY_LIST 1
#else
#define AEXEC__LAUNCH_MAY_LIST 0
#endif
/*
 * The state bits that send a slot launched from a task to the FIFO instead
 * of the list: LINGER (a claimed slot never has it, I4: the cheap guard)
 * and, for the shorter state word of the fast paths, TRACKED.
 */
#if AEXEC__FAST_PATHS
#define AEXEC__LAUNCH_UNLISTED (TS_LINGER | TS_TRACKED)
#else
#define AEXEC__LAUNCH_UNLISTED TS_LINGER
#endif
static inline void aexec__launch_slot_from_task(aexec_executor *ex, aexec_task *t, aexec_cx *cx,
                                                uint32_t s, const aexec_pool *pool)
{
    if (!AEXEC__LAUNCH_MAY_LIST) {
        aexec__launch(ex, t, cx);
        return;
    }
    AEXEC__TRACE(spawn, ex, t);
    /* release: the first poll's fields are published with the new generation
     * to contexts that read the state (a joiner's handle, a stale waker).
     * Whether the list reaches the slot was decided for the whole pool at
     * its init (pool.c), except when optimizing for size. */
    if (!(s & AEXEC__LAUNCH_UNLISTED) && ex->fifo_head == NULL &&
        (AEXEC__FAST_PATHS ? pool->reach != 0u : aexec__wake_list_reaches(ex, t))) {
        /* Listed, not linked (I6.1): its first poll, like a local wake's,
         * needs no read-modify-write. It is counted in ex->live now, on
         * this thread, instead of through UNCOUNTED at that poll. */
        uint32_t listed;
        if (AEXEC__FAST_PATHS) {
            /* aexec__launch_state() without RUN_QUEUED and UNCOUNTED, for
             * an untracked slot, in fewer steps: the generation's increment
             * carries out of the flag bits set to ones, and the wrap to 0
             * (generation 0 means "never spawned") is where the sum is
             * SPAWNED alone. A tracked slot takes the FIFO below, so that
             * no flag is carried over here. */
            listed = (s | ~TS_GEN_MASK) + 1u + TS_SPAWNED;
            if (listed == TS_SPAWNED)
                listed = TS_GEN_ONE | TS_SPAWNED;
        } else {
            listed = aexec__launch_state(s) & ~(TS_RUN_QUEUED | TS_UNCOUNTED);
        }
        atomic_store_explicit(&t->state, listed, memory_order_release);
        ex->live++;
        /* Orders the new generation before the link, for late joiners of
         * the last life, as at a linked launch's first poll. */
        aexec__result_fence_release();
        aexec__wake_list_link(ex, t, 0);
        return;
    }
    atomic_store_explicit(&t->state, aexec__launch_state(s), memory_order_release);
    if (!(s & TS_LINGER))
        aexec__fifo_append(ex, t);
}

#endif /* AEXEC_SRC_LAUNCH_H */
