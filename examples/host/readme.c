#include <stdio.h>
#include "aexec/aexec.h"
#include "aexec/arch/host.h"

struct blink { /* a task: header + continuation + state */
    aexec_task task;
    aexec_co co;
    int n;
};

static aexec_poll blink_poll(aexec_task *t, aexec_cx *cx)
{
    struct blink *self = AEXEC_CONTAINER_OF(t, struct blink, task);
    AEXEC_CO_BEGIN(&self->co, cx);
    for (self->n = 0; self->n < 3; self->n++) {
        printf("blink %d\n", self->n);
        AEXEC_YIELD(); /* let every other ready task run */
    }
    AEXEC_CO_END;
}

int main(void)
{
    static aexec_executor ex; /* static storage: no heap anywhere */
    static aexec_host host;
    static struct blink b;
    aexec_host_executor_init(&ex, &host);
    aexec_spawn(&ex, &b.task, blink_poll); /* AEXEC_EBUSY if still running */
    return aexec_run(&ex);                 /* returns when no task is left */
}
