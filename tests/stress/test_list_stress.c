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

#define PLAYERS 8
#define THREADS 2
#define WAKES_PER_THREAD 200000u

struct player {
    aexec_task task;
    struct player *peer;
    int declined;              /* the token at hand was declined once */
    uint32_t taken;            /* tokens taken */
    _Atomic uint32_t produced; /* incremented by the threads before each wake */
    uint32_t seen;
    _Atomic int in_poll;
    int finished;
};

static struct player players[PLAYERS];
static _Atomic uint32_t threads_left;
static _Atomic int remote_done; /* every thread has made its last wake */
static int token_ended;         /* the executor's thread only */
static uint32_t passes;         /* the executor's thread only */

static aexec_poll player_poll(aexec_task *t, aexec_cx *cx)
{
    struct player *p = AEXEC_CONTAINER_OF(t, struct player, task);
    assert_false(p->finished);
    assert_int_equal(atomic_exchange(&p->in_poll, 1), 0);
    /* Every wake's writes are visible to the poll it caused. */
    uint32_t now = atomic_load_explicit(&p->produced, memory_order_acquire);
    assert_true(now >= p->seen);
    p->seen = now;
    int done = atomic_load_explicit(&remote_done, memory_order_acquire);
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
                aexec_cx_notify(cx, &p->peer->task);
            } else {
                /* The token stops here; everyone re-checks whether it may finish. */
                token_ended = 1;
                for (int i = 0; i < PLAYERS; i++)
                    aexec_cx_wake(cx, &players[i].task);
            }
        }
    }
    atomic_store(&p->in_poll, 0);
    /* A lost token never ends, so nobody finishes: the test hangs. */
    if (token_ended && done && now == atomic_load_explicit(&p->produced, memory_order_relaxed)) {
        p->finished = 1;
        return AEXEC_READY;
    }
    return AEXEC_PENDING;
}

static void *wake_players(void *arg)
{
    uint32_t x = (uint32_t)(uintptr_t)arg * 2654435761u + 1u;
    for (uint32_t i = 0; i < WAKES_PER_THREAD; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        struct player *p = &players[x % PLAYERS];
        atomic_fetch_add_explicit(&p->produced, 1u, memory_order_release);
        aexec_wake(&p->task);
    }
    /* The last thread out tells the players, then wakes each of them once
     * more: a player finishes only after it has seen every increment. */
    if (atomic_fetch_sub(&threads_left, 1u) == 1u) {
        atomic_store_explicit(&remote_done, 1, memory_order_release);
        for (int i = 0; i < PLAYERS; i++)
            aexec_wake(&players[i].task);
    }
    return NULL;
}

static void a_token_passed_by_local_notifies_survives_wakes_from_other_threads(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    atomic_store(&threads_left, THREADS);
    atomic_store(&remote_done, 0);
    token_ended = 0;
    passes = 0;
    for (int i = 0; i < PLAYERS; i++) {
        players[i] = (struct player){.peer = &players[(i + 1) % PLAYERS]};
        assert_int_equal(aexec_spawn(&ex, &players[i].task, player_poll), 0);
    }
    aexec_notify(&players[0].task); /* the token */
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, wake_players, (void *)(uintptr_t)(i + 1)), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    uint32_t wakes = 0;
    for (int i = 0; i < PLAYERS; i++) {
        assert_true(players[i].finished);
        assert_int_equal(players[i].seen, atomic_load(&players[i].produced));
        wakes += players[i].seen;
    }
    assert_int_equal(wakes, THREADS * WAKES_PER_THREAD);
    printf("  %u token passes among %d players during %u wakes from %d threads\n", passes, PLAYERS,
           wakes, THREADS);
    aexec_host_destroy(&host);
}

/* ---- a fan-out: one task wakes many, round after round ---------------------- */

#define FANS 256
#define ROUNDS 1500u
#define FAN_WAKES_PER_THREAD 100000u

struct fan {
    aexec_task task;
    uint32_t want;     /* the round the driver last woke it for */
    uint32_t got;      /* the round its last poll saw */
    uint32_t notified; /* the round of the last notification it took */
    uint32_t polls;
    _Atomic uint32_t produced; /* incremented by the threads before each wake */
    uint32_t seen;
    int finished;
};

static struct fan fans[FANS];
static _Atomic uint32_t fan_threads_left;
static _Atomic int fan_remote_done;
static int fan_rounds_done; /* the executor's thread only */

static aexec_poll fan_poll(aexec_task *t, aexec_cx *cx)
{
    struct fan *f = AEXEC_CONTAINER_OF(t, struct fan, task);
    assert_false(f->finished);
    uint32_t now = atomic_load_explicit(&f->produced, memory_order_acquire);
    assert_true(now >= f->seen);
    f->seen = now;
    f->polls++;
    if (aexec_take_notification(cx))
        f->notified = f->want;
    if (f->got != f->want) {
        f->got = f->want;
        /* Now and then wake itself too: applied when this poll returns. */
        if ((f->polls & 3u) == 1u)
            aexec_cx_wake(cx, t);
    }
    if (fan_rounds_done && atomic_load_explicit(&fan_remote_done, memory_order_acquire) &&
        now == atomic_load_explicit(&f->produced, memory_order_relaxed)) {
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
            aexec_cx_wake(cx, &fans[i].task);
        return AEXEC_READY;
    }
    d->round++;
    for (int i = 0; i < FANS; i++) {
        fans[i].want = d->round;
        if (d->round & 1u)
            aexec_cx_notify(cx, &fans[i].task);
        else
            aexec_cx_wake(cx, &fans[i].task);
    }
    aexec_cx_wake(cx, t); /* runs after them: listed behind the fans */
    return AEXEC_PENDING;
}

static void *wake_fans(void *arg)
{
    uint32_t x = (uint32_t)(uintptr_t)arg * 2654435761u + 1u;
    for (uint32_t i = 0; i < FAN_WAKES_PER_THREAD; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        struct fan *f = &fans[x % FANS];
        atomic_fetch_add_explicit(&f->produced, 1u, memory_order_release);
        aexec_wake(&f->task);
    }
    if (atomic_fetch_sub(&fan_threads_left, 1u) == 1u) {
        atomic_store_explicit(&fan_remote_done, 1, memory_order_release);
        for (int i = 0; i < FANS; i++)
            aexec_wake(&fans[i].task);
    }
    return NULL;
}

static void a_fan_out_of_local_wakes_survives_wakes_from_other_threads(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static struct fan_driver driver;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    atomic_store(&fan_threads_left, THREADS);
    atomic_store(&fan_remote_done, 0);
    fan_rounds_done = 0;
    for (int i = 0; i < FANS; i++) {
        fans[i] = (struct fan){0};
        assert_int_equal(aexec_spawn(&ex, &fans[i].task, fan_poll), 0);
    }
    driver = (struct fan_driver){0};
    assert_int_equal(aexec_spawn(&ex, &driver.task, fan_driver_poll), 0);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, wake_fans, (void *)(uintptr_t)(i + 1)), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    uint32_t wakes = 0, polls = 0;
    for (int i = 0; i < FANS; i++) {
        assert_true(fans[i].finished);
        assert_int_equal(fans[i].got, ROUNDS);
        assert_int_equal(fans[i].seen, atomic_load(&fans[i].produced));
        wakes += fans[i].seen;
        polls += fans[i].polls;
    }
    assert_int_equal(driver.round, ROUNDS);
    assert_int_equal(wakes, THREADS * FAN_WAKES_PER_THREAD);
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
