/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The timer check that the example kernels and ports share: a task that
 * sleeps `count` times, each until `period` ticks after it last read the
 * executor's clock, and counts the wakes that came before their deadline.
 * An early wake is a bug (in the time driver, the alarm or the timer
 * queue), never jitter, so callers check `early == 0`; how late a wake comes
 * is the platform's business, kept per sleep only when `late` is given.
 * Freestanding: libaexec's public headers and nothing else.
 */
#ifndef AEXEC_EXAMPLES_SLEEPER_H
#define AEXEC_EXAMPLES_SLEEPER_H

#include <stdint.h>

#include "aexec/aexec.h"

struct sleeper {
    aexec_task task;
    /* set by sleeper_init() */
    uint32_t count;
    aexec_duration period;
    uint64_t *late; /* NULL, or `count` entries: ticks past each deadline */
    /* results, readable once the task has finished */
    uint32_t n;     /* sleeps done */
    uint32_t early; /* of them, ended before their deadline */
    /* private */
    aexec_co co;
    aexec_sleep sleep;
    aexec_instant deadline;
};

/* Prepares `s` for a run (again, once a previous one has finished); then aexec_spawn(ex, &s->task,
 * sleeper_poll). */
void sleeper_init(struct sleeper *s, uint32_t count, aexec_duration period, uint64_t *late);

/* The task's body. */
aexec_poll sleeper_poll(aexec_task *t, aexec_cx *cx);

#endif /* AEXEC_EXAMPLES_SLEEPER_H */
