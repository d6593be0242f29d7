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
 *      (aexec__launch_slot_from_task); any other context must CAS.
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
 *      executor (aexec__launch_slot_from_task). A batch takes the list
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
 * The read-modify-writes on the word are in rmw.h: atomic instructions, or
 * the executor's critical section on cores without them.
 */
#ifndef AEXEC_SRC_TASK_STATE_H
#define AEXEC_SRC_TASK_STATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/task.h"
#include "rmw.h"
#include "task_owner.h"

#define TS_SPAWNED AEXEC_TASK_SPAWNED       /* 0x01 alive */
#define TS_RUN_QUEUED AEXEC_TASK_RUN_QUEUED /* 0x02 a poll is queued */
#define TS_UNCOUNTED 0x04u                  /* spawned, not yet counted in ex->live */
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

#endif /* AEXEC_SRC_TASK_STATE_H */
