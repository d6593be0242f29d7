/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Resumable function bodies: switch-based local continuations.
 *
 *   static aexec_poll blink_poll(aexec_task *t, aexec_cx *cx)
 *   {
 *       struct blink *self = AEXEC_CONTAINER_OF(t, struct blink, task);
 *       AEXEC_CO_BEGIN(&self->co, cx);
 *       for (self->i = 0; self->i < 10; self->i++) {
 *           AEXEC_AWAIT(led_toggle_poll(&self->led, cx));
 *           AEXEC_YIELD();
 *       }
 *       AEXEC_CO_FINALLY;          (optional: runs on return and on cancel)
 *       led_toggle_cancel(&self->led);
 *       AEXEC_CO_END;
 *   }
 *
 * The limits, as for every switch-based continuation (Contiki's pt.h):
 *   1. Locals do not survive a suspension: keep state in the struct.
 *   2. No AEXEC_AWAIT / AEXEC_YIELD inside a switch statement of the body
 *      (its case labels would clash); an if/else chain works.
 *   3. No suspension after AEXEC_CO_FINALLY: cleanup runs to completion.
 *   4. One suspension point per source line (they are numbered by __LINE__;
 *      two on one line fail to compile as duplicate case labels).
 *
 * A nested async function is a struct with its own aexec_co and a poll
 * function written the same way; its caller initializes it with
 * aexec_co_init() and awaits its poll function. See docs/co.md.
 */
#ifndef AEXEC_CO_H
#define AEXEC_CO_H

#include <stdint.h>

#include "aexec/task.h"
#include "aexec/waker.h"

/* A continuation: where the body resumes. Zero means "at the start". */
typedef struct aexec_co {
    uint32_t pc;
} aexec_co;

/* clang-format off */
#define AEXEC_CO_INIT {0}
/* clang-format on */

/* The case labels below are entered both by jump and by falling through. */
#if defined(__GNUC__) && __GNUC__ >= 7 || defined(__clang__)
#define AEXEC__FALLTHROUGH __attribute__((fallthrough))
#else
#define AEXEC__FALLTHROUGH ((void)0)
#endif
#define AEXEC__CO_FINALLY 0x7ffffffeu
#define AEXEC__CO_DONE 0x7fffffffu

/* Rewinds a continuation to its start (before each new use of a nested future). */
static inline void aexec_co_init(aexec_co *co)
{
    co->pc = 0;
}

/* True once the body has run to AEXEC_CO_END. */
static inline int aexec_co_is_done(const aexec_co *co)
{
    return co->pc == AEXEC__CO_DONE;
}

/*
 * Opens the body. In the one last poll of a cancelled task, jumps straight
 * to AEXEC_CO_FINALLY (or to the end if there is none).
 */
#define AEXEC_CO_BEGIN(co, cx)                                                 \
    aexec_co *const aexec__co = (co);                                          \
    aexec_cx *const aexec__cx = (cx);                                          \
    (void)aexec__cx;                                                           \
    if (aexec_cx_is_cancelled(aexec__cx) && aexec__co->pc < AEXEC__CO_FINALLY) \
        aexec__co->pc = AEXEC__CO_FINALLY;                                     \
    aexec__co_top:                                                             \
    switch (aexec__co->pc) {                                                   \
    case 0:

/* Suspends until `poll_expr` (re-evaluated on every resume) returns AEXEC_READY. */
#define AEXEC_AWAIT(poll_expr)            \
    do {                                  \
        aexec__co->pc = __LINE__;         \
        AEXEC__FALLTHROUGH;               \
    case __LINE__:                        \
        if ((poll_expr) == AEXEC_PENDING) \
            return AEXEC_PENDING;         \
    } while (0)

/*
 * Suspends until `cond` is true. The body must have arranged a wake for when
 * it may have become true (a registration), or the task sleeps forever.
 */
#define AEXEC_WAIT_UNTIL(cond)    \
    do {                          \
        aexec__co->pc = __LINE__; \
        AEXEC__FALLTHROUGH;       \
    case __LINE__:                \
        if (!(cond))              \
            return AEXEC_PENDING; \
    } while (0)

/* Suspends until a notification (aexec_notify) arrives, and takes it. */
#define AEXEC_AWAIT_NOTIFICATION() AEXEC_WAIT_UNTIL(aexec_take_notification(aexec__cx))

/*
 * Composition. `done` and `which` are lvalues in the task's struct (locals do
 * not survive a suspension); the branches are poll expressions.
 *
 * AEXEC_AWAIT_JOIN2/3: waits for all branches. A branch that became ready is
 * not polled again.
 */
#define AEXEC__BRANCH(done, i, poll_expr) \
    (((done) & (1u << (i))) != 0 || ((poll_expr) == AEXEC_READY && ((done) |= (1u << (i)), 1)))

/* The commas sequence the branches: each is polled, in order, every time. */
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
 * AEXEC_AWAIT_SELECT2/3: waits for the first branch to be ready, sets
 * `which` to its index, and runs the cancel statement of every other branch,
 * so no registration is left behind. Branches are polled in order, so when
 * several are ready in the same poll the first listed wins.
 */
#define AEXEC_AWAIT_SELECT2(which, a, cancel_a, b, cancel_b)         \
    do {                                                             \
        AEXEC_WAIT_UNTIL(((a) == AEXEC_READY && ((which) = 0, 1)) || \
                         ((b) == AEXEC_READY && ((which) = 1, 1)));  \
        if ((which) != 0) {                                          \
            cancel_a;                                                \
        }                                                            \
        if ((which) != 1) {                                          \
            cancel_b;                                                \
        }                                                            \
    } while (0)

#define AEXEC_AWAIT_SELECT3(which, a, cancel_a, b, cancel_b, c, cancel_c) \
    do {                                                                  \
        AEXEC_WAIT_UNTIL(((a) == AEXEC_READY && ((which) = 0, 1)) ||      \
                         ((b) == AEXEC_READY && ((which) = 1, 1)) ||      \
                         ((c) == AEXEC_READY && ((which) = 2, 1)));       \
        if ((which) != 0) {                                               \
            cancel_a;                                                     \
        }                                                                 \
        if ((which) != 1) {                                               \
            cancel_b;                                                     \
        }                                                                 \
        if ((which) != 2) {                                               \
            cancel_c;                                                     \
        }                                                                 \
    } while (0)

/* Lets every other ready task run once, then resumes (the task wakes itself). */
#define AEXEC_YIELD()                              \
    do {                                           \
        aexec__co->pc = __LINE__;                  \
        aexec_cx_wake(aexec__cx, aexec__cx->task); \
        return AEXEC_PENDING;                      \
    case __LINE__:;                                \
    } while (0)

/* Leaves the body early, through AEXEC_CO_FINALLY when there is one. */
#define AEXEC_CO_RETURN()                  \
    do {                                   \
        aexec__co->pc = AEXEC__CO_FINALLY; \
        goto aexec__co_top;                \
    } while (0)

/* Marks the cleanup that runs on normal completion, on AEXEC_CO_RETURN and on cancel. */
#define AEXEC_CO_FINALLY \
    AEXEC__FALLTHROUGH;  \
    case AEXEC__CO_FINALLY:

/* Closes the body: the function returns AEXEC_READY now and on every later poll. */
#define AEXEC_CO_END                \
    }                               \
    if (0)                          \
        goto aexec__co_top;         \
    aexec__co->pc = AEXEC__CO_DONE; \
    return AEXEC_READY

#endif /* AEXEC_CO_H */
