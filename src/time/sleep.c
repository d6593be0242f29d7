/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The sleep future (and the timeout, which is a sleep): a timer armed on first poll. */
#include "aexec/error.h"
#include "aexec/time.h"
#include "timer.h"

/* The one misuse an init can see: storage whose timer is still queued. One
 * message for both inits, so the object stores it once. */
#define SLEEP_NOT_ARMED(s)                              \
    AEXEC_ASSERT((s)->timer.state != AEXEC_TIMER_ARMED, \
                 "aexec_sleep_for_init/_until_init: still armed; cancel it first")

void aexec_sleep_until_init(aexec_sleep *s, aexec_instant deadline)
{
    SLEEP_NOT_ARMED(s);
    aexec__timer_reset(&s->timer);
    s->timer.deadline = deadline;
    s->delay = 0;
    s->relative = 0;
}

void aexec_sleep_for_init(aexec_sleep *s, aexec_duration ticks)
{
    SLEEP_NOT_ARMED(s);
    aexec__timer_reset(&s->timer);
    s->delay = ticks;
    s->relative = 1;
}

aexec_poll aexec_sleep_poll(aexec_sleep *s, aexec_cx *cx)
{
    switch (s->timer.state) {
    case AEXEC_TIMER_FIRED: return AEXEC_READY;
    case AEXEC_TIMER_ARMED:
        /* Polled for another reason (a select's other branch): keep waiting. */
        return AEXEC_PENDING;
    default:
#if defined(__OPTIMIZE_SIZE__) && !AEXEC_CONFIG_TIMER_BATCH_CLOCK
        /* One tail call: the arming returns the PENDING this poll does. */
        if (s->relative) {
            s->relative = 0;
            return aexec__timer_arm_idle_at(&s->timer, cx, s->delay, 1);
        }
        return aexec__timer_arm_idle_at(&s->timer, cx, s->timer.deadline, 0);
#else
        if (s->relative) {
            /* Counted from now, read here: a sleep never ends early. */
            s->relative = 0;
            aexec__timer_arm_after(&s->timer, cx, s->delay);
        } else {
            aexec__timer_arm_idle(&s->timer, cx, s->timer.deadline);
        }
        return AEXEC_PENDING;
#endif
    }
}
