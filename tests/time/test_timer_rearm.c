/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Re-arming a timer that is still armed moves it: it fires once, at its new
 * deadline, whether that is earlier or later than the old one, and nothing
 * of the old arming stays queued. Deadlines are taken from each part of the
 * queue (a level-0 slot, a higher wheel level, the far heap beyond the
 * wheel's span, the end of time), and each pair is moved both ways.
 * Virtual time visits the instants just before and at each deadline, so a
 * fire is seen at the exact tick it happened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "test_port.h"

/* 1 kHz: a level-0 slot is one tick, so every deadline is a distinct slot. */
#define HZ 1000u

static aexec_executor ex;
static test_port port;

struct sleeper {
    aexec_task task;
    aexec_timer timer;
    aexec_instant arm_at; /* the deadline the next poll arms (or re-arms) */
    int arm;              /* a poll request: arm_at */
    int fires;
    aexec_instant fired_at;
};

/* Arms on request; counts every poll that finds the timer fired. */
static aexec_poll sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    struct sleeper *s = AEXEC_CONTAINER_OF(t, struct sleeper, task);
    if (s->arm) {
        s->arm = 0;
        aexec_timer_arm(&s->timer, cx, s->arm_at);
        return AEXEC_PENDING;
    }
    if (aexec_timer_fired(&s->timer)) {
        s->fires++;
        s->fired_at = port.now;
        aexec_timer_init(&s->timer); /* seen: a second fire would show again */
    }
    return AEXEC_PENDING;
}

static struct sleeper sl;

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, HZ);
    sl = (struct sleeper){0};
    assert_int_equal(aexec_spawn(&ex, &sl.task, sleeper_poll), 0);
    aexec_executor_poll(&ex); /* first poll: nothing to arm yet */
    return 0;
}

/* Moves virtual time to `at` and polls until the executor has nothing due. */
static void run_at(aexec_instant at)
{
    assert_true(at >= port.now);
    port.now = at;
    for (int i = 0; i < 4; i++)
        aexec_executor_poll(&ex);
}

static void arm(aexec_instant deadline)
{
    sl.arm = 1;
    sl.arm_at = deadline;
    aexec_wake(&sl.task);
    aexec_executor_poll(&ex);
    assert_int_equal(sl.arm, 0);
}

/* Arms at `first`, re-arms at `second` while armed, and checks the one fire. */
static void check_move(aexec_instant first, aexec_instant second)
{
    arm(first);
    assert_int_equal(ex.timers.count, 1);
    arm(second);
    assert_int_equal(ex.timers.count, 1); /* moved, not added */
    assert_int_equal(port.alarm, second); /* the alarm follows the new deadline */
    aexec_instant later = first > second ? first : second;
    /* Just before the new deadline: nothing; at it: one fire. */
    if (second > port.now)
        run_at(second - 1);
    assert_int_equal(sl.fires, 0);
    if (second == AEXEC_INSTANT_MAX) {
        assert_int_equal(ex.timers.count, 1); /* the end of time never comes */
        aexec_timer_cancel(&sl.timer);
        assert_int_equal(ex.timers.count, 0);
        return;
    }
    run_at(second);
    assert_int_equal(sl.fires, 1);
    assert_int_equal(sl.fired_at, second);
    assert_int_equal(ex.timers.count, 0);
    /* The old deadline, and well past it: no second fire. */
    if (later != AEXEC_INSTANT_MAX) {
        run_at(later);
        run_at(later + 3 * later / 2 + 1000);
    }
    assert_int_equal(sl.fires, 1);
    assert_int_equal(ex.timers.count, 0);
    assert_int_equal(port.alarm, AEXEC_ALARM_NONE);
}

/* One deadline from each part of the queue, relative to the start. */
static const aexec_instant places[] = {
    3,                        /* level-0 slot, close by */
    200,                      /* level 0, further on */
    70000,                    /* level 2 */
    (aexec_instant)1 << 41,   /* beyond the 64-bit wheel's 2^40 slots: the far heap */
    (aexec_instant)40u << 33, /* the far heap again, a different distance */
};
#define PLACES (sizeof places / sizeof places[0])

static void a_timer_re_armed_earlier_fires_once_at_the_new_deadline(void **state)
{
    (void)state;
    for (size_t i = 0; i < PLACES; i++)
        for (size_t j = 0; j < i; j++) {
            setup(NULL);
            check_move(places[i], places[j]);
        }
}

static void a_timer_re_armed_later_fires_once_at_the_new_deadline(void **state)
{
    (void)state;
    for (size_t i = 0; i < PLACES; i++)
        for (size_t j = i + 1; j < PLACES; j++) {
            setup(NULL);
            check_move(places[i], places[j]);
        }
}

static void a_timer_re_armed_to_the_same_deadline_fires_once(void **state)
{
    (void)state;
    for (size_t i = 0; i < PLACES; i++) {
        setup(NULL);
        check_move(places[i], places[i]);
    }
}

/* The end of time is its own place (it saturates); a move to it and back. */
static void a_timer_re_armed_to_and_from_the_end_of_time_fires_once(void **state)
{
    (void)state;
    setup(NULL);
    check_move(200, AEXEC_INSTANT_MAX);
    setup(NULL);
    check_move(AEXEC_INSTANT_MAX, 200);
}

/* After the wheel has moved on: re-arm behind and ahead of its position. */
static void a_timer_re_armed_after_time_moved_fires_once(void **state)
{
    (void)state;
    for (size_t i = 0; i < PLACES - 2; i++)
        for (size_t j = 0; j < PLACES - 2; j++) {
            setup(NULL);
            run_at(5000); /* the wheel's position moves to 5000 */
            check_move(5000 + places[i], 5000 + places[j]);
        }
}

/* Many re-arms in a row leave one node, which fires once at the last deadline. */
static void a_timer_re_armed_many_times_fires_once_at_the_last_deadline(void **state)
{
    (void)state;
    arm(1000);
    for (int k = 0; k < 50; k++)
        arm((aexec_instant)(k % 2 ? 40 + k : 90000 - k));
    assert_int_equal(ex.timers.count, 1);
    check_move(1u << 20, 777);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_timer_re_armed_earlier_fires_once_at_the_new_deadline, setup),
        cmocka_unit_test_setup(a_timer_re_armed_later_fires_once_at_the_new_deadline, setup),
        cmocka_unit_test_setup(a_timer_re_armed_to_the_same_deadline_fires_once, setup),
        cmocka_unit_test_setup(a_timer_re_armed_to_and_from_the_end_of_time_fires_once, setup),
        cmocka_unit_test_setup(a_timer_re_armed_after_time_moved_fires_once, setup),
        cmocka_unit_test_setup(a_timer_re_armed_many_times_fires_once_at_the_last_deadline, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
