/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Timer arming for the library's own futures (internal). */
#ifndef AEXEC_SRC_TIMER_H
#define AEXEC_SRC_TIMER_H

#include "aexec/time.h"

/*
 * Arms the idle `timer` for `delay` ticks after now() for the task polled
 * through `cx`: aexec_timer_arm(timer, cx, aexec_now(ex) + delay) with one
 * check of the port and one call, as a relative sleep does on every first
 * poll. Task context. Built for size (__OPTIMIZE_SIZE__), it is exactly
 * that expression, and the library has one arming function fewer.
 */
#if defined(__OPTIMIZE_SIZE__)
static inline void aexec__timer_arm_after(aexec_timer *timer, aexec_cx *cx, aexec_duration delay)
{
    aexec_timer_arm(timer, cx, aexec_instant_add(aexec_now(cx->executor), delay));
}
#else
void aexec__timer_arm_after(aexec_timer *timer, aexec_cx *cx, aexec_duration delay);
#endif

#endif /* AEXEC_SRC_TIMER_H */
