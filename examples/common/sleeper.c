/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "sleeper.h"

void sleeper_init(struct sleeper *s, uint32_t count, aexec_duration period, uint64_t *late)
{
    s->count = count;
    s->period = period;
    s->late = late;
    s->n = 0;
    s->early = 0;
}

aexec_poll sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    struct sleeper *s = AEXEC_CONTAINER_OF(t, struct sleeper, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    for (s->n = 0; s->n < s->count; s->n++) {
        s->deadline = aexec_now(cx->executor) + s->period;
        aexec_sleep_until_init(&s->sleep, s->deadline);
        AEXEC_AWAIT(aexec_sleep_poll(&s->sleep, cx));
        aexec_instant now = aexec_now(cx->executor);
        if (now < s->deadline)
            s->early++;
        else if (s->late != NULL)
            s->late[s->n] = now - s->deadline;
    }
    AEXEC_CO_END;
}
