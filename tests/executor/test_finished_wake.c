/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A wake from a task of the same executor (aexec_cx_wake, aexec_cx_notify)
 * of a task that has finished is a no-op: it lists nothing, polls nothing,
 * asserts nothing, and a join that starts afterwards still reads the result
 * the task finished with. The finished task's `result` word holds that result
 * (task_state.h, I6.4), so a wake that put it on the local wake list would
 * overwrite it, and the next batch would find a dead task listed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "test_port.h"

static aexec_executor ex;
static test_port port;

/* Any assert is a failure here, reported with its message. */
static void fail_on_panic(const char *msg, const char *file, int line)
{
    fail_msg("unexpected assert at %s:%d: %s", file, line, msg);
}

static aexec_panic_handler old_handler;

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    old_handler = aexec_set_panic_handler(fail_on_panic);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    aexec_set_panic_handler(old_handler);
    return 0;
}

/* Finishes at its first poll with result `result`. */
struct target {
    aexec_task task;
    int32_t result;
    int polls;
};

static aexec_poll target_poll(aexec_task *t, aexec_cx *cx)
{
    struct target *g = AEXEC_CONTAINER_OF(t, struct target, task);
    g->polls++;
    aexec_task_set_result(cx, g->result);
    return AEXEC_READY;
}

/* Wakes (and notifies) its target from its own poll, then joins it. */
struct waker {
    aexec_task task;
    aexec_task *target;
    aexec_handle handle;
    aexec_join join;
    int wakes; /* how many wake + notify pairs to send */
    int stage, result;
};

static aexec_poll waker_poll(aexec_task *t, aexec_cx *cx)
{
    struct waker *w = AEXEC_CONTAINER_OF(t, struct waker, task);
    if (w->stage == 0) {
        for (int i = 0; i < w->wakes; i++) {
            aexec_cx_wake(cx, w->target);
            aexec_cx_notify(cx, w->target);
        }
        aexec_join_init(&w->join, w->handle);
        w->stage = 1;
    }
    return aexec_join_poll(&w->join, cx, &w->result);
}

static void a_local_wake_of_a_finished_task_polls_nothing_and_keeps_its_result(void **state)
{
    (void)state;
    static struct target g;
    static struct waker w;
    g = (struct target){.result = 42};
    w = (struct waker){.target = &g.task, .wakes = 3};
    assert_int_equal(aexec_spawn(&ex, &g.task, target_poll), 0);
    w.handle = aexec_task_handle(&g.task);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* g runs and finishes */
    assert_false(aexec_task_is_alive(&g.task));
    uint32_t before = aexec_task_state(&g.task);

    assert_int_equal(aexec_spawn(&ex, &w.task, waker_poll), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* w wakes g, then joins it */
    assert_int_equal(w.result, 42);
    assert_false(aexec_task_is_alive(&w.task));
    assert_int_equal(atomic_load(&ex.wake_list_first), 0); /* nothing was listed */
    assert_null(ex.fifo_head);
    assert_int_equal(aexec_executor_poll(&ex), 0); /* and nothing is polled */
    assert_int_equal(g.polls, 1);
    assert_int_equal(aexec_task_state(&g.task), before);
    assert_int_equal(aexec_executor_live(&ex), 0);
}

/* Finishes at its first poll after waking itself the way another context would. */
static aexec_poll lingering_poll(aexec_task *t, aexec_cx *cx)
{
    struct target *g = AEXEC_CONTAINER_OF(t, struct target, task);
    g->polls++;
    aexec_wake(t); /* links it: it finishes linked (LINGER) */
    aexec_task_set_result(cx, g->result);
    return AEXEC_READY;
}

/* The same for a task that finished while still linked, woken in the same batch. */
static void a_local_wake_of_a_task_that_finished_linked_changes_nothing(void **state)
{
    (void)state;
    static struct target g;
    static struct waker w;
    g = (struct target){.result = -8}; /* low bits clear: a list link would show */
    w = (struct waker){.target = &g.task, .wakes = 2};
    assert_int_equal(aexec_spawn(&ex, &g.task, lingering_poll), 0);
    w.handle = aexec_task_handle(&g.task);
    assert_int_equal(aexec_spawn(&ex, &w.task, waker_poll), 0);
    aexec_executor_poll(&ex); /* g finishes linked; then w wakes it and joins it */
    assert_int_equal(w.result, -8);
    assert_false(aexec_task_is_alive(&w.task));
    aexec_executor_poll(&ex); /* pops g's old link: no poll */
    assert_int_equal(aexec_executor_poll(&ex), 0);
    assert_int_equal(g.polls, 1);
    assert_int_equal(atomic_load(&ex.wake_list_first), 0); /* nothing listed */
    assert_int_equal(aexec_executor_live(&ex), 0);
    assert_int_equal(ex.lingering, 0);
}

/* A pool slot that finished and went back to its pool stays free after a local wake. */
static void a_local_wake_of_a_finished_pool_slot_leaves_it_free_with_its_result(void **state)
{
    (void)state;
    static struct target slots[2];
    static aexec_pool_link links[2];
    static aexec_pool pool;
    static struct waker w;
    memset(slots, 0, sizeof slots);
    assert_int_equal(aexec_pool_init(&pool, &ex, slots, sizeof slots[0],
                                     offsetof(struct target, task), 2, links, target_poll),
                     0);
    aexec_task *t;
    assert_int_equal(aexec_pool_claim(&pool, &t), 0);
    AEXEC_CONTAINER_OF(t, struct target, task)->result = 8;
    aexec_pool_spawn(&pool, t, NULL);
    aexec_handle h = aexec_task_handle(t);
    aexec_executor_poll(&ex); /* finishes; back in the pool at the end of the batch */
    w = (struct waker){.target = t, .handle = h, .wakes = 2};
    assert_int_equal(aexec_spawn(&ex, &w.task, waker_poll), 0);
    aexec_executor_poll(&ex);
    assert_int_equal(w.result, 8);
    assert_int_equal(aexec_executor_poll(&ex), 0);
    assert_int_equal(AEXEC_CONTAINER_OF(t, struct target, task)->polls, 1);
    /* Both slots are free: two claims succeed, a third finds the pool empty. */
    aexec_task *a, *b, *c;
    assert_int_equal(aexec_pool_claim(&pool, &a), 0);
    assert_int_equal(aexec_pool_claim(&pool, &b), 0);
    assert_int_equal(aexec_pool_claim(&pool, &c), AEXEC_EFULL);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            a_local_wake_of_a_finished_task_polls_nothing_and_keeps_its_result, setup, teardown),
        cmocka_unit_test_setup_teardown(a_local_wake_of_a_task_that_finished_linked_changes_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_local_wake_of_a_finished_pool_slot_leaves_it_free_with_its_result, setup, teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
