/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Several deadlines on one hart timer: the kernel's scheduler tick and an
 * executor's alarm (placement b), or two executors' alarms (placement c).
 * The hart has one timer compare (stimecmp, or the firmware's through SBI),
 * so the mux programs the earliest deadline and, when the timer interrupt
 * comes, tells the handler which deadlines are due.
 */
#ifndef ALARM_MUX_H
#define ALARM_MUX_H

#include <stdint.h>

#define ALARM_MUX_MAX 4u

struct alarm_mux {
    uint64_t at[ALARM_MUX_MAX]; /* AEXEC_ALARM_NONE where a source wants none */
};

/* Every source at "none". */
void alarm_mux_init(struct alarm_mux *m);
/* Source `src` wants an interrupt at `at`. Any context on this hart (masks SIE itself). */
void alarm_mux_set(struct alarm_mux *m, unsigned src, uint64_t at);
/*
 * From the timer interrupt: disarms the sources due at `now` and returns
 * them as a bit mask (bit `src`), then programs the earliest left (which
 * clears STIP if none). ISR context.
 */
uint32_t alarm_mux_fire(struct alarm_mux *m, uint64_t now);

#endif /* ALARM_MUX_H */
