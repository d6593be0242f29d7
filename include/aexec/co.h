/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Resumable function bodies: switch-based local continuations.
 *
 *   static aexec_poll blink_poll(aexec_task *t, aexec_cx *cx)
 *   {
 *       struct blink *self = AEXEC_CONTAINER_OF(t, struct blink, task);
 *       AEXEC_CO_BEGIN(&self->co, cx);
 *       for (self->i = 0; self->i < 10; self->i++) {
 *           aexec_sleep_for_init(&self->nap, aexec_ticks_from_ms(aexec_tick_hz(cx), 100));
 *           AEXEC_AWAIT_WITH_CANCEL(aexec_sleep_poll(&self->nap, cx),
 *                                   aexec_sleep_cancel(&self->nap));
 *           led_toggle(self->led);
 *       }
 *       AEXEC_CO_FINALLY;          (optional: runs on return and on cancel)
 *       led_off(self->led);
 *       AEXEC_CO_END;
 *   }
 *
 * Every spawn starts the body from the top: the continuation remembers the
 * generation of the task that last ran it (aexec_task_state) and rewinds
 * when a new incarnation polls it, so nothing needs resetting between lives.
 * (It compares generations, not tasks: a future handed from one task to
 * another is rewound with aexec_co_init, as before each new use.)
 *
 * Cancellation: a cancelled task's last poll resumes at the wait it was
 * suspended in, which runs its cleanup (the cancel expression of
 * AEXEC_AWAIT_WITH_CANCEL, every branch's cancel of a select or timeout, a
 * nested future's own cleanup for AEXEC_AWAIT_NESTED) and then jumps to
 * AEXEC_CO_FINALLY. A plain AEXEC_AWAIT has no cleanup of its own: use it
 * for futures that hold nothing while they wait, or cancel in FINALLY.
 *
 * The limits, as for every switch-based continuation (Contiki's pt.h); the
 * ones marked (assert) stop with a message instead of misbehaving:
 *   1. Locals do not survive a suspension: keep state in the struct
 *      (-Wjump-misses-init / -Wsometimes-uninitialized catch most slips).
 *   2. No suspension inside a switch statement of the body (its case label
 *      belongs to that switch, so the task could not resume there) and no
 *      `break` at the top level of the body (use AEXEC_CO_RETURN) (assert,
 *      at the next resume or at the end).
 *   3. No suspension and no AEXEC_CO_RETURN after AEXEC_CO_FINALLY: cleanup
 *      runs to completion in one poll (assert).
 *   4. One suspension point per source line (they are numbered by __LINE__;
 *      two on one line fail to compile as duplicate case labels).
 * docs/co.md shows what each looks like when it bites.
 *
 * A nested async function is a struct with its own aexec_co and a poll
 * function written the same way; its caller initializes it with
 * aexec_co_init() and awaits its poll function. See docs/co.md.
 *
 * Every macro here is used in a poll function, on the executor's thread.
 */
#ifndef AEXEC_CO_H
#define AEXEC_CO_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/error.h"
#include "aexec/task.h"
#include "aexec/waker.h"

/* A continuation: where the body resumes, and for which incarnation. */
typedef struct aexec_co {
    uint32_t pc;   /* 0: at the start */
    uint32_t life; /* cx->life of the task that last ran the body, cancel bit clear */
} aexec_co;

/* The initial value of an aexec_co: the body has not started. */
/* clang-format off */
#define AEXEC_CO_INIT {0, 0}
/* clang-format on */

/* The case labels below are entered both by jump and by falling through. */
#if defined(__GNUC__) && __GNUC__ >= 7 || defined(__clang__)
#define AEXEC__FALLTHROUGH __attribute__((fallthrough))
#else
#define AEXEC__FALLTHROUGH ((void)0)
#endif
/*
 * The continuation's pc: 0 at the start, a suspension point's line, or, at
 * the top of the 32-bit range (as small negative numbers, which a RISC-V
 * instruction holds as an immediate), DONE, FINALLY and below them the
 * case label of each suspension point's cleanup, FINALLY - line, where a
 * cancelled poll enters (FINALLY itself for a body that never suspended).
 * A resume pays nothing for cancellation this way; lines stay below 2^31.
 */
#define AEXEC__CO_DONE 0xffffffffu
#define AEXEC__CO_FINALLY 0xfffffffeu
#define AEXEC__CO_CANCEL_AT(line) (AEXEC__CO_FINALLY - (uint32_t)(line))
#define AEXEC__CO_LAST_LINE 0x7fffffffu

/* Rewinds a continuation to its start (before each new use of a nested future). Any context. */
static inline void aexec_co_init(aexec_co *co)
{
    co->pc = 0;
}

/* True once the body has run to AEXEC_CO_END. Any context; a snapshot. */
static inline int aexec_co_is_done(const aexec_co *co)
{
    return co->pc == AEXEC__CO_DONE;
}

/*
 * Where a poll enters the body: the start for a new incarnation of the task
 * (the generation moved since the last poll), else the suspension point; in
 * a cancelled poll, the suspension point's cleanup, or FINALLY for a body
 * that never suspended. The executor hands the generation and the cancel
 * bit over in one word (cx->life), so a resume of the same life in a poll
 * that is not cancelled, which is nearly every poll, costs one compare.
 */
static inline void aexec__co_enter_other(aexec_co *co, uint32_t key)
{
    if (co->life != (key & ~AEXEC_TASK_CANCELLED)) {
        co->life = key & ~AEXEC_TASK_CANCELLED;
        co->pc = 0;
    }
    if ((key & AEXEC_TASK_CANCELLED) && co->pc <= AEXEC__CO_LAST_LINE)
        co->pc = AEXEC__CO_CANCEL_AT(co->pc);
}

static inline void aexec__co_enter(aexec_co *co, const aexec_cx *cx)
{
    if (co->life != cx->life)
        aexec__co_enter_other(co, cx->life);
}

/* Opens the body; resumes where the last poll stopped. */
#define AEXEC_CO_BEGIN(co, cx)             \
    aexec_co *const aexec__co = (co);      \
    aexec_cx *const aexec__cx = (cx);      \
    aexec__co_enter(aexec__co, aexec__cx); \
    aexec__co_top:                         \
    switch (aexec__co->pc) {               \
    case 0:

#define AEXEC__CO_NOT_IN_FINALLY(what)                                                 \
    AEXEC_ASSERT(aexec__co->pc != AEXEC__CO_FINALLY,                                   \
                 "co.h: " what " after AEXEC_CO_FINALLY: cleanup must run to the end " \
                 "in one poll")

/* Leaves for FINALLY (or the end) from a suspension point of a cancelled poll. */
#define AEXEC__CO_UNWIND()                 \
    do {                                   \
        aexec__co->pc = AEXEC__CO_FINALLY; \
        goto aexec__co_top;                \
    } while (0)

/*
 * The one suspension point: waits until `cond` (re-evaluated at every
 * resume) holds; a cancelled poll enters at the second label instead,
 * evaluates `on_cancel` and unwinds to FINALLY.
 */
#define AEXEC__CO_WAIT(cond, on_cancel)                                      \
    do {                                                                     \
        AEXEC__CO_NOT_IN_FINALLY("a wait");                                  \
        aexec__co->pc = __LINE__;                                            \
        if (0) {                                                             \
        case AEXEC__CO_CANCEL_AT(__LINE__): (on_cancel); AEXEC__CO_UNWIND(); \
        }                                                                    \
        AEXEC__FALLTHROUGH;                                                  \
    case __LINE__:                                                           \
        if (!(cond))                                                         \
            return AEXEC_PENDING;                                            \
    } while (0)

/*
 * Suspends until `poll_expr` (re-evaluated on every resume) returns
 * AEXEC_READY. A cancel of the task while it waits here goes straight to
 * FINALLY: the future is not cancelled for you (AEXEC_AWAIT_WITH_CANCEL).
 */
#define AEXEC_AWAIT(poll_expr) AEXEC__CO_WAIT((poll_expr) != AEXEC_PENDING, (void)0)

/*
 * AEXEC_AWAIT, and if the task is cancelled while it waits here, evaluates
 * `cancel_expr` (the future's cancel) before FINALLY, so nothing stays
 * registered or armed and the body needs no cleanup of its own for it. The
 * expression's value is dropped: when the cancel can report a completion
 * that holds something, release it in the expression, e.g.
 *   aexec_mutex_lock_cancel(&op) && (aexec_mutex_unlock(&m), 1)
 */
#define AEXEC_AWAIT_WITH_CANCEL(poll_expr, cancel_expr) \
    AEXEC__CO_WAIT((poll_expr) != AEXEC_PENDING, (void)(cancel_expr))

/*
 * Awaits a nested co.h future. If the task is cancelled while it waits here,
 * the nested future is polled once more with the cancelled cx: its own
 * AEXEC_CO_BEGIN unwinds it (its pending wait's cleanup, its FINALLY), and
 * so on down, before this body's FINALLY.
 */
#define AEXEC_AWAIT_NESTED(poll_expr) \
    AEXEC__CO_WAIT((poll_expr) != AEXEC_PENDING, (void)(poll_expr))

/*
 * Suspends until `cond` is true. The body must have arranged a wake for when
 * it may have become true (a registration), or the task sleeps forever.
 */
#define AEXEC_WAIT_UNTIL(cond) AEXEC__CO_WAIT(cond, (void)0)

/* Suspends until a notification (aexec_notify) arrives, and takes it. */
#define AEXEC_AWAIT_NOTIFICATION() AEXEC_WAIT_UNTIL(aexec_take_notification(aexec__cx))

/* One branch of a join: not polled again once its bit in `done` is set. */
#define AEXEC__BRANCH(done, i, poll_expr) \
    (((done) & (1u << (i))) != 0 || ((poll_expr) == AEXEC_READY && ((done) |= (1u << (i)), 1)))

/*
 * AEXEC_AWAIT_JOIN2/3(done, a, b ...): waits for all branches. `done` is an
 * lvalue in the task's struct (locals do not survive a suspension); the
 * branches are poll expressions. A branch that became ready is not polled
 * again. A cancel while it waits goes to FINALLY without
 * cancelling the branches (cancel the unfinished ones there: bit i of
 * `done` clear). The commas sequence the branches: each is polled, in
 * order, every time.
 */
#define AEXEC_AWAIT_JOIN2(done, a, b)                                                          \
    do {                                                                                       \
        (done) = 0;                                                                            \
        AEXEC_WAIT_UNTIL(                                                                      \
            ((void)AEXEC__BRANCH(done, 0, a), (void)AEXEC__BRANCH(done, 1, b), (done) == 3u)); \
    } while (0)
#define AEXEC_AWAIT_JOIN3(done, a, b, c)                                                    \
    do {                                                                                    \
        (done) = 0;                                                                         \
        AEXEC_WAIT_UNTIL(((void)AEXEC__BRANCH(done, 0, a), (void)AEXEC__BRANCH(done, 1, b), \
                          (void)AEXEC__BRANCH(done, 2, c), (done) == 7u));                  \
    } while (0)

/*
 * The outcome of a select, kept in the task's struct. A struct rather than
 * an int so that it cannot be mixed up with a branch's error variable.
 */
typedef struct aexec_select {
    uint32_t which; /* the winner: the first listed of the branches in `done` */
    uint32_t done;  /* bit i set: branch i completed (its result is delivered) */
} aexec_select;

/* A select's branch: ready (its bit set), or cancelled unless already done. */
#define AEXEC__SEL_READY(sel, i, poll_expr) \
    ((poll_expr) == AEXEC_READY && ((sel)->done |= 1u << (i), 1))
#define AEXEC__SEL_CANCEL(sel, i, cancel_expr) \
    (void)(((sel)->done & (1u << (i))) == 0 && (cancel_expr) && ((sel)->done |= 1u << (i)))

/*
 * AEXEC_AWAIT_SELECT2/3(sel, a, cancel_a, b, cancel_b ...): waits for the
 * first branch to be ready, then evaluates the cancel expression of every
 * other branch. A cancel expression returns int, as every cancel here does:
 * 1 if it found its operation already completed (the item is in the
 * buffer, the permit is held), 0 if nothing happened. `sel` points to an
 * aexec_select in the task's struct; afterwards
 *   sel->done   has bit i set for each branch that completed: the one that
 *               was polled ready and every loser whose cancel returned 1;
 *   sel->which  is the first listed of those.
 * So a completion that lands between the poll of one branch and the poll of
 * the next (a byte handed to the receive just before the timeout is polled)
 * is reported, never dropped. When more than one branch can complete at
 * cancel time, handle every bit of `done`, not only `which`: each delivered
 * its result. Branches are polled in order, so when several are ready in
 * the same poll the first listed wins.
 * If the task is cancelled while the select waits, every branch is
 * cancelled before FINALLY, and sel->done tells FINALLY which of them
 * completed (e.g. a permit to give back). `sel` and the expressions are
 * evaluated more than once: no side effects in `sel`.
 */
#define AEXEC_AWAIT_SELECT2(sel, a, cancel_a, b, cancel_b)                               \
    do {                                                                                 \
        (sel)->done = 0;                                                                 \
        AEXEC__CO_WAIT(                                                                  \
            AEXEC__SEL_READY(sel, 0, a) || AEXEC__SEL_READY(sel, 1, b),                  \
            (AEXEC__SEL_CANCEL(sel, 0, cancel_a), AEXEC__SEL_CANCEL(sel, 1, cancel_b))); \
        AEXEC__SEL_CANCEL(sel, 0, cancel_a);                                             \
        AEXEC__SEL_CANCEL(sel, 1, cancel_b);                                             \
        (sel)->which = ((sel)->done & 1u) ? 0u : 1u;                                     \
    } while (0)
#define AEXEC_AWAIT_SELECT3(sel, a, cancel_a, b, cancel_b, c, cancel_c)                           \
    do {                                                                                          \
        (sel)->done = 0;                                                                          \
        AEXEC__CO_WAIT(AEXEC__SEL_READY(sel, 0, a) || AEXEC__SEL_READY(sel, 1, b) ||              \
                           AEXEC__SEL_READY(sel, 2, c),                                           \
                       (AEXEC__SEL_CANCEL(sel, 0, cancel_a), AEXEC__SEL_CANCEL(sel, 1, cancel_b), \
                        AEXEC__SEL_CANCEL(sel, 2, cancel_c)));                                    \
        AEXEC__SEL_CANCEL(sel, 0, cancel_a);                                                      \
        AEXEC__SEL_CANCEL(sel, 1, cancel_b);                                                      \
        AEXEC__SEL_CANCEL(sel, 2, cancel_c);                                                      \
        (sel)->which = ((sel)->done & 1u) ? 0u : ((sel)->done & 2u) ? 1u : 2u;                    \
    } while (0)

/* Lets every other ready task run once, then resumes (the task wakes itself). */
#define AEXEC_YIELD()                                       \
    do {                                                    \
        AEXEC__CO_NOT_IN_FINALLY("AEXEC_YIELD");            \
        aexec__co->pc = __LINE__;                           \
        aexec_cx_wake(aexec__cx, aexec__cx->task);          \
        return AEXEC_PENDING;                               \
    case AEXEC__CO_CANCEL_AT(__LINE__): AEXEC__CO_UNWIND(); \
    case __LINE__:;                                         \
    } while (0)

/* Leaves the body early, through AEXEC_CO_FINALLY when there is one. */
#define AEXEC_CO_RETURN()                                                           \
    do {                                                                            \
        AEXEC_ASSERT(aexec__co->pc != AEXEC__CO_FINALLY,                            \
                     "co.h: AEXEC_CO_RETURN inside AEXEC_CO_FINALLY would run the " \
                     "cleanup again, forever (let FINALLY run to AEXEC_CO_END)");   \
        AEXEC__CO_UNWIND();                                                         \
    } while (0)

/* Marks the cleanup that runs on normal completion, on AEXEC_CO_RETURN and on cancel. */
#define AEXEC_CO_FINALLY               \
    aexec__co->pc = AEXEC__CO_FINALLY; \
    AEXEC__FALLTHROUGH;                \
    case AEXEC__CO_FINALLY:

/*
 * Closes the body: the function returns AEXEC_READY now and on every later
 * poll. Only a body that ran off its end, unwound to FINALLY or had
 * finished reaches the code after the switch with its pc at FINALLY or
 * DONE; any other pc means the switch was left some other way.
 */
#define AEXEC_CO_END                                                                 \
    aexec__co->pc = AEXEC__CO_DONE;                                                  \
    }                                                                                \
    AEXEC_ASSERT(aexec__co->pc >= AEXEC__CO_FINALLY,                                 \
                 "co.h: the body left its switch without reaching AEXEC_CO_END: a "  \
                 "`break` at the top level of the body (use AEXEC_CO_RETURN), or a " \
                 "wait inside a switch statement, whose case label the task cannot " \
                 "resume at (use if/else)");                                         \
    if (0)                                                                           \
        goto aexec__co_top;                                                          \
    aexec__co->pc = AEXEC__CO_DONE;                                                  \
    return AEXEC_READY

#endif /* AEXEC_CO_H */
