/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The local wake list against other threads, on the host backend, run under
 * ThreadSanitizer by the tsan flavour of scripts/test. Tasks of one executor
 * pass a token around by notifying each other from their polls (listed
 * without touching the task's state) while other threads wake the same
 * tasks through the run queue, superseding list entries at random. A
 * lost token or a lost wake shows as a hang (ctest's timeout fails it); a
 * task polled twice at once or after it finished, or a wake whose writes its
 * poll does not see, fails an assert. A second test does the same to a
 * fan-out: one task wakes 256 round after round, each waits for all.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"

#define THREADS 2

/* ---- the waking threads, shared by both tests -------------------------------- */

/* A task as the waking threads see it. */
struct target {
    aexec_task task;
    _Atomic uint32_t produced; /* incremented by the threads before each wake */
    uint32_t seen;             /* what the task's last poll saw of it */
};

/* One test's waking threads: each wakes `per_thread` of `count` targets at random. */
static struct {
    struct target *(*at)(uint32_t i);
    uint32_t count, per_thread;
    _Atomic uint32_t threads_left;
    _Atomic int done; /* every thread has made its last wake */
} remote;

/* In a poll of `t`: every wake's writes are visible to the poll it caused. Returns the count. */
static uint32_t target_check(struct target *t)
{
    uint32_t now = atomic_load_explicit(&t->produced, memory_order_acquire);
    assert_true(now >= t->seen);
    t->seen = now;
    return now;
}

/* In a poll of `t`: the threads are done and the poll saw their every wake. */
static int target_all_seen(struct target *t, uint32_t now)
{
    return atomic_load_explicit(&remote.done, memory_order_acquire) &&
           now == atomic_load_explicit(&t->produced, memory_order_relaxed);
}

static void *wake_targets(void *arg)
{
    uint32_t x = (uint32_t)(uintptr_t)arg * 2654435761u + 1u;
    for (uint32_t i = 0; i < remote.per_thread; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        struct target *t = remote.at(x % remote.count);
        atomic_fetch_add_explicit(&t->produced, 1u, memory_order_release);
        aexec_wake(&t->task);
    }
    /* The last thread out says so, then wakes each target once more: a
     * target finishes only after it has seen every increment. */
    if (atomic_fetch_sub(&remote.threads_left, 1u) == 1u) {
        atomic_store_explicit(&remote.done, 1, memory_order_release);
        for (uint32_t i = 0; i < remote.count; i++)
            aexec_wake(&remote.at(i)->task);
    }
    return NULL;
}

static void remote_start(pthread_t th[THREADS], struct target *(*at)(uint32_t), uint32_t count,
                         uint32_t per_thread)
{
    remote.at = at;
    remote.count = count;
    remote.per_thread = per_thread;
    atomic_store(&remote.threads_left, THREADS);
    atomic_store(&remote.done, 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, wake_targets, (void *)(uintptr_t)(i + 1)), 0);
}

/* Joins the threads and returns the wakes all `count` targets saw, checking each saw all of its
 * own. */
static uint32_t remote_finish(pthread_t th[THREADS])
{
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    uint32_t wakes = 0;
    for (uint32_t i = 0; i < remote.count; i++) {
        struct target *t = remote.at(i);
        assert_int_equal(t->seen, atomic_load(&t->produced));
        wakes += t->seen;
    }
    assert_int_equal(wakes, THREADS * remote.per_thread);
    return wakes;
}

/* ---- a token passed around by local notifications --------------------------- */

#define PLAYERS 8
#define WAKES_PER_THREAD 200000u

struct player {
    struct target t;
    struct player *peer;
    int declined;   /* the token at hand was declined once */
    uint32_t taken; /* tokens taken */
    _Atomic int in_poll;
    int finished;
};

static struct player players[PLAYERS];
static int token_ended; /* the executor's thread only */
static uint32_t passes; /* the executor's thread only */

static struct target *player_at(uint32_t i)
{
    return &players[i].t;
}

static aexec_poll player_poll(aexec_task *t, aexec_cx *cx)
{
    struct player *p = AEXEC_CONTAINER_OF(t, struct player, t.task);
    assert_false(p->finished);
    assert_int_equal(atomic_exchange(&p->in_poll, 1), 0);
    uint32_t now = target_check(&p->t);
    int done = atomic_load_explicit(&remote.done, memory_order_acquire);
    if (cx->flags & AEXEC_CX_NOTIFIED) {
        if (!p->declined && p->taken % 4u == 3u) {
            /* Decline every fourth token once: the executor keeps the
             * notification for the next poll, which this self-wake queues. */
            p->declined = 1;
            aexec_cx_wake(cx, t);
        } else {
            (void)aexec_take_notification(cx);
            p->declined = 0;
            p->taken++;
            if (!done) {
                passes++;
                aexec_cx_notify(cx, &p->peer->t.task);
            } else {
                /* The token stops here; everyone re-checks whether it may finish. */
                token_ended = 1;
                for (int i = 0; i < PLAYERS; i++)
                    aexec_cx_wake(cx, &players[i].t.task);
            }
        }
    }
    atomic_store(&p->in_poll, 0);
    /* A lost token never ends, so nobody finishes: the test hangs. */
    if (token_ended && target_all_seen(&p->t, now)) {
        p->finished = 1;
        return AEXEC_READY;
    }
    return AEXEC_PENDING;
}

static void a_token_passed_by_local_notifies_survives_wakes_from_other_threads(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    token_ended = 0;
    passes = 0;
    for (int i = 0; i < PLAYERS; i++) {
        players[i] = (struct player){.peer = &players[(i + 1) % PLAYERS]};
        assert_int_equal(aexec_spawn(&ex, &players[i].t.task, player_poll), 0);
    }
    aexec_notify(&players[0].t.task); /* the token */
    pthread_t th[THREADS];
    remote_start(th, player_at, PLAYERS, WAKES_PER_THREAD);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    uint32_t wakes = remote_finish(th);
    for (int i = 0; i < PLAYERS; i++)
        assert_true(players[i].finished);
    printf("  %u token passes among %d players during %u wakes from %d threads\n", passes, PLAYERS,
           wakes, THREADS);
    aexec_host_destroy(&host);
}

/* ---- a fan-out: one task wakes many, round after round ---------------------- */

#define FANS 256
#define ROUNDS 1500u
#define FAN_WAKES_PER_THREAD 100000u

struct fan {
    struct target t;
    uint32_t want;     /* the round the driver last woke it for */
    uint32_t got;      /* the round its last poll saw */
    uint32_t notified; /* the round of the last notification it took */
    uint32_t polls;
    int finished;
};

static struct fan fans[FANS];
static int fan_rounds_done; /* the executor's thread only */

static struct target *fan_at(uint32_t i)
{
    return &fans[i].t;
}

static aexec_poll fan_poll(aexec_task *t, aexec_cx *cx)
{
    struct fan *f = AEXEC_CONTAINER_OF(t, struct fan, t.task);
    assert_false(f->finished);
    uint32_t now = target_check(&f->t);
    f->polls++;
    if (aexec_take_notification(cx))
        f->notified = f->want;
    if (f->got != f->want) {
        f->got = f->want;
        /* Now and then wake itself too: applied when this poll returns. */
        if ((f->polls & 3u) == 1u)
            aexec_cx_wake(cx, t);
    }
    if (fan_rounds_done && target_all_seen(&f->t, now)) {
        f->finished = 1;
        return AEXEC_READY;
    }
    return AEXEC_PENDING;
}

struct fan_driver {
    aexec_task task;
    uint32_t round;
};

/*
 * Wakes every fan for the next round (notifying them in odd rounds) once
 * all of them have seen the last one. A lost local wake or notification
 * leaves a fan behind for good: the driver yields forever and the test hangs.
 */
static aexec_poll fan_driver_poll(aexec_task *t, aexec_cx *cx)
{
    struct fan_driver *d = AEXEC_CONTAINER_OF(t, struct fan_driver, task);
    for (int i = 0; i < FANS; i++) {
        if (fans[i].got != d->round || ((d->round & 1u) && fans[i].notified != d->round)) {
            aexec_cx_wake(cx, t);
            return AEXEC_PENDING;
        }
    }
    if (d->round == ROUNDS) {
        fan_rounds_done = 1;
        for (int i = 0; i < FANS; i++)
            aexec_cx_wake(cx, &fans[i].t.task);
        return AEXEC_READY;
    }
    d->round++;
    for (int i = 0; i < FANS; i++) {
        fans[i].want = d->round;
        if (d->round & 1u)
            aexec_cx_notify(cx, &fans[i].t.task);
        else
            aexec_cx_wake(cx, &fans[i].t.task);
    }
    aexec_cx_wake(cx, t); /* runs after them: listed behind the fans */
    return AEXEC_PENDING;
}

static void a_fan_out_of_local_wakes_survives_wakes_from_other_threads(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static struct fan_driver driver;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    fan_rounds_done = 0;
    for (int i = 0; i < FANS; i++) {
        fans[i] = (struct fan){0};
        assert_int_equal(aexec_spawn(&ex, &fans[i].t.task, fan_poll), 0);
    }
    driver = (struct fan_driver){0};
    assert_int_equal(aexec_spawn(&ex, &driver.task, fan_driver_poll), 0);
    pthread_t th[THREADS];
    remote_start(th, fan_at, FANS, FAN_WAKES_PER_THREAD);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    uint32_t wakes = remote_finish(th), polls = 0;
    for (int i = 0; i < FANS; i++) {
        assert_true(fans[i].finished);
        assert_int_equal(fans[i].got, ROUNDS);
        polls += fans[i].polls;
    }
    assert_int_equal(driver.round, ROUNDS);
    printf("  %u rounds of %d local wakes, %u wakes from %d threads, %u fan polls\n", ROUNDS, FANS,
           wakes, THREADS, polls);
    aexec_host_destroy(&host);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_token_passed_by_local_notifies_survives_wakes_from_other_threads),
        cmocka_unit_test(a_fan_out_of_local_wakes_survives_wakes_from_other_threads),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
