/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The task state word (internal): its bits, the transitions between them,
 * and the invariants every transition keeps. aexec/task.h shows the part a
 * user sees (SPAWNED, RUN_QUEUED, CANCELLED, the generation); the other bits
 * are the core's bookkeeping. The read-modify-writes on the word are in
 * rmw.h (atomic instructions, or the executor's critical section on cores
 * without them). "Local" means on the executor's own thread: a local wake
 * is one made there, by one of its tasks, a fired timer or a join.
 *
 * Transitions, with the function that performs each:
 *
 *  bit         set by                                  cleared by
 *  ----------  --------------------------------------  --------------------------------------
 *  CLAIMED     aexec_spawn (CAS; needs no SPAWNED);    the launch; aexec_spawn on EBUSY;
 *              a pool claim (slot_mark_claimed, with   aexec_pool_unclaim
 *              asserts on: only they read a slot's)
 *  SPAWNED     the launch                              task_finish (CAS)
 *  RUN_QUEUED  the launch; task_wake; wake_via_fifo;   poll_popped (fetch_and, before the
 *              wake_local on a closed list             poll); a launch that lists the slot
 *  UNCOUNTED   the launch (aexec__launch_state)        poll_popped, which counts ex->live
 *  CANCEL      aexec_task_cancel (CAS; needs SPAWNED)  task_finish
 *  NOTIFY      a notifying wake, with RUN_QUEUED;      poll_popped, poll_wake_list_entry
 *              after_pending (a notification not       (into the poll's cx flags)
 *              taken); poll_wake_list_entry (an
 *              entry superseded by a linked poll)
 *  JOINED      aexec_join_poll                         task_finish
 *  LINGER      task_finish (RUN_QUEUED, not WATCHED)   poll_popped (the link's pop)
 *  WATCHED     aexec__watch (CAS)                      aexec__unwatch (fetch_and); task_finish
 *  TRACKED     aexec_stats_track (fetch_or)            never (a launch keeps it)
 *  generation  +1 by the launch, skipping 0            never
 *
 * "The launch" is aexec__launch or aexec__launch_slot_from_task (launch.h),
 * the last step of aexec_spawn and aexec_pool_spawn. task_finish and the
 * poll_* functions are in executor.c; task_wake, wake_via_fifo and
 * wake_local in task.c (aexec_wake, aexec_notify, aexec_cx_wake and
 * aexec_cx_notify end there; outside -Os the last two list the common
 * local wake inline first, aexec/waker.h, with wake_local's tests and the
 * same listing, so I6 reads the same for both); aexec_join_poll and aexec_task_cancel in
 * task_handle.c; slot_mark_claimed and aexec_pool_unclaim in pool.c;
 * aexec__watch and aexec__unwatch in watch.h.
 *
 * Invariants:
 *  I1. A task is linked into at most one run queue, at most once: only the
 *      context whose fetch_or set RUN_QUEUED on a SPAWNED task pushes, and
 *      RUN_QUEUED stays set until the executor pops the task.
 *  I2. RUN_QUEUED without SPAWNED means "linked" only when LINGER is set
 *      (the task finished while a wake was queued); otherwise it is the
 *      harmless trace of a wake on a dead task and nothing is linked.
 *  I3. Only the executor clears SPAWNED, RUN_QUEUED and LINGER (a launch
 *      adds SPAWNED to LINGER, keeping the link as the first poll, whose pop
 *      clears LINGER); only a spawner sets SPAWNED, after it owns the
 *      storage (CLAIMED: by aexec_spawn, or by a pool claim). The executor
 *      counts the LINGER it sets (ex->lingering) until it pops that link,
 *      and aexec_run() does not return AEXEC_RUN_DONE before: the link may
 *      be in flight in a waker that set RUN_QUEUED and has not pushed yet.
 *  I4. A pool slot is free (on its pool's index stack, or on the executor's
 *      list of slots finished in this batch) only while it is linked
 *      nowhere: one that finished linked (LINGER) goes back when the
 *      executor pops that link. So a free slot's ->next is free, and a
 *      claimed slot never has LINGER.
 *  I5. While a pool slot is claimed and not yet spawned, the only RMWs other
 *      contexts can apply to its state are wakes, notifies and joins (a
 *      cancel's CAS needs SPAWNED), whose bits on a dead task are a trace
 *      (I2). So the executor's own thread may launch it with a plain store
 *      (aexec__launch_slot_from_task); any other context must CAS.
 *  I6. The local wake list (wake_list.h):
 *      1. It links nothing in the run-queue sense and owns no state bit.
 *         Other contexts still see RUN_QUEUED clear and link the task as
 *         usual (I1 is unchanged).
 *      2. Only a local wake of a task of the executor lists it, when a
 *         plain load shows SPAWNED and not RUN_QUEUED: only this thread
 *         clears those (I3), and the poll runs later on this thread, so it
 *         sees the waker's writes without a barrier.
 *      3. A listed task is listed once; a second wake only adds its
 *         notification to the entry.
 *      4. The task being polled is never listed: its wakes of itself are
 *         applied when its poll returns (AEXEC__CX_WOKE), and only if it is
 *         still alive. So a task finishes unlisted, and the header's word
 *         is free to hold its result (task_result.h).
 *      5. A new life takes the word back only after its generation changed,
 *         behind a release fence: at its first poll if the launch linked it
 *         (nothing reads the word of a RUN_QUEUED task), or by listing it
 *         (aexec__launch_slot_from_task).
 *      6. A batch takes the list whole before the run queue and the FIFO,
 *         and unlists each entry just before its poll. An entry whose task
 *         is RUN_QUEUED by then is superseded: the linked poll still to come
 *         serves it, and the entry hands it its notification (fetch_or).
 *      7. A NOTIFY that an earlier poll left in the state is taken by the
 *         listed poll with a fetch_and: other contexts may be setting bits
 *         in the same word.
 *  I7. WATCHED (watch.h): only the executor's thread sets it (a CAS that
 *      needs SPAWNED and no RUN_QUEUED) and clears it (un-watch, or
 *      finish). While it is set, the wake that sets RUN_QUEUED does not
 *      push: the link is the executor's, which sees RUN_QUEUED in its spin
 *      or at the start of its next batch and appends the task to its FIFO,
 *      or gets RUN_QUEUED back from the fetch_and that un-watches. The
 *      waker's fetch_or and that fetch_and act on one word, so exactly one
 *      side links each wake. So RUN_QUEUED on a WATCHED task means "woken,
 *      not linked" (no LINGER when it finishes), and the executor un-watches
 *      before idle() and before aexec_run() returns: a wake that did not
 *      pend is never slept on.
 * With one queue (AEXEC__LOCAL_WAKES 0, inline.h: the default at -Os)
 * nothing is listed or watched, so I6 and I7 hold vacuously: every wake,
 * local ones included, sets RUN_QUEUED and links the task (docs/design.md,
 * "One queue when optimizing for size").
 */
#ifndef AEXEC_SRC_TASK_STATE_H
#define AEXEC_SRC_TASK_STATE_H

#include <stdint.h>

#include "aexec/stats.h"
#include "aexec/task.h"

#define TS_SPAWNED AEXEC_TASK_SPAWNED       /* 0x01 alive */
#define TS_RUN_QUEUED AEXEC_TASK_RUN_QUEUED /* 0x02 a poll is queued */
#define TS_UNCOUNTED 0x04u                  /* spawned, not yet counted in ex->live */
#define TS_CLAIMED 0x08u                    /* a spawner owns the storage */
#define TS_CANCEL AEXEC_TASK_CANCELLED      /* 0x10 cancel requested */
#define TS_NOTIFY 0x20u                     /* a notification waits for the next poll */
#define TS_JOINED 0x40u                     /* someone awaits completion */
#define TS_LINGER 0x80u                     /* finished while still linked */
#define TS_WATCHED 0x100u                   /* the spinning executor watches it (I7) */
#define TS_TRACKED_BIT 0x200u
/*
 * Statistics are kept for it (aexec/stats.h). The bit is reserved in every
 * build, so the word's layout does not depend on the configuration, and is
 * 0 in the masks of a build without statistics. The hot paths' tests of
 * "nothing unusual" include it, so an untracked task costs them nothing and
 * a tracked one takes the general path, where it is counted.
 */
#define TS_TRACKED (AEXEC_CONFIG_STATS ? TS_TRACKED_BIT : 0u)
#define TS_GEN_ONE (1u << AEXEC_TASK_GEN_SHIFT)
#define TS_GEN_MASK (~(TS_GEN_ONE - 1u))
_Static_assert(TS_TRACKED_BIT < TS_GEN_ONE,
               "task_state.h: the flag bits must sit below the generation");

/* CANCEL and NOTIFY sit next to each other in the order of the cx flags they
 * become, so the executor turns one into the other with a shift and a mask. */
_Static_assert(TS_NOTIFY == TS_CANCEL << 1 && AEXEC_CX_CANCELLED == 1u && AEXEC_CX_NOTIFIED == 2u,
               "task_state.h: CANCEL, NOTIFY must map onto the cx flags by one shift");
#define TS_CX_FLAGS(s) (((s) / TS_CANCEL) & (AEXEC_CX_CANCELLED | AEXEC_CX_NOTIFIED))

#endif /* AEXEC_SRC_TASK_STATE_H */
