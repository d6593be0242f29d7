#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"

struct counter {
    aexec_task task;
    aexec_co co;
    int n;
};

static aexec_poll counter_poll(aexec_task *t, aexec_cx *cx)
{
    struct counter *self = AEXEC_CONTAINER_OF(t, struct counter, task);
    AEXEC_CO_BEGIN(&self->co, cx);
    for (self->n = 0; self->n < 3; self->n++)
        AEXEC_YIELD();
    AEXEC_CO_END;
}

static void runs_a_task_to_completion(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static struct counter c;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_spawn(&ex, &c.task, counter_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(c.n, 3);
    assert_false(aexec_task_is_alive(&c.task));
    aexec_host_destroy(&host);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(runs_a_task_to_completion)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
