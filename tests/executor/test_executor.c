/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The executor and the task state machine, on the deterministic test port:
 * every transition, batches and their order, when pend() is and is not
 * called, notifications, the LINGER respawn path, run/stop, and misuse.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "core/run_queue.h"
#include "expect_panic.h"
#include "test_port.h"

/* ---- a scriptable task ------------------------------------------------ */

#define LOG_MAX 64

/* What each probe's poll does, and a shared log of who was polled. */
struct probe {
    aexec_task task;
    int id;
    int polls;
    int finish_after;         /* READY on this poll (0: never) */
    aexec_task *wake_in_poll; /* aexec_wake() this during each poll */
    aexec_task *cx_wake_in_poll;
    int wake_self; /* aexec_cx_wake(self) during each poll */
    int notified;  /* notifications taken */
    int take_notifications;
    uint32_t state_in_poll; /* aexec_task_state() seen inside the last poll */
    uint32_t cx_flags;      /* cx->flags seen by the last poll */
};

static int poll_log[LOG_MAX];
static int poll_log_len;
static aexec_executor ex;
static test_port port;

static aexec_poll probe_poll(aexec_task *t, aexec_cx *cx)
{
    struct probe *p = AEXEC_CONTAINER_OF(t, struct probe, task);
    p->polls++;
    p->state_in_poll = aexec_task_state(t);
    p->cx_flags = cx->flags;
    if (poll_log_len < LOG_MAX)
        poll_log[poll_log_len++] = p->id;
    if (p->take_notifications && aexec_take_notification(cx))
        p->notified++;
    if (p->wake_in_poll)
        aexec_wake(p->wake_in_poll);
    if (p->cx_wake_in_poll)
        aexec_cx_wake(cx, p->cx_wake_in_poll);
    if (p->wake_self)
        aexec_cx_wake(cx, t);
    return p->finish_after && p->polls >= p->finish_after ? AEXEC_READY : AEXEC_PENDING;
}

static void probe_init(struct probe *p, int id)
{
    memset(p, 0, sizeof *p);
    p->id = id;
}

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    poll_log_len = 0;
    return 0;
}

/* ---- spawn --------------------------------------------------------------- */

static void spawn_queues_one_poll(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p, 1);
    assert_int_equal(aexec_spawn(&ex, &p.task, probe_poll), 0);
    uint32_t s = aexec_task_state(&p.task);
    assert_true(s & AEXEC_TASK_SPAWNED);
    assert_true(s & AEXEC_TASK_RUN_QUEUED);
    assert_int_equal(AEXEC_TASK_GEN(s), 1);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(p.polls, 1);
    assert_int_equal(aexec_executor_poll(&ex), 0); /* nobody woke it */
    assert_int_equal(p.polls, 1);
}

static void spawn_rejects_null_arguments(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p, 1);
    assert_int_equal(aexec_spawn(NULL, &p.task, probe_poll), AEXEC_EINVAL);
    assert_int_equal(aexec_spawn(&ex, NULL, probe_poll), AEXEC_EINVAL);
    assert_int_equal(aexec_spawn(&ex, &p.task, NULL), AEXEC_EINVAL);
    assert_int_equal(aexec_task_state(&p.task), 0); /* untouched */
}

static void spawn_of_live_storage_is_ebusy_and_changes_nothing(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p, 1);
    assert_int_equal(aexec_spawn(&ex, &p.task, probe_poll), 0);
    uint32_t before = aexec_task_state(&p.task);
    assert_int_equal(aexec_spawn(&ex, &p.task, probe_poll), AEXEC_EBUSY);
    assert_int_equal(aexec_task_state(&p.task), before);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* one poll, not two */
    assert_int_equal(p.polls, 1);
}

static void finished_storage_respawns_with_next_generation(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p, 1);
    p.finish_after = 1;
    assert_int_equal(aexec_spawn(&ex, &p.task, probe_poll), 0);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&p.task));
    assert_int_equal(aexec_executor_live(&ex), 0);
    p.polls = 0;
    assert_int_equal(aexec_spawn(&ex, &p.task, probe_poll), 0);
    assert_int_equal(AEXEC_TASK_GEN(aexec_task_state(&p.task)), 2);
    aexec_executor_poll(&ex);
    assert_int_equal(p.polls, 1);
}

/* ---- the poll ------------------------------------------------------------ */

static void run_queued_is_clear_during_the_poll(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p, 1);
    aexec_spawn(&ex, &p.task, probe_poll);
    aexec_executor_poll(&ex);
    assert_true(p.state_in_poll & AEXEC_TASK_SPAWNED);
    assert_false(p.state_in_poll & AEXEC_TASK_RUN_QUEUED);
}

static void ready_clears_spawned(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p, 1);
    p.finish_after = 2;
    aexec_spawn(&ex, &p.task, probe_poll);
    aexec_executor_poll(&ex);
    assert_true(aexec_task_is_alive(&p.task));
    assert_int_equal(aexec_executor_live(&ex), 1);
    aexec_wake(&p.task);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&p.task));
    assert_int_equal(aexec_executor_live(&ex), 0);
    assert_int_equal(aexec_task_state(&p.task) & 0xffu, 0);
}

/* ---- wake ---------------------------------------------------------------- */

static void two_wakes_before_a_poll_cost_one_poll(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p, 1);
    aexec_spawn(&ex, &p.task, probe_poll);
    aexec_executor_poll(&ex);
    aexec_wake(&p.task);
    aexec_wake(&p.task);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(p.polls, 2);
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

static void wake_of_a_finished_task_is_a_no_op(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p, 1);
    p.finish_after = 1;
    aexec_spawn(&ex, &p.task, probe_poll);
    aexec_executor_poll(&ex);
    uint32_t pends = port.pends;
    aexec_wake(&p.task);
    aexec_notify(&p.task);
    assert_int_equal(port.pends, pends); /* nothing queued, nothing pended */
    assert_false(aexec_task_state(&p.task) & (AEXEC_TASK_SPAWNED | AEXEC_TASK_RUN_QUEUED));
    assert_int_equal(aexec_executor_poll(&ex), 0);
    assert_int_equal(p.polls, 1);
    /* and the storage is free: the stray bits do not block a respawn */
    assert_int_equal(aexec_spawn(&ex, &p.task, probe_poll), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1);
}

static void wake_of_a_never_spawned_task_is_a_no_op(void **state)
{
    (void)state;
    struct probe p;
    probe_init(&p, 1);
    aexec_wake(&p.task);
    assert_false(aexec_task_is_alive(&p.task));
    assert_int_equal(aexec_spawn(&ex, &p.task, probe_poll), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1);
}

static void wake_during_poll_queues_a_poll_in_the_next_batch(void **state)
{
    (void)state;
    struct probe a, b;
    probe_init(&a, 1);
    probe_init(&b, 2);
    aexec_spawn(&ex, &a.task, probe_poll);
    aexec_spawn(&ex, &b.task, probe_poll);
    aexec_executor_poll(&ex);
    a.wake_in_poll = &a.task; /* a wakes itself from its poll, like an ISR would */
    aexec_wake(&a.task);
    aexec_wake(&b.task);
    assert_int_equal(aexec_executor_poll(&ex), 2);
    assert_int_equal(a.polls, 2);
    a.wake_in_poll = NULL;
    assert_int_equal(aexec_executor_poll(&ex), 1); /* only a, once */
    assert_int_equal(a.polls, 3);
    assert_int_equal(b.polls, 2);
}

static void self_wake_runs_once_per_batch(void **state)
{
    (void)state;
    struct probe a;
    probe_init(&a, 1);
    a.wake_self = 1;
    aexec_spawn(&ex, &a.task, probe_poll);
    for (int i = 1; i <= 5; i++) {
        assert_int_equal(aexec_executor_poll(&ex), 1);
        assert_int_equal(a.polls, i);
    }
}

static void a_batch_runs_in_wake_order(void **state)
{
    (void)state;
    struct probe p[5];
    for (int i = 0; i < 5; i++) {
        probe_init(&p[i], i);
        aexec_spawn(&ex, &p[i].task, probe_poll);
    }
    aexec_executor_poll(&ex);
    poll_log_len = 0;
    int order[5] = {3, 0, 4, 1, 2};
    for (int i = 0; i < 5; i++)
        aexec_wake(&p[order[i]].task);
    assert_int_equal(aexec_executor_poll(&ex), 5);
    assert_int_equal(poll_log_len, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(poll_log[i], order[i]);
}

static void spawn_order_is_first_poll_order(void **state)
{
    (void)state;
    struct probe p[4];
    for (int i = 0; i < 4; i++) {
        probe_init(&p[i], i);
        aexec_spawn(&ex, &p[i].task, probe_poll);
    }
    aexec_executor_poll(&ex);
    for (int i = 0; i < 4; i++)
        assert_int_equal(poll_log[i], i);
}

static void a_task_woken_during_a_batch_waits_for_the_next(void **state)
{
    (void)state;
    struct probe a, b;
    probe_init(&a, 1);
    probe_init(&b, 2);
    aexec_spawn(&ex, &a.task, probe_poll);
    aexec_spawn(&ex, &b.task, probe_poll);
    aexec_executor_poll(&ex);
    b.cx_wake_in_poll = &a.task; /* b wakes a, which already ran this batch */
    aexec_wake(&a.task);
    aexec_wake(&b.task);
    assert_int_equal(aexec_executor_poll(&ex), 2);
    assert_int_equal(a.polls, 2);
    b.cx_wake_in_poll = NULL;
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(a.polls, 3);
}

/* ---- pend ---------------------------------------------------------------- */

static void wakes_from_tasks_never_pend(void **state)
{
    (void)state;
    struct probe a, b;
    probe_init(&a, 1);
    probe_init(&b, 2);
    a.wake_in_poll = &b.task;    /* through the shared queue */
    b.cx_wake_in_poll = &a.task; /* through the local queue */
    aexec_spawn(&ex, &a.task, probe_poll);
    aexec_spawn(&ex, &b.task, probe_poll);
    uint32_t pends = port.pends;
    /* Every wake above lands while the executor is awake, so none pends.
     * Each poll() ends with work queued, and pends once to say so. */
    for (uint32_t i = 1; i <= 6; i++) {
        aexec_executor_poll(&ex);
        assert_int_equal(port.pends, pends + i);
    }
    assert_true(a.polls >= 3);
    assert_true(b.polls >= 3);
}

static void a_wake_while_asleep_pends_once(void **state)
{
    (void)state;
    struct probe a, b;
    probe_init(&a, 1);
    probe_init(&b, 2);
    aexec_spawn(&ex, &a.task, probe_poll);
    aexec_spawn(&ex, &b.task, probe_poll);
    aexec_executor_poll(&ex);
    uint32_t pends = port.pends;
    aexec_wake(&a.task); /* the queue was empty: pend */
    assert_int_equal(port.pends, pends + 1);
    aexec_wake(&b.task); /* not empty any more: no second pend */
    aexec_wake(&a.task);
    assert_int_equal(port.pends, pends + 1);
    assert_int_equal(aexec_executor_poll(&ex), 2);
}

/* ---- notifications ----------------------------------------------------- */

static void a_notification_reaches_the_next_poll_once(void **state)
{
    (void)state;
    struct probe a;
    probe_init(&a, 1);
    a.take_notifications = 1;
    aexec_spawn(&ex, &a.task, probe_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(a.notified, 0);
    aexec_notify(&a.task);
    aexec_notify(&a.task); /* binary: two before a take are one */
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(a.notified, 1);
    aexec_wake(&a.task);
    aexec_executor_poll(&ex);
    assert_int_equal(a.notified, 1);
}

static void an_untaken_notification_waits_for_a_later_poll(void **state)
{
    (void)state;
    struct probe a;
    probe_init(&a, 1);
    aexec_spawn(&ex, &a.task, probe_poll);
    aexec_executor_poll(&ex);
    aexec_notify(&a.task);
    aexec_executor_poll(&ex); /* delivered, not taken */
    assert_true(a.cx_flags & AEXEC_CX_NOTIFIED);
    a.take_notifications = 1;
    aexec_wake(&a.task);
    aexec_executor_poll(&ex);
    assert_int_equal(a.notified, 1);
}

/* ---- the LINGER path: finished while a wake was queued ------------------ */

static void respawn_reuses_a_queued_wake_of_the_previous_life(void **state)
{
    (void)state;
    struct probe a;
    probe_init(&a, 1);
    a.finish_after = 1;
    a.wake_in_poll = &a.task; /* woken during its last poll: stays linked */
    aexec_spawn(&ex, &a.task, probe_poll);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&a.task));
    assert_true(aexec_task_state(&a.task) & AEXEC_TASK_RUN_QUEUED); /* still linked */
    a.wake_in_poll = NULL;
    a.polls = 0;
    assert_int_equal(aexec_spawn(&ex, &a.task, probe_poll), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* one link, one poll */
    assert_int_equal(a.polls, 1);
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

static void a_queued_finished_task_is_dropped_without_a_poll(void **state)
{
    (void)state;
    struct probe a;
    probe_init(&a, 1);
    a.finish_after = 1;
    a.wake_in_poll = &a.task;
    aexec_spawn(&ex, &a.task, probe_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* popped... */
    assert_int_equal(a.polls, 1);                  /* ...not polled */
    assert_int_equal(aexec_task_state(&a.task) & 0xffu, 0);
}

static void respawn_onto_another_executor_waits_for_the_link(void **state)
{
    (void)state;
    static aexec_executor other;
    static test_port other_port;
    test_port_init(&other_port, &other, 1000);
    struct probe a;
    probe_init(&a, 1);
    a.finish_after = 1;
    a.wake_in_poll = &a.task;
    aexec_spawn(&ex, &a.task, probe_poll);
    aexec_executor_poll(&ex);
    uint32_t before = aexec_task_state(&a.task);
    assert_int_equal(aexec_spawn(&other, &a.task, probe_poll), AEXEC_EBUSY);
    assert_int_equal(aexec_task_state(&a.task), before);
    aexec_executor_poll(&ex); /* drops the link */
    assert_int_equal(aexec_spawn(&other, &a.task, probe_poll), 0);
    assert_int_equal(aexec_executor_poll(&other), 1);
}

/* ---- run and stop ------------------------------------------------------ */

static void run_returns_done_with_no_task(void **state)
{
    (void)state;
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(port.idles, 0);
}

static void run_returns_done_when_the_last_task_finishes(void **state)
{
    (void)state;
    struct probe a, b;
    probe_init(&a, 1);
    probe_init(&b, 2);
    a.finish_after = 3;
    a.wake_self = 1;
    b.finish_after = 1;
    aexec_spawn(&ex, &a.task, probe_poll);
    aexec_spawn(&ex, &b.task, probe_poll);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(a.polls, 3);
    assert_int_equal(b.polls, 1);
    assert_int_equal(port.idles, 0);
}

/*
 * A task finishes while a waker on another thread has set its RUN_QUEUED
 * (the waker's fetch_or) and not yet pushed it; then a task spawns the
 * storage again, and its first poll is that link (LINGER). aexec_run() must
 * wait for the link, which the idle hook pushes here as the late waker
 * would, and poll the new life before it returns.
 */
static struct probe lingerer;
static int lingerer_lives[2];

static aexec_poll half_woken_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    uint32_t life = AEXEC_TASK_GEN(aexec_task_state(t)) - 1u;
    lingerer_lives[life]++;
    if (life == 0)
        atomic_fetch_or(&t->state, AEXEC_TASK_RUN_QUEUED); /* the waker's first half */
    return AEXEC_READY;
}

static aexec_poll respawn_lingerer_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    (void)cx;
    assert_int_equal(aexec_spawn(&ex, &lingerer.task, half_woken_poll), 0);
    return AEXEC_READY;
}

static void push_lingerer(test_port *p, void *arg)
{
    (void)p;
    (void)arg;
    aexec__rq_push(&ex, &lingerer.task); /* the waker's second half, late */
}

static void run_waits_for_a_link_still_in_flight(void **state)
{
    (void)state;
    struct probe respawner;
    probe_init(&lingerer, 1);
    probe_init(&respawner, 2);
    lingerer_lives[0] = lingerer_lives[1] = 0;
    port.on_idle = push_lingerer;
    aexec_spawn(&ex, &lingerer.task, half_woken_poll);
    aexec_spawn(&ex, &respawner.task, respawn_lingerer_poll);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(lingerer_lives[0], 1);
    assert_int_equal(lingerer_lives[1], 1); /* the new life ran before run returned */
    assert_int_equal(port.idles, 1);
    assert_false(aexec_task_is_alive(&lingerer.task));
}

static aexec_executor *stop_target;

static aexec_poll stopper_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    (void)cx;
    aexec_executor_stop(stop_target);
    return AEXEC_PENDING;
}

static void stop_from_a_task_ends_run_with_tasks_alive(void **state)
{
    (void)state;
    aexec_task stopper = {0};
    stop_target = &ex;
    aexec_spawn(&ex, &stopper, stopper_poll);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_STOPPED);
    assert_true(aexec_task_is_alive(&stopper));
    /* the request was consumed: a second run polls the task again, and
     * only its new request stops that run */
    aexec_wake(&stopper);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_STOPPED);
}

/* A task that wakes another (locally or as an outside waker would) and stops the run. */
struct stop_and_wake {
    aexec_task task;
    aexec_task *other;
    int local;
};

static aexec_poll stop_and_wake_poll(aexec_task *t, aexec_cx *cx)
{
    struct stop_and_wake *s = AEXEC_CONTAINER_OF(t, struct stop_and_wake, task);
    if (s->local)
        aexec_cx_wake(cx, s->other);
    else
        aexec_wake(s->other);
    aexec_executor_stop(cx->executor);
    return AEXEC_READY;
}

/*
 * A stop seen at the top of the run loop leaves the wakes of the last batch
 * (a listed local wake, or a push onto the run queue) unserved, and pends,
 * so that whoever polls the executor next finds them: nothing is lost.
 */
static void a_stopped_run_leaves_the_wakes_of_its_last_batch_pending(void **state)
{
    (void)state;
    for (int local = 0; local < 2; local++) {
        struct probe woken = {.id = 1, .finish_after = 2};
        assert_int_equal(aexec_spawn(&ex, &woken.task, probe_poll), 0);
        assert_int_equal(aexec_executor_poll(&ex), 1); /* it waits */
        struct stop_and_wake s = {.other = &woken.task, .local = local};
        assert_int_equal(aexec_spawn(&ex, &s.task, stop_and_wake_poll), 0);
        uint32_t pends = port.pends;
        assert_int_equal(aexec_run(&ex), AEXEC_RUN_STOPPED);
        assert_int_equal(woken.polls, 1);
        assert_int_equal(port.pends,
                         pends + 2); /* the stop's own pend, and the one on the way out */
        assert_int_equal(aexec_executor_poll(&ex), 1);
        assert_int_equal(woken.polls, 2);
        assert_false(aexec_task_is_alive(&woken.task));
    }
}

/* Without a time driver (tick rate 0) the executor never touches an alarm. */
static void an_executor_without_a_time_driver_runs_and_polls(void **state)
{
    (void)state;
    aexec_port no_time = test_port_ops;
    no_time.now = NULL;
    no_time.set_alarm = NULL;
    aexec_executor e;
    test_port p = {.alarm = AEXEC_ALARM_NONE};
    assert_int_equal(aexec_executor_init(&e, &no_time, &p, 0), 0);
    struct probe a = {.id = 1, .finish_after = 3, .wake_self = 1};
    assert_int_equal(aexec_spawn(&e, &a.task, probe_poll), 0);
    assert_int_equal(aexec_executor_poll(&e), 1);
    assert_int_equal(aexec_run(&e), AEXEC_RUN_DONE);
    assert_int_equal(a.polls, 3);
    assert_int_equal(p.idles, 0);
}

/* A task that arms a timer and finishes without cancelling it. */
static aexec_timer left_armed;

static aexec_poll arm_and_finish_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    aexec_timer_init(&left_armed);
    aexec_timer_arm(&left_armed, cx, aexec_now(cx->executor) + 10);
    return AEXEC_READY;
}

/*
 * No task is alive, but a finished task left its timer armed: aexec_run()
 * is not done until that timer fires (at its deadline, on the virtual
 * clock), and the firing wakes nothing (its task is dead).
 */
static void run_waits_for_a_timer_its_finished_task_left_armed(void **state)
{
    (void)state;
    aexec_task t = {0};
    port.on_idle = test_port_jump_to_alarm;
    assert_int_equal(aexec_spawn(&ex, &t, arm_and_finish_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(port.idles, 1);
    assert_int_equal(port.now, 10);
    assert_true(aexec_timer_fired(&left_armed));
    assert_false(aexec_task_is_alive(&t));
    assert_int_equal(aexec_task_state(&t) & AEXEC_TASK_RUN_QUEUED, 0);
}

/*
 * A task that wakes itself from each poll, `rounds` times, then finishes;
 * at its poll `spawn_at` it spawns `sleeper`, at its poll `wake_at` it
 * wakes `wakee`.
 */
struct spinner {
    aexec_task task;
    int polls;
    int rounds;
    int spawn_at;
    aexec_task *sleeper;
    aexec_poll_fn sleeper_poll;
    int wake_at;
    aexec_task *wakee;
};

static aexec_poll spinner_poll(aexec_task *t, aexec_cx *cx)
{
    struct spinner *s = AEXEC_CONTAINER_OF(t, struct spinner, task);
    if (++s->polls == s->spawn_at)
        assert_int_equal(aexec_spawn(cx->executor, s->sleeper, s->sleeper_poll), 0);
    if (s->polls == s->wake_at)
        aexec_cx_wake(cx, s->wakee);
    if (s->polls >= s->rounds)
        return AEXEC_READY;
    aexec_cx_wake(cx, t);
    return AEXEC_PENDING;
}

/*
 * A task that wakes itself once, then in its second poll arms a timer due
 * at once (that poll is in a batch of the local wake list alone), and in
 * the poll the timer's wake makes notes how far the spinner was.
 */
struct due_sleeper {
    aexec_task task;
    aexec_timer timer;
    int polls;
    const struct spinner *spinner;
    int spinner_polls_at_fire;
};

static aexec_poll due_sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    struct due_sleeper *d = AEXEC_CONTAINER_OF(t, struct due_sleeper, task);
    switch (d->polls++) {
    case 0: aexec_cx_wake(cx, t); return AEXEC_PENDING;
    case 1:
        aexec_timer_init(&d->timer);
        aexec_timer_arm(&d->timer, cx, aexec_now(cx->executor));
        return AEXEC_PENDING;
    default:
        assert_true(aexec_timer_fired(&d->timer));
        d->spinner_polls_at_fire = d->spinner->polls;
        return AEXEC_READY;
    }
}

/*
 * A timer armed while the run loop is busy (a task that keeps waking
 * itself, so no batch is ever empty) fires within a batch or two of the one
 * that armed it, not once the loop runs out of work: a busy loop still
 * looks at the timer queue once a timer is in it.
 */
static void a_timer_armed_in_a_busy_run_fires_in_the_next_batches(void **state)
{
    (void)state;
    static struct spinner s;
    static struct due_sleeper d;
    d = (struct due_sleeper){.spinner = &s};
    s = (struct spinner){
        .rounds = 100, .spawn_at = 10, .sleeper = &d.task, .sleeper_poll = due_sleeper_poll};
    assert_int_equal(aexec_spawn(&ex, &s.task, spinner_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(s.polls, 100);
    assert_int_equal(d.polls, 3);
    /* Spawned at the spinner's poll 10: its first poll is beside the
     * spinner's 11th, the arming beside the 12th. */
    assert_true(d.spinner_polls_at_fire >= 12 && d.spinner_polls_at_fire <= 14);
    assert_int_equal(port.idles, 0);
}

/*
 * A task that waits for one wake, then finishes, noting how far the
 * spinner was when it ran.
 */
struct woken_once {
    aexec_task task;
    int polls;
    const struct spinner *spinner;
    int spinner_polls_at_wake;
};

static aexec_poll woken_once_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    struct woken_once *w = AEXEC_CONTAINER_OF(t, struct woken_once, task);
    if (w->polls++ == 0)
        return AEXEC_PENDING;
    w->spinner_polls_at_wake = w->spinner->polls;
    return AEXEC_READY;
}

/*
 * A task on the stack lies beyond the local wake list's reach of a static
 * executor on a 64-bit host (more than 2 GiB): its wake from a busy run's
 * poll goes on the FIFO and closes the list, so that the spinner's next
 * self-wake follows it there. The run still polls both in the next batch,
 * instead of finding the list empty while the FIFO holds them (the run
 * loop never idles here: a wake is always pending).
 */
static void a_far_task_woken_in_a_busy_run_polls_in_the_next_batch(void **state)
{
    (void)state;
    static struct spinner s;
    struct woken_once far = {.spinner = &s};
    s = (struct spinner){.rounds = 100, .wake_at = 10, .wakee = &far.task};
    assert_int_equal(aexec_spawn(&ex, &far.task, woken_once_poll), 0);
    assert_int_equal(aexec_spawn(&ex, &s.task, spinner_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(s.polls, 100);
    assert_int_equal(far.polls, 2);
    /* Woken in the spinner's poll 10, polled in the next batch, ahead of
     * the spinner's 11th (its wake went on the FIFO first). */
    assert_int_equal(far.spinner_polls_at_wake, 10);
    assert_int_equal(port.idles, 0);
}

/*
 * The generation after the last one is 1, not 0 (0 means "never spawned"):
 * the task lives, a handle of its last life is stale, one of the new life
 * works.
 */
static void the_generation_after_the_last_skips_zero(void **state)
{
    (void)state;
    struct probe t = {.id = 1};
    atomic_store(&t.task.state, ~0u << AEXEC_TASK_GEN_SHIFT); /* dead, at the last generation */
    aexec_handle last = aexec_task_handle(&t.task);
    assert_int_equal(aexec_spawn(&ex, &t.task, probe_poll), 0);
    assert_int_equal(AEXEC_TASK_GEN(aexec_task_state(&t.task)), 1);
    assert_true(aexec_task_is_alive(&t.task));
    assert_int_equal(aexec_task_cancel(last), AEXEC_ESTALE);
    assert_int_equal(aexec_task_cancel(aexec_task_handle(&t.task)), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* its first poll is its last */
    assert_int_equal(t.polls, 1);
    assert_false(aexec_task_is_alive(&t.task));
}

struct idle_waker {
    aexec_task *task;
    int times;
};

static void idle_wakes_task(test_port *p, void *arg)
{
    (void)p;
    struct idle_waker *w = arg;
    w->times++;
    aexec_wake(w->task); /* an "interrupt" during the sleep */
}

static void run_sleeps_in_idle_until_an_interrupt_wakes_a_task(void **state)
{
    (void)state;
    struct probe a;
    probe_init(&a, 1);
    a.finish_after = 3;
    struct idle_waker w = {&a.task, 0};
    port.on_idle = idle_wakes_task;
    port.on_idle_arg = &w;
    aexec_spawn(&ex, &a.task, probe_poll);
    uint32_t pends = port.pends;
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(a.polls, 3);
    assert_int_equal(w.times, 2);
    assert_int_equal(port.idles, 2);
    assert_int_equal(port.pends, pends + 2); /* each interrupt's wake found it asleep */
}

/* ---- init and misuse --------------------------------------------------- */

static void executor_init_rejects_incomplete_ports(void **state)
{
    (void)state;
    aexec_executor e;
    aexec_port no_pend = test_port_ops;
    no_pend.pend = NULL;
    aexec_port half_time = test_port_ops;
    half_time.set_alarm = NULL;
    aexec_port alarm_only = test_port_ops; /* the other half: an alarm but no clock */
    alarm_only.now = NULL;
    assert_int_equal(aexec_executor_init(NULL, &test_port_ops, &port, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_executor_init(&e, NULL, &port, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_executor_init(&e, &no_pend, &port, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_executor_init(&e, &half_time, &port, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_executor_init(&e, &alarm_only, &port, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_executor_init(&e, &alarm_only, &port, 0), AEXEC_EINVAL);
#if AEXEC_CONFIG_RUNQUEUE_CS
    /* There the run queue needs the whole critical section: half of one is refused. */
    aexec_port enter_only = test_port_ops;
    enter_only.cs_exit = NULL;
    aexec_port exit_only = test_port_ops;
    exit_only.cs_enter = NULL;
    assert_int_equal(aexec_executor_init(&e, &enter_only, &port, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_executor_init(&e, &exit_only, &port, 1), AEXEC_EINVAL);
#endif
    assert_int_equal(aexec_executor_init(&e, &test_port_ops, &port, 0), AEXEC_EINVAL);
}

static aexec_poll reenter_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    aexec_executor_poll(cx->executor); /* misuse: the executor is not reentrant */
    return AEXEC_READY;
}

static void poll_ex(void *arg)
{
    aexec_executor_poll(arg);
}

static void polling_from_inside_a_poll_asserts(void **state)
{
    (void)state;
    aexec_task t = {0};
    aexec_spawn(&ex, &t, reenter_poll);
    const char *msg = test_expect_panic(poll_ex, &ex);
    assert_non_null(strstr(msg, "executor"));
    assert_non_null(strstr(msg, "re-entered"));
}

static void spawn_onto_raw_executor(void *arg)
{
    static aexec_executor raw; /* zeroed, never initialized */
    aexec_spawn(&raw, arg, reenter_poll);
}

static void spawn_onto_an_uninitialized_executor_asserts(void **state)
{
    (void)state;
    aexec_task t = {0};
    const char *msg = test_expect_panic(spawn_onto_raw_executor, &t);
    assert_non_null(strstr(msg, "aexec_spawn"));
    assert_non_null(strstr(msg, "not initialized"));
}

static void strerror_names_every_code(void **state)
{
    (void)state;
    /* Each code's own text, "NAME: what", in code order. */
    static const struct {
        int code;
        const char *name;
    } codes[] = {
        {AEXEC_OK, "OK: "},
        {AEXEC_EINVAL, "EINVAL: "},
        {AEXEC_EBUSY, "EBUSY: "},
        {AEXEC_EFULL, "EFULL: "},
        {AEXEC_EEMPTY, "EEMPTY: "},
        {AEXEC_ECLOSED, "ECLOSED: "},
        {AEXEC_ETIMEDOUT, "ETIMEDOUT: "},
        {AEXEC_ECANCELED, "ECANCELED: "},
        {AEXEC_ESTALE, "ESTALE: "},
        {AEXEC_ENOTSUP, "ENOTSUP: "},
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *text = aexec_strerror(codes[i].code);
        assert_int_equal(strncmp(text, codes[i].name, strlen(codes[i].name)), 0);
        assert_true(strlen(text) > strlen(codes[i].name)); /* and says what it means */
    }
    static const int unknown[] = {AEXEC_ENOTSUP - 1, -1000, 1, 1000, INT_MIN, INT_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_int_equal(strcmp(aexec_strerror(unknown[i]), "unknown error"), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(spawn_queues_one_poll, setup),
        cmocka_unit_test_setup(spawn_rejects_null_arguments, setup),
        cmocka_unit_test_setup(spawn_of_live_storage_is_ebusy_and_changes_nothing, setup),
        cmocka_unit_test_setup(finished_storage_respawns_with_next_generation, setup),
        cmocka_unit_test_setup(run_queued_is_clear_during_the_poll, setup),
        cmocka_unit_test_setup(ready_clears_spawned, setup),
        cmocka_unit_test_setup(two_wakes_before_a_poll_cost_one_poll, setup),
        cmocka_unit_test_setup(wake_of_a_finished_task_is_a_no_op, setup),
        cmocka_unit_test_setup(wake_of_a_never_spawned_task_is_a_no_op, setup),
        cmocka_unit_test_setup(wake_during_poll_queues_a_poll_in_the_next_batch, setup),
        cmocka_unit_test_setup(self_wake_runs_once_per_batch, setup),
        cmocka_unit_test_setup(a_batch_runs_in_wake_order, setup),
        cmocka_unit_test_setup(spawn_order_is_first_poll_order, setup),
        cmocka_unit_test_setup(a_task_woken_during_a_batch_waits_for_the_next, setup),
        cmocka_unit_test_setup(wakes_from_tasks_never_pend, setup),
        cmocka_unit_test_setup(a_wake_while_asleep_pends_once, setup),
        cmocka_unit_test_setup(a_notification_reaches_the_next_poll_once, setup),
        cmocka_unit_test_setup(an_untaken_notification_waits_for_a_later_poll, setup),
        cmocka_unit_test_setup(respawn_reuses_a_queued_wake_of_the_previous_life, setup),
        cmocka_unit_test_setup(a_queued_finished_task_is_dropped_without_a_poll, setup),
        cmocka_unit_test_setup(respawn_onto_another_executor_waits_for_the_link, setup),
        cmocka_unit_test_setup(run_returns_done_with_no_task, setup),
        cmocka_unit_test_setup(run_returns_done_when_the_last_task_finishes, setup),
        cmocka_unit_test_setup(run_waits_for_a_link_still_in_flight, setup),
        cmocka_unit_test_setup(stop_from_a_task_ends_run_with_tasks_alive, setup),
        cmocka_unit_test_setup(a_stopped_run_leaves_the_wakes_of_its_last_batch_pending, setup),
        cmocka_unit_test_setup(an_executor_without_a_time_driver_runs_and_polls, setup),
        cmocka_unit_test_setup(the_generation_after_the_last_skips_zero, setup),
        cmocka_unit_test_setup(run_waits_for_a_timer_its_finished_task_left_armed, setup),
        cmocka_unit_test_setup(a_timer_armed_in_a_busy_run_fires_in_the_next_batches, setup),
        cmocka_unit_test_setup(a_far_task_woken_in_a_busy_run_polls_in_the_next_batch, setup),
        cmocka_unit_test_setup(run_sleeps_in_idle_until_an_interrupt_wakes_a_task, setup),
        cmocka_unit_test_setup(executor_init_rejects_incomplete_ports, setup),
        cmocka_unit_test_setup(polling_from_inside_a_poll_asserts, setup),
        cmocka_unit_test_setup(spawn_onto_an_uninitialized_executor_asserts, setup),
        cmocka_unit_test_setup(strerror_names_every_code, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
