/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The host backend's timer slack (aexec_host_set_timer_slack): where an idle
 * wait for `alarm` ends. A header of its own so the rounding, whose edges
 * (an alarm on the grid, one too close to the end of time to round) matter
 * more than its size, is tested without a clock.
 */
#ifndef AEXEC_SRC_ARCH_HOST_TIMER_SLACK_H
#define AEXEC_SRC_ARCH_HOST_TIMER_SLACK_H

#include <stdint.h>

/*
 * The first multiple of `slack` at or after `alarm`: never before it, so no
 * timer fires early. `alarm` itself if the slack is 0 or 1, or if that
 * multiple does not fit in 64 bits (an alarm there is "never" in practice,
 * and rounding must not wrap it into the past).
 */
static inline uint64_t aexec__host_slack_wake(uint64_t alarm, uint64_t slack)
{
    if (slack <= 1u)
        return alarm;
    uint64_t up = slack - alarm % slack;
    if (up == slack || alarm > UINT64_MAX - up)
        return alarm;
    return alarm + up;
}

#endif /* AEXEC_SRC_ARCH_HOST_TIMER_SLACK_H */
