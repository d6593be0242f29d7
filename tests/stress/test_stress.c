/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Cross-thread stress on the host backend, run under ThreadSanitizer by the
 * tsan flavour of scripts/test. A lost wake shows as a hang (ctest's timeout
 * fails it); a poll of a finished task, or of a task twice at once, fails an
 * assert in the poll function.
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

#define THREADS 4
#define TOTAL_WAKES 1000000u

/* ---- every increment is observed -------------------------------------- */

struct observer {
    aexec_task task;
    _Atomic uint32_t produced; /* incremented by the threads before each wake */
    uint32_t seen;             /* the last value a poll read */
    uint32_t polls;
    _Atomic int in_poll;
    int finished;
};

static aexec_poll observer_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    struct observer *o = AEXEC_CONTAINER_OF(t, struct observer, task);
    assert_false(o->finished); /* never polled after READY */
    assert_int_equal(atomic_exchange(&o->in_poll, 1), 0);
    uint32_t now = atomic_load_explicit(&o->produced, memory_order_acquire);
    assert_true(now >= o->seen);
    o->seen = now;
    o->polls++;
    atomic_store(&o->in_poll, 0);
    if (now == TOTAL_WAKES) {
        o->finished = 1;
        return AEXEC_READY;
    }
    return AEXEC_PENDING;
}

static void *increment_and_wake(void *arg)
{
    struct observer *o = arg;
    for (uint32_t i = 0; i < TOTAL_WAKES / THREADS; i++) {
        atomic_fetch_add_explicit(&o->produced, 1u, memory_order_release);
        aexec_wake(&o->task);
    }
    return NULL;
}

static void a_task_observes_every_increment_of_four_threads(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static struct observer o;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_spawn(&ex, &o.task, observer_poll), 0);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, increment_and_wake, &o), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(o.seen, TOTAL_WAKES);
    assert_true(o.polls >= 1 && o.polls <= TOTAL_WAKES + 1);
    printf("  %u wakes from %d threads, %u polls, every increment observed\n", TOTAL_WAKES, THREADS,
           o.polls);
    aexec_host_destroy(&host);
}

/* ---- wakes and notifications racing with finish and respawn ------------- */

#define WORKERS 16
#define LIVES 20000u /* spawns in total, across the workers */

struct worker {
    aexec_task task;
    _Atomic int alive; /* set by the spawner, cleared by the last poll */
    uint32_t polls;
    uint32_t life_polls;
};

static struct worker workers[WORKERS];
static _Atomic uint32_t lives_done;
static _Atomic int stop_wakers;

static aexec_poll worker_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    struct worker *w = AEXEC_CONTAINER_OF(t, struct worker, task);
    assert_int_equal(atomic_load(&w->alive), 1); /* no poll of a dead task */
    w->polls++;
    if (++w->life_polls < 3)
        return AEXEC_PENDING; /* the wakers will poll it again */
    atomic_store(&w->alive, 0);
    atomic_fetch_add(&lives_done, 1u);
    return AEXEC_READY;
}

/* Respawns finished workers until LIVES lives have been spawned. */
struct respawner {
    aexec_task task;
    uint32_t spawned;
};

static aexec_poll respawner_poll(aexec_task *t, aexec_cx *cx)
{
    struct respawner *r = AEXEC_CONTAINER_OF(t, struct respawner, task);
    for (int i = 0; i < WORKERS && r->spawned < LIVES; i++) {
        struct worker *w = &workers[i];
        if (atomic_load(&w->alive))
            continue;
        w->life_polls = 0;
        atomic_store(&w->alive, 1);
        if (aexec_spawn(cx->executor, &w->task, worker_poll) == 0) {
            r->spawned++;
        } else {
            atomic_store(&w->alive, 0); /* still linked from its last life: next time */
        }
    }
    if (r->spawned == LIVES)
        return AEXEC_READY;
    aexec_cx_wake(cx, t);
    return AEXEC_PENDING;
}

/* A thread that wakes or notifies random tasks of an array until `stop` is set. */
struct random_waker {
    char *tasks;   /* the first task header */
    size_t stride; /* bytes from one task header to the next */
    uint32_t count;
    uint32_t seed;
    _Atomic int *stop;
};

static void *wake_at_random(void *arg)
{
    const struct random_waker *w = arg;
    uint32_t x = w->seed * 2654435761u + 1u;
    while (!atomic_load_explicit(w->stop, memory_order_relaxed)) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        aexec_task *t = (aexec_task *)(void *)(w->tasks + (size_t)(x % w->count) * w->stride);
        if (x & 0x100u)
            aexec_notify(t);
        else
            aexec_wake(t);
    }
    return NULL;
}

static void wakes_racing_with_finish_and_respawn_never_poll_a_dead_task(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static struct respawner r;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    atomic_store(&stop_wakers, 0);
    atomic_store(&lives_done, 0);
    pthread_t th[THREADS];
    struct random_waker wakers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        wakers[i] = (struct random_waker){(char *)&workers[0].task, sizeof workers[0], WORKERS,
                                          (uint32_t)i + 1u, &stop_wakers};
        assert_int_equal(pthread_create(&th[i], NULL, wake_at_random, &wakers[i]), 0);
    }
    assert_int_equal(aexec_spawn(&ex, &r.task, respawner_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    atomic_store(&stop_wakers, 1);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&lives_done), LIVES);
    printf("  %u lives of %d workers under random wakes from %d threads\n", LIVES, WORKERS,
           THREADS);
    aexec_host_destroy(&host);
}

/* ---- spawning from other threads through a pool ------------------------- */

#define POOL_SLOTS 32
#define POOL_SPAWNS 100000u

struct job {
    aexec_task task;
    uint32_t value;
};

static uint64_t job_sum;   /* the executor's thread only */
static uint32_t jobs_done; /* the executor's thread only */

static aexec_poll job_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    struct job *j = AEXEC_CONTAINER_OF(t, struct job, task);
    job_sum += j->value;
    jobs_done++;
    return AEXEC_READY;
}

static aexec_pool job_pool;

static void *spawn_jobs(void *arg)
{
    uint32_t base = (uint32_t)(uintptr_t)arg;
    for (uint32_t i = 0; i < POOL_SPAWNS / THREADS;) {
        aexec_task *t;
        if (aexec_pool_claim(&job_pool, &t) != 0)
            continue; /* full: the executor is finishing some */
        AEXEC_CONTAINER_OF(t, struct job, task)->value = base + i;
        aexec_pool_spawn(&job_pool, t, NULL);
        i++;
    }
    return NULL;
}

/* Keeps the executor running until every job has run. */
static aexec_poll keeper_poll(aexec_task *t, aexec_cx *cx)
{
    if (jobs_done == POOL_SPAWNS)
        return AEXEC_READY;
    aexec_cx_wake(cx, t);
    return AEXEC_PENDING;
}

static void pool_spawns_from_four_threads_each_run_once(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static struct job jobs[POOL_SLOTS];
    static aexec_pool_link links[POOL_SLOTS];
    static aexec_task keeper;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_pool_init(&job_pool, &ex, jobs, sizeof jobs[0],
                                     offsetof(struct job, task), POOL_SLOTS, links, job_poll),
                     0);
    job_sum = 0;
    jobs_done = 0;
    assert_int_equal(aexec_spawn(&ex, &keeper, keeper_poll), 0);
    pthread_t th[THREADS];
    uint64_t expect = 0;
    for (int i = 0; i < THREADS; i++) {
        uint32_t base = (uint32_t)i * 1000000u;
        for (uint32_t k = 0; k < POOL_SPAWNS / THREADS; k++)
            expect += base + k;
        assert_int_equal(pthread_create(&th[i], NULL, spawn_jobs, (void *)(uintptr_t)base), 0);
    }
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(jobs_done, POOL_SPAWNS);
    assert_int_equal(job_sum, expect);
    /* every slot came back */
    aexec_task *t[POOL_SLOTS];
    for (int i = 0; i < POOL_SLOTS; i++)
        assert_int_equal(aexec_pool_claim(&job_pool, &t[i]), 0);
    assert_int_equal(aexec_pool_claim(&job_pool, &t[0]), AEXEC_EFULL);
    aexec_host_destroy(&host);
}

/* ---- pool slots reused within a batch, under random wakes --------------- */

/*
 * A task respawns pool slots through its cx (reusing slots freed earlier in
 * the same batch, with the plain-store launch), a thread claims and spawns
 * slots of the same pool from outside (the CAS launch, racing with the
 * executor popping a lingering link), and two threads wake and notify slots
 * at random, dead or alive. Every third life wakes itself in its last poll,
 * so it finishes still linked. A poll of a dead slot, or of an old life in a
 * new one, fails an assert; a lost wake or spawn hangs.
 */
#define PSLOTS 16
#define PLIVES 40000u

struct pworker {
    aexec_task task;
    _Atomic int alive; /* set by whoever spawns it, cleared by its last poll */
    uint32_t life_polls;
    uint32_t gen; /* the generation its first poll saw */
    uint32_t life;
};

static struct pworker pworkers[PSLOTS];
static aexec_pool pworker_pool;
static _Atomic uint32_t plives_spawned, plives_done, pthread_spawned;
static _Atomic int stop_pwakers;

static aexec_poll pworker_poll(aexec_task *t, aexec_cx *cx)
{
    struct pworker *w = AEXEC_CONTAINER_OF(t, struct pworker, task);
    assert_int_equal(atomic_load(&w->alive), 1); /* no poll of a dead slot */
    uint32_t gen = AEXEC_TASK_GEN(aexec_task_state(t));
    if (w->life_polls == 0)
        w->gen = gen;
    assert_int_equal(gen, w->gen); /* no poll of an old life in a new one */
    if (++w->life_polls < 3)
        return AEXEC_PENDING; /* the wakers will poll it again */
    if (w->life % 3 == 0)
        aexec_cx_wake(cx, t); /* finishes linked: the link outlives it */
    atomic_store(&w->alive, 0);
    atomic_fetch_add(&plives_done, 1u);
    return AEXEC_READY;
}

/* Claims a life for `t` if any is left; 0 when all have been handed out. */
static int pworker_start(aexec_task *t)
{
    uint32_t life = atomic_fetch_add(&plives_spawned, 1u);
    if (life >= PLIVES) {
        aexec_pool_unclaim(&pworker_pool, t);
        return 0;
    }
    struct pworker *w = AEXEC_CONTAINER_OF(t, struct pworker, task);
    w->life_polls = 0;
    w->life = life;
    atomic_store(&w->alive, 1);
    return 1;
}

static aexec_poll prespawner_poll(aexec_task *t, aexec_cx *cx)
{
    aexec_task *slot;
    while (atomic_load(&plives_spawned) < PLIVES &&
           aexec_cx_pool_claim(cx, &pworker_pool, &slot) == 0) {
        if (!pworker_start(slot))
            break;
        aexec_pool_spawn(&pworker_pool, slot, cx);
    }
    if (atomic_load(&plives_done) == PLIVES)
        return AEXEC_READY;
    aexec_cx_wake(cx, t); /* after this batch's workers: reuses what they free */
    return AEXEC_PENDING;
}

static void *spawn_pworkers(void *arg)
{
    (void)arg;
    while (atomic_load(&plives_spawned) < PLIVES) {
        aexec_task *t;
        if (aexec_pool_claim(&pworker_pool, &t) != 0)
            continue;
        if (!pworker_start(t))
            break;
        aexec_pool_spawn(&pworker_pool, t, NULL);
        atomic_fetch_add(&pthread_spawned, 1u);
    }
    return NULL;
}

static void pool_slots_reused_in_their_batch_under_random_wakes_and_foreign_spawns(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static aexec_pool_link links[PSLOTS];
    static aexec_task prespawner;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_pool_init(&pworker_pool, &ex, pworkers, sizeof pworkers[0],
                                     offsetof(struct pworker, task), PSLOTS, links, pworker_poll),
                     0);
    atomic_store(&plives_spawned, 0);
    atomic_store(&plives_done, 0);
    atomic_store(&pthread_spawned, 0);
    atomic_store(&stop_pwakers, 0);
    pthread_t th[3];
    struct random_waker wakers[3];
    assert_int_equal(pthread_create(&th[0], NULL, spawn_pworkers, NULL), 0);
    for (int i = 1; i < 3; i++) {
        wakers[i] = (struct random_waker){(char *)&pworkers[0].task, sizeof pworkers[0], PSLOTS,
                                          (uint32_t)i, &stop_pwakers};
        assert_int_equal(pthread_create(&th[i], NULL, wake_at_random, &wakers[i]), 0);
    }
    assert_int_equal(aexec_spawn(&ex, &prespawner, prespawner_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    atomic_store(&stop_pwakers, 1);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&plives_done), PLIVES);
    /* Every slot came back: a waker that linked a task before it finished
     * may push the link late, and aexec_run() waited for that pop (I3, I4). */
    aexec_task *t[PSLOTS];
    for (int i = 0; i < PSLOTS; i++)
        assert_int_equal(aexec_pool_claim(&pworker_pool, &t[i]), 0);
    assert_int_equal(aexec_pool_claim(&pworker_pool, &t[0]), AEXEC_EFULL);
    printf("  %u lives in %d slots (%u spawned by a thread) under random wakes\n", PLIVES, PSLOTS,
           atomic_load(&pthread_spawned));
    aexec_host_destroy(&host);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_task_observes_every_increment_of_four_threads),
        cmocka_unit_test(wakes_racing_with_finish_and_respawn_never_poll_a_dead_task),
        cmocka_unit_test(pool_spawns_from_four_threads_each_run_once),
        cmocka_unit_test(pool_slots_reused_in_their_batch_under_random_wakes_and_foreign_spawns),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
