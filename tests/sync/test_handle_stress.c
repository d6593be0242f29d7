/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Cancels from another thread racing with tasks that finish on their own,
 * while joiners on the executor wait for every life. Under TSan in the tsan
 * flavour. Every life ends exactly once, through its FINALLY, and its joiner
 * reads either the task's own result (42) or AEXEC_ECANCELED, never anything
 * else; a cancel of a life that already ended reports AEXEC_ESTALE.
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

#define WORKERS 8
#define LIVES 20000u

struct worker {
    aexec_task task;
    aexec_co co;
    uint32_t steps;
};

static struct worker workers[WORKERS];
static _Atomic uint32_t handles_gen[WORKERS];
static uint32_t finally_runs, finished_42, finished_cancelled;
static _Atomic int stop_cancelling;
static _Atomic uint32_t cancels_ok, cancels_stale;

static aexec_poll worker_poll(aexec_task *t, aexec_cx *cx)
{
    struct worker *w = AEXEC_CONTAINER_OF(t, struct worker, task);
    AEXEC_CO_BEGIN(&w->co, cx);
    for (w->steps = 0; w->steps < 3; w->steps++)
        AEXEC_YIELD();
    aexec_task_set_result(cx, 42);
    AEXEC_CO_FINALLY;
    finally_runs++;
    AEXEC_CO_END;
}

/* Spawns every life and joins it. */
struct driver {
    aexec_task task;
    aexec_co co;
    aexec_join joins[WORKERS];
    uint32_t spawned, joined;
    int result;
    int i;
};

static aexec_poll driver_poll(aexec_task *t, aexec_cx *cx)
{
    struct driver *d = AEXEC_CONTAINER_OF(t, struct driver, task);
    AEXEC_CO_BEGIN(&d->co, cx);
    while (d->joined < LIVES) {
        for (d->i = 0; d->i < WORKERS && d->spawned < LIVES; d->i++) {
            struct worker *w = &workers[d->i];
            w->co.pc = 0;
            assert_int_equal(aexec_spawn(cx->executor, &w->task, worker_poll), 0);
            aexec_handle h = aexec_task_handle(&w->task);
            atomic_store(&handles_gen[d->i], h.gen);
            aexec_join_init(&d->joins[d->i], h);
            /* Every tenth life is cancelled here, so the cancel path runs in
             * every run however the threads happen to be scheduled. */
            if (d->spawned % 10 == 0)
                assert_int_equal(aexec_task_cancel(h), 0);
            d->spawned++;
        }
        for (d->i = 0; d->i < WORKERS; d->i++) {
            AEXEC_AWAIT(aexec_join_poll(&d->joins[d->i], cx, &d->result));
            if (d->result == 42)
                finished_42++;
            else if (d->result == AEXEC_ECANCELED)
                finished_cancelled++;
            else
                fail_msg("join result %d", d->result);
            d->joined++;
        }
    }
    AEXEC_CO_END;
}

static void *canceller(void *arg)
{
    uint32_t x = (uint32_t)(uintptr_t)arg;
    while (!atomic_load(&stop_cancelling)) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        uint32_t i = x % WORKERS;
        aexec_handle h = {&workers[i].task, atomic_load(&handles_gen[i])};
        int r = aexec_task_cancel(h);
        if (r == 0)
            atomic_fetch_add(&cancels_ok, 1u);
        else if (r == AEXEC_ESTALE)
            atomic_fetch_add(&cancels_stale, 1u);
        else
            fail_msg("cancel returned %d", r);
    }
    return NULL;
}

static void cancels_from_a_thread_race_with_completion_and_every_life_ends_once(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static struct driver d;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_spawn(&ex, &d.task, driver_poll), 0);
    pthread_t th[2];
    for (uintptr_t i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, canceller, (void *)(i * 7919u + 1u)), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    atomic_store(&stop_cancelling, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(finally_runs, LIVES);
    assert_int_equal(finished_42 + finished_cancelled, LIVES);
    assert_true(finished_cancelled >= LIVES / 10);
    printf("  %u lives: %u finished, %u cancelled; %u cancels landed, %u were stale\n", LIVES,
           finished_42, finished_cancelled, atomic_load(&cancels_ok), atomic_load(&cancels_stale));
    aexec_host_destroy(&host);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cancels_from_a_thread_race_with_completion_and_every_life_ends_once),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
