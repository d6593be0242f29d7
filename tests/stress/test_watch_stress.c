/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The spinning executor watches the task it last left pending (invariant I7
 * in task_state.h): a wake of that task sets RUN_QUEUED and leaves the link
 * to the executor, without touching the run queue or the pender. These
 * tests race such wakes against every step of the protocol -- watching,
 * moving the watch to another task, un-watching before idle(), finishing --
 * under ThreadSanitizer in the tsan flavour of scripts/test.
 *
 * A lost wake shows as a peer that waits for its reply past a deadline: it
 * records the failure and stops the executor, so the test fails instead of
 * hanging. A task polled twice at once, or after READY, fails an assert.
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
#include <cmocka.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"

#define PEERS 3
#define ROUNDS 20000u
#define DEADLINE_NS 20000000000ull /* far beyond any honest round trip, even under TSan */

struct echo {
    aexec_task task;
    _Atomic uint32_t request;
    _Atomic uint32_t reply;
    _Atomic int in_poll;
    int finished;
};

static struct echo echoes[PEERS];
static aexec_executor ex;
static aexec_host host;
static _Atomic int lost_wakes;

static aexec_poll echo_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    struct echo *e = AEXEC_CONTAINER_OF(t, struct echo, task);
    assert_false(e->finished);
    assert_int_equal(atomic_exchange(&e->in_poll, 1), 0);
    uint32_t r = atomic_load_explicit(&e->request, memory_order_acquire);
    atomic_store_explicit(&e->reply, r, memory_order_release);
    atomic_store(&e->in_poll, 0);
    if (r == ROUNDS) {
        e->finished = 1;
        return AEXEC_READY;
    }
    return AEXEC_PENDING;
}

/* Round trips with one task; every few rounds it pauses, so the executor
 * moves its watch to another peer's task or gives up spinning and sleeps. */
static void *peer(void *arg)
{
    struct echo *e = arg;
    uint32_t x = (uint32_t)(e - echoes) * 2654435761u + 1u;
    for (uint32_t i = 1; i <= ROUNDS; i++) {
        atomic_store_explicit(&e->request, i, memory_order_release);
        if (i & 1u)
            aexec_wake(&e->task);
        else
            aexec_notify(&e->task);
        uint64_t start = aexec_host_now_ns();
        while (atomic_load_explicit(&e->reply, memory_order_acquire) != i) {
            if (aexec_host_now_ns() - start > DEADLINE_NS) {
                atomic_fetch_add(&lost_wakes, 1);
                aexec_executor_stop(&ex);
                return NULL;
            }
            sched_yield();
        }
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if ((x & 15u) == 0u) /* now and then, long enough for the executor to sleep */
            for (uint32_t k = 0; k < (x >> 20); k++)
                sched_yield();
    }
    return NULL;
}

static void run_peers(uint32_t spin)
{
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    aexec_executor_set_spin(&ex, spin);
    atomic_store(&lost_wakes, 0);
    for (int i = 0; i < PEERS; i++) {
        echoes[i] = (struct echo){0};
        assert_int_equal(aexec_spawn(&ex, &echoes[i].task, echo_poll), 0);
    }
    aexec_executor_poll(&ex); /* first polls: answer request 0 */
    pthread_t th[PEERS];
    for (int i = 0; i < PEERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, peer, &echoes[i]), 0);
    int r = aexec_run(&ex);
    for (int i = 0; i < PEERS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&lost_wakes), 0);
    assert_int_equal(r, AEXEC_RUN_DONE);
    for (int i = 0; i < PEERS; i++)
        assert_true(echoes[i].finished);
    printf("  %u round trips with each of %d threads, spin %u: no wake lost\n", ROUNDS, PEERS,
           spin);
    aexec_host_destroy(&host);
}

/* Short spins: the executor watches, un-watches and sleeps all the time. */
static void round_trips_with_a_short_spin_lose_no_wake(void **state)
{
    (void)state;
    run_peers(8);
}

/* The host's default spin: the watch mostly persists from round to round. */
static void round_trips_with_the_default_spin_lose_no_wake(void **state)
{
    (void)state;
    run_peers(AEXEC_HOST_DEFAULT_SPIN);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips_with_a_short_spin_lose_no_wake),
        cmocka_unit_test(round_trips_with_the_default_spin_lose_no_wake),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
