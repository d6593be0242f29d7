/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The program every consumer test builds: one task sleeps three times on the
 * host executor's clock, then the run ends. It exits 0 only if every sleep
 * lasted at least its length, so a consumer that links but does not work fails.
 */
#include <stdio.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"

struct sleeper {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    aexec_instant start;
    int n, short_sleeps;
};

static aexec_poll sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    struct sleeper *self = AEXEC_CONTAINER_OF(t, struct sleeper, task);
    AEXEC_CO_BEGIN(&self->co, cx);
    for (self->n = 0; self->n < 3; self->n++) {
        self->start = aexec_now(cx->executor);
        aexec_sleep_for_init(&self->sleep, aexec_ticks_from_ms(aexec_tick_hz(cx), 2));
        AEXEC_AWAIT(aexec_sleep_poll(&self->sleep, cx));
        if (aexec_now(cx->executor) - self->start < aexec_ticks_from_ms(aexec_tick_hz(cx), 2))
            self->short_sleeps++;
    }
    AEXEC_CO_END;
}

int main(void)
{
    static aexec_executor ex;
    static aexec_host host;
    static struct sleeper s;
    if (aexec_host_executor_init(&ex, &host) != 0 || aexec_spawn(&ex, &s.task, sleeper_poll) != 0)
        return 1;
    int rc = aexec_run(&ex);
    printf("consumer: %d sleeps, %d too short, run returned %d\n", s.n, s.short_sleeps, rc);
    return rc == AEXEC_RUN_DONE && s.n == 3 && s.short_sleeps == 0 ? 0 : 1;
}
