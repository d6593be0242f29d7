/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A spinning executor fires its timers on time: the spin before a sleep
 * (aexec_executor_set_spin) ends when the earliest deadline passes, instead
 * of running its full length and making the timer that late. The time
 * driver here advances one tick at every read, as time passes while the
 * executor spins, so "on time" is exact: the timer fires without the
 * executor ever sleeping, within the spin's clock period of its deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "test_port.h"

static aexec_executor ex;
static test_port port;
static aexec_port ticking;
static uint32_t reads;

/* One tick per read: the spin's clock reads are what moves time. */
static uint64_t ticking_now(void *ctx)
{
    test_port *p = ctx;
    reads++;
    return p->now++;
}

struct sleeper {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    aexec_instant deadline, woke;
};

static aexec_poll sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    struct sleeper *s = AEXEC_CONTAINER_OF(t, struct sleeper, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    aexec_sleep_until_init(&s->sleep, s->deadline);
    AEXEC_AWAIT(aexec_sleep_poll(&s->sleep, cx));
    s->woke = port.now;
    AEXEC_CO_END;
}

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    ticking = test_port_ops;
    ticking.now = ticking_now;
    assert_int_equal(aexec_executor_init(&ex, &ticking, &port, 1000), AEXEC_OK);
    port.on_idle = test_port_jump_to_alarm;
    reads = 0;
    return 0;
}

/* A spin far longer than the wait: the timer fires from the spin, not after it. */
static void a_timer_due_during_the_spin_ends_it(void **state)
{
    (void)state;
    static struct sleeper s;
    s = (struct sleeper){.deadline = 40};
    aexec_executor_set_spin(&ex, 10000000u);
    assert_int_equal(aexec_spawn(&ex, &s.task, sleeper_poll), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(port.idles, 0);
    assert_true(s.woke >= s.deadline);
    /* One read per 32 checks while spinning, a few around each batch. */
    assert_true(s.woke - s.deadline <= 8);
    assert_true(reads < 100);
}

/*
 * With no timer armed the spin reads no clock: a task waits for a wake that
 * only the idle hook (an "interrupt") gives, so the executor spins its full
 * length and then sleeps. Up to the sleep the clock is read only by the
 * statistics' idle time, once, in a build with them.
 */
static aexec_task waiter;
static int waiter_polls;
static uint32_t reads_before_idle;

static aexec_poll waiter_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    (void)cx;
    return ++waiter_polls == 2 ? AEXEC_READY : AEXEC_PENDING;
}

static void interrupt(test_port *p, void *arg)
{
    (void)p;
    (void)arg;
    reads_before_idle = reads;
    aexec_wake(&waiter);
}

static void a_spin_with_no_timer_armed_reads_no_clock(void **state)
{
    (void)state;
    waiter = (aexec_task){0};
    waiter_polls = 0;
    aexec_executor_set_spin(&ex, 1000u);
    port.on_idle = interrupt;
    assert_int_equal(aexec_spawn(&ex, &waiter, waiter_poll), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(port.idles, 1);
    assert_int_equal(waiter_polls, 2);
    assert_true(reads_before_idle <= (AEXEC_CONFIG_STATS ? 1u : 0u));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_timer_due_during_the_spin_ends_it, setup),
        cmocka_unit_test_setup(a_spin_with_no_timer_armed_reads_no_clock, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
