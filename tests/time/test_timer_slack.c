/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The host backend's timer slack (aexec_host_set_timer_slack): the rounding
 * without a clock, then on the real one only what holds whatever the
 * machine's load: a timed idle never ends before its grid point, a pend
 * from another thread does not wait for one, and no timer fires early.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"
#include "arch/host/timer_slack.h"

static void rounds_up_to_the_grid(void **state)
{
    (void)state;
    /* No slack: the alarm itself. */
    assert_true(aexec__host_slack_wake(1234567u, 0u) == 1234567u);
    assert_true(aexec__host_slack_wake(1234567u, 1u) == 1234567u);
    /* On the grid it stays; just past a grid point it goes to the next. */
    assert_true(aexec__host_slack_wake(3000000u, 1000000u) == 3000000u);
    assert_true(aexec__host_slack_wake(3000001u, 1000000u) == 4000000u);
    assert_true(aexec__host_slack_wake(3999999u, 1000000u) == 4000000u);
    assert_true(aexec__host_slack_wake(0u, 1000000u) == 0u);
    /* A slack that is not a power of two, and one longer than the alarm. */
    assert_true(aexec__host_slack_wake(50001u, 50000u) == 100000u);
    assert_true(aexec__host_slack_wake(7u, 1000000000u) == 1000000000u);
    /* No wrap into the past: "never" stays never, and an alarm whose grid
     * point would not fit is left as it is. */
    assert_true(aexec__host_slack_wake(AEXEC_ALARM_NONE, 1000000u) == AEXEC_ALARM_NONE);
    assert_true(aexec__host_slack_wake(UINT64_MAX - 5u, 1000u) == UINT64_MAX - 5u);
    uint64_t top = UINT64_MAX / 1000u * 1000u; /* the last grid point that fits */
    assert_true(aexec__host_slack_wake(top - 1u, 1000u) == top);
}

static void rejects_a_null_host(void **state)
{
    (void)state;
    assert_int_equal(aexec_host_set_timer_slack(NULL, 1000u), AEXEC_EINVAL);
}

/*
 * The port's hooks, driven as the executor drives them (set_alarm, then
 * idle), but without an executor: it fires a timer whose deadline passed
 * while it was awake without sleeping, which is allowed and would make the
 * bound below depend on the machine's speed.
 */
static void idle_ends_on_the_grid(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    const uint64_t slack = 1000000u; /* 1 ms */
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_host_set_timer_slack(&host, slack), 0);
    for (int round = 0; round < 20; round++) {
        /* Without the slack the wait would end some 10-100 us after the
         * alarm, before its grid point in all but a few rounds. */
        uint64_t alarm = aexec_host_now_ns() + 10000u;
        ex.port->set_alarm(ex.ctx, alarm);
        ex.port->idle(ex.ctx);
        uint64_t woke = aexec_host_now_ns(), grid = aexec__host_slack_wake(alarm, slack);
        assert_true(grid > alarm && grid - alarm <= slack);
        assert_true(woke >= grid);
    }
    aexec_host_destroy(&host);
}

static aexec_executor far_ex;
static aexec_host far_host;

static void *pend_when_asleep(void *arg)
{
    (void)arg;
    /* White box: idle() sets `sleeping` before it looks for a pend, so a
     * pend after it is one that must end the wait. */
    while (!atomic_load(&far_host.sleeping))
        ;
    far_ex.port->pend(far_ex.ctx);
    return NULL;
}

static void a_pend_ends_a_slack_wait(void **state)
{
    (void)state;
    assert_int_equal(aexec_host_executor_init(&far_ex, &far_host), 0);
    /* 2^62 ns: CLOCK_MONOTONIC counts from boot, so the first grid point
     * after the alarm is 146 years of uptime away; only the pend can end
     * this wait (were the slack to hold it, the test would hang). */
    assert_int_equal(aexec_host_set_timer_slack(&far_host, UINT64_C(1) << 62), 0);
    far_ex.port->set_alarm(far_ex.ctx, aexec_host_now_ns() + 1000u);
    pthread_t pender;
    assert_int_equal(pthread_create(&pender, NULL, pend_when_asleep, NULL), 0);
    far_ex.port->idle(far_ex.ctx);
    assert_int_equal(pthread_join(pender, NULL), 0);
    assert_true(aexec_host_now_ns() < UINT64_C(1) << 62);
    aexec_host_destroy(&far_host);
}

/* ---- on an executor: every timer of a burst fires, none early ----------- */

#define TASKS 16

struct slack_task {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    uint64_t deadline, woke;
};

static aexec_poll slack_poll(aexec_task *t, aexec_cx *cx)
{
    struct slack_task *self = AEXEC_CONTAINER_OF(t, struct slack_task, task);
    AEXEC_CO_BEGIN(&self->co, cx);
    aexec_sleep_until_init(&self->sleep, self->deadline);
    AEXEC_AWAIT(aexec_sleep_poll(&self->sleep, cx));
    self->woke = aexec_host_now_ns();
    AEXEC_CO_END;
}

static void a_burst_fires_whole_and_never_early(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static struct slack_task tasks[TASKS];
    const uint64_t slack = 1000000u;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    aexec_executor_set_spin(&ex, 0);
    assert_int_equal(aexec_host_set_timer_slack(&host, slack), 0);
    uint64_t now = aexec_host_now_ns();
    for (int i = 0; i < TASKS; i++) {
        /* Deadlines 37 us apart, spread over several grid points. */
        tasks[i].deadline = now + 100000u + (uint64_t)i * 37000u;
        assert_int_equal(aexec_spawn(&ex, &tasks[i].task, slack_poll), 0);
    }
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    for (int i = 0; i < TASKS; i++)
        assert_true(tasks[i].woke >= tasks[i].deadline);
    aexec_host_destroy(&host);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rounds_up_to_the_grid),
        cmocka_unit_test(rejects_a_null_host),
        cmocka_unit_test(idle_ends_on_the_grid),
        cmocka_unit_test(a_pend_ends_a_slack_wait),
        cmocka_unit_test(a_burst_fires_whole_and_never_early),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
