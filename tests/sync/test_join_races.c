/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Joins and cancels whose target finishes at the worst moment, made exact on
 * one thread: the target's executor has a port whose critical section runs a
 * hook once, just before it is entered, and the hook finishes the target
 * there, as a second hart running the target's executor would. A join
 * registering as its target finishes reads the result and is not listed; a
 * join cancelled as its target finishes reports the completion (1) and the
 * result is delivered. Also: a cancelled task's own result code stands, and
 * a handle of a task that was never spawned is stale.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "test_port.h"

static aexec_executor ex, other; /* the target runs on ex, the joiner on other */
static test_port port, other_port;
static aexec_port hooked;
static void (*before_cs)(void); /* run once, at the next cs_enter of ex */

static aexec_cs_state hooked_cs_enter(void *ctx)
{
    void (*hook)(void) = before_cs;
    before_cs = NULL;
    if (hook != NULL)
        hook();
    return test_port_ops.cs_enter(ctx);
}

static int setup(void **state)
{
    (void)state;
    hooked = test_port_ops;
    hooked.cs_enter = hooked_cs_enter;
    port = (test_port){.alarm = AEXEC_ALARM_NONE};
    assert_int_equal(aexec_executor_init(&ex, &hooked, &port, 1000), 0);
    test_port_init(&other_port, &other, 1000);
    before_cs = NULL;
    return 0;
}

struct target {
    aexec_task task;
    int finish, polls;
    int32_t code; /* its result (42 unless set) */
};

static aexec_poll target_poll(aexec_task *t, aexec_cx *cx)
{
    struct target *g = AEXEC_CONTAINER_OF(t, struct target, task);
    g->polls++;
    if (!g->finish)
        return AEXEC_PENDING;
    aexec_task_set_result(cx, g->code != 0 ? g->code : 42);
    return AEXEC_READY;
}

static struct target target;

/* The target finishes now, on its executor. */
static void finish_target(void)
{
    target.finish = 1;
    aexec_wake(&target.task);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_false(aexec_task_is_alive(&target.task));
}

struct joiner {
    aexec_task task;
    aexec_join join;
    int polls, result, done;
};

static aexec_poll joiner_poll(aexec_task *t, aexec_cx *cx)
{
    struct joiner *j = AEXEC_CONTAINER_OF(t, struct joiner, task);
    j->polls++;
    if (aexec_join_poll(&j->join, cx, &j->result) == AEXEC_PENDING)
        return AEXEC_PENDING;
    j->done = 1;
    return AEXEC_READY;
}

static struct joiner joiner;

static void start_target_and_joiner(void)
{
    target = (struct target){0};
    joiner = (struct joiner){0};
    assert_int_equal(aexec_spawn(&ex, &target.task, target_poll), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* the target waits */
    aexec_join_init(&joiner.join, aexec_task_handle(&target.task));
    assert_int_equal(aexec_spawn(&other, &joiner.task, joiner_poll), 0);
}

/*
 * The join reads the target alive, then the target finishes before the join
 * takes the section to register: inside the section it sees the finish and
 * reads the result instead of waiting for a wake that already happened.
 */
static void a_target_that_finishes_as_its_join_registers_is_read_not_waited_for(void **state)
{
    (void)state;
    start_target_and_joiner();
    before_cs = finish_target;
    assert_int_equal(aexec_executor_poll(&other), 1);
    assert_null(before_cs); /* the hook ran inside the join's poll */
    assert_int_equal(joiner.polls, 1);
    assert_true(joiner.done);
    assert_int_equal(joiner.result, 42);
    assert_null(ex.joins); /* nothing was left listed */
    assert_int_equal(aexec_executor_poll(&other), 0);
}

/*
 * The join waits; its cancel and the target's finish race, and the finish
 * wins: the cancel reports the completion (1), and the result is the
 * target's, delivered to the joiner's next poll.
 */
static void a_join_cancelled_as_its_target_finishes_reports_the_completion(void **state)
{
    (void)state;
    start_target_and_joiner();
    assert_int_equal(aexec_executor_poll(&other), 1);
    assert_false(joiner.done);
    assert_ptr_equal(ex.joins, &joiner.join); /* listed */
    before_cs = finish_target;
    assert_int_equal(aexec_join_cancel(&joiner.join), 1);
    assert_null(before_cs);
    assert_null(ex.joins);
    assert_int_equal(aexec_executor_poll(&other), 1); /* the finish woke the joiner */
    assert_true(joiner.done);
    assert_int_equal(joiner.result, 42);
}

/* Without the race the cancel takes the join off the list and reports 0. */
static void a_join_cancelled_first_reports_nothing_happened(void **state)
{
    (void)state;
    start_target_and_joiner();
    assert_int_equal(aexec_executor_poll(&other), 1);
    assert_int_equal(aexec_join_cancel(&joiner.join), 0);
    assert_null(ex.joins);
    finish_target();
    assert_int_equal(aexec_executor_poll(&other), 0); /* nobody woke the joiner */
    assert_false(joiner.done);
}

/* The target finishes and is spawned again before the join registers. */
static void finish_and_respawn_target(void)
{
    finish_target();
    target.finish = 0;
    assert_int_equal(aexec_spawn(&ex, &target.task, target_poll), 0);
}

/* The life the join named ended and the storage lives again: its code is gone (stale). */
static void a_target_respawned_as_its_join_registers_is_stale_not_waited_for(void **state)
{
    (void)state;
    start_target_and_joiner();
    before_cs = finish_and_respawn_target;
    assert_int_equal(aexec_executor_poll(&other), 1);
    assert_null(before_cs);
    assert_true(joiner.done);
    assert_int_equal(joiner.result, AEXEC_ESTALE);
    assert_null(ex.joins);
    assert_true(aexec_task_is_alive(&target.task)); /* the new life is untouched */
}

/*
 * More joiners than one wake round of the finish (8) take two rounds, and
 * between them the target may be spawned again and joined again (by
 * another hart, here by the hook before the second round's section): the
 * second round wakes the last joiner of the old life and leaves the new
 * life's joiner listed, to be woken by the new life's finish with its code.
 */
#define CROWD 9
static struct joiner crowd[CROWD];
static struct joiner late; /* joins the second life, on executor `third` */
static aexec_executor third;
static test_port third_port;

static void respawn_and_join_again(void)
{
    target.finish = 0;
    target.code = 2;
    assert_int_equal(aexec_spawn(&ex, &target.task, target_poll), 0);
    late = (struct joiner){0};
    aexec_join_init(&late.join, aexec_task_handle(&target.task));
    assert_int_equal(aexec_spawn(&third, &late.task, joiner_poll), 0);
    assert_int_equal(aexec_executor_poll(&third), 1); /* listed: it waits for the new life */
    assert_false(late.done);
}

/* Fires once, at the first section entered after the first round woke crowd[CROWD - 1]. */
static aexec_cs_state crowd_cs_enter(void *ctx)
{
    if (before_cs != NULL && !aexec_task_is_alive(&target.task) &&
        (aexec_task_state(&crowd[CROWD - 1].task) & AEXEC_TASK_RUN_QUEUED)) {
        void (*hook)(void) = before_cs;
        before_cs = NULL;
        hook();
    }
    return test_port_ops.cs_enter(ctx);
}

static void
a_join_of_a_new_life_listed_during_the_old_life_s_finish_waits_for_the_new_one(void **state)
{
    (void)state;
    hooked.cs_enter = crowd_cs_enter;
    test_port_init(&third_port, &third, 1000);
    target = (struct target){.code = 1};
    assert_int_equal(aexec_spawn(&ex, &target.task, target_poll), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    for (int i = 0; i < CROWD; i++) {
        crowd[i] = (struct joiner){0};
        aexec_join_init(&crowd[i].join, aexec_task_handle(&target.task));
        assert_int_equal(aexec_spawn(&other, &crowd[i].task, joiner_poll), 0);
    }
    assert_int_equal(aexec_executor_poll(&other), CROWD); /* all listed, newest first */
    before_cs = respawn_and_join_again;
    target.finish = 1;
    aexec_wake(&target.task);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* the first life ends; two wake rounds */
    assert_null(before_cs);                        /* the hook ran between them */
    assert_int_equal(aexec_executor_poll(&other), CROWD);
    for (int i = 0; i < CROWD; i++) {
        assert_true(crowd[i].done);
        assert_int_equal(crowd[i].result, 1);
    }
    assert_ptr_equal(ex.joins, &late.join); /* the new life's joiner is still listed */
    assert_int_equal(aexec_executor_poll(&third), 0);
    target.finish = 1;
    aexec_wake(&target.task);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* the new life's first poll is its last */
    assert_int_equal(aexec_executor_poll(&third), 1);
    assert_true(late.done);
    assert_int_equal(late.result, 2);
    assert_null(ex.joins);
}

/* A cancelled task's last poll may set its own code: the joiner reads that, not ECANCELED. */
static aexec_poll cleanup_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    if (cx->flags & AEXEC_CX_CANCELLED)
        aexec_task_set_result(cx, 7);
    return AEXEC_PENDING;
}

static void a_cancelled_task_that_sets_its_result_keeps_it(void **state)
{
    (void)state;
    static aexec_task t;
    t = (aexec_task){0};
    joiner = (struct joiner){0};
    assert_int_equal(aexec_spawn(&ex, &t, cleanup_poll), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    aexec_join_init(&joiner.join, aexec_task_handle(&t));
    assert_int_equal(aexec_spawn(&other, &joiner.task, joiner_poll), 0);
    assert_int_equal(aexec_executor_poll(&other), 1); /* waiting */
    assert_int_equal(aexec_task_cancel(aexec_task_handle(&t)), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* the last poll */
    assert_false(aexec_task_is_alive(&t));
    assert_int_equal(aexec_executor_poll(&other), 1);
    assert_true(joiner.done);
    assert_int_equal(joiner.result, 7);
}

static void cancelling_a_task_that_was_never_spawned_is_stale(void **state)
{
    (void)state;
    static aexec_task never;
    never = (aexec_task){0};
    assert_int_equal(aexec_task_cancel(aexec_task_handle(&never)), AEXEC_ESTALE);
    assert_int_equal(aexec_task_state(&never), 0); /* untouched */
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_target_that_finishes_as_its_join_registers_is_read_not_waited_for,
                               setup),
        cmocka_unit_test_setup(a_join_cancelled_as_its_target_finishes_reports_the_completion,
                               setup),
        cmocka_unit_test_setup(a_join_cancelled_first_reports_nothing_happened, setup),
        cmocka_unit_test_setup(a_target_respawned_as_its_join_registers_is_stale_not_waited_for,
                               setup),
        cmocka_unit_test_setup(
            a_join_of_a_new_life_listed_during_the_old_life_s_finish_waits_for_the_new_one, setup),
        cmocka_unit_test_setup(a_cancelled_task_that_sets_its_result_keeps_it, setup),
        cmocka_unit_test_setup(cancelling_a_task_that_was_never_spawned_is_stale, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
