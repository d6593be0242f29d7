/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The executor: the consumer side of the task state machine.
 *
 * One context at a time polls an executor (asserted through ex->polling).
 * A linked task costs one fetch_and per poll (clear RUN_QUEUED before the
 * poll, so a wake during the poll queues the next one) and one indirect
 * call; a task on the local wake list (wake_list.h, I6) costs a plain
 * load and the call; per batch one exchange on the queue head, and none
 * when it is empty. Polling is shallow: the stack depth is the poll
 * functions' own, never recursive in the executor.
 */
#include <stddef.h>

#include "aexec/error.h"
#include "aexec/executor.h"
#include "aexec/trace.h"
#include "attention.h"
#include "cpu_relax.h"
#include "executor_internal.h"
#include "executor_timers.h"
#include "fifo.h"
#include "hooks.h"
#include "inline.h"
#include "pool.h"
#include "rmw.h"
#include "run_queue.h"
#include "stats_hooks.h"
#include "task_owner.h"
#include "task_result.h"
#include "task_state.h"
#include "wake_list.h"
#include "watch.h"

/*
 * Kept out of line when optimizing for size too, where AEXEC__NOINLINE
 * steps back (inline.h): the two functions below that use it cost more
 * code inline, as gcc -Os then spends registers on them in their caller.
 */
#if defined(__GNUC__) && !AEXEC__FAST_PATHS
#define OUT_OF_LINE __attribute__((noinline))
#else
#define OUT_OF_LINE
#endif

#if !AEXEC__FAST_PATHS
static OUT_OF_LINE int init_fields(aexec_executor *ex, const aexec_port *port, void *ctx,
                                   uint64_t tick_hz);
#endif

int aexec__layout_check(uint32_t layout)
{
    AEXEC_ASSERT(layout == AEXEC__LAYOUT,
                 "aexec executor init: built with other AEXEC_CONFIG_* than the library");
    return layout == AEXEC__LAYOUT ? AEXEC_OK : AEXEC_EINVAL;
}

#if AEXEC__FAST_PATHS
/* In parentheses: the name is also the checking macro's (aexec/executor.h). */
int(aexec_executor_init)(aexec_executor *ex, const aexec_port *port, void *ctx, uint64_t tick_hz)
{
#else
/* Optimizing for size, the macro's call is the init: the layout's compare
 * is inline, and with asserts off it needs nothing else. */
int aexec__executor_init(aexec_executor *ex, const aexec_port *port, void *ctx, uint64_t tick_hz,
                         uint32_t layout)
{
    if (layout != AEXEC__LAYOUT)
        return AEXEC_CONFIG_ASSERT ? aexec__layout_check(layout) : AEXEC_EINVAL;
#endif
    if (ex == NULL || port == NULL || port->pend == NULL)
        return AEXEC_EINVAL;
    /* Not an error code: every conversion and timer would then run on a
     * clock that does not exist, and the caller's port is simply wrong. */
    AEXEC_ASSERT(port->now != NULL || port->set_alarm != NULL || tick_hz == 0,
                 "aexec_executor_init: tick_hz != 0 but no time driver");
    if ((port->now == NULL) != (port->set_alarm == NULL) || (port->now != NULL && tick_hz == 0))
        return AEXEC_EINVAL;
    if (!aexec__rmw_port_ok(port))
        return AEXEC_EINVAL;
#if !AEXEC__FAST_PATHS
    return init_fields(ex, port, ctx, tick_hz);
}

/*
 * Optimizing for size, the init's stores are a function of their own, which
 * the checks above end in with a tail call: the executor stays in the first
 * argument's register, within reach of the compressed stores, instead of
 * moving out of the way of the checks' error code.
 */
static int init_fields(aexec_executor *ex, const aexec_port *port, void *ctx, uint64_t tick_hz)
{
    /* Optimizing for size: every byte zero, then the fields that start
     * elsewhere. Through a volatile pointer: the compiler would make a
     * plain loop a memset call, which a bare-metal link does not have, and
     * bytes alias every field, so no field's store moves before the loop. */
    volatile unsigned char *byte = (volatile unsigned char *)ex;
    const volatile unsigned char *const end = byte + sizeof *ex;
    while (byte != end)
        *byte++ = 0;
#if AEXEC__LOCAL_WAKES
    ex->fifo_tail = &ex->fifo_head;
    aexec__wake_list_clear(ex);
#endif
#else
    /* Field by field: a struct assignment may become a memset/memcpy call,
     * which a bare-metal link does not have. */
    atomic_init(&ex->head, NULL);
    ex->fifo_head = NULL;
    ex->fifo_tail = &ex->fifo_head;
#if AEXEC__LOCAL_WAKES
    aexec__wake_list_clear(ex);
#else
    /* No list: a NULL end closes it for aexec/waker.h's inline wake. */
    ex->wake_list_end = NULL;
    atomic_init(&ex->wake_list_first, 0u);
#endif
    atomic_init(&ex->stop, 0);
    atomic_init(&ex->polling, 0);
    ex->live = 0;
    ex->lingering = 0;
    ex->done_pools = NULL;
    ex->joins = NULL;
    ex->spin = 0;
    ex->last_pending = NULL;
    ex->watched = NULL;
    ex->attn = 0;
#endif
    ex->port = port;
    ex->ctx = ctx;
    ex->tick_hz = tick_hz;
#if AEXEC__TIMERS_INIT_CALLED /* else zeroed above, a heap-only queue is empty already */
    aexec__timers_init(ex);
#endif
#if AEXEC__FAST_PATHS /* else arm() keeps no copy */
    ex->alarm = AEXEC_ALARM_NONE;
#endif
#if AEXEC_CONFIG_STATS
    ex->stats_table = NULL;
    ex->stats_mask = 0;
    ex->stats_tracked = 0;
    aexec__stats_zero(ex);
#endif
    ex->magic = AEXEC__EXECUTOR_MAGIC;
    return AEXEC_OK;
}

#if AEXEC__FAST_PATHS
int aexec__executor_init(aexec_executor *ex, const aexec_port *port, void *ctx, uint64_t tick_hz,
                         uint32_t layout)
{
    return layout == AEXEC__LAYOUT ? (aexec_executor_init)(ex, port, ctx, tick_hz)
                                   : aexec__layout_check(layout);
}
#else
int(aexec_executor_init)(aexec_executor *ex, const aexec_port *port, void *ctx, uint64_t tick_hz)
{
    return aexec__executor_init(ex, port, ctx, tick_hz, AEXEC__LAYOUT);
}
#endif

#if !AEXEC__FAST_PATHS
/*
 * Optimizing for size, aexec_run() reaches the spin through a pointer that
 * aexec_executor_set_spin() installs (as hooks.h does for pools and joins),
 * so that a program that never spins, as bare metal does by default, links
 * none of it. Both sides are in this file: the pointer is static.
 */
static AEXEC__NOINLINE int spin_for_work(aexec_executor *ex);
static _Atomic(int (*)(aexec_executor *)) spin_hook;
#endif

void aexec_executor_set_spin(aexec_executor *ex, uint32_t checks)
{
#if !AEXEC__FAST_PATHS
    AEXEC__HOOK_INSTALL(spin_hook, spin_for_work);
#endif
    ex->spin = checks;
}

/* A finished task that nothing links any more: a pool slot goes back to its pool (I4). */
static inline void slot_unlinked(aexec_executor *ex, aexec_task *t)
{
    uintptr_t owner = aexec__task_owner(t);
#if AEXEC__FAST_PATHS
    if (owner & 1u)
        // NOLINTNEXTLINE(performance-no-int-to-ptr): the owner word tags a pool pointer with bit 0
        aexec__pool_finished(ex, (aexec_pool *)(owner - 1u), t);
#else
    /* Through the hook: a program without pools links no pool code. */
    if (owner & 1u)
        AEXEC__HOOK(aexec__pool_finished_hook)(ex, t);
#endif
}

#if !AEXEC__FAST_PATHS
/*
 * Calls the joiners' hook for task `t`, whose state word read `s`, out of
 * line when optimizing for size: inline, gcc -Os keeps the hook's address
 * in a register across the whole run loop for this rare call.
 */
static OUT_OF_LINE void tell_waiters(aexec_executor *ex, aexec_task *t, uint32_t s, int32_t result)
{
    AEXEC__HOOK(aexec__task_joined_hook)(ex, t, s & TS_GEN_MASK, result);
}
#endif

/*
 * Ends the life of task `t`, whose state word read `s`, after its last
 * poll, with the code `result` for its joiners: clears SPAWNED (keeping a
 * queued poll linked as LINGER), updates ex->live, tells joiners, returns a
 * pool slot. The result is stored already.
 */
static AEXEC__ALWAYS_INLINE void finish_state(aexec_executor *ex, aexec_task *t, uint32_t s,
                                              int32_t result)
{
    uint32_t n;
    /* Only the local wake list's build watches tasks (I7). */
    const uint32_t ended = AEXEC__LOCAL_WAKES ? TS_SPAWNED | TS_CANCEL | TS_JOINED | TS_WATCHED
                                              : TS_SPAWNED | TS_CANCEL | TS_JOINED;
    const uint32_t linked = AEXEC__LOCAL_WAKES ? TS_RUN_QUEUED | TS_WATCHED : TS_RUN_QUEUED;
    do {
        n = s & ~ended;
        /* A wake during the last poll linked it: the link outlives the task.
         * Not if the task was watched: that wake left the link to us (I7). */
        if ((s & linked) == TS_RUN_QUEUED)
            n |= TS_LINGER;
    } while (!aexec__state_cas(ex, t, &s, n));
    if (AEXEC__LOCAL_WAKES && (s & TS_WATCHED))
        ex->watched = NULL;
    ex->live--;
    /* Its link may still be on its way: aexec_run() waits for it. (At -Os
     * counted below, where the test of LINGER is made anyway.) */
    if (AEXEC__FAST_PATHS && (n & TS_LINGER))
        ex->lingering++;
    if (s & TS_JOINED)
#if AEXEC__FAST_PATHS
        AEXEC__HOOK(aexec__task_joined_hook)(ex, t, s & TS_GEN_MASK, result);
#else
        tell_waiters(ex, t, s, result);
#endif
    /* A pool slot returns to its pool, unless it is still linked: then it
     * returns when the executor pops that link (see poll_popped). */
    if (!(n & TS_LINGER))
        slot_unlinked(ex, t);
    else if (!AEXEC__FAST_PATHS)
        ex->lingering++;
}

#if AEXEC__FAST_PATHS
/* finish_state() out of line, for a finish that is not the common one. */
static AEXEC__NOINLINE void finish_other(aexec_executor *ex, aexec_task *t, uint32_t s,
                                         int32_t result)
{
    finish_state(ex, t, s, result);
}
#endif

/*
 * Ends a task's life after its last poll, with the code `result` for its
 * joiners (finish_state). Inlined: a pool that runs short tasks (B2)
 * finishes one per poll.
 */
static AEXEC__ALWAYS_INLINE void task_finish(aexec_executor *ex, aexec_task *t, int32_t result)
{
    /* The result word is free: a task finishes unlisted (I6.4). Stored
     * before the CAS that clears SPAWNED, whose release publishes it. */
    aexec__task_set_result(t, result);
    AEXEC__TRACE(task_end, ex, t, result);
    uint32_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
#if AEXEC__FAST_PATHS
    /* The common finish: no poll queued (so no LINGER), not watched, no
     * joiner; finish_state() would compute the same new state and then
     * test each of the three again. A failed CAS (a wake came in between)
     * goes there with the state it read. */
    if (!(s & (TS_RUN_QUEUED | TS_WATCHED | TS_JOINED)) &&
        aexec__state_cas(ex, t, &s, s & ~(TS_SPAWNED | TS_CANCEL))) {
        ex->live--;
        slot_unlinked(ex, t);
        return;
    }
    finish_other(ex, t, s, result);
#else
    finish_state(ex, t, s, result);
#endif
}

/*
 * What a poll that did not finish the task leaves to do: the wakes it made
 * of itself (I6.4: applied now that it is not being polled), and a
 * notification it did not take, which waits for a later poll. Rare.
 */
#if AEXEC__FAST_PATHS
/*
 * Outside -Os it takes the poll's cx and reads the flags itself, and it is
 * not static, so that no compiler hands it the flags instead (argument
 * promotion): the test after each poll then keeps no register for them.
 */
AEXEC__NOINLINE void aexec__after_pending(aexec_executor *ex, aexec_task *t, const aexec_cx *cx);
AEXEC__NOINLINE void aexec__after_pending(aexec_executor *ex, aexec_task *t, const aexec_cx *cx)
#else
static AEXEC__NOINLINE void after_pending(aexec_executor *ex, aexec_task *t, uint32_t flags)
#endif
{
#if !AEXEC__FAST_PATHS
    /* Optimizing for size, one read-modify-write for both: a notification
     * put back and a self-wake's set the same bit of the same word. */
    uint32_t notify = (flags & (AEXEC_CX_NOTIFIED | AEXEC__CX_WOKE_NOTIFY)) ? TS_NOTIFY : 0u;
    if (flags & AEXEC__CX_WOKE)
        aexec__wake_local_self(ex, t, TS_RUN_QUEUED | notify);
    else if (notify)
        aexec__state_fetch_or(ex, t, notify);
#else
    uint32_t flags = cx->flags;
    if (flags & AEXEC_CX_NOTIFIED)
        aexec__state_fetch_or(ex, t, TS_NOTIFY);
    if (flags & AEXEC__CX_WOKE)
        aexec__wake_local_self(
            ex, t, flags & AEXEC__CX_WOKE_NOTIFY ? TS_RUN_QUEUED | TS_NOTIFY : TS_RUN_QUEUED);
#endif
}

/*
 * The executor's one cx, which every poll of a batch reuses (and
 * aexec_run every batch): its executor is set here, and its result is 0
 * between polls, so that a poll sets only the task, the flags and the
 * life. A poll writes only the flags and the result (aexec/task.h), and
 * one that set a result says so in the flags (AEXEC__CX_RESULT), so that
 * run_poll() puts it back to 0 on its flags' path.
 */
static inline void cx_init(aexec_cx *cx, aexec_executor *ex)
{
    cx->task = NULL;
    cx->executor = ex;
    cx->flags = 0;
    cx->result = 0;
    cx->life = 0;
}

/*
 * Polls task `t` whose state word read `prev` as the poll began, with the cx
 * flags `flags`, and handles what the poll returned.
 */
static AEXEC__ALWAYS_INLINE void run_poll(aexec_executor *ex, aexec_cx *cx, aexec_task *t,
                                          uint32_t prev, uint32_t flags)
{
    uint32_t cancel = prev & TS_CANCEL;
    /* Optimizing for size, a poll builds its own cx: the run's cx passed
     * down cost more code than its stores (-Os gcc left poll_chain out of
     * line), and the pointer is then dropped. */
    aexec_cx own;
    if (!AEXEC__FAST_PATHS) {
        cx_init(&own, ex);
        cx = &own;
    }
    cx->task = t;
    cx->flags = flags;
    cx->life = prev & (TS_GEN_MASK | TS_CANCEL);
    AEXEC__TRACE(poll_begin, ex, t);
    aexec_poll r = aexec__stats_poll(ex, t, cx, prev);
    AEXEC__TRACE(poll_end, ex, t, r);
    /* One test for the common case: pending, not cancelled, nothing to
     * hand back, no result set (AEXEC__CX_RESULT: the next poll must find
     * 0 there). */
    if (AEXEC__LIKELY(((uint32_t)r | cx->flags | cancel) == 0u)) {
        if (AEXEC__LOCAL_WAKES && !AEXEC__FAST_PATHS)
            ex->last_pending = t;
        return;
    }
    int32_t result = cx->result;
    if (AEXEC__FAST_PATHS) /* the run's cx is polled with again; a poll's own is not */
        cx->result = 0;
    /* A cancelled task gets exactly one last poll, whatever it returns.
     * (r is READY or PENDING: at -Os a test against 0 saves gcc a register
     * for the constant; -O2 keeps the spelling its code was measured with.) */
    if ((AEXEC__FAST_PATHS ? r == AEXEC_READY : r != AEXEC_PENDING) || cancel) {
        if (cancel && result == 0)
            result = AEXEC_ECANCELED;
        /* Outside -Os the run's cx names the last task left pending
         * (aexec_run hands it to the watch): not one that finished. */
        if (AEXEC__LOCAL_WAKES && AEXEC__FAST_PATHS)
            cx->task = NULL;
        task_finish(ex, t, result);
        return;
    }
#if AEXEC__FAST_PATHS
    aexec__after_pending(ex, t, cx);
#else
    after_pending(ex, t, cx->flags);
#endif
    if (AEXEC__LOCAL_WAKES && !AEXEC__FAST_PATHS)
        ex->last_pending = t;
}

/* One preprocessor test: clang-tidy reads the two flags' 0 && 0 as one expression twice. */
#if !AEXEC__FAST_PATHS && !AEXEC__LOCAL_WAKES
#define LINGER_FIRST 1
#else
#define LINGER_FIRST 0
#endif

/* Polls one task popped from the run queue or the FIFO (linked: RUN_QUEUED is set). */
static AEXEC__ALWAYS_INLINE void poll_popped(aexec_executor *ex, aexec_cx *cx, aexec_task *t)
{
    /* Clear RUN_QUEUED before the poll: a wake from here on queues a new
     * poll. The acquire half makes the waker's writes visible to this poll. */
    uint32_t prev =
        aexec__state_fetch_and(ex, t, ~(TS_RUN_QUEUED | TS_UNCOUNTED | TS_LINGER | TS_NOTIFY));
    /* With one queue at -Os, a popped link with LINGER is counted out once,
     * here: it is either a finished task's (not spawned) or a relaunch's
     * first poll (UNCOUNTED), the two places below that test it. */
    if (LINGER_FIRST && (prev & TS_LINGER))
        ex->lingering--;
    if (!(prev & TS_SPAWNED)) {
        /* With one queue (AEXEC__LOCAL_WAKES 0) every local wake is a link,
         * so this is where reused storage shows, as the local wake list
         * shows it in the other build. */
        AEXEC_ASSERT(AEXEC__LOCAL_WAKES || (prev & TS_LINGER),
                     "aexec executor: task on the run queue not spawned (storage reused?)");
        /* Linked when it finished (LINGER): nothing to run. A pool slot
         * waited for this pop to go back to its pool, so that no claim can
         * see a slot whose link is still in use. */
        if (!LINGER_FIRST)
            ex->lingering--;
        slot_unlinked(ex, t);
        return;
    }
    if (prev & TS_UNCOUNTED) {
        /* Spawned again while linked: this pop of the old link is the
         * first poll (aexec__launch_state keeps LINGER for it). */
        if (!LINGER_FIRST && (prev & TS_LINGER))
            ex->lingering--;
        /* The first poll of a linked launch: count the task, and take its
         * word back from the last life's result only now, after the
         * generation changed, so that a late joiner of that life reads the
         * result or sees the change (I6.5: nothing reads the word of a
         * linked task). */
        ex->live++;
        /* Release fence: a joiner that reads this store (or any later one
         * of this life) then sees the new generation (task_handle.c). */
        aexec__result_fence_release();
        /* With one queue at -Os (LINGER_FIRST) the word is never a link,
         * and the last life's code may stay until this life's finish
         * writes its own: the fence above still orders that store. */
        if (!LINGER_FIRST)
            aexec__task_set_wake_link(t, 0);
    }
    run_poll(ex, cx, t, prev, TS_CX_FLAGS(prev));
}

#if AEXEC__LOCAL_WAKES
/*
 * Polls a task taken from the local wake list (wake_list.h, I6), whose
 * entry carried `notify` and whose state word read `s` (acquire: a CANCEL
 * set by another context comes with its writes), with no read-modify-write:
 * its waker ran on this thread, so the poll sees its writes, and
 * RUN_QUEUED was never set, so there is nothing to clear. This is the rest
 * of poll_wake_list(): the entry is superseded when a wake from another
 * context linked the task meanwhile (RUN_QUEUED), as that linked poll comes
 * later in this thread and serves the entry, which hands it its
 * notification; or the task is cancelled, or has a notification that an
 * earlier poll put back. Returns 1 if it polled.
 */
static AEXEC__NOINLINE uint32_t poll_wake_list_other(aexec_executor *ex, aexec_cx *cx,
                                                     aexec_task *t, uint32_t s, uint32_t notify)
{
    if ((s & (TS_SPAWNED | TS_RUN_QUEUED)) != TS_SPAWNED) {
        AEXEC_ASSERT(s & TS_SPAWNED,
                     "aexec executor: task on the local wake list not spawned (storage reused?)");
        if (notify)
            aexec__state_fetch_or(ex, t, TS_NOTIFY);
        return 0;
    }
    /* Take the notification atomically, as another context may be setting
     * bits in the same word (I6.7). */
    if (s & TS_NOTIFY)
        aexec__state_fetch_and(ex, t, ~TS_NOTIFY);
    run_poll(ex, cx, t, s, TS_CX_FLAGS(s) | notify);
    return 1;
}

/*
 * Polls the entries of a taken local wake list, from the link word `link`
 * (the list's first), each unlisted just before its poll; returns how many
 * it polled. The loop runs on link words, so the end of the list is one
 * test of the word. The common entry (spawned, not linked, not cancelled,
 * no notification left in its state, not tracked by statistics) is polled
 * here; every other one by poll_wake_list_other().
 */
static AEXEC__ALWAYS_INLINE uint32_t poll_wake_list(aexec_executor *ex, aexec_cx *cx, uint32_t link)
{
    uint32_t n = 0;
    do {
        aexec_task *t = aexec__wake_list_at(ex, link);
        link = aexec__task_wake_link(t);
        aexec__task_set_wake_link(t, 0);
        uint32_t s = atomic_load_explicit(&t->state, memory_order_acquire);
        if (AEXEC__FAST_PATHS && AEXEC__LIKELY((s & (TS_SPAWNED | TS_RUN_QUEUED | TS_CANCEL |
                                                     TS_NOTIFY | TS_TRACKED)) == TS_SPAWNED)) {
            /* The mask repeats what the test showed, so that the compiler
             * drops run_poll's tests of a cancel and of statistics. (The
             * hint keeps this entry on the loop's straight line.) */
            run_poll(ex, cx, t, s & ~(TS_CANCEL | TS_TRACKED), link & WL_NOTIFY);
            n++;
        } else {
            n += poll_wake_list_other(ex, cx, t, s, link & WL_NOTIFY);
        }
    } while ((link & ~WL_FLAGS) != 0u);
    return n;
}
#endif

/* Polls a NULL-terminated list of linked tasks; returns how many it popped. */
static AEXEC__ALWAYS_INLINE uint32_t poll_chain(aexec_executor *ex, aexec_cx *cx, aexec_task *t)
{
    uint32_t n = 0;
    do {
        /* Read the link first: once polled, a wake may relink the task. */
        aexec_task *next = t->next;
        poll_popped(ex, cx, t);
        t = next;
        n++;
    } while (t != NULL);
    return n;
}

#if AEXEC__LOCAL_WAKES
/*
 * Takes the local wake list and polls its entries; returns how many it
 * polled. The whole of a batch in which nothing was pushed and nothing else
 * needs attention (attention.h): a ping-pong of local wakes (B1) and a
 * fan-out (B3) run only this, batch after batch.
 */
static AEXEC__ALWAYS_INLINE uint32_t run_list(aexec_executor *ex, aexec_cx *cx)
{
    uint32_t listed = aexec__wake_list_take(ex);
    return listed != 0u ? poll_wake_list(ex, cx, listed) : 0u;
}
#elif AEXEC__FAST_PATHS
/* No list (one queue): the run loop's test that would call this is false. */
static inline uint32_t run_list(aexec_executor *ex, aexec_cx *cx)
{
    (void)ex;
    (void)cx;
    return 0;
}
#endif

/*
 * Runs the tasks that were ready when it started: the local wake list, then
 * the ones pushed onto the run queue, then the FIFO (the list takes no
 * entry once the FIFO holds one, so local wakes run in wake order). The
 * list goes first so that an entry whose task another context has linked
 * since is seen as superseded (RUN_QUEUED), not polled a second time after
 * the linked poll, and so that a task is unlisted before any other poll of
 * it can finish it (I6.6). Returns how many it polled. Inlined into the
 * run loop: with one task per batch (a ping-pong) a call frame per batch is
 * a measurable share of the cost.
 */
static AEXEC__ALWAYS_INLINE uint32_t run_batch(aexec_executor *ex, aexec_cx *cx)
{
#if !AEXEC__LOCAL_WAKES
    /* One queue (AEXEC__LOCAL_WAKES 0, the default at -Os): every wake and
     * launch was pushed, and the batch is one pass over the run queue, in
     * push order. */
    aexec_task *tail;
    aexec_task *t = aexec__rq_take(ex, &tail);
    uint32_t n = t != NULL ? poll_chain(ex, cx, t) : 0u;
    if (ex->done_pools != NULL)
        AEXEC__HOOK(aexec__pools_flush_hook)(ex);
    return n;
#else
    /* A busy executor whose tasks wake each other has only the list to
     * run: nothing pushed, nothing watched, nothing on the FIFO. That
     * batch is a take of the list and its polls. The watch and the FIFO
     * are tested as one word: one branch, and no register kept for them.
     * Hinted likely, so the loop's layout follows this batch (B1: -1). */
    if (AEXEC__FAST_PATHS &&
        AEXEC__LIKELY(atomic_load_explicit(&ex->head, memory_order_relaxed) ==
                          AEXEC__RQ_AWAKE(ex) &&
                      ((uintptr_t)ex->watched | (uintptr_t)ex->fifo_head) == 0u)) {
        uint32_t n = run_list(ex, cx);
        if (ex->done_pools != NULL)
            AEXEC__HOOK(aexec__pools_flush_hook)(ex);
        return n;
    }
    aexec_task *tail = NULL;
    aexec_task *t = aexec__rq_take(ex, &tail);
    aexec__watched_collect(ex);
    aexec_task *fifo = ex->fifo_head;
    if (fifo != NULL)
        aexec__fifo_clear(ex);
    /* Tasks listed from here on belong to the next batch. */
    uint32_t listed = aexec__wake_list_take(ex);
    /* The watch goes to the last task this batch leaves pending, if it polls
     * any (outside -Os, the run's cx names it: run_poll, aexec_run). */
    if (!AEXEC__FAST_PATHS && (t != NULL || fifo != NULL || listed != 0u))
        ex->last_pending = NULL;
    uint32_t n = 0;
    if (listed != 0u)
        n = poll_wake_list(ex, cx, listed);
    if (t != NULL)
        n += poll_chain(ex, cx, t);
    if (fifo != NULL)
        n += poll_chain(ex, cx, fifo);
    if (ex->done_pools != NULL)
        AEXEC__HOOK(aexec__pools_flush_hook)(ex);
    return n;
#endif
}

/* True if a push or a local wake has happened since the last take (the head read first). */
static inline int has_work(aexec_executor *ex)
{
    int pushed = aexec__rq_pushed(ex);
    return (AEXEC__LOCAL_WAKES && aexec__local_wakes_pending(ex)) || pushed;
}

/* Expires due timers and returns the earliest deadline left. */
static inline uint64_t expire(aexec_executor *ex)
{
    return aexec__tq_count(&ex->timers) != 0 ? aexec__timers_expire(ex) : AEXEC_ALARM_NONE;
}

/*
 * Points the time driver at `at`. Re-armed every time even when unchanged:
 * a one-shot alarm (SBI set_timer) that fired early is spent, and the
 * executor cannot tell. Disarming is sent once; optimizing for size, on
 * every round too, as remembering the last alarm costs more code than the
 * call (docs/porting.md, "Footprint").
 */
static void arm(aexec_executor *ex, uint64_t at)
{
#if AEXEC__FAST_PATHS
    if (ex->port->set_alarm == NULL || (at == AEXEC_ALARM_NONE && ex->alarm == AEXEC_ALARM_NONE))
        return;
    ex->alarm = at;
#else
    if (ex->port->set_alarm == NULL)
        return;
#endif
    ex->port->set_alarm(ex->ctx, at);
}

/*
 * ex->polling exists for the assert of the single-consumer rule alone: that
 * one context polls at a time is the caller's rule, and whatever keeps two
 * polls apart orders one before the next. With asserts off the flag is
 * neither claimed nor released.
 */
static void enter(aexec_executor *ex, const char *who)
{
    AEXEC_ASSERT(ex != NULL && ex->magic == AEXEC__EXECUTOR_MAGIC, who);
#if AEXEC_CONFIG_ASSERT
    uint32_t was = aexec__polling_claim(ex);
    AEXEC_ASSERT(was == 0u,
                 "aexec_executor_poll/aexec_run: polled from two contexts or re-entered");
#endif
}

/*
 * True if the executor may sleep: no local wake waits, and nothing was
 * pushed since the last take, in which case the queue now says so (the
 * next push pends).
 */
static int may_sleep(aexec_executor *ex)
{
    return !(AEXEC__LOCAL_WAKES && aexec__local_wakes_pending(ex)) && aexec__rq_publish_sleep(ex);
}

/*
 * Hands the queue back to the pender and releases the executor. Anything
 * pushed meanwhile did not pend (we were awake), so pend now or the caller
 * could sleep on it; a local wake still waiting pends too.
 */
static void leave(aexec_executor *ex)
{
    if (!may_sleep(ex))
        ex->port->pend(ex->ctx);
#if AEXEC_CONFIG_ASSERT
    atomic_store_explicit(&ex->polling, 0u, memory_order_release);
#endif
}

#if AEXEC__FAST_PATHS
uint32_t aexec_executor_poll(aexec_executor *ex)
{
    enter(ex, "aexec_executor_poll/aexec_run: executor not initialized");
    expire(ex);
    aexec_cx cx;
    cx_init(&cx, ex);
    uint32_t n = run_batch(ex, &cx);
    aexec__stats_batch(ex, n);
    arm(ex, expire(ex));
    leave(ex);
    return n;
}

#endif

/* How many spin checks pass between two reads of the clock. */
#define SPIN_CHECKS_PER_CLOCK 32u

/*
 * Spins up to ex->spin checks for work; returns nonzero if some arrived, or
 * if the earliest timer's deadline has passed: the spin must not make a
 * timer late by its own length. The deadline is asked of the queue here,
 * not passed in, so that the run loop keeps no register for it. With a
 * timer armed, the clock is read every SPIN_CHECKS_PER_CLOCK checks, so a
 * read (a vDSO call on a host) adds a few percent to the spin and a timer
 * that comes due ends it within that many checks; with none armed, the
 * spin never reads it.
 */
static AEXEC__NOINLINE int spin_for_work(aexec_executor *ex)
{
    if (ex->spin == 0)
        return 0;
    uint64_t at = expire(ex);
    aexec__watch(ex);
    aexec_task *w = ex->watched;
    for (uint32_t i = 0; i < ex->spin; i++) {
        if (has_work(ex) || atomic_load_explicit(&ex->stop, memory_order_relaxed) ||
            (AEXEC__LOCAL_WAKES && aexec__watched_woken(w)))
            return 1;
        if (at != AEXEC_ALARM_NONE && i % SPIN_CHECKS_PER_CLOCK == SPIN_CHECKS_PER_CLOCK - 1u &&
            ex->port->now(ex->ctx) >= at)
            return 1;
        aexec__cpu_relax();
    }
    return 0;
}

/*
 * The end of an aexec_run() round that found nothing to do: stops watching
 * (a watched task's wakes would not pend) and sleeps in the port's idle
 * hook, unless a wake came in first (may_sleep). Both run loops end here.
 */
static AEXEC__ALWAYS_INLINE void sleep_in_idle(aexec_executor *ex)
{
    aexec__unwatch(ex);
    if (!may_sleep(ex))
        return;
    uint64_t idle = aexec__stats_idle_begin(ex);
    AEXEC__TRACE(idle_enter, ex);
    ex->port->idle(ex->ctx);
    AEXEC__TRACE(idle_exit, ex);
    aexec__stats_idle_end(ex, idle);
}

#if AEXEC__FAST_PATHS
/* Expires due timers, or with none queued clears the TIMERS bit (attention.h). */
static AEXEC__ALWAYS_INLINE void expire_or_unmark(aexec_executor *ex)
{
    if (aexec__tq_count(&ex->timers) != 0u)
        aexec__timers_expire(ex);
    else
        aexec__attn_clear(ex, AEXEC__ATTN_TIMERS);
}

int aexec_run(aexec_executor *ex)
{
    enter(ex, "aexec_executor_poll/aexec_run: executor not initialized");
    AEXEC_ASSERT(ex->port->idle != NULL, "aexec_run: port has no idle hook");
    aexec_cx cx;
    cx_init(&cx, ex);
    int result;
    for (;;) {
        uint32_t n;
        uint32_t stop = atomic_load_explicit(&ex->stop, memory_order_acquire);
        /* The busy executor's batch: no stop, nothing needing attention
         * (attention.h), nothing pushed. One branch, then the list; the
         * pools its polls finished are returned at the start of the next
         * round, which the POOLS bit sends down the other branch. */
        if (AEXEC__LOCAL_WAKES &&
            AEXEC__LIKELY((stop | ex->attn) == 0u &&
                          atomic_load_explicit(&ex->head, memory_order_relaxed) ==
                              AEXEC__RQ_AWAKE(ex))) {
            n = run_list(ex, &cx);
        } else {
            /* Before a stop returns: a slot a batch finished is free when
             * aexec_run() returns. */
            if (ex->done_pools != NULL)
                AEXEC__HOOK(aexec__pools_flush_hook)(ex);
            if (stop) {
                atomic_store_explicit(&ex->stop, 0u, memory_order_relaxed);
                result = AEXEC_RUN_STOPPED;
                break;
            }
            expire_or_unmark(ex);
            n = run_batch(ex, &cx);
        }
        aexec__stats_batch(ex, n);
        if (n != 0)
            continue;
        /* A lingering link is still to be popped: it may be a task's first
         * poll, and a pool slot returns only then. */
        if (ex->live == 0 && aexec__tq_count(&ex->timers) == 0 && ex->lingering == 0) {
            result = AEXEC_RUN_DONE;
            break;
        }
        /* The watch's task: the one the last batch that polled left
         * pending, which the cx names (run_poll), so that no poll pays a
         * store for a spin that few batches reach. */
        if (AEXEC__LOCAL_WAKES)
            ex->last_pending = cx.task;
        if (spin_for_work(ex))
            continue;
        /* The deadline is read again, not kept from before the batch (which
         * would hold a register across every batch): a timer that came due
         * since fires now, and its wake keeps the executor awake
         * (may_sleep); one not yet due is the alarm the idle hook sleeps
         * to. */
        arm(ex, expire(ex));
        sleep_in_idle(ex);
    }
    /* Leave the queue in the state where a push pends, for whoever polls next. */
    aexec__unwatch(ex);
    leave(ex);
    return result;
}

#else
static int run(aexec_executor *ex, int once)
{
    enter(ex, "aexec_executor_poll/aexec_run: executor not initialized");
    AEXEC_ASSERT(once || ex->port->idle != NULL, "aexec_run: port has no idle hook");
    aexec_cx cx;
    cx_init(&cx, ex);
    int result;
    for (;;) {
        if (!once && atomic_load_explicit(&ex->stop, memory_order_acquire)) {
            atomic_store_explicit(&ex->stop, 0u, memory_order_relaxed);
            result = AEXEC_RUN_STOPPED;
            break;
        }
        expire(ex);
        uint32_t n = run_batch(ex, &cx);
        aexec__stats_batch(ex, n);
        if (!once) {
            if (n != 0)
                continue;
            /* A lingering link is still to be popped: it may be a task's
             * first poll, and a pool slot returns only then. */
            if (ex->live == 0 && aexec__tq_count(&ex->timers) == 0 && ex->lingering == 0) {
                result = AEXEC_RUN_DONE;
                break;
            }
            /* The hook is installed before the spin count is set (above). */
            if (ex->spin != 0 && AEXEC__HOOK(spin_hook)(ex))
                continue;
        }
        /* The deadline is read again after the batch, as at -O2. */
        arm(ex, expire(ex));
        if (once) {
            result = (int)n;
            break;
        }
        sleep_in_idle(ex);
    }
    /* Leave the queue in the state where a push pends, for whoever polls next. */
    aexec__unwatch(ex);
    leave(ex);
    return result;
}

uint32_t aexec_executor_poll(aexec_executor *ex)
{
    return (uint32_t)run(ex, 1);
}

int aexec_run(aexec_executor *ex)
{
    return run(ex, 0);
}
#endif

void aexec_executor_stop(aexec_executor *ex)
{
    atomic_store_explicit(&ex->stop, 1u, memory_order_release);
    ex->port->pend(ex->ctx);
}
