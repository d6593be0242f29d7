/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* co.h: resumable bodies, nested async functions, early return, cancellation. */
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

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    return 0;
}

/* A cx for calling a body by hand, as the executor would (for a nested
 * future with no task of its own, a never-spawned header stands in). */
static aexec_task no_task;
static aexec_cx make_cx(aexec_task *t, uint32_t flags)
{
    aexec_task *task = t != NULL ? t : &no_task;
    uint32_t gen = aexec_task_state(task) & ~((1u << AEXEC_TASK_GEN_SHIFT) - 1u);
    aexec_cx cx = {task, &ex, flags, 0,
                   gen | (flags & AEXEC_CX_CANCELLED ? AEXEC_TASK_CANCELLED : 0u)};
    return cx;
}

/* ---- a nested async function: counts to `limit`, one step per poll ---- */

struct counter {
    aexec_co co;
    int value, limit;
    int gate; /* the step waits until the test opens this */
};

static aexec_poll counter_poll(struct counter *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    while (c->value < c->limit) {
        AEXEC_WAIT_UNTIL(c->gate);
        c->gate = 0;
        c->value++;
    }
    AEXEC_CO_END;
}

struct outer {
    aexec_task task;
    aexec_co co;
    struct counter inner;
    int stage;
    int cleanup_runs;
    int return_early;
};

static aexec_poll outer_poll(aexec_task *t, aexec_cx *cx)
{
    struct outer *o = AEXEC_CONTAINER_OF(t, struct outer, task);
    AEXEC_CO_BEGIN(&o->co, cx);
    o->stage = 1;
    aexec_co_init(&o->inner.co);
    o->inner.limit = 2;
    AEXEC_AWAIT(counter_poll(&o->inner, cx));
    o->stage = 2;
    if (o->return_early)
        AEXEC_CO_RETURN();
    AEXEC_YIELD();
    o->stage = 3;
    AEXEC_CO_FINALLY;
    o->cleanup_runs++;
    AEXEC_CO_END;
}

static void await_suspends_until_the_nested_function_is_ready(void **state)
{
    (void)state;
    struct outer o = {0};
    aexec_cx cx = make_cx(&o.task, 0);
    assert_int_equal(outer_poll(&o.task, &cx), AEXEC_PENDING);
    assert_int_equal(o.stage, 1);
    assert_int_equal(outer_poll(&o.task, &cx), AEXEC_PENDING); /* gate shut: no step */
    assert_int_equal(o.inner.value, 0);
    o.inner.gate = 1;
    assert_int_equal(outer_poll(&o.task, &cx), AEXEC_PENDING);
    assert_int_equal(o.inner.value, 1);
    assert_int_equal(o.stage, 1);
    o.inner.gate = 1;
    /* the inner function completes, the outer moves on and yields */
    assert_int_equal(outer_poll(&o.task, &cx), AEXEC_PENDING);
    assert_int_equal(o.inner.value, 2);
    assert_true(aexec_co_is_done(&o.inner.co));
    assert_int_equal(o.stage, 2);
}

static void yield_wakes_the_task_and_resumes_after_it(void **state)
{
    (void)state;
    static struct outer o;
    o = (struct outer){0};
    assert_int_equal(aexec_spawn(&ex, &o.task, outer_poll), 0);
    aexec_executor_poll(&ex); /* stage 1, waits for the gate */
    o.inner.gate = 1;
    aexec_wake(&o.task);
    aexec_executor_poll(&ex);
    o.inner.gate = 1;
    aexec_wake(&o.task);
    aexec_executor_poll(&ex); /* inner done; yields: woke itself */
    assert_int_equal(o.stage, 2);
    /* resumes after the yield, runs FINALLY, ends */
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(o.stage, 3);
    assert_int_equal(o.cleanup_runs, 1);
    assert_false(aexec_task_is_alive(&o.task));
}

static void co_return_runs_finally_and_ends(void **state)
{
    (void)state;
    struct outer o = {0};
    o.return_early = 1;
    aexec_cx cx = make_cx(&o.task, 0);
    outer_poll(&o.task, &cx);
    o.inner.gate = 1;
    outer_poll(&o.task, &cx);
    o.inner.gate = 1;
    assert_int_equal(outer_poll(&o.task, &cx), AEXEC_READY);
    assert_int_equal(o.stage, 2); /* the code after the return did not run */
    assert_int_equal(o.cleanup_runs, 1);
}

static void a_cancelled_poll_jumps_to_finally(void **state)
{
    (void)state;
    struct outer o = {0};
    aexec_cx cx = make_cx(&o.task, 0);
    outer_poll(&o.task, &cx); /* waiting inside the nested function */
    aexec_cx cancel = make_cx(&o.task, AEXEC_CX_CANCELLED);
    assert_int_equal(outer_poll(&o.task, &cancel), AEXEC_READY);
    assert_int_equal(o.stage, 1);
    assert_int_equal(o.cleanup_runs, 1);
    assert_int_equal(o.inner.value, 0);
}

static void a_cancelled_body_without_finally_just_ends(void **state)
{
    (void)state;
    struct counter c = {.limit = 5};
    aexec_cx cx = make_cx(NULL, 0);
    assert_int_equal(counter_poll(&c, &cx), AEXEC_PENDING);
    aexec_cx cancel = make_cx(NULL, AEXEC_CX_CANCELLED);
    assert_int_equal(counter_poll(&c, &cancel), AEXEC_READY);
    assert_true(aexec_co_is_done(&c.co));
    assert_int_equal(c.value, 0);
}

static void a_finished_body_stays_ready(void **state)
{
    (void)state;
    struct counter c = {.limit = 0};
    aexec_cx cx = make_cx(NULL, 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(counter_poll(&c, &cx), AEXEC_READY);
    aexec_co_init(&c.co); /* rewound, it runs again */
    c.limit = 1;
    assert_int_equal(counter_poll(&c, &cx), AEXEC_PENDING);
}

/* ---- notifications through co.h ------------------------------------------ */

struct listener {
    aexec_task task;
    aexec_co co;
    int heard;
};

static aexec_poll listener_poll(aexec_task *t, aexec_cx *cx)
{
    struct listener *l = AEXEC_CONTAINER_OF(t, struct listener, task);
    AEXEC_CO_BEGIN(&l->co, cx);
    while (l->heard < 2) {
        AEXEC_AWAIT_NOTIFICATION();
        l->heard++;
    }
    AEXEC_CO_END;
}

static void await_notification_resumes_once_per_notification(void **state)
{
    (void)state;
    static struct listener l;
    l = (struct listener){0};
    aexec_spawn(&ex, &l.task, listener_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(l.heard, 0);
    aexec_wake(&l.task); /* a plain wake is not a notification */
    aexec_executor_poll(&ex);
    assert_int_equal(l.heard, 0);
    aexec_notify(&l.task);
    aexec_executor_poll(&ex);
    assert_int_equal(l.heard, 1);
    aexec_notify(&l.task);
    aexec_executor_poll(&ex);
    assert_int_equal(l.heard, 2);
    assert_false(aexec_task_is_alive(&l.task));
}

/* ---- join and select ------------------------------------------------------ */

/* A branch: ready once `open`; counts polls and cancels; its cancel
 * reports a completion when `done_at_cancel` says the operation had
 * completed after its last poll (the race a select must not lose). */
struct branch {
    int open, polls, cancels, done_at_cancel;
};

static aexec_poll branch_poll(struct branch *b)
{
    b->polls++;
    return b->open ? AEXEC_READY : AEXEC_PENDING;
}

static int branch_cancel(struct branch *b)
{
    b->cancels++;
    return b->done_at_cancel;
}

struct composer {
    aexec_co co;
    struct branch a, b, c;
    uint32_t done;
    aexec_select sel;
    int finished, cleaned;
};

static aexec_poll join_poll(struct composer *k, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&k->co, cx);
    AEXEC_AWAIT_JOIN3(k->done, branch_poll(&k->a), branch_poll(&k->b), branch_poll(&k->c));
    k->finished = 1;
    AEXEC_CO_END;
}

static void join_waits_for_every_branch_and_polls_a_ready_one_no_more(void **state)
{
    (void)state;
    struct composer k = {0};
    aexec_cx cx = make_cx(NULL, 0);
    assert_int_equal(join_poll(&k, &cx), AEXEC_PENDING);
    k.b.open = 1;
    assert_int_equal(join_poll(&k, &cx), AEXEC_PENDING);
    int b_polls = k.b.polls;
    k.a.open = 1;
    assert_int_equal(join_poll(&k, &cx), AEXEC_PENDING);
    assert_int_equal(k.b.polls, b_polls); /* done branches are not polled again */
    k.c.open = 1;
    assert_int_equal(join_poll(&k, &cx), AEXEC_READY);
    assert_int_equal(k.finished, 1);
}

static aexec_poll select_poll(struct composer *k, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&k->co, cx);
    AEXEC_AWAIT_SELECT3(&k->sel, branch_poll(&k->a), branch_cancel(&k->a), branch_poll(&k->b),
                        branch_cancel(&k->b), branch_poll(&k->c), branch_cancel(&k->c));
    k->finished = 1;
    AEXEC_CO_FINALLY;
    k->cleaned++;
    AEXEC_CO_END;
}

static void select_takes_the_first_ready_branch_and_cancels_the_others(void **state)
{
    (void)state;
    struct composer k = {0};
    aexec_cx cx = make_cx(NULL, 0);
    assert_int_equal(select_poll(&k, &cx), AEXEC_PENDING);
    k.c.open = 1;
    assert_int_equal(select_poll(&k, &cx), AEXEC_READY);
    assert_int_equal(k.sel.which, 2);
    assert_int_equal(k.sel.done, 4u);
    assert_int_equal(k.a.cancels, 1);
    assert_int_equal(k.b.cancels, 1);
    assert_int_equal(k.c.cancels, 0);
}

static void select_prefers_the_first_listed_when_several_are_ready(void **state)
{
    (void)state;
    struct composer k = {0};
    aexec_cx cx = make_cx(NULL, 0);
    k.b.open = 1;
    k.c.open = 1;
    assert_int_equal(select_poll(&k, &cx), AEXEC_READY);
    assert_int_equal(k.sel.which, 1);
    assert_int_equal(k.sel.done, 2u);
    assert_int_equal(k.c.polls, 0); /* not even polled */
    assert_int_equal(k.a.cancels + k.c.cancels, 2);
    assert_int_equal(k.b.cancels, 0);
}

static void select_reports_a_loser_whose_cancel_found_it_completed(void **state)
{
    (void)state;
    struct composer k = {0};
    aexec_cx cx = make_cx(NULL, 0);
    assert_int_equal(select_poll(&k, &cx), AEXEC_PENDING);
    k.c.open = 1;           /* c is polled ready... */
    k.b.done_at_cancel = 1; /* ...but b had completed after its poll */
    assert_int_equal(select_poll(&k, &cx), AEXEC_READY);
    assert_int_equal(k.sel.done, 6u);  /* both delivered */
    assert_int_equal(k.sel.which, 1u); /* the first listed of them */
    assert_int_equal(k.a.cancels + k.b.cancels + k.c.cancels, 2);
}

static void a_cancelled_select_cancels_every_branch_before_finally(void **state)
{
    (void)state;
    struct composer k = {0};
    aexec_cx cx = make_cx(NULL, 0);
    assert_int_equal(select_poll(&k, &cx), AEXEC_PENDING);
    k.a.done_at_cancel = 1; /* a permit, say, granted as the task was cancelled */
    aexec_cx cancel = make_cx(NULL, AEXEC_CX_CANCELLED);
    assert_int_equal(select_poll(&k, &cancel), AEXEC_READY);
    assert_int_equal(k.a.cancels + k.b.cancels + k.c.cancels, 3);
    assert_int_equal(k.sel.done, 1u); /* FINALLY can see what to give back */
    assert_int_equal(k.finished, 0);
    assert_int_equal(k.cleaned, 1);
}

/* ---- the traps co.h catches ------------------------------------------------ */

struct trap {
    aexec_co co;
    int gate, mode, cleaned;
};

/* A wait inside a switch of the body: its case label belongs to that switch. */
static aexec_poll wait_in_switch_poll(struct trap *k, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&k->co, cx);
    switch (k->mode) {
    case 1: AEXEC_WAIT_UNTIL(k->gate); break;
    default: break;
    }
    AEXEC_CO_FINALLY;
    k->cleaned++;
    AEXEC_CO_END;
}

static void resume_wait_in_switch(void *arg)
{
    struct trap *k = arg;
    aexec_cx cx = make_cx(NULL, 0);
    (void)wait_in_switch_poll(k, &cx);
}

static void a_wait_inside_a_switch_asserts_at_the_next_resume(void **state)
{
    (void)state;
    struct trap k = {.mode = 1};
    aexec_cx cx = make_cx(NULL, 0);
    assert_int_equal(wait_in_switch_poll(&k, &cx), AEXEC_PENDING);
    k.gate = 1;
    const char *msg = test_expect_panic(resume_wait_in_switch, &k);
    assert_non_null(strstr(msg, "wait inside a switch statement"));
    assert_int_equal(k.cleaned, 0); /* it did not pretend to finish */
}

/* A `break` at the top level leaves the continuation's switch, past FINALLY. */
static aexec_poll break_poll(struct trap *k, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&k->co, cx);
    AEXEC_WAIT_UNTIL(k->gate);
    if (k->mode == 1)
        break;
    AEXEC_CO_FINALLY;
    k->cleaned++;
    AEXEC_CO_END;
}

static void poll_break(void *arg)
{
    struct trap *k = arg;
    aexec_cx cx = make_cx(NULL, 0);
    (void)break_poll(k, &cx);
}

static void a_break_at_the_top_level_asserts_instead_of_skipping_finally(void **state)
{
    (void)state;
    struct trap k = {.mode = 1};
    aexec_cx cx = make_cx(NULL, 0);
    assert_int_equal(break_poll(&k, &cx), AEXEC_PENDING);
    k.gate = 1;
    const char *msg = test_expect_panic(poll_break, &k);
    assert_non_null(strstr(msg, "`break` at the top level"));
    /* the same body without the break runs its cleanup and ends */
    struct trap ok = {.gate = 1};
    assert_int_equal(break_poll(&ok, &cx), AEXEC_READY);
    assert_int_equal(ok.cleaned, 1);
}

/* AEXEC_CO_RETURN inside FINALLY would jump back to FINALLY forever. */
static aexec_poll return_in_finally_poll(struct trap *k, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&k->co, cx);
    AEXEC_WAIT_UNTIL(k->gate);
    AEXEC_CO_FINALLY;
    k->cleaned++;
    if (k->mode == 1)
        AEXEC_CO_RETURN();
    AEXEC_CO_END;
}

static void poll_return_in_finally(void *arg)
{
    struct trap *k = arg;
    aexec_cx cx = make_cx(NULL, AEXEC_CX_CANCELLED);
    (void)return_in_finally_poll(k, &cx);
}

static void co_return_inside_finally_asserts_instead_of_looping(void **state)
{
    (void)state;
    struct trap k = {.mode = 1};
    aexec_cx cx = make_cx(NULL, 0);
    assert_int_equal(return_in_finally_poll(&k, &cx), AEXEC_PENDING);
    const char *msg = test_expect_panic(poll_return_in_finally, &k);
    assert_non_null(strstr(msg, "AEXEC_CO_RETURN inside AEXEC_CO_FINALLY"));
    assert_int_equal(k.cleaned, 1); /* the cleanup ran once, not forever */
}

/* A wait after FINALLY: cleanup must finish in one poll. */
static aexec_poll wait_in_finally_poll(struct trap *k, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&k->co, cx);
    AEXEC_CO_FINALLY;
    k->cleaned++;
    AEXEC_WAIT_UNTIL(k->gate);
    AEXEC_CO_END;
}

static void poll_wait_in_finally(void *arg)
{
    struct trap *k = arg;
    aexec_cx cx = make_cx(NULL, 0);
    (void)wait_in_finally_poll(k, &cx);
}

static void a_wait_inside_finally_asserts(void **state)
{
    (void)state;
    struct trap k = {0};
    const char *msg = test_expect_panic(poll_wait_in_finally, &k);
    assert_non_null(strstr(msg, "a wait after AEXEC_CO_FINALLY"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(await_suspends_until_the_nested_function_is_ready, setup),
        cmocka_unit_test_setup(yield_wakes_the_task_and_resumes_after_it, setup),
        cmocka_unit_test_setup(co_return_runs_finally_and_ends, setup),
        cmocka_unit_test_setup(a_cancelled_poll_jumps_to_finally, setup),
        cmocka_unit_test_setup(a_cancelled_body_without_finally_just_ends, setup),
        cmocka_unit_test_setup(a_finished_body_stays_ready, setup),
        cmocka_unit_test_setup(await_notification_resumes_once_per_notification, setup),
        cmocka_unit_test_setup(join_waits_for_every_branch_and_polls_a_ready_one_no_more, setup),
        cmocka_unit_test_setup(select_takes_the_first_ready_branch_and_cancels_the_others, setup),
        cmocka_unit_test_setup(select_prefers_the_first_listed_when_several_are_ready, setup),
        cmocka_unit_test_setup(select_reports_a_loser_whose_cancel_found_it_completed, setup),
        cmocka_unit_test_setup(a_cancelled_select_cancels_every_branch_before_finally, setup),
        cmocka_unit_test_setup(a_wait_inside_a_switch_asserts_at_the_next_resume, setup),
        cmocka_unit_test_setup(a_break_at_the_top_level_asserts_instead_of_skipping_finally, setup),
        cmocka_unit_test_setup(co_return_inside_finally_asserts_instead_of_looping, setup),
        cmocka_unit_test_setup(a_wait_inside_finally_asserts, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
