/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Sleep and timeout futures: a timer armed on first poll, ready once it fired. */
#include "aexec/error.h"
#include "aexec/time.h"

void aexec_sleep_until_init(aexec_sleep *s, aexec_instant deadline)
{
    aexec_timer_init(&s->timer);
    s->timer.deadline = deadline;
    s->delay = 0;
    s->relative = 0;
}

void aexec_sleep_for_init(aexec_sleep *s, aexec_duration ticks)
{
    aexec_timer_init(&s->timer);
    s->delay = ticks;
    s->relative = 1;
}

aexec_poll aexec_sleep_poll(aexec_sleep *s, aexec_cx *cx)
{
    switch (s->timer.state) {
    case AEXEC_TIMER_FIRED:
        return AEXEC_READY;
    case AEXEC_TIMER_ARMED:
        /* Polled for another reason (a select's other branch): keep waiting. */
        return AEXEC_PENDING;
    default: {
        aexec_instant deadline = s->timer.deadline;
        if (s->relative) {
            /* Counted from now, read here: a sleep never ends early. */
            deadline = aexec_instant_add(aexec_now(cx->executor), s->delay);
            s->relative = 0;
        }
        aexec_timer_arm(&s->timer, cx, deadline);
        return AEXEC_PENDING;
    }
    }
}

aexec_poll aexec_timeout_race(aexec_timeout *to, aexec_poll inner, aexec_cx *cx, int *err)
{
    if (inner == AEXEC_READY) {
        aexec_timeout_cancel(to);
        *err = 0;
        return AEXEC_READY;
    }
    if (aexec_sleep_poll(to, cx) == AEXEC_READY) {
        *err = AEXEC_ETIMEDOUT;
        return AEXEC_READY;
    }
    return AEXEC_PENDING;
}
