/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Task handles: join a task and read its result; cancel it in every state
 * (not yet polled, pending on a timer, pending on a channel, finished), and
 * check that the cancelled task released what it held.
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
static aexec_cs cs;
static aexec_channel ch;
static uint32_t ring[2];

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    assert_int_equal(aexec_channel_init(&ch, &cs, ring, sizeof ring[0], 2), 0);
    return 0;
}

/* A worker: sleeps, then receives one item, then finishes with result 42. */
struct worker {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    aexec_channel_recv rx;
    uint32_t item;
    int err, finally_runs, stage;
};

static aexec_poll worker_poll(aexec_task *t, aexec_cx *cx)
{
    struct worker *w = AEXEC_CONTAINER_OF(t, struct worker, task);
    AEXEC_CO_BEGIN(&w->co, cx);
    aexec_sleep_for_init(&w->sleep, 10);
    aexec_channel_recv_init(&w->rx, &ch, &w->item);
    w->stage = 1;
    AEXEC_AWAIT(aexec_sleep_poll(&w->sleep, cx));
    w->stage = 2;
    AEXEC_AWAIT(aexec_channel_recv_poll(&w->rx, cx, &w->err));
    w->stage = 3;
    aexec_task_set_result(cx, 42);
    AEXEC_CO_FINALLY;
    w->finally_runs++;
    aexec_sleep_cancel(&w->sleep);
    aexec_channel_recv_cancel(&w->rx);
    AEXEC_CO_END;
}

struct joiner {
    aexec_task task;
    aexec_co co;
    aexec_join join;
    aexec_handle target;
    int result, done;
};

static aexec_poll joiner_poll(aexec_task *t, aexec_cx *cx)
{
    struct joiner *j = AEXEC_CONTAINER_OF(t, struct joiner, task);
    AEXEC_CO_BEGIN(&j->co, cx);
    aexec_join_init(&j->join, j->target);
    AEXEC_AWAIT(aexec_join_poll(&j->join, cx, &j->result));
    j->done = 1;
    AEXEC_CO_FINALLY;
    aexec_join_cancel(&j->join);
    AEXEC_CO_END;
}

static struct worker w;
static struct joiner j;

static void start(void)
{
    w = (struct worker){0};
    j = (struct joiner){0};
    assert_int_equal(aexec_spawn(&ex, &w.task, worker_poll), 0);
    j.target = aexec_task_handle(&w.task);
    assert_int_equal(aexec_spawn(&ex, &j.task, joiner_poll), 0);
}

static void a_joiner_reads_the_result_when_the_task_finishes(void **state)
{
    (void)state;
    start();
    aexec_executor_poll(&ex); /* worker sleeps, joiner waits */
    assert_int_equal(j.done, 0);
    port.now += 10;
    aexec_executor_poll(&ex); /* timer fires: worker waits on the channel */
    assert_int_equal(w.stage, 2);
    uint32_t v = 5;
    aexec_channel_try_send(&ch, &v);
    aexec_executor_poll(&ex); /* worker finishes, the joiner is woken */
    aexec_executor_poll(&ex);
    assert_int_equal(j.done, 1);
    assert_int_equal(j.result, 42);
    assert_null(ex.joins);
}

/* Sets `early` in its first poll, then finishes in its second with `last` (0: none set). */
struct resulting {
    aexec_task task;
    int polls;
    int32_t early, last;
};

static aexec_poll resulting_poll(aexec_task *t, aexec_cx *cx)
{
    struct resulting *r = AEXEC_CONTAINER_OF(t, struct resulting, task);
    if (r->polls++ == 0) {
        aexec_task_set_result(cx, r->early);
        aexec_cx_wake(cx, t);
        return AEXEC_PENDING;
    }
    if (r->last != 0)
        aexec_task_set_result(cx, r->last);
    return AEXEC_READY;
}

/* The result is the finishing poll's, as a return value: a negative code too. */
static void the_result_is_the_one_the_finishing_poll_sets(void **state)
{
    (void)state;
    static const int32_t last[] = {0, -123456789, 7};
    for (size_t k = 0; k < sizeof last / sizeof last[0]; k++) {
        static struct resulting r;
        r = (struct resulting){.early = 99, .last = last[k]};
        j = (struct joiner){0};
        assert_int_equal(aexec_spawn(&ex, &r.task, resulting_poll), 0);
        j.target = aexec_task_handle(&r.task);
        assert_int_equal(aexec_spawn(&ex, &j.task, joiner_poll), 0);
        aexec_executor_poll(&ex); /* r sets 99 and waits; j joins */
        aexec_executor_poll(&ex); /* r finishes */
        aexec_executor_poll(&ex); /* j reads it */
        assert_false(aexec_task_is_alive(&r.task));
        assert_int_equal(j.done, 1);
        assert_int_equal(j.result, last[k]);
        /* A join that starts after the finish reads it from the task. */
        struct joiner late = {0};
        late.target = j.target;
        assert_int_equal(aexec_spawn(&ex, &late.task, joiner_poll), 0);
        aexec_executor_poll(&ex);
        assert_int_equal(late.done, 1);
        assert_int_equal(late.result, last[k]);
        assert_false(aexec_task_is_alive(&j.task));
    }
}

static aexec_poll finishing_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    (void)cx;
    return AEXEC_READY;
}

/* Sets a result and waits, without a wake: nothing else in its cx flags. */
static aexec_poll pending_with_result_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    aexec_task_set_result(cx, 99);
    return AEXEC_PENDING;
}

/* A result set by a poll that stays pending is no other poll's: the
 * executor reuses one cx across the polls of a batch. */
static void a_pending_polls_result_does_not_leak_into_the_next_poll(void **state)
{
    (void)state;
    static aexec_task waiting, done;
    j = (struct joiner){0};
    assert_int_equal(aexec_spawn(&ex, &waiting, pending_with_result_poll), 0);
    assert_int_equal(aexec_spawn(&ex, &done, finishing_poll), 0);
    j.target = aexec_task_handle(&done);
    assert_int_equal(aexec_spawn(&ex, &j.task, joiner_poll), 0);
    /* One batch: `waiting` sets 99 and waits, `done` finishes without a
     * result, j joins the finished task. */
    assert_int_equal(aexec_executor_poll(&ex), 3);
    assert_true(aexec_task_is_alive(&waiting));
    assert_false(aexec_task_is_alive(&done));
    assert_int_equal(j.done, 1);
    assert_int_equal(j.result, 0);
    aexec_task_cancel(aexec_task_handle(&waiting));
    aexec_executor_poll(&ex); /* its last poll: cancelled, with the result it set */
    assert_false(aexec_task_is_alive(&waiting));
}

static void cancel_before_the_first_poll(void **state)
{
    (void)state;
    start();
    assert_int_equal(aexec_task_cancel(j.target), 0);
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&w.task));
    assert_int_equal(w.stage, 0); /* the body never ran, only FINALLY */
    assert_int_equal(w.finally_runs, 1);
    assert_int_equal(j.result, AEXEC_ECANCELED);
}

static void cancel_while_pending_on_a_timer(void **state)
{
    (void)state;
    start();
    aexec_executor_poll(&ex);
    assert_int_equal(ex.timers.count, 1);
    assert_int_equal(aexec_task_cancel(j.target), 0);
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&w.task));
    assert_int_equal(w.stage, 1);
    assert_int_equal(ex.timers.count, 0); /* the timer node went with it */
    assert_int_equal(j.result, AEXEC_ECANCELED);
}

static void cancel_while_pending_on_a_channel(void **state)
{
    (void)state;
    start();
    aexec_executor_poll(&ex);
    port.now += 10;
    aexec_executor_poll(&ex);
    assert_non_null(ch.receivers);
    assert_int_equal(aexec_task_cancel(j.target), 0);
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_null(ch.receivers); /* no registration left behind */
    uint32_t v = 9, out = 0;
    assert_int_equal(aexec_channel_try_send(&ch, &v), 0); /* nothing swallowed it */
    assert_int_equal(aexec_channel_try_recv(&ch, &out), 0);
    assert_int_equal(out, 9);
    assert_int_equal(j.result, AEXEC_ECANCELED);
}

static void cancel_after_finishing_is_stale(void **state)
{
    (void)state;
    start();
    aexec_executor_poll(&ex);
    port.now += 10;
    aexec_executor_poll(&ex);
    uint32_t v = 1;
    aexec_channel_try_send(&ch, &v);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&w.task));
    assert_int_equal(aexec_task_cancel(j.target), AEXEC_ESTALE);
    /* and a handle of the old incarnation cannot touch a new one */
    assert_int_equal(aexec_spawn(&ex, &w.task, worker_poll), 0);
    assert_int_equal(aexec_task_cancel(j.target), AEXEC_ESTALE);
    assert_true(aexec_task_is_alive(&w.task));
}

static void joining_a_finished_task_is_ready_at_once(void **state)
{
    (void)state;
    start();
    aexec_task_cancel(j.target);
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    static struct joiner late;
    late = (struct joiner){.target = j.target};
    aexec_spawn(&ex, &late.task, joiner_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(late.done, 1);
    assert_int_equal(late.result, AEXEC_ECANCELED);
}

/* Never finishes, never registers a waker: a task whose joiners wait for good. */
static aexec_poll forever_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    (void)cx;
    return AEXEC_PENDING;
}

/*
 * More joiners than the finishing executor wakes per critical section (8):
 * every one of them reads the result, and a joiner of another task, on the
 * same list, is left waiting there.
 */
static void every_joiner_of_a_crowd_reads_the_result(void **state)
{
    (void)state;
    static struct joiner crowd[11];
    static aexec_task other;
    w = (struct worker){0};
    other = (aexec_task){0};
    assert_int_equal(aexec_spawn(&ex, &w.task, worker_poll), 0);
    assert_int_equal(aexec_spawn(&ex, &other, forever_poll), 0);
    for (int i = 0; i < 11; i++) {
        crowd[i] = (struct joiner){0};
        crowd[i].target = aexec_task_handle(i == 5 ? &other : &w.task);
        assert_int_equal(aexec_spawn(&ex, &crowd[i].task, joiner_poll), 0);
    }
    aexec_executor_poll(&ex); /* the worker sleeps, all eleven wait */
    port.now += 10;
    aexec_executor_poll(&ex); /* the worker waits on the channel */
    assert_int_equal(w.stage, 2);
    uint32_t v = 5;
    aexec_channel_try_send(&ch, &v);
    aexec_executor_poll(&ex); /* the worker finishes: ten joiners woken, in two batches */
    aexec_executor_poll(&ex);
    for (int i = 0; i < 11; i++) {
        assert_int_equal(crowd[i].done, i != 5);
        if (i != 5)
            assert_int_equal(crowd[i].result, 42);
    }
    assert_ptr_equal(ex.joins, &crowd[5].join);
    assert_null(ex.joins->next);
}

/* A handle of a task that was never spawned names no life: its join is stale at once. */
static void joining_a_never_spawned_task_is_stale(void **state)
{
    (void)state;
    static aexec_task never;
    never = (aexec_task){0};
    j = (struct joiner){0};
    j.target = aexec_task_handle(&never);
    assert_int_equal(aexec_spawn(&ex, &j.task, joiner_poll), 0);
    aexec_executor_poll(&ex);
    assert_int_equal(j.done, 1);
    assert_int_equal(j.result, AEXEC_ESTALE);
    assert_null(ex.joins);
}

/* Without a critical section the executor cannot keep a list of joiners: ENOTSUP, nothing listed.
 */
static void joining_on_a_port_without_a_critical_section_is_not_supported(void **state)
{
    (void)state;
    static aexec_executor bare;
    static aexec_port ops;
    ops = test_port_ops;
    ops.cs_enter = NULL;
    ops.cs_exit = NULL;
    int rc = aexec_executor_init(&bare, &ops, &port, 1000);
#if AEXEC_CONFIG_RUNQUEUE_CS
    /* There the run queue itself needs the section: such a port is refused. */
    assert_int_equal(rc, AEXEC_EINVAL);
    return;
#endif
    assert_int_equal(rc, 0);
    w = (struct worker){0};
    assert_int_equal(aexec_spawn(&bare, &w.task, worker_poll), 0);
    j = (struct joiner){0};
    j.target = aexec_task_handle(&w.task);
    assert_int_equal(aexec_spawn(&ex, &j.task, joiner_poll), 0);
    aexec_executor_poll(&ex);
    assert_int_equal(j.done, 1);
    assert_int_equal(j.result, AEXEC_ENOTSUP);
    assert_null(bare.joins);
    assert_true(aexec_task_is_alive(&w.task));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_joiner_reads_the_result_when_the_task_finishes, setup),
        cmocka_unit_test_setup(the_result_is_the_one_the_finishing_poll_sets, setup),
        cmocka_unit_test_setup(a_pending_polls_result_does_not_leak_into_the_next_poll, setup),
        cmocka_unit_test_setup(cancel_before_the_first_poll, setup),
        cmocka_unit_test_setup(cancel_while_pending_on_a_timer, setup),
        cmocka_unit_test_setup(cancel_while_pending_on_a_channel, setup),
        cmocka_unit_test_setup(cancel_after_finishing_is_stale, setup),
        cmocka_unit_test_setup(joining_a_finished_task_is_ready_at_once, setup),
        cmocka_unit_test_setup(every_joiner_of_a_crowd_reads_the_result, setup),
        cmocka_unit_test_setup(joining_a_never_spawned_task_is_stale, setup),
        cmocka_unit_test_setup(joining_on_a_port_without_a_critical_section_is_not_supported,
                               setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
