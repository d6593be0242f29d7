/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Work that crosses executors, run on one thread so that each interleaving
 * is exact: a task of executor `ex` polls executor `other` from inside its
 * own poll, which is what a second thread running `other` would do at that
 * instant. Covered: a pool claim from another executor while the pool's
 * executor still holds the slots finished in its batch, a local wake of
 * another executor's task while the local FIFO holds a task, and pool slots
 * spawned from a task while the local wake list cannot take them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "test_port.h"

static aexec_executor ex, other;
static test_port port, other_port;

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    test_port_init(&other_port, &other, 1000);
    return 0;
}

/* The order in which tasks were polled, by id. */
static int order[16];
static int polled;

struct actor {
    aexec_task task;
    int id, polls, finish;
    void (*act)(struct actor *self, aexec_cx *cx); /* run at each poll, if set */
};

static aexec_poll actor_poll(aexec_task *t, aexec_cx *cx)
{
    struct actor *a = AEXEC_CONTAINER_OF(t, struct actor, task);
    a->polls++;
    if (polled < (int)(sizeof order / sizeof order[0]))
        order[polled++] = a->id;
    if (a->act != NULL)
        a->act(a, cx);
    return a->finish ? AEXEC_READY : AEXEC_PENDING;
}

static void actor_init(struct actor *a, int id)
{
    *a = (struct actor){.id = id};
}

/* True if a 32-bit link cannot join the two (only on a 64-bit host). */
static int out_of_reach(const void *x, const void *y)
{
    uintptr_t d = (uintptr_t)x - (uintptr_t)y;
    return d + 0x80000000u > 0xFFFFFFFFu;
}

/* ---- a pool claimed from another executor --------------------------------- */

static struct actor slots[1];
static aexec_pool_link links[1];
static aexec_pool pool;
static int claim_err;
static aexec_task *claimed;

static void claim_from_here(struct actor *self, aexec_cx *cx)
{
    (void)self;
    claim_err = aexec_cx_pool_claim(cx, &pool, &claimed);
}

static struct actor claimer;

/* Polls `other` from inside a poll of `ex`: `other`'s claimer runs mid-batch. */
static void poll_other(struct actor *self, aexec_cx *cx)
{
    (void)self;
    (void)cx;
    assert_int_equal(aexec_executor_poll(&other), 1);
}

/*
 * A slot that finished earlier in a batch stays private to the pool's
 * executor until the batch ends: a claim from a task of another executor
 * goes to the free stack, which is empty, and is refused; once the batch is
 * over the slot is back and anyone may claim it.
 */
static void a_claim_from_another_executor_mid_batch_leaves_the_batch_s_slots_alone(void **state)
{
    (void)state;
    memset(slots, 0, sizeof slots);
    assert_int_equal(aexec_pool_init(&pool, &ex, slots, sizeof slots[0],
                                     offsetof(struct actor, task), 1, links, actor_poll),
                     0);
    aexec_task *t;
    assert_int_equal(aexec_pool_claim(&pool, &t), 0);
    AEXEC_CONTAINER_OF(t, struct actor, task)->finish = 1;
    aexec_pool_spawn(&pool, t, NULL);
    struct actor host;
    actor_init(&host, 2);
    host.act = poll_other;
    host.finish = 1;
    assert_int_equal(aexec_spawn(&ex, &host.task, actor_poll), 0); /* polled after the slot */
    actor_init(&claimer, 3);
    claimer.act = claim_from_here;
    claimer.finish = 1;
    assert_int_equal(aexec_spawn(&other, &claimer.task, actor_poll), 0);
    claim_err = 1;
    claimed = NULL;
    assert_int_equal(aexec_executor_poll(&ex), 2);
    assert_int_equal(claimer.polls, 1);
    assert_int_equal(claim_err, AEXEC_EFULL);
    assert_null(claimed);
    /* The batch is over: the slot is on the free stack again. */
    assert_int_equal(aexec_pool_claim(&pool, &claimed), 0);
    assert_ptr_equal(claimed, t);
}

/* ---- wakes and spawns while the local FIFO holds a task ------------------- */

static struct actor near, theirs, sleeper;
static struct actor *far; /* on the stack: beyond a 32-bit link from the statics */

/* Lists `far`; `near` cannot link to it and goes on the FIFO, closing the list. */
static void close_the_list(aexec_cx *cx)
{
    aexec_cx_wake(cx, &far->task);
    aexec_cx_wake(cx, &near.task);
}

static void wake_far_near_theirs(struct actor *self, aexec_cx *cx)
{
    (void)self;
    close_the_list(cx);
    aexec_cx_wake(cx, &theirs.task); /* a task of `other`: its queue, not ours */
}

/* Starts `a` on `e` and runs its first poll, after which it waits. */
static void start(aexec_executor *e, struct actor *a)
{
    assert_int_equal(aexec_spawn(e, &a->task, actor_poll), 0);
    assert_int_equal(aexec_executor_poll(e), 1);
}

static void
a_local_wake_of_another_executor_s_task_with_the_fifo_in_use_goes_to_its_queue(void **state)
{
    (void)state;
    struct actor on_stack;
    far = &on_stack;
    if (!out_of_reach(&far->task, &near.task))
        skip(); /* a 32-bit host: every task is in reach, the FIFO takes no wake */
    actor_init(far, 1);
    actor_init(&near, 2);
    actor_init(&theirs, 3);
    actor_init(&sleeper, 4);
    start(&ex, far);
    start(&ex, &near);
    start(&other, &theirs);
    uint32_t pends = other_port.pends;
    sleeper.act = wake_far_near_theirs;
    start(&ex, &sleeper);
    /* `theirs` was pushed onto `other`'s queue, which pended `other`. */
    assert_int_equal(other_port.pends, pends + 1);
    assert_true(aexec_task_state(&theirs.task) & AEXEC_TASK_RUN_QUEUED);
    polled = 0;
    assert_int_equal(aexec_executor_poll(&ex), 2); /* far, then near: wake order */
    assert_int_equal(polled, 2);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(theirs.polls, 1); /* not polled by `ex` */
    assert_int_equal(aexec_executor_poll(&other), 1);
    assert_int_equal(theirs.polls, 2);
    assert_int_equal(aexec_executor_poll(&other), 0);
}

/* ---- pool slots spawned from a task when the wake list cannot take them --- */

static struct actor jobs[2];
static aexec_pool_link job_links[2];
static aexec_pool jobs_pool;
static int fifo_first; /* close the list before spawning (else: list only `far`) */

static void spawn_a_slot(struct actor *self, aexec_cx *cx)
{
    (void)self;
    if (fifo_first)
        close_the_list(cx);
    else
        aexec_cx_wake(cx, &far->task); /* the list's tail is now far from the slots */
    aexec_task *t;
    assert_int_equal(aexec_cx_pool_claim(cx, &jobs_pool, &t), 0);
    AEXEC_CONTAINER_OF(t, struct actor, task)->id = 9;
    AEXEC_CONTAINER_OF(t, struct actor, task)->finish = 1;
    aexec_pool_spawn(&jobs_pool, t, cx);
}

/*
 * A slot spawned from a task normally goes on the local wake list; when the
 * list is closed (the FIFO holds a task) or its tail lies beyond a 32-bit
 * link, the slot goes on the FIFO instead, after the tasks woken before it,
 * and runs once.
 */
static void a_slot_spawned_from_a_task_when_the_list_cannot_take_it_runs_in_order(void **state)
{
    (void)state;
    struct actor on_stack;
    far = &on_stack;
    if (!out_of_reach(&far->task, &jobs[0].task))
        skip();
    for (fifo_first = 0; fifo_first < 2; fifo_first++) {
        memset(jobs, 0, sizeof jobs);
        assert_int_equal(aexec_pool_init(&jobs_pool, &ex, jobs, sizeof jobs[0],
                                         offsetof(struct actor, task), 2, job_links, actor_poll),
                         0);
        actor_init(far, 1);
        actor_init(&near, 2);
        actor_init(&sleeper, 3);
        start(&ex, far);
        start(&ex, &near);
        far->finish = near.finish = 1;
        sleeper.act = spawn_a_slot;
        sleeper.finish = 1;
        start(&ex, &sleeper);
        polled = 0;
        assert_int_equal(aexec_executor_poll(&ex), fifo_first ? 3 : 2);
        assert_int_equal(polled, fifo_first ? 3 : 2);
        assert_int_equal(order[0], 1);
        assert_int_equal(order[polled - 1], 9); /* the slot comes after the wakes before it */
        if (fifo_first)
            assert_int_equal(order[1], 2);
        assert_int_equal(jobs[0].polls, 1);
        assert_int_equal(aexec_executor_poll(&ex), 0);
        if (!fifo_first) {
            aexec_wake(&near.task);
            assert_int_equal(aexec_executor_poll(&ex), 1);
        }
        /* Both slots are free again. */
        aexec_task *a, *b;
        assert_int_equal(aexec_pool_claim(&jobs_pool, &a), 0);
        assert_int_equal(aexec_pool_claim(&jobs_pool, &b), 0);
        assert_int_equal(aexec_pool_claim(&jobs_pool, &a), AEXEC_EFULL);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(
            a_claim_from_another_executor_mid_batch_leaves_the_batch_s_slots_alone, setup),
        cmocka_unit_test_setup(
            a_local_wake_of_another_executor_s_task_with_the_fifo_in_use_goes_to_its_queue, setup),
        cmocka_unit_test_setup(
            a_slot_spawned_from_a_task_when_the_list_cannot_take_it_runs_in_order, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
