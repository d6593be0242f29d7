/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Timer arming for the library's own futures (internal). */
#ifndef AEXEC_SRC_TIMER_H
#define AEXEC_SRC_TIMER_H

#include <stddef.h>

#include "aexec/time.h"

/* Makes `timer` idle: aexec_timer_init() after its check. */
static inline void aexec__timer_clear(aexec_timer *timer)
{
    timer->deadline = 0;
    timer->seq = 0;
    timer->child = NULL;
    timer->sibling = NULL;
    timer->prev = NULL;
    timer->waker = NULL;
    timer->executor = NULL;
    timer->state = AEXEC_TIMER_IDLE;
    timer->place = 0;
}

/*
 * What the library's futures initialize their timer with; their inits make
 * aexec_timer_init()'s check themselves, with their own message. Inline
 * unless optimizing for size: a sleep is initialized before every wait,
 * and the call cost more than the stores. Optimizing for size, only the
 * state: arming writes every other field the queue reads (the deadline,
 * the task, the executor, seq, place and the links), and an idle timer's
 * cancel reads none of them.
 */
#if defined(__OPTIMIZE_SIZE__)
#define aexec__timer_reset(timer) ((void)((timer)->state = AEXEC_TIMER_IDLE))
#else
#define aexec__timer_reset aexec__timer_clear
#endif

/*
 * Arms the idle `timer` for `delay` ticks after now() for the task polled
 * through `cx`: aexec_timer_arm(timer, cx, aexec_now(ex) + delay) with one
 * check of the port and one call, as a relative sleep does on every first
 * poll; with AEXEC_CONFIG_TIMER_BATCH_CLOCK, "now" is the clock of the
 * executor's next expiry step, read once for every sleep of the batch.
 * Task context. Built for size (__OPTIMIZE_SIZE__, where the batch clock is
 * off by default), it is exactly that expression, and the library has one
 * arming function fewer.
 *
 * aexec__timer_arm_idle() is aexec_timer_arm() of a timer that is not
 * armed, as the library's futures know theirs to be when they arm it. Built
 * for size it is its own function, without the removal of an armed timer,
 * so that a program whose timers are only ever armed idle (a blink's
 * sleep) links no removal from the queue; otherwise it is aexec_timer_arm().
 */
#if defined(__OPTIMIZE_SIZE__) && !AEXEC_CONFIG_TIMER_BATCH_CLOCK
/* `at` is the deadline, or if `from_now` the delay from now(). Returns
 * AEXEC_PENDING, what the future's poll returns after arming it. */
aexec_poll aexec__timer_arm_idle_at(aexec_timer *timer, aexec_cx *cx, uint64_t at,
                                    uint32_t from_now);

static inline void aexec__timer_arm_idle(aexec_timer *timer, aexec_cx *cx, aexec_instant deadline)
{
    (void)aexec__timer_arm_idle_at(timer, cx, deadline, 0);
}

static inline void aexec__timer_arm_after(aexec_timer *timer, aexec_cx *cx, aexec_duration delay)
{
    (void)aexec__timer_arm_idle_at(timer, cx, delay, 1);
}
#else
#define aexec__timer_arm_idle aexec_timer_arm
void aexec__timer_arm_after(aexec_timer *timer, aexec_cx *cx, aexec_duration delay);
#endif

#endif /* AEXEC_SRC_TIMER_H */
