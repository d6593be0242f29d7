/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Sleep, ticker and timeout on the executor, with virtual time: the test
 * port's clock moves only when a test (or its idle hook) moves it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "test_port.h"

#define HZ 10000000u /* QEMU virt's timebase */

static aexec_executor ex;
static test_port port;
static uint32_t woken; /* sleepers that woke in this test */

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, HZ);
    port.now = 1000;
    woken = 0;
    return 0;
}

/* ---- sleep --------------------------------------------------------------- */

struct sleeper {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    aexec_duration delay;
    aexec_instant woke_at;
    uint32_t order; /* 1 for the first sleeper of a test to wake, 2 for the next... */
    int cancel_now; /* the next poll cancels the sleep and finishes */
};

static aexec_poll sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    struct sleeper *s = AEXEC_CONTAINER_OF(t, struct sleeper, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    aexec_sleep_for_init(&s->sleep, s->delay);
    AEXEC_WAIT_UNTIL(s->cancel_now || aexec_sleep_poll(&s->sleep, cx) == AEXEC_READY);
    s->woke_at = aexec_now(cx->executor);
    s->order = ++woken;
    AEXEC_CO_FINALLY;
    aexec_sleep_cancel(&s->sleep);
    AEXEC_CO_END;
}

static void a_sleep_ends_at_its_deadline_not_before(void **state)
{
    (void)state;
    static struct sleeper s;
    s = (struct sleeper){.delay = 500};
    aexec_spawn(&ex, &s.task, sleeper_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(port.alarm, 1500); /* poll() programmed the alarm */
    port.now = 1499;
    port.alarm = AEXEC_ALARM_NONE; /* a one-shot alarm fired early and is spent */
    uint32_t sets = port.alarms_set;
    aexec_executor_poll(&ex); /* nothing fires... */
    assert_true(aexec_task_is_alive(&s.task));
    assert_int_equal(port.alarm, 1500); /* ...and the alarm is set again */
    assert_int_equal(port.alarms_set, sets + 1);
    port.now = 1500;
    aexec_executor_poll(&ex); /* expires the timer, queues the task */
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&s.task));
    assert_int_equal(s.woke_at, 1500);
    assert_int_equal(ex.timers.count, 0);
    assert_int_equal(port.alarm, AEXEC_ALARM_NONE);
}

static void a_late_alarm_fires_every_due_timer_in_deadline_order(void **state)
{
    (void)state;
    static struct sleeper s[4];
    const aexec_duration delays[4] = {300, 100, 400, 100};
    for (int i = 0; i < 4; i++) {
        s[i] = (struct sleeper){.delay = delays[i]};
        aexec_spawn(&ex, &s[i].task, sleeper_poll);
    }
    aexec_executor_poll(&ex);
    assert_int_equal(port.alarm, 1100);
    port.now = 1350; /* very late: three are due */
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&s[0].task));
    assert_false(aexec_task_is_alive(&s[1].task));
    assert_false(aexec_task_is_alive(&s[3].task));
    assert_true(aexec_task_is_alive(&s[2].task));
    assert_int_equal(port.alarm, 1400);
}

static void a_burst_of_due_timers_fires_in_bounded_batches_in_deadline_order(void **state)
{
    (void)state;
    enum { N = 3 * AEXEC_CONFIG_TIMER_BATCH + 17 };
    static struct sleeper s[N];
    for (int i = 0; i < N; i++) {
        /* distinct deadlines, armed latest first, spread over wheel levels */
        s[i] = (struct sleeper){.delay = (aexec_duration)(N - i) * 97u};
        aexec_spawn(&ex, &s[i].task, sleeper_poll);
    }
    aexec_executor_poll(&ex);
    port.now += (aexec_duration)N * 97u; /* all due at once */
    uint32_t polls = 0;
    while (woken < N) {
        uint32_t before = woken, pends = port.pends;
        aexec_executor_poll(&ex);
        polls++;
        assert_true(woken - before <= 2 * AEXEC_CONFIG_TIMER_BATCH);
        /* more to do: tasks queued (a pend) or timers due (an alarm in the past) */
        if (woken < N)
            assert_true(port.pends > pends || port.alarm <= port.now);
        assert_true(polls <= N);
    }
    assert_true(polls >= N / (2 * AEXEC_CONFIG_TIMER_BATCH));
    for (int i = 0; i < N; i++)
        assert_int_equal(s[i].order, (uint32_t)(N - i)); /* earliest deadline first */
    assert_int_equal(ex.timers.count, 0);
}

static void run_sleeps_in_idle_until_each_alarm(void **state)
{
    (void)state;
    static struct sleeper s[3];
    for (int i = 0; i < 3; i++) {
        s[i] = (struct sleeper){.delay = (aexec_duration)(i + 1) * 1000u};
        aexec_spawn(&ex, &s[i].task, sleeper_poll);
    }
    port.on_idle = test_port_jump_to_alarm;
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    for (int i = 0; i < 3; i++)
        assert_int_equal(s[i].woke_at, 1000u + (uint64_t)(i + 1) * 1000u);
    assert_int_equal(port.idles, 3);
    assert_int_equal(port.now, 4000);
}

static void a_deadline_in_the_past_fires_at_the_next_poll(void **state)
{
    (void)state;
    static struct sleeper s;
    s = (struct sleeper){.delay = 0};
    aexec_spawn(&ex, &s.task, sleeper_poll);
    aexec_executor_poll(&ex); /* arms at now: due at once */
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&s.task));
    assert_int_equal(s.woke_at, 1000);
}

static void a_deadline_beyond_the_range_saturates(void **state)
{
    (void)state;
    static struct sleeper s;
    s = (struct sleeper){.delay = UINT64_MAX - 10};
    aexec_spawn(&ex, &s.task, sleeper_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(ex.timers.count, 1);
    assert_int_equal(s.sleep.timer.deadline, AEXEC_INSTANT_MAX);
    assert_int_equal(port.alarm, AEXEC_INSTANT_MAX); /* the far heap's root: never */
    s.cancel_now = 1;
    aexec_wake(&s.task);
    aexec_executor_poll(&ex);
    assert_int_equal(ex.timers.count, 0);
}

/* ---- a relative sleep's clock -------------------------------------------- */

/* A sleeper whose first poll takes `busy` ticks of virtual time after it arms its sleep. */
struct slow_sleeper {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    aexec_duration delay, busy;
    aexec_instant polled_at; /* the clock when its first poll armed the sleep */
    aexec_instant woke_at;
};

static aexec_poll slow_sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    struct slow_sleeper *s = AEXEC_CONTAINER_OF(t, struct slow_sleeper, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    aexec_sleep_for_init(&s->sleep, s->delay);
    s->polled_at = port.now;
    (void)aexec_sleep_poll(&s->sleep, cx); /* arms it */
    port.now += s->busy;                   /* the rest of the poll takes time */
    AEXEC_AWAIT(aexec_sleep_poll(&s->sleep, cx));
    s->woke_at = port.now;
    AEXEC_CO_END;
}

/*
 * Two sleeps first polled in one batch, the first poll slow: neither ends
 * before its first poll + delay (the second one's poll came later), and with
 * the batch clock both count from the clock read after the batch, once.
 */
static void a_relative_sleep_never_counts_from_before_its_first_poll(void **state)
{
    (void)state;
    static struct slow_sleeper a, b;
    a = (struct slow_sleeper){.delay = 100, .busy = 40};
    b = (struct slow_sleeper){.delay = 100, .busy = 0};
    aexec_spawn(&ex, &a.task, slow_sleeper_poll);
    aexec_spawn(&ex, &b.task, slow_sleeper_poll);
    aexec_executor_poll(&ex); /* one batch: a armed at 1000, b at 1040 */
    assert_int_equal(a.polled_at, 1000);
    assert_int_equal(b.polled_at, 1040);
    assert_int_equal(ex.timers.count, 2);
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    /* the expiry step after the batch read 1040 once, for both */
    assert_int_equal(a.sleep.timer.deadline, 1140);
    assert_int_equal(b.sleep.timer.deadline, 1140);
#else
    assert_int_equal(a.sleep.timer.deadline, 1100);
    assert_int_equal(b.sleep.timer.deadline, 1140);
#endif
    assert_int_equal(port.alarm, a.sleep.timer.deadline); /* the alarm is exact */
    port.now = 1139;
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_true(aexec_task_is_alive(&b.task)); /* b is not due before 1040 + 100 */
    port.now = 1140;
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&a.task));
    assert_false(aexec_task_is_alive(&b.task));
    assert_true(a.woke_at >= a.polled_at + a.delay);
    assert_true(b.woke_at >= b.polled_at + b.delay);
    assert_int_equal(ex.timers.count, 0);
}

/* A sleeper that arms a sleep, then cancels it or arms it again, in the same poll. */
struct fickle {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    int rearm; /* 0: cancel after arming; 1: arm for 300 instead */
};

static aexec_poll fickle_poll(aexec_task *t, aexec_cx *cx)
{
    struct fickle *f = AEXEC_CONTAINER_OF(t, struct fickle, task);
    AEXEC_CO_BEGIN(&f->co, cx);
    aexec_sleep_for_init(&f->sleep, 100);
    (void)aexec_sleep_poll(&f->sleep, cx);
    assert_int_equal(f->sleep.timer.state, AEXEC_TIMER_ARMED);
    if (f->rearm) {
        aexec_timer_arm(&f->sleep.timer, cx, 1300); /* moves it before its deadline is known */
        AEXEC_AWAIT(aexec_sleep_poll(&f->sleep, cx));
    } else {
        assert_int_equal(aexec_sleep_cancel(&f->sleep), 0);
    }
    AEXEC_CO_END;
}

/* A relative sleep cancelled or moved in the poll that armed it leaves nothing behind. */
static void a_sleep_cancelled_or_moved_in_its_first_poll_leaves_no_node(void **state)
{
    (void)state;
    static struct fickle gone, moved;
    static struct sleeper other;
    gone = (struct fickle){.rearm = 0};
    moved = (struct fickle){.rearm = 1};
    other = (struct sleeper){.delay = 200};
    aexec_spawn(&ex, &other.task, sleeper_poll);
    aexec_spawn(&ex, &gone.task, fickle_poll);
    aexec_spawn(&ex, &moved.task, fickle_poll);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&gone.task));
    assert_int_equal(gone.sleep.timer.state, AEXEC_TIMER_IDLE);
    assert_int_equal(ex.timers.count, 2); /* other's and moved's */
    assert_int_equal(port.alarm, 1200);   /* other's: nothing of gone's arming is left */
    assert_int_equal(moved.sleep.timer.deadline, 1300);
    port.now = 1200;
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&other.task));
    assert_true(aexec_task_is_alive(&moved.task));
    assert_int_equal(port.alarm, 1300);
    port.now = 1300;
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&moved.task));
    assert_int_equal(ex.timers.count, 0);
    assert_int_equal(port.alarm, AEXEC_ALARM_NONE);
}

/* ---- cancel in every state leaves no node behind ------------------------- */

static void cancel_is_safe_in_every_state(void **state)
{
    (void)state;
    static struct sleeper s;
    /* idle: never polled */
    aexec_sleep idle;
    aexec_sleep_for_init(&idle, 5);
    aexec_sleep_cancel(&idle);
    aexec_sleep_cancel(&idle); /* twice */
    assert_int_equal(ex.timers.count, 0);
    /* armed, among others: cancel the one in the middle */
    static struct sleeper others[3];
    for (int i = 0; i < 3; i++) {
        others[i] = (struct sleeper){.delay = (aexec_duration)(i + 1) * 10u};
        aexec_spawn(&ex, &others[i].task, sleeper_poll);
    }
    aexec_executor_poll(&ex);
    others[1].cancel_now = 1;
    aexec_wake(&others[1].task);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&others[1].task));
    assert_int_equal(others[1].sleep.timer.state, AEXEC_TIMER_IDLE);
    assert_int_equal(ex.timers.count, 2);
    assert_int_equal(others[0].sleep.timer.state, AEXEC_TIMER_ARMED);
    assert_int_equal(others[2].sleep.timer.state, AEXEC_TIMER_ARMED);
    /* fired: the expiry took its node out; the FINALLY's cancel just resets it */
    s = (struct sleeper){.delay = 1};
    aexec_spawn(&ex, &s.task, sleeper_poll);
    aexec_executor_poll(&ex);
    port.now += 1;
    aexec_executor_poll(&ex); /* fires the timer, then polls the task: it ends */
    assert_false(aexec_task_is_alive(&s.task));
    assert_int_equal(s.woke_at, port.now);
    assert_int_equal(s.sleep.timer.state, AEXEC_TIMER_IDLE);
    /* only the two uncancelled others remain, and the alarm is the earlier one's */
    assert_int_equal(ex.timers.count, 2);
    assert_int_equal(port.alarm, others[0].sleep.timer.deadline);
}

/* ---- ticker -------------------------------------------------------------- */

struct ticking {
    aexec_task task;
    aexec_co co;
    aexec_ticker ticker;
    uint64_t target, fired, skipped;
    aexec_instant last;
};

static aexec_poll ticking_poll(aexec_task *t, aexec_cx *cx)
{
    struct ticking *k = AEXEC_CONTAINER_OF(t, struct ticking, task);
    AEXEC_CO_BEGIN(&k->co, cx);
    while (k->fired + k->skipped < k->target) {
        AEXEC_AWAIT(aexec_ticker_poll(&k->ticker, cx));
        k->fired++;
        k->skipped += aexec_ticker_skipped(&k->ticker);
        k->last = aexec_now(cx->executor);
    }
    AEXEC_CO_FINALLY;
    aexec_ticker_cancel(&k->ticker);
    AEXEC_CO_END;
}

static void a_ticker_of_a_third_of_a_ms_ends_exactly_on_time_after_a_million_periods(void **state)
{
    (void)state;
    static struct ticking k;
    k = (struct ticking){.target = 1000000};
    assert_int_equal(aexec_ticker_init(&k.ticker, 1, 3000), 0); /* 1/3 ms */
    aexec_spawn(&ex, &k.task, ticking_poll);
    port.on_idle = test_port_jump_to_alarm;
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    /* 10^6 periods of 3333 1/3 ticks: 3,333,333,333 1/3 ticks, rounded up */
    assert_int_equal(k.last, 1000u + 3333333334u);
    assert_int_equal(k.fired, 1000000);
    assert_int_equal(k.skipped, 0);
}

static void every_tick_lands_on_the_exact_grid(void **state)
{
    (void)state;
    static struct ticking k;
    k = (struct ticking){.target = 1000};
    assert_int_equal(aexec_ticker_init(&k.ticker, 7, 30000), 0); /* 7/30 ms: 2333 1/3 ticks */
    aexec_spawn(&ex, &k.task, ticking_poll);
    aexec_executor_poll(&ex);
    for (uint64_t i = 1; i <= 1000; i++) {
        /* the k-th deadline is start + ceil(k * 70000/30) */
        uint64_t exact = 1000u + (i * 70000u + 29u) / 30u;
        assert_int_equal(port.alarm, exact);
        port.now = port.alarm;
        aexec_executor_poll(&ex);
        aexec_executor_poll(&ex);
    }
    assert_int_equal(k.fired, 1000);
}

static void after_a_stall_the_ticker_fires_once_and_keeps_its_grid(void **state)
{
    (void)state;
    static struct ticking k;
    k = (struct ticking){.target = 100};
    assert_int_equal(aexec_ticker_init(&k.ticker, 1, 1000), 0); /* 1 ms = 10,000 ticks */
    aexec_spawn(&ex, &k.task, ticking_poll);
    aexec_executor_poll(&ex);
    port.now = 1000 + 10000;
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_int_equal(k.fired, 1);
    port.now = 1000 + 10000 * 45 + 17; /* stalled through 44 more deadlines */
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_int_equal(k.fired, 2);                    /* one fire, not a burst */
    assert_int_equal(k.skipped, 43);                 /* deadlines 3..45 skipped */
    assert_int_equal(port.alarm, 1000 + 10000 * 46); /* still on the grid */
}

static void a_ticker_rejects_a_zero_period(void **state)
{
    (void)state;
    aexec_ticker t;
    assert_int_equal(aexec_ticker_init(&t, 0, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_ticker_init(&t, 1, 0), AEXEC_EINVAL);
}

/* ---- timeout ------------------------------------------------------------- */

/* A future that becomes ready when the test says so. */
struct gate {
    int open;
    int cancelled;
};

static aexec_poll gate_poll(struct gate *g)
{
    return g->open ? AEXEC_READY : AEXEC_PENDING;
}

static int gate_cancel(struct gate *g)
{
    g->cancelled = 1;
    return 0;
}

struct bounded {
    aexec_task task;
    aexec_co co;
    aexec_timeout to;
    struct gate *gate;
    aexec_duration limit;
    int err;
    int done;
};

static aexec_poll bounded_poll(aexec_task *t, aexec_cx *cx)
{
    struct bounded *b = AEXEC_CONTAINER_OF(t, struct bounded, task);
    AEXEC_CO_BEGIN(&b->co, cx);
    aexec_timeout_for_init(&b->to, b->limit);
    AEXEC_AWAIT_WITH_TIMEOUT(&b->to, gate_poll(b->gate), gate_cancel(b->gate));
    b->err = aexec_timeout_expired(&b->to) ? AEXEC_ETIMEDOUT : 0;
    b->done = 1;
    AEXEC_CO_END;
}

static void with_timeout_the_inner_future_can_win(void **state)
{
    (void)state;
    static struct bounded b;
    static struct gate g;
    g = (struct gate){0};
    b = (struct bounded){.gate = &g, .limit = 100, .err = -99};
    aexec_spawn(&ex, &b.task, bounded_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(ex.timers.count, 1);
    g.open = 1;
    aexec_wake(&b.task);
    aexec_executor_poll(&ex);
    assert_int_equal(b.done, 1);
    assert_int_equal(b.err, 0);
    assert_int_equal(g.cancelled, 0);
    assert_int_equal(ex.timers.count, 0); /* the losing timer is gone */
}

static void with_timeout_the_deadline_can_win(void **state)
{
    (void)state;
    static struct bounded b;
    static struct gate g;
    g = (struct gate){0};
    b = (struct bounded){.gate = &g, .limit = 100, .err = -99};
    aexec_spawn(&ex, &b.task, bounded_poll);
    aexec_executor_poll(&ex);
    port.now += 100;
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_int_equal(b.done, 1);
    assert_int_equal(b.err, AEXEC_ETIMEDOUT);
    assert_int_equal(g.cancelled, 1); /* the losing future was cancelled */
}

static void with_timeout_when_both_are_ready_the_inner_future_wins(void **state)
{
    (void)state;
    static struct bounded b;
    static struct gate g;
    g = (struct gate){0};
    b = (struct bounded){.gate = &g, .limit = 100, .err = -99};
    aexec_spawn(&ex, &b.task, bounded_poll);
    aexec_executor_poll(&ex);
    port.now += 500; /* the deadline passed... */
    g.open = 1;      /* ...and the operation completed: same poll */
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_int_equal(b.err, 0);
    assert_int_equal(g.cancelled, 0);
    assert_int_equal(ex.timers.count, 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_sleep_ends_at_its_deadline_not_before, setup),
        cmocka_unit_test_setup(a_late_alarm_fires_every_due_timer_in_deadline_order, setup),
        cmocka_unit_test_setup(a_burst_of_due_timers_fires_in_bounded_batches_in_deadline_order,
                               setup),
        cmocka_unit_test_setup(run_sleeps_in_idle_until_each_alarm, setup),
        cmocka_unit_test_setup(a_deadline_in_the_past_fires_at_the_next_poll, setup),
        cmocka_unit_test_setup(a_deadline_beyond_the_range_saturates, setup),
        cmocka_unit_test_setup(a_relative_sleep_never_counts_from_before_its_first_poll, setup),
        cmocka_unit_test_setup(a_sleep_cancelled_or_moved_in_its_first_poll_leaves_no_node, setup),
        cmocka_unit_test_setup(cancel_is_safe_in_every_state, setup),
        cmocka_unit_test_setup(
            a_ticker_of_a_third_of_a_ms_ends_exactly_on_time_after_a_million_periods, setup),
        cmocka_unit_test_setup(every_tick_lands_on_the_exact_grid, setup),
        cmocka_unit_test_setup(after_a_stall_the_ticker_fires_once_and_keeps_its_grid, setup),
        cmocka_unit_test_setup(a_ticker_rejects_a_zero_period, setup),
        cmocka_unit_test_setup(with_timeout_the_inner_future_can_win, setup),
        cmocka_unit_test_setup(with_timeout_the_deadline_can_win, setup),
        cmocka_unit_test_setup(with_timeout_when_both_are_ready_the_inner_future_wins, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
