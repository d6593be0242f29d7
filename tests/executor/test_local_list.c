/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The local wake list (src/core/task_state.h, I6), on the deterministic test
 * port: a wake from a task of the same executor lists the woken task without
 * touching its state, merges with other wakes before the poll, yields to a
 * linked poll (and hands it its notification), never polls a finished or
 * respawned task, keeps wake order however many tasks it holds and when a
 * wake has to take the linked path, and applies a task's wake of itself when
 * its poll returns.
 *
 * A build optimized for size has no list (AEXEC__LOCAL_WAKES 0: every local
 * wake is a push onto the run queue; docs/design.md, "One queue when
 * optimizing for size"). The same tests run there and assert the same
 * polls, order and notifications; what differs is what the list alone
 * does: a local wake sets RUN_QUEUED (LOCAL_WAKE_BITS below), and there is
 * no watched task (that test skips).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "core/inline.h"
#include "core/task_state.h"
#include "test_port.h"

#define LOG_MAX 256
/* What a local wake leaves in the woken task's state until its poll: nothing
 * when it is listed; RUN_QUEUED when it is linked (the build with one queue). */
#define LOCAL_WAKE_BITS (AEXEC__LOCAL_WAKES ? 0u : AEXEC_TASK_RUN_QUEUED)
#define MANY 40

/* A task whose next poll runs `act` once, then returns READY if `finish`. */
struct actor {
    aexec_task task;
    int id;
    int polls;
    uint32_t flags_seen; /* cx->flags as the last poll began */
    int take;            /* take notifications */
    int taken;
    int finish;
    void (*act)(struct actor *self, aexec_cx *cx);
};

static int poll_log[LOG_MAX];
static int poll_log_len;
static aexec_executor ex;
static test_port port;
static struct actor a, b, c, many[MANY];

static aexec_poll actor_poll(aexec_task *t, aexec_cx *cx)
{
    struct actor *self = AEXEC_CONTAINER_OF(t, struct actor, task);
    self->polls++;
    self->flags_seen = cx->flags;
    if (poll_log_len < LOG_MAX)
        poll_log[poll_log_len++] = self->id;
    if (self->take && aexec_take_notification(cx))
        self->taken++;
    void (*act)(struct actor *, aexec_cx *) = self->act;
    self->act = NULL;
    if (act != NULL)
        act(self, cx);
    return self->finish ? AEXEC_READY : AEXEC_PENDING;
}

static void actor_init(struct actor *x, int id)
{
    memset(x, 0, sizeof *x);
    x->id = id;
    x->take = 1;
}

/* Spawns the actor and runs its first poll, so that it waits unlinked. */
static void start(struct actor *x)
{
    assert_int_equal(aexec_spawn(&ex, &x->task, actor_poll), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    x->polls = 0;
    poll_log_len = 0;
}

/* Runs `act` in a poll of `a` (a task of the executor), then that batch ends. */
static void run_in_a(void (*act)(struct actor *, aexec_cx *))
{
    a.act = act;
    aexec_wake(&a.task);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    a.polls = 0;
    poll_log_len = 0;
}

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    poll_log_len = 0;
    actor_init(&a, 1);
    actor_init(&b, 2);
    actor_init(&c, 3);
    start(&a);
    start(&b);
    start(&c);
    return 0;
}

/* ---- recording and merging ------------------------------------------------ */

static void wake_b_three_times_and_notify_it(struct actor *self, aexec_cx *cx)
{
    (void)self;
    aexec_cx_wake(cx, &b.task);
    aexec_cx_wake(cx, &b.task);
    aexec_cx_notify(cx, &b.task);
    aexec_cx_wake(cx, &b.task);
}

static void a_burst_of_local_wakes_costs_one_poll_and_leaves_the_state_alone(void **state)
{
    (void)state;
    uint32_t before = aexec_task_state(&b.task);
    run_in_a(wake_b_three_times_and_notify_it);
    /* Listed: the task's state word did not change (linked, with one queue). */
    assert_int_equal(aexec_task_state(&b.task), before | LOCAL_WAKE_BITS);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(b.polls, 1);
    assert_true(b.flags_seen & AEXEC_CX_NOTIFIED);
    assert_int_equal(b.taken, 1);
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

static void notify_b_then_wake_it_through_the_run_queue(struct actor *self, aexec_cx *cx)
{
    (void)self;
    aexec_cx_notify(cx, &b.task);
    aexec_wake(&b.task); /* as another context would: links b */
}

static void a_linked_wake_supersedes_a_local_one_and_gets_its_notification(void **state)
{
    (void)state;
    run_in_a(notify_b_then_wake_it_through_the_run_queue);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* one poll, not two */
    assert_int_equal(b.polls, 1);
    assert_true(b.flags_seen & AEXEC_CX_NOTIFIED);
    assert_int_equal(b.taken, 1);
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

/* ---- order ----------------------------------------------------------------- */

static void wake_many(struct actor *self, aexec_cx *cx)
{
    (void)self;
    for (int i = 0; i < MANY; i++)
        aexec_cx_wake(cx, &many[i].task);
}

static void wake_many_twice(struct actor *self, aexec_cx *cx)
{
    wake_many(self, cx);
    wake_many(self, cx);
}

static void start_many(void)
{
    for (int i = 0; i < MANY; i++) {
        actor_init(&many[i], 100 + i);
        start(&many[i]);
    }
}

static void many_local_wakes_poll_in_wake_order(void **state)
{
    (void)state;
    start_many();
    run_in_a(wake_many);
    assert_int_equal(aexec_executor_poll(&ex), MANY);
    assert_int_equal(poll_log_len, MANY);
    for (int i = 0; i < MANY; i++) {
        assert_int_equal(poll_log[i], 100 + i);
        assert_int_equal(many[i].polls, 1);
    }
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

static void local_wakes_repeated_in_a_batch_poll_each_task_once(void **state)
{
    (void)state;
    start_many();
    run_in_a(wake_many_twice);
    assert_int_equal(aexec_executor_poll(&ex), MANY);
    for (int i = 0; i < MANY; i++)
        assert_int_equal(many[i].polls, 1);
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

static int b_after;          /* how many of `many` a wake_many_around_b() wakes before b */
static struct actor *remote; /* a task on the stack, far from the static ones, or NULL */

/* True if a 32-bit link from the executor cannot reach the task (only on a 64-bit host). */
static int out_of_reach(const aexec_task *x)
{
    uintptr_t d = (uintptr_t)x - (uintptr_t)&ex;
    return d + 0x80000000u > 0xFFFFFFFFu;
}

static void wake_many_around_b(struct actor *self, aexec_cx *cx)
{
    (void)self;
    /* Listed first: the next wake cannot link to it and takes the linked
     * path, and the local FIFO then takes every later local wake. */
    if (remote != NULL)
        aexec_cx_wake(cx, &remote->task);
    for (int i = 0; i < MANY; i++) {
        if (i == b_after)
            aexec_cx_wake(cx, &b.task);
        aexec_cx_wake(cx, &many[i].task);
    }
}

/*
 * The spinning executor watches b (I7, set up here by hand, as aexec_run()
 * would). A local wake of b lists it, or, once the local FIFO holds a task,
 * takes the linked path: that must leave the link to the executor, which
 * takes b at the next batch, so b is linked and polled once (linked twice,
 * its link would loop).
 */
static void a_local_wake_of_the_watched_task_polls_it_once_on_either_path(void **state)
{
    (void)state;
    if (!AEXEC__LOCAL_WAKES)
        skip(); /* one queue: the executor watches no task (watch.h) */
    static const int after[] = {0, 1, MANY - 1};
    struct actor on_stack;
    actor_init(&on_stack, 9);
    start(&on_stack);
    /* The linked path needs a task beyond a 32-bit link's reach: a 64-bit
     * host's stack is that far from the statics; in a small kernel (the rv64
     * test kernel) everything is near, and only the local path is left. */
    int paths = out_of_reach(&on_stack.task) ? 2 : 1;
#if __STDC_HOSTED__
    assert_int_equal(paths, sizeof(void *) == 8 ? 2 : 1);
#endif
    for (int closed = 0; closed < paths; closed++) {
        for (size_t k = 0; k < sizeof after / sizeof after[0]; k++) {
            start_many();
            b.polls = 0;
            b_after = after[k];
            remote = closed ? &on_stack : NULL;
            atomic_fetch_or(&b.task.state, TS_WATCHED);
            ex.watched = &b.task;
            run_in_a(wake_many_around_b);
            assert_int_equal(aexec_executor_poll(&ex), MANY + 1 + closed);
            assert_int_equal(b.polls, 1);
            for (int i = 0; i < MANY; i++)
                assert_int_equal(many[i].polls, 1);
            assert_int_equal(aexec_executor_poll(&ex), 0);
            assert_int_equal(b.polls, 1);
            ex.watched = NULL;
            atomic_fetch_and(&b.task.state, ~TS_WATCHED);
        }
    }
    remote = NULL;
}

static aexec_pool pool;
static struct actor slots[1];
static aexec_pool_link links[1];
static aexec_task *slot;

static void pool_setup(void)
{
    memset(slots, 0, sizeof slots);
    assert_int_equal(aexec_pool_init(&pool, &ex, slots, sizeof slots[0],
                                     offsetof(struct actor, task), 1, links, actor_poll),
                     0);
}

static void wake_b_spawn_a_slot_wake_c(struct actor *self, aexec_cx *cx)
{
    (void)self;
    aexec_task *t;
    aexec_cx_wake(cx, &b.task); /* the list */
    assert_int_equal(aexec_cx_pool_claim(cx, &pool, &t), 0);
    AEXEC_CONTAINER_OF(t, struct actor, task)->id = 9;
    aexec_pool_spawn(&pool, t, cx);
#if !AEXEC_CONFIG_RUNQUEUE_CS && AEXEC__LOCAL_WAKES
    /* The list too (with a critical section, the local FIFO: linked; with
     * one queue, the run queue). */
    assert_false(aexec_task_state(t) & AEXEC_TASK_RUN_QUEUED);
#endif
    aexec_cx_wake(cx, &c.task);
}

static void a_batch_polls_local_wakes_and_spawns_in_the_order_they_were_made(void **state)
{
    (void)state;
    pool_setup();
    run_in_a(wake_b_spawn_a_slot_wake_c);
    assert_int_equal(aexec_executor_poll(&ex), 3);
    assert_int_equal(poll_log_len, 3);
    assert_int_equal(poll_log[0], 2);
    assert_int_equal(poll_log[1], 9);
    assert_int_equal(poll_log[2], 3);
}

/* ---- stale entries ---------------------------------------------------------- */

static void wake_b_then_cancel_it(struct actor *self, aexec_cx *cx)
{
    (void)self;
    aexec_cx_wake(cx, &b.task);
    assert_int_equal(aexec_task_cancel(aexec_task_handle(&b.task)), 0);
}

static void a_task_cancelled_after_a_local_wake_gets_one_last_poll_only(void **state)
{
    (void)state;
    run_in_a(wake_b_then_cancel_it);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(b.polls, 1);
    assert_true(b.flags_seen & AEXEC_CX_CANCELLED);
    assert_false(aexec_task_is_alive(&b.task));
    assert_int_equal(aexec_executor_poll(&ex), 0);
    assert_int_equal(b.polls, 1);
}

static void wake_slot_then_cancel_it(struct actor *self, aexec_cx *cx)
{
    (void)self;
    aexec_cx_wake(cx, slot);
    assert_int_equal(aexec_task_cancel(aexec_task_handle(slot)), 0);
    aexec_wake(&c.task); /* c respawns the slot, after its last poll in the next batch */
}

static void claim_and_respawn_the_slot(struct actor *self, aexec_cx *cx)
{
    (void)self;
    aexec_task *t;
    assert_int_equal(aexec_cx_pool_claim(cx, &pool, &t), 0);
    assert_ptr_equal(t, slot);
    struct actor *x = AEXEC_CONTAINER_OF(t, struct actor, task);
    x->polls = 0;
    x->finish = 0;
    aexec_pool_spawn(&pool, t, cx);
}

static void a_stale_local_wake_does_not_poll_the_next_life_of_a_pool_slot(void **state)
{
    (void)state;
    pool_setup();
    assert_int_equal(aexec_pool_claim(&pool, &slot), 0);
    aexec_pool_spawn(&pool, slot, NULL);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    struct actor *s = AEXEC_CONTAINER_OF(slot, struct actor, task);
    uint32_t gen = AEXEC_TASK_GEN(aexec_task_state(slot));
    c.act = claim_and_respawn_the_slot;
    run_in_a(wake_slot_then_cancel_it);
    /* The slot's last poll (the cancel linked it, which supersedes its
     * list entry), then c respawns it. */
    s->polls = 0;
    assert_int_equal(aexec_executor_poll(&ex), 2);
    assert_int_equal(AEXEC_TASK_GEN(aexec_task_state(slot)), gen + 1);
    assert_int_equal(s->polls, 0);                 /* reset by c, and not polled since */
    assert_int_equal(aexec_executor_poll(&ex), 1); /* the new life's first poll */
    assert_int_equal(s->polls, 1);
    assert_false(s->flags_seen & AEXEC_CX_CANCELLED);
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

static void wake_self_and_finish(struct actor *self, aexec_cx *cx)
{
    self->finish = 1;
    aexec_cx_wake(cx, &self->task);
}

static void a_self_wake_in_the_last_poll_links_nothing(void **state)
{
    (void)state;
    pool_setup();
    assert_int_equal(aexec_pool_claim(&pool, &slot), 0);
    aexec_pool_spawn(&pool, slot, NULL);
    AEXEC_CONTAINER_OF(slot, struct actor, task)->act = wake_self_and_finish;
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_false(aexec_task_state(slot) & (AEXEC_TASK_SPAWNED | AEXEC_TASK_RUN_QUEUED));
    aexec_task *t;
    assert_int_equal(aexec_pool_claim(&pool, &t), 0); /* back at once, no LINGER */
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

/* ---- a task's wakes of itself ----------------------------------------------- */

static void wake_self_then_b(struct actor *self, aexec_cx *cx)
{
    aexec_cx_wake(cx, &self->task);
    aexec_cx_wake(cx, &b.task);
}

static void a_self_wake_takes_effect_when_the_poll_returns(void **state)
{
    (void)state;
    uint32_t before = aexec_task_state(&a.task);
    a.act = wake_self_then_b;
    aexec_wake(&a.task);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    /* Listed after the poll, behind b, which it woke later: no state bit
     * (linked, with one queue). */
    assert_int_equal(aexec_task_state(&a.task), before | LOCAL_WAKE_BITS);
    poll_log_len = 0;
    assert_int_equal(aexec_executor_poll(&ex), 2);
    assert_int_equal(poll_log_len, 2);
    assert_int_equal(poll_log[0], 2);
    assert_int_equal(poll_log[1], 1);
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

static void notify_self(struct actor *self, aexec_cx *cx)
{
    aexec_cx_notify(cx, &self->task);
    /* Not delivered to the poll that sent it. */
    assert_false(aexec_take_notification(cx));
}

static void a_self_notification_reaches_the_next_poll(void **state)
{
    (void)state;
    run_in_a(notify_self);
    assert_int_equal(a.taken, 0);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(a.polls, 1);
    assert_int_equal(a.taken, 1);
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

/* ---- a task too far away for a 32-bit link ---------------------------------- */

static struct actor *far;

static void wake_b_far_c(struct actor *self, aexec_cx *cx)
{
    (void)self;
    aexec_cx_wake(cx, &b.task);
    aexec_cx_wake(cx, &far->task);
    aexec_cx_wake(cx, &c.task);
}

/*
 * A task on the stack lies far from the static ones on a 64-bit host (more
 * than 2 GiB): its wake takes the linked path and closes the list for the
 * batch, and the batch still polls the three in wake order, each once.
 */
static void a_task_out_of_the_links_reach_takes_the_linked_path_in_order(void **state)
{
    (void)state;
    struct actor local;
    far = &local;
    actor_init(far, 7);
    start(far);
    run_in_a(wake_b_far_c);
    if (out_of_reach(&far->task))
        assert_true(aexec_task_state(&far->task) & AEXEC_TASK_RUN_QUEUED);
    else
        assert_false(aexec_task_state(&far->task) & AEXEC_TASK_RUN_QUEUED);
    assert_int_equal(aexec_executor_poll(&ex), 3);
    assert_int_equal(poll_log_len, 3);
    assert_int_equal(poll_log[0], 2);
    assert_int_equal(poll_log[1], 7);
    assert_int_equal(poll_log[2], 3);
    assert_int_equal(far->polls, 1);
    far->finish = 1;
    aexec_wake(&far->task);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_false(aexec_task_is_alive(&far->task));
}

/* ---- links on both sides of the executor ------------------------------------ */

/*
 * A link is the entry's offset from its executor (wake_list.h): tasks below
 * the executor in memory have negative offsets, tasks above it positive
 * ones. Here the layout is fixed, so both signs are exercised wherever the
 * linker puts the statics.
 */
static struct {
    struct actor below;
    aexec_executor ex;
    struct actor above;
} sandwich;
static test_port sandwich_port;
static struct actor sandwich_driver;

static aexec_poll sandwich_driver_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    /* above, below, above again (merges), then a notification for below */
    aexec_cx_wake(cx, &sandwich.above.task);
    aexec_cx_wake(cx, &sandwich.below.task);
    aexec_cx_wake(cx, &sandwich.above.task);
    aexec_cx_notify(cx, &sandwich.below.task);
    return AEXEC_PENDING;
}

static void links_below_and_above_the_executor_keep_wake_order_and_notifications(void **state)
{
    (void)state;
    test_port_init(&sandwich_port, &sandwich.ex, 1000);
    actor_init(&sandwich.below, 4);
    actor_init(&sandwich.above, 5);
    actor_init(&sandwich_driver, 6);
    assert_int_equal(aexec_spawn(&sandwich.ex, &sandwich.below.task, actor_poll), 0);
    assert_int_equal(aexec_spawn(&sandwich.ex, &sandwich.above.task, actor_poll), 0);
    assert_int_equal(aexec_executor_poll(&sandwich.ex), 2);
    assert_int_equal(aexec_spawn(&sandwich.ex, &sandwich_driver.task, sandwich_driver_poll), 0);
    for (int round = 0; round < 3; round++) {
        poll_log_len = 0;
        /* The driver's poll lists the two; they run in the batch after it. */
        assert_int_equal(aexec_executor_poll(&sandwich.ex), 1);
        assert_int_equal(aexec_task_state(&sandwich.above.task) & AEXEC_TASK_RUN_QUEUED,
                         LOCAL_WAKE_BITS);
        assert_int_equal(aexec_executor_poll(&sandwich.ex), 2);
        assert_int_equal(poll_log_len, 2);
        assert_int_equal(poll_log[0], 5);
        assert_int_equal(poll_log[1], 4);
        assert_int_equal(sandwich.below.taken, round + 1);
        assert_int_equal(sandwich.above.taken, 0);
        assert_int_equal(aexec_executor_poll(&sandwich.ex), 0);
        aexec_wake(&sandwich_driver.task);
    }
}

/* ---- notifications ---------------------------------------------------------- */

static void notify_b(struct actor *self, aexec_cx *cx)
{
    (void)self;
    aexec_cx_notify(cx, &b.task);
}

static void wake_b(struct actor *self, aexec_cx *cx)
{
    (void)self;
    aexec_cx_wake(cx, &b.task);
}

static void a_notification_a_listed_poll_leaves_reaches_the_next_listed_poll(void **state)
{
    (void)state;
    b.take = 0;
    run_in_a(notify_b);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_true(b.flags_seen & AEXEC_CX_NOTIFIED); /* delivered, not taken */
    b.take = 1;
    run_in_a(wake_b);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_true(b.flags_seen & AEXEC_CX_NOTIFIED);
    assert_int_equal(b.taken, 1);
    run_in_a(wake_b);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_false(b.flags_seen & AEXEC_CX_NOTIFIED); /* taken once, gone */
}

/* ---- other executors -------------------------------------------------------- */

static aexec_executor other;
static test_port other_port;
static struct actor d;

static void wake_d(struct actor *self, aexec_cx *cx)
{
    (void)self;
    aexec_cx_wake(cx, &d.task);
}

static void a_local_wake_of_another_executors_task_goes_to_its_run_queue(void **state)
{
    (void)state;
    test_port_init(&other_port, &other, 1000);
    actor_init(&d, 4);
    assert_int_equal(aexec_spawn(&other, &d.task, actor_poll), 0);
    assert_int_equal(aexec_executor_poll(&other), 1);
    run_in_a(wake_d);
    assert_true(aexec_task_state(&d.task) & AEXEC_TASK_RUN_QUEUED);
    assert_int_equal(aexec_executor_poll(&ex), 0);
    assert_int_equal(aexec_executor_poll(&other), 1);
    assert_int_equal(d.polls, 2);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_burst_of_local_wakes_costs_one_poll_and_leaves_the_state_alone,
                               setup),
        cmocka_unit_test_setup(a_linked_wake_supersedes_a_local_one_and_gets_its_notification,
                               setup),
        cmocka_unit_test_setup(many_local_wakes_poll_in_wake_order, setup),
        cmocka_unit_test_setup(a_local_wake_of_the_watched_task_polls_it_once_on_either_path,
                               setup),
        cmocka_unit_test_setup(local_wakes_repeated_in_a_batch_poll_each_task_once, setup),
        cmocka_unit_test_setup(a_batch_polls_local_wakes_and_spawns_in_the_order_they_were_made,
                               setup),
        cmocka_unit_test_setup(a_task_cancelled_after_a_local_wake_gets_one_last_poll_only, setup),
        cmocka_unit_test_setup(a_stale_local_wake_does_not_poll_the_next_life_of_a_pool_slot,
                               setup),
        cmocka_unit_test_setup(a_self_wake_in_the_last_poll_links_nothing, setup),
        cmocka_unit_test_setup(a_self_wake_takes_effect_when_the_poll_returns, setup),
        cmocka_unit_test_setup(a_self_notification_reaches_the_next_poll, setup),
        cmocka_unit_test_setup(a_task_out_of_the_links_reach_takes_the_linked_path_in_order, setup),
        cmocka_unit_test(links_below_and_above_the_executor_keep_wake_order_and_notifications),
        cmocka_unit_test_setup(a_notification_a_listed_poll_leaves_reaches_the_next_listed_poll,
                               setup),
        cmocka_unit_test_setup(a_local_wake_of_another_executors_task_goes_to_its_run_queue, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
