/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Several threads spawn one idle task at the same moment, round after
 * round: exactly one spawn per round succeeds (the others get AEXEC_EBUSY),
 * and that life is polled once and finished once, with a generation one
 * above the last. aexec_spawn claims the storage (CLAIMED) before it writes
 * the task's fields; a spawn that ignored the claim would also succeed and
 * launch the task a second time. Run under ThreadSanitizer by the tsan
 * flavour of scripts/test, which also checks the fields written by the
 * winner are not raced by a loser.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"
#include "test_port.h"

#define SPAWNERS 2
#define ROUNDS 20000u

struct life {
    aexec_task task;
    uint32_t polls;    /* polls in the current round */
    uint32_t finishes; /* READYs in the current round */
    uint32_t gen;      /* the generation its last poll saw */
};

static aexec_executor ex;
static aexec_host host;
static struct life life;

/* Each spawner's own poll function, so the test also sees whose spawn won. */
static _Atomic int winner_fn = -1;

static aexec_poll life_poll(aexec_task *t, aexec_cx *cx, int who)
{
    (void)cx;
    struct life *l = AEXEC_CONTAINER_OF(t, struct life, task);
    l->polls++;
    l->finishes++;
    l->gen = AEXEC_TASK_GEN(aexec_task_state(t));
    atomic_store_explicit(&winner_fn, who, memory_order_relaxed);
    return AEXEC_READY;
}

static aexec_poll poll_0(aexec_task *t, aexec_cx *cx)
{
    return life_poll(t, cx, 0);
}
static aexec_poll poll_1(aexec_task *t, aexec_cx *cx)
{
    return life_poll(t, cx, 1);
}
static const aexec_poll_fn polls[SPAWNERS] = {poll_0, poll_1};

static _Atomic uint32_t gate;     /* the round the spawners may line up for */
static _Atomic uint32_t arrived;  /* spawners at the start line, over all rounds */
static _Atomic uint32_t finished; /* spawners done with this round */
static _Atomic uint32_t wins, busy, other;
static _Atomic int won_by[SPAWNERS];

/* A few nanoseconds to a few hundred of busy work: spreads the two starts
 * over the window between a claim and its launch. */
static void jitter(uint32_t *seed)
{
    *seed ^= *seed << 13;
    *seed ^= *seed >> 17;
    *seed ^= *seed << 5;
    for (volatile uint32_t i = *seed % 128u; i > 0; i--)
        ;
}

static void *spawner(void *arg)
{
    int me = (int)(intptr_t)arg;
    uint32_t seed = 0x9e3779b9u * (uint32_t)(me + 1);
    for (uint32_t round = 1; round <= ROUNDS; round++) {
        for (uint32_t spin = 1; atomic_load_explicit(&gate, memory_order_acquire) != round; spin++)
            if (spin % 256u == 0)
                sched_yield(); /* 2 cores, 3 threads: let the main thread run */
        /* The spawners start each other, not the main thread, which is
         * asleep by then: both are on a core when the race begins. */
        atomic_fetch_add_explicit(&arrived, 1u, memory_order_acq_rel);
        for (uint32_t spin = 1;
             atomic_load_explicit(&arrived, memory_order_acquire) != SPAWNERS * round; spin++)
            if (spin % 4096u == 0)
                sched_yield();
        jitter(&seed);
        /* Keep trying while the storage is claimed but not yet spawned:
         * that is the window in which a spawn must still say EBUSY. Once
         * the winner's life is SPAWNED (it stays so until the main thread
         * polls it), EBUSY is final. */
        for (;;) {
            int r = aexec_spawn(&ex, &life.task, polls[me]);
            if (r == 0) {
                atomic_fetch_add_explicit(&wins, 1u, memory_order_relaxed);
                atomic_store_explicit(&won_by[me], 1, memory_order_relaxed);
                break;
            }
            if (r != AEXEC_EBUSY) {
                atomic_fetch_add_explicit(&other, 1u, memory_order_relaxed);
                break;
            }
            if (aexec_task_state(&life.task) & AEXEC_TASK_SPAWNED) {
                atomic_fetch_add_explicit(&busy, 1u, memory_order_relaxed);
                break;
            }
        }
        atomic_fetch_add_explicit(&finished, 1u, memory_order_acq_rel);
    }
    return NULL;
}

static void nap(void)
{
    struct timespec ts = {0, 20000};
    nanosleep(&ts, NULL);
}

static void spawning_one_idle_task_from_several_threads_succeeds_once_per_round(void **state)
{
    (void)state;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    pthread_t th[SPAWNERS];
    for (int i = 0; i < SPAWNERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, spawner, (void *)(intptr_t)i), 0);
    uint32_t gen = 0;
    for (uint32_t round = 1; round <= ROUNDS; round++) {
        atomic_store_explicit(&wins, 0u, memory_order_relaxed);
        atomic_store_explicit(&busy, 0u, memory_order_relaxed);
        for (int i = 0; i < SPAWNERS; i++)
            atomic_store_explicit(&won_by[i], 0, memory_order_relaxed);
        atomic_store_explicit(&finished, 0u, memory_order_relaxed);
        life.polls = 0;
        life.finishes = 0;
        atomic_store_explicit(&gate, round, memory_order_release);
        while (atomic_load_explicit(&finished, memory_order_acquire) != SPAWNERS)
            nap();
        uint32_t w = atomic_load(&wins);
        /* Report before touching the executor: a task launched twice is
         * linked twice, and polling it would not return. */
        if (w != 1)
            fail_msg("round %u: %u spawns of one idle task succeeded (%u EBUSY, %u other)", round,
                     w, atomic_load(&busy), atomic_load(&other));
        assert_int_equal(atomic_load(&busy), SPAWNERS - 1);
        /* The one life runs once, to its end. */
        while (aexec_task_is_alive(&life.task))
            aexec_executor_poll(&ex);
        assert_int_equal(life.polls, 1);
        assert_int_equal(life.finishes, 1);
        assert_int_equal(life.gen, gen + 1); /* exactly one launch */
        gen = life.gen;
        /* The poll function is the winner's own, not a loser's. */
        int who = atomic_load_explicit(&winner_fn, memory_order_relaxed);
        assert_true(who >= 0 && who < SPAWNERS);
        assert_int_equal(atomic_load(&won_by[who]), 1);
        assert_int_equal(aexec_executor_poll(&ex), 0); /* nothing else is queued */
    }
    for (int i = 0; i < SPAWNERS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&other), 0);
    assert_int_equal(aexec_executor_live(&ex), 0);
    printf("  %u rounds of %d racing spawns: one success each, one poll per life\n", ROUNDS,
           SPAWNERS);
    aexec_host_destroy(&host);
}

/*
 * The same window, hit deterministically where the state word's updates go
 * through the port's critical section (AEXEC_CONFIG_RUNQUEUE_CS): an
 * "interrupt" that arrives as the first section of a spawn ends (the claim)
 * spawns the same storage, and must get EBUSY.
 */
#if AEXEC_CONFIG_RUNQUEUE_CS
static test_port cs_port;
static aexec_port isr_port;
static aexec_executor cs_ex;
static struct life cs_life;
static int isr_armed, isr_result = 1;

static void cs_exit_then_interrupt(void *ctx, aexec_cs_state saved)
{
    test_port_ops.cs_exit(ctx, saved);
    if (isr_armed) {
        isr_armed = 0;
        isr_result = aexec_spawn(&cs_ex, &cs_life.task, poll_1);
    }
}

static void a_spawn_interrupted_between_claim_and_launch_is_the_only_one(void **state)
{
    (void)state;
    isr_port = test_port_ops;
    isr_port.cs_exit = cs_exit_then_interrupt;
    cs_port = (test_port){.alarm = AEXEC_ALARM_NONE};
    assert_int_equal(aexec_executor_init(&cs_ex, &isr_port, &cs_port, 1000), 0);
    for (uint32_t round = 1; round <= 3; round++) {
        cs_life.polls = cs_life.finishes = 0;
        isr_armed = 1;
        assert_int_equal(aexec_spawn(&cs_ex, &cs_life.task, poll_0), 0);
        assert_int_equal(isr_armed, 0); /* the interrupt ran inside the spawn */
        assert_int_equal(isr_result, AEXEC_EBUSY);
        assert_int_equal(aexec_executor_poll(&cs_ex), 1);
        assert_int_equal(cs_life.polls, 1);
        assert_int_equal(cs_life.gen, round);
        assert_int_equal(atomic_load(&winner_fn), 0); /* the first spawn's poll function */
    }
}
#else
static void a_spawn_interrupted_between_claim_and_launch_is_the_only_one(void **state)
{
    (void)state;
    skip(); /* with atomics the window has no hook: the threaded test covers it */
}
#endif

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spawning_one_idle_task_from_several_threads_succeeds_once_per_round),
        cmocka_unit_test(a_spawn_interrupted_between_claim_and_launch_is_the_only_one),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
