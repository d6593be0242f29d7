/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Cleanup a body cannot forget: a cancelled task releases the future it
 * waits on from its suspension point; a future re-initialized while still
 * armed or queued asserts instead of corrupting a queue; every spawn starts
 * a body from the top; a finished join reports its result once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "expect_panic.h"
#include "test_port.h"

static aexec_executor ex;
static test_port port;
static aexec_cs cs;

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    return 0;
}

/* ---- a sleeper with no FINALLY at all ------------------------------------- */

struct sleeper {
    aexec_task task;
    aexec_co co;
    aexec_sleep nap;
    int starts, woke;
};

static aexec_poll sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    struct sleeper *s = AEXEC_CONTAINER_OF(t, struct sleeper, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    s->starts++;
    aexec_sleep_for_init(&s->nap, 100);
    AEXEC_AWAIT_WITH_CANCEL(aexec_sleep_poll(&s->nap, cx), aexec_sleep_cancel(&s->nap));
    s->woke++;
    AEXEC_CO_END;
}

static void a_cancelled_sleeper_without_finally_leaves_no_timer_and_respawns(void **state)
{
    (void)state;
    static struct sleeper s;
    s = (struct sleeper){0};
    assert_int_equal(aexec_spawn(&ex, &s.task, sleeper_poll), 0);
    aexec_executor_poll(&ex);
    assert_int_equal(ex.timers.count, 1);
    assert_int_equal(aexec_task_cancel(aexec_task_handle(&s.task)), 0);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&s.task));
    assert_int_equal(ex.timers.count, 0); /* released at the await, not in a FINALLY */
    assert_int_equal(port.alarm, AEXEC_ALARM_NONE);

    /* the same storage, spawned again, sleeps again from the top and wakes */
    assert_int_equal(aexec_spawn(&ex, &s.task, sleeper_poll), 0);
    aexec_executor_poll(&ex);
    assert_int_equal(s.starts, 2);
    assert_int_equal(ex.timers.count, 1);
    port.now += 100;
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_int_equal(s.woke, 1);
    assert_false(aexec_task_is_alive(&s.task));
}

/* The same body with a plain AEXEC_AWAIT, which cancels nothing. */
static aexec_poll forgetful_poll(aexec_task *t, aexec_cx *cx)
{
    struct sleeper *s = AEXEC_CONTAINER_OF(t, struct sleeper, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    s->starts++;
    aexec_sleep_for_init(&s->nap, 100);
    AEXEC_AWAIT(aexec_sleep_poll(&s->nap, cx));
    s->woke++;
    AEXEC_CO_END;
}

static void poll_ex(void *arg)
{
    (void)arg;
    aexec_executor_poll(&ex);
}

static void a_forgotten_armed_sleep_asserts_at_its_next_init_instead_of_spinning(void **state)
{
    (void)state;
    static struct sleeper s;
    s = (struct sleeper){0};
    aexec_spawn(&ex, &s.task, forgetful_poll);
    aexec_executor_poll(&ex);
    aexec_task_cancel(aexec_task_handle(&s.task));
    aexec_executor_poll(&ex);
    assert_int_equal(ex.timers.count, 1); /* the leak a plain await leaves */
    aexec_spawn(&ex, &s.task, forgetful_poll);
    const char *msg = test_expect_panic(poll_ex, NULL);
    assert_non_null(strstr(msg, "aexec_sleep_for_init"));
    assert_non_null(strstr(msg, "still armed"));
}

/* ---- nested futures unwind the same way ----------------------------------- */

struct napper { /* a nested async function: sleeps, with cleanup of its own */
    aexec_co co;
    aexec_sleep nap;
    int cleaned;
};

static aexec_poll napper_poll(struct napper *n, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&n->co, cx);
    aexec_sleep_for_init(&n->nap, 50);
    AEXEC_AWAIT_WITH_CANCEL(aexec_sleep_poll(&n->nap, cx), aexec_sleep_cancel(&n->nap));
    AEXEC_CO_FINALLY;
    n->cleaned++;
    AEXEC_CO_END;
}

struct parent {
    aexec_task task;
    aexec_co co;
    struct napper inner;
    int cleaned, after;
};

static aexec_poll parent_poll(aexec_task *t, aexec_cx *cx)
{
    struct parent *p = AEXEC_CONTAINER_OF(t, struct parent, task);
    AEXEC_CO_BEGIN(&p->co, cx);
    aexec_co_init(&p->inner.co);
    AEXEC_AWAIT_NESTED(napper_poll(&p->inner, cx));
    p->after = 1;
    AEXEC_CO_FINALLY;
    p->cleaned++;
    AEXEC_CO_END;
}

static void a_cancel_unwinds_a_nested_future_before_the_parents_finally(void **state)
{
    (void)state;
    static struct parent p;
    p = (struct parent){0};
    aexec_spawn(&ex, &p.task, parent_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(ex.timers.count, 1);
    aexec_task_cancel(aexec_task_handle(&p.task));
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&p.task));
    assert_int_equal(ex.timers.count, 0);
    assert_int_equal(p.inner.cleaned, 1);
    assert_int_equal(p.cleaned, 1);
    assert_int_equal(p.after, 0);
}

/* ---- a timeout and a wait queue, cancelled ---------------------------------- */

static aexec_channel ch;
static uint8_t ring[4];

struct timed {
    aexec_task task;
    aexec_co co;
    aexec_timeout to;
    aexec_channel_recv get;
    uint8_t byte;
    int err;
};

static aexec_poll timed_poll(aexec_task *t, aexec_cx *cx)
{
    struct timed *r = AEXEC_CONTAINER_OF(t, struct timed, task);
    AEXEC_CO_BEGIN(&r->co, cx);
    aexec_channel_recv_init(&r->get, &ch, &r->byte);
    aexec_timeout_for_init(&r->to, 100);
    AEXEC_AWAIT_WITH_TIMEOUT(&r->to, aexec_channel_recv_poll(&r->get, cx, &r->err),
                             aexec_channel_recv_cancel(&r->get));
    AEXEC_CO_END;
}

static void a_cancelled_timeout_withdraws_both_the_timer_and_the_operation(void **state)
{
    (void)state;
    static struct timed r;
    r = (struct timed){0};
    assert_int_equal(aexec_channel_init(&ch, &cs, ring, 1, sizeof ring), 0);
    aexec_spawn(&ex, &r.task, timed_poll);
    aexec_executor_poll(&ex);
    assert_non_null(ch.receivers);
    aexec_task_cancel(aexec_task_handle(&r.task));
    aexec_executor_poll(&ex);
    assert_null(ch.receivers);
    assert_int_equal(ex.timers.count, 0);
    /* the storage is clean: the same task runs again and gets a byte */
    aexec_spawn(&ex, &r.task, timed_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(aexec_channel_try_send(&ch, &(uint8_t){7}), 0);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&r.task));
    assert_int_equal(r.byte, 7);
    assert_false(aexec_timeout_expired(&r.to));
}

static aexec_wait_queue wq;
static int resource_free;

struct waiter {
    aexec_task task;
    aexec_co co;
    aexec_wait wait;
    int got;
};

static aexec_poll waiter_poll(aexec_task *t, aexec_cx *cx)
{
    struct waiter *w = AEXEC_CONTAINER_OF(t, struct waiter, task);
    AEXEC_CO_BEGIN(&w->co, cx);
    aexec_wait_init(&w->wait, &wq);
    AEXEC_WAIT_QUEUE_UNTIL(&w->wait, resource_free);
    w->got = 1;
    AEXEC_CO_END;
}

static void a_waiter_cancelled_after_its_wake_passes_the_wake_on(void **state)
{
    (void)state;
    static struct waiter a, b;
    a = (struct waiter){0};
    b = (struct waiter){0};
    resource_free = 0;
    aexec_wait_queue_init(&wq, &cs);
    aexec_spawn(&ex, &a.task, waiter_poll);
    aexec_spawn(&ex, &b.task, waiter_poll);
    aexec_executor_poll(&ex); /* both wait, a first */
    resource_free = 1;
    assert_int_equal(aexec_wait_queue_wake_one(&wq), 1); /* reaches a */
    aexec_task_cancel(aexec_task_handle(&a.task));       /* a leaves before it looks */
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_int_equal(a.got, 0);
    assert_int_equal(b.got, 1); /* the wake was not lost with a */
    assert_null(wq.head);
}

/* ---- re-initializing what is still queued --------------------------------- */

static aexec_channel_recv queued;

static void init_queued(void *arg)
{
    (void)arg;
    uint8_t b;
    aexec_channel_recv_init(&queued, &ch, &b);
}

static void reinitializing_a_queued_receive_asserts(void **state)
{
    (void)state;
    static uint8_t b;
    aexec_task t = {0};
    aexec_cx cx = {&t, &ex, 0, 0, 0};
    int err;
    assert_int_equal(aexec_channel_init(&ch, &cs, ring, 1, sizeof ring), 0);
    aexec_channel_recv_init(&queued, &ch, &b);
    assert_int_equal(aexec_channel_recv_poll(&queued, &cx, &err), AEXEC_PENDING);
    const char *msg = test_expect_panic(init_queued, NULL);
    assert_non_null(strstr(msg, "recv_init"));
    assert_non_null(strstr(msg, "still waiting"));
    assert_int_equal(aexec_channel_recv_cancel(&queued), 0);
    aexec_channel_recv_init(&queued, &ch, &b); /* after the cancel it is fine */
}

static aexec_ticker armed_ticker;

static void init_armed_ticker(void *arg)
{
    (void)arg;
    (void)aexec_ticker_init(&armed_ticker, 1, 100);
}

static void
reinitializing_an_armed_ticker_asserts_and_deadline_is_0_before_the_first_poll(void **state)
{
    (void)state;
    aexec_task t = {0};
    aexec_cx cx = {&t, &ex, 0, 0, 0};
    armed_ticker.base = 1234; /* storage left over from an earlier use */
    assert_int_equal(aexec_ticker_init(&armed_ticker, 1, 100), 0);
    assert_int_equal(aexec_ticker_deadline(&armed_ticker), 0);
    port.now = 5;
    assert_int_equal(aexec_ticker_poll(&armed_ticker, &cx), AEXEC_PENDING);
    assert_int_equal(aexec_ticker_deadline(&armed_ticker), 15);
    const char *msg = test_expect_panic(init_armed_ticker, NULL);
    assert_non_null(strstr(msg, "aexec_ticker_init"));
    assert_int_equal(aexec_ticker_cancel(&armed_ticker), 0);
}

/* ---- every spawn starts from the top ------------------------------------- */

struct counter_task {
    aexec_task task;
    aexec_co co;
    int starts, ends;
};

static aexec_poll counter_task_poll(aexec_task *t, aexec_cx *cx)
{
    struct counter_task *c = AEXEC_CONTAINER_OF(t, struct counter_task, task);
    AEXEC_CO_BEGIN(&c->co, cx);
    c->starts++;
    AEXEC_YIELD();
    c->ends++;
    AEXEC_CO_END;
}

static void a_respawned_body_runs_again_from_its_beginning(void **state)
{
    (void)state;
    static struct counter_task c;
    c = (struct counter_task){0};
    for (int life = 1; life <= 3; life++) {
        assert_int_equal(aexec_spawn(&ex, &c.task, counter_task_poll), 0);
        aexec_executor_poll(&ex);
        aexec_executor_poll(&ex);
        assert_false(aexec_task_is_alive(&c.task));
        assert_int_equal(c.starts, life); /* not READY at once: the co was rewound */
        assert_int_equal(c.ends, life);
    }
    /* also after a cancel in the middle */
    aexec_spawn(&ex, &c.task, counter_task_poll);
    aexec_executor_poll(&ex);
    aexec_task_cancel(aexec_task_handle(&c.task));
    aexec_executor_poll(&ex);
    aexec_spawn(&ex, &c.task, counter_task_poll);
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_int_equal(c.starts, 5);
    assert_int_equal(c.ends, 4);
}

static void a_pool_slot_body_starts_from_its_beginning_in_each_life(void **state)
{
    (void)state;
    static struct counter_task slots[1];
    static aexec_pool_link links[1];
    static aexec_pool pool;
    memset(slots, 0, sizeof slots);
    assert_int_equal(aexec_pool_init(&pool, &ex, slots, sizeof slots[0],
                                     offsetof(struct counter_task, task), 1, links,
                                     counter_task_poll),
                     0);
    for (int life = 1; life <= 3; life++) {
        aexec_task *t;
        assert_int_equal(aexec_pool_claim(&pool, &t), 0);
        aexec_pool_spawn(&pool, t, NULL);
        aexec_executor_poll(&ex);
        aexec_executor_poll(&ex);
        aexec_executor_poll(&ex);
        assert_int_equal(slots[0].starts, life);
        assert_int_equal(slots[0].ends, life);
    }
}

/* ---- a finished join reports once ----------------------------------------- */

static aexec_poll finish_with_7(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    aexec_task_set_result(cx, 7);
    return AEXEC_READY;
}

static void a_finished_join_writes_its_result_once(void **state)
{
    (void)state;
    static aexec_task target;
    target = (aexec_task){0};
    aexec_task me = {0};
    aexec_cx cx = {&me, &ex, 0, 0, 0};
    aexec_spawn(&ex, &target, finish_with_7);
    aexec_join j;
    aexec_join_init(&j, aexec_task_handle(&target));
    int result = -1;
    assert_int_equal(aexec_join_poll(&j, &cx, &result), AEXEC_PENDING);
    aexec_executor_poll(&ex);
    assert_int_equal(aexec_join_poll(&j, &cx, &result), AEXEC_READY);
    assert_int_equal(result, 7);
    result = -99; /* the caller reused its variable */
    assert_int_equal(aexec_join_poll(&j, &cx, &result), AEXEC_READY);
    assert_int_equal(result, -99);
    assert_int_equal(aexec_join_cancel(&j), 1); /* it had completed */
    assert_int_equal(aexec_join_result(&j), 7);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_cancelled_sleeper_without_finally_leaves_no_timer_and_respawns,
                               setup),
        cmocka_unit_test_setup(a_forgotten_armed_sleep_asserts_at_its_next_init_instead_of_spinning,
                               setup),
        cmocka_unit_test_setup(a_cancel_unwinds_a_nested_future_before_the_parents_finally, setup),
        cmocka_unit_test_setup(a_cancelled_timeout_withdraws_both_the_timer_and_the_operation,
                               setup),
        cmocka_unit_test_setup(a_waiter_cancelled_after_its_wake_passes_the_wake_on, setup),
        cmocka_unit_test_setup(reinitializing_a_queued_receive_asserts, setup),
        cmocka_unit_test_setup(
            reinitializing_an_armed_ticker_asserts_and_deadline_is_0_before_the_first_poll, setup),
        cmocka_unit_test_setup(a_respawned_body_runs_again_from_its_beginning, setup),
        cmocka_unit_test_setup(a_pool_slot_body_starts_from_its_beginning_in_each_life, setup),
        cmocka_unit_test_setup(a_finished_join_writes_its_result_once, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
