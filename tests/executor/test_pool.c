/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Task pools: claim, spawn, finish, reuse; full pools; bad input; misuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "core/inline.h"
#include "expect_panic.h"
#include "test_port.h"

struct job {
    aexec_task task;
    int id;
    int polls;
    int finish_after;
};

static aexec_poll job_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    struct job *j = AEXEC_CONTAINER_OF(t, struct job, task);
    j->polls++;
    return j->polls >= j->finish_after ? AEXEC_READY : AEXEC_PENDING;
}

#define SLOTS 4

static aexec_executor ex;
static test_port port;
static struct job jobs[SLOTS];
static aexec_pool_link links[SLOTS];
static aexec_pool pool;

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    memset(jobs, 0, sizeof jobs);
    assert_int_equal(aexec_pool_init(&pool, &ex, jobs, sizeof jobs[0], offsetof(struct job, task),
                                     SLOTS, links, job_poll),
                     0);
    return 0;
}

static struct job *claim(void)
{
    aexec_task *t = NULL;
    assert_int_equal(aexec_pool_claim(&pool, &t), 0);
    assert_non_null(t);
    return AEXEC_CONTAINER_OF(t, struct job, task);
}

static void claims_hand_out_every_slot_once(void **state)
{
    (void)state;
    int seen[SLOTS] = {0};
    for (int i = 0; i < SLOTS; i++) {
        struct job *j = claim();
        ptrdiff_t k = j - jobs;
        assert_true(k >= 0 && k < SLOTS);
        assert_int_equal(seen[k]++, 0);
    }
}

static void a_full_pool_reports_efull_and_stays_unchanged(void **state)
{
    (void)state;
    for (int i = 0; i < SLOTS; i++)
        claim();
    uint32_t top = atomic_load(&pool.free_top);
    aexec_task *t = (aexec_task *)0x1;
    assert_int_equal(aexec_pool_claim(&pool, &t), AEXEC_EFULL);
    assert_ptr_equal(t, (aexec_task *)0x1); /* not written */
    assert_int_equal(atomic_load(&pool.free_top), top);
}

static void a_spawned_slot_runs_and_returns_at_the_end_of_its_batch(void **state)
{
    (void)state;
    struct job *j = claim();
    j->finish_after = 1;
    aexec_pool_spawn(&pool, &j->task, NULL);
    for (int i = 1; i < SLOTS; i++)
        claim();
    aexec_task *t;
    assert_int_equal(aexec_pool_claim(&pool, &t), AEXEC_EFULL);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(j->polls, 1);
    assert_int_equal(aexec_pool_claim(&pool, &t), 0); /* back in the pool */
    assert_ptr_equal(t, &j->task);
}

static void a_slot_is_reused_with_a_new_generation(void **state)
{
    (void)state;
    uint32_t gen = 0;
    for (int life = 1; life <= 10; life++) {
        struct job *j = claim();
        assert_ptr_equal(j, &jobs[0]); /* the freed slot is on top again */
        j->polls = 0;
        j->finish_after = 2;
        aexec_pool_spawn(&pool, &j->task, NULL);
        uint32_t g = AEXEC_TASK_GEN(aexec_task_state(&j->task));
        assert_true(g > gen);
        gen = g;
        aexec_executor_poll(&ex);
        aexec_wake(&j->task);
        aexec_executor_poll(&ex);
        assert_int_equal(j->polls, 2);
        assert_false(aexec_task_is_alive(&j->task));
    }
}

static void unclaim_returns_a_slot_at_once(void **state)
{
    (void)state;
    struct job *j = claim();
    aexec_pool_unclaim(&pool, &j->task);
    assert_ptr_equal(claim(), j);
}

static void init_rejects_bad_arguments(void **state)
{
    (void)state;
    aexec_pool p;
    size_t stride = sizeof jobs[0], off = offsetof(struct job, task);
    assert_int_equal(aexec_pool_init(NULL, &ex, jobs, stride, off, 1, links, job_poll),
                     AEXEC_EINVAL);
    assert_int_equal(aexec_pool_init(&p, NULL, jobs, stride, off, 1, links, job_poll),
                     AEXEC_EINVAL);
    assert_int_equal(aexec_pool_init(&p, &ex, NULL, stride, off, 1, links, job_poll), AEXEC_EINVAL);
    assert_int_equal(aexec_pool_init(&p, &ex, jobs, stride, off, 1, NULL, job_poll), AEXEC_EINVAL);
    assert_int_equal(aexec_pool_init(&p, &ex, jobs, stride, off, 1, links, NULL), AEXEC_EINVAL);
    assert_int_equal(aexec_pool_init(&p, &ex, jobs, stride, off, 0, links, job_poll), AEXEC_EINVAL);
    assert_int_equal(
        aexec_pool_init(&p, &ex, jobs, stride, off, AEXEC_POOL_MAX + 1u, links, job_poll),
        AEXEC_EINVAL);
    assert_int_equal(aexec_pool_init(&p, &ex, jobs, sizeof(aexec_task) - 1, 0, 1, links, job_poll),
                     AEXEC_EINVAL);
    /* Slots spanning more than 32 bits of offsets (8192 x 1 MiB): refused before any slot or
     * link is touched, so these arrays of 4 stand in for the large ones. */
    uintptr_t owner = atomic_load(&jobs[0].task.owner);
    assert_int_equal(aexec_pool_init(&p, &ex, jobs, (size_t)1 << 20, off, 8192, links, job_poll),
                     AEXEC_EINVAL);
    assert_int_equal(atomic_load(&jobs[0].task.owner), owner);
    assert_int_equal(atomic_load(&pool.free_top), 1u); /* setup's pool: slot 1 on top, whole */
}

/* Odd, even and power-of-two strides all map slots back to their index. */
static void slots_of_any_stride_return_to_their_own_index(void **state)
{
    (void)state;
    /* Room for 7 slots of every stride: 7 is prime to the scramble's step 3,
     * so each slot is given back exactly once. */
    static _Alignas(16) unsigned char raw[7 * 64];
    static aexec_pool_link l[7];
    const size_t strides[] = {sizeof(aexec_task), 40, 48, 56, 64};
    for (size_t s = 0; s < sizeof strides / sizeof strides[0]; s++) {
        memset(raw, 0, sizeof raw);
        aexec_pool p;
        size_t count = sizeof raw / strides[s] < 7 ? sizeof raw / strides[s] : 7;
        assert_int_equal(aexec_pool_init(&p, &ex, raw, strides[s], 0, count, l, job_poll), 0);
        aexec_task *t[7];
        for (size_t i = 0; i < count; i++)
            assert_int_equal(aexec_pool_claim(&p, &t[i]), 0);
        /* give them back in a scrambled order; they come out in reverse */
        for (size_t i = 0; i < count; i++)
            aexec_pool_unclaim(&p, t[(i * 3) % count]);
        for (size_t i = count; i-- > 0;) {
            aexec_task *u;
            assert_int_equal(aexec_pool_claim(&p, &u), 0);
            assert_ptr_equal(u, t[(i * 3) % count]);
        }
    }
}

/* A 65,535-slot pool claims in O(1): the last claim costs what the first did. */
static void the_largest_pool_claims_and_releases_every_slot(void **state)
{
    (void)state;
    static aexec_task big[AEXEC_POOL_MAX];
    static aexec_pool_link big_links[AEXEC_POOL_MAX];
    aexec_pool p;
    memset(big, 0, sizeof big);
    assert_int_equal(
        aexec_pool_init(&p, &ex, big, sizeof big[0], 0, AEXEC_POOL_MAX, big_links, job_poll), 0);
    aexec_task *t;
    for (uint32_t i = 0; i < AEXEC_POOL_MAX; i++) {
        assert_int_equal(aexec_pool_claim(&p, &t), 0);
        assert_ptr_equal(t, &big[i]);
    }
    assert_int_equal(aexec_pool_claim(&p, &t), AEXEC_EFULL);
    aexec_pool_unclaim(&p, &big[AEXEC_POOL_MAX - 1]);
    assert_int_equal(aexec_pool_claim(&p, &t), 0);
    assert_ptr_equal(t, &big[AEXEC_POOL_MAX - 1]);
}

static void spawn_slot_plainly(void *arg)
{
    aexec_spawn(&ex, arg, job_poll);
}

static void spawning_a_pool_slot_with_aexec_spawn_asserts(void **state)
{
    (void)state;
    struct job *j = claim();
    const char *msg = test_expect_panic(spawn_slot_plainly, &j->task);
    assert_non_null(strstr(msg, "aexec_spawn"));
    assert_non_null(strstr(msg, "pool"));
}

static void spawn_slot_again(void *arg)
{
    aexec_pool_spawn(&pool, arg, NULL);
}

static void spawning_a_slot_twice_asserts(void **state)
{
    (void)state;
    struct job *j = claim();
    aexec_pool_spawn(&pool, &j->task, NULL);
    const char *msg = test_expect_panic(spawn_slot_again, &j->task);
    assert_non_null(strstr(msg, "aexec_pool_spawn"));
}

/* ---- claiming from a task (aexec_cx_pool_claim) --------------------------- */

/*
 * A task that, each poll, claims up to `want` slots through its cx, spawns
 * them with job `finish_after` and records what it got.
 */
struct recycler {
    aexec_task task;
    aexec_pool *pool;
    int want;
    int finish_after;
    int again; /* polls still to queue: each one after the jobs it spawned */
    int got;
    aexec_task *slots[SLOTS];
    uint32_t free_top_before;
};

static aexec_poll recycler_poll(aexec_task *t, aexec_cx *cx)
{
    struct recycler *r = AEXEC_CONTAINER_OF(t, struct recycler, task);
    r->free_top_before = atomic_load(&r->pool->free_top);
    r->got = 0;
    aexec_task *slot;
    while (r->got < r->want && aexec_cx_pool_claim(cx, r->pool, &slot) == 0) {
        struct job *j = AEXEC_CONTAINER_OF(slot, struct job, task);
        j->polls = 0;
        j->finish_after = r->finish_after;
        aexec_pool_spawn(r->pool, slot, cx);
        r->slots[r->got++] = slot;
    }
    if (r->again > 0) {
        r->again--;
        aexec_cx_wake(cx, t);
    }
    return AEXEC_PENDING;
}

static void
a_task_reuses_slots_freed_earlier_in_its_batch_without_touching_the_free_stack(void **state)
{
    (void)state;
    static struct recycler r;
    r = (struct recycler){.pool = &pool, .want = SLOTS, .finish_after = 1, .again = 1};
    assert_int_equal(aexec_spawn(&ex, &r.task, recycler_poll), 0);
    aexec_executor_poll(&ex); /* claims all four from the free stack */
    assert_int_equal(r.got, SLOTS);
    /* Next batch: the four jobs run and finish first, then the recycler
     * (woken after them) claims the same four again, from the batch's
     * private list: the shared free stack does not move. */
    uint32_t empty = atomic_load(&pool.free_top);
    assert_int_equal(aexec_executor_poll(&ex), SLOTS + 1);
    assert_int_equal(r.got, SLOTS);
    assert_int_equal(r.free_top_before, empty);
    assert_int_equal(atomic_load(&pool.free_top), empty);
    /* Most recently finished first, and each is alive in a new life. */
    for (int i = 0; i < SLOTS; i++) {
        assert_ptr_equal(r.slots[i], &jobs[SLOTS - 1 - i].task);
        assert_true(aexec_task_is_alive(r.slots[i]));
    }
    /* They run once each in the next batch, then return to the shared stack. */
    r.want = 0;
    assert_int_equal(aexec_executor_poll(&ex), SLOTS);
    for (int i = 0; i < SLOTS; i++)
        assert_int_equal(jobs[i].polls, 1);
    for (int i = 0; i < SLOTS; i++)
        claim();
}

static void a_partly_reused_batch_returns_the_rest_to_the_pool(void **state)
{
    (void)state;
    static struct recycler r;
    r = (struct recycler){.pool = &pool, .want = SLOTS, .finish_after = 1, .again = 1};
    assert_int_equal(aexec_spawn(&ex, &r.task, recycler_poll), 0);
    aexec_executor_poll(&ex);
    r.want = 1;
    aexec_executor_poll(&ex); /* four finish, one is reused */
    assert_int_equal(r.got, 1);
    aexec_task *t[SLOTS];
    for (int i = 0; i < SLOTS - 1; i++)
        assert_int_equal(aexec_pool_claim(&pool, &t[i]), 0);
    assert_int_equal(aexec_pool_claim(&pool, &t[SLOTS - 1]), AEXEC_EFULL);
    /* The reused one finishes in the next batch; the list of pools with
     * freed slots is rebuilt from scratch, so it comes back exactly once. */
    r.want = 0;
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(aexec_pool_claim(&pool, &t[SLOTS - 1]), 0);
    assert_ptr_equal(t[SLOTS - 1], r.slots[0]);
    assert_int_equal(aexec_pool_claim(&pool, &t[0]), AEXEC_EFULL);
}

/*
 * A job that wakes itself in its last poll through the run queue, as another
 * context would: it finishes still linked (LINGER). (aexec_cx_wake of itself
 * would be dropped with the finished poll: a task never finishes listed.)
 */
static aexec_poll lingering_job_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    struct job *j = AEXEC_CONTAINER_OF(t, struct job, task);
    j->polls++;
    if (j->polls >= j->finish_after) {
        aexec_wake(t);
        return AEXEC_READY;
    }
    return AEXEC_PENDING;
}

static void a_slot_that_finishes_still_linked_returns_once_its_link_is_popped(void **state)
{
    (void)state;
    static struct recycler r;
    static struct job lj[1];
    static aexec_pool_link ll[1];
    static aexec_pool lp;
    memset(lj, 0, sizeof lj);
    assert_int_equal(aexec_pool_init(&lp, &ex, lj, sizeof lj[0], offsetof(struct job, task), 1, ll,
                                     lingering_job_poll),
                     0);
    r = (struct recycler){.pool = &lp, .want = 1, .finish_after = 1, .again = 3};
    assert_int_equal(aexec_spawn(&ex, &r.task, recycler_poll), 0);
    aexec_executor_poll(&ex);
    uint32_t gen = AEXEC_TASK_GEN(aexec_task_state(&lj[0].task));
    /* The job finishes and links itself again: its slot is not handed out
     * while that link is in the queue, not even to a task of its executor. */
    assert_int_equal(aexec_executor_poll(&ex), 2);
    assert_int_equal(lj[0].polls, 1);
    assert_int_equal(r.got, 0);
    aexec_task *t;
    assert_int_equal(aexec_pool_claim(&lp, &t), AEXEC_EFULL);
#if !AEXEC__LOCAL_WAKES
    /* Built with one queue (-Os: docs/design.md, "One queue when
     * optimizing for size"), the recycler's wake of itself was pushed after
     * the link, so the next batch pops the link first (no poll): the slot
     * comes back, and the recycler, polled after it, gets it. */
    assert_int_equal(aexec_executor_poll(&ex), 2);
    assert_int_equal(r.got, 1);
    assert_int_equal(lj[0].polls, 0); /* reset by the recycler: not polled since */
    assert_int_equal(AEXEC_TASK_GEN(aexec_task_state(&lj[0].task)), gen + 1);
    /* Its new life (one poll, linked again as it finishes), and the
     * recycler's last poll, which finds the slot still linked. */
    assert_int_equal(aexec_executor_poll(&ex), 2);
    assert_int_equal(lj[0].polls, 1);
    assert_int_equal(r.got, 0);
#else
    /* The next batch runs the recycler (a local wake, first) while the link
     * is still queued, then pops the link (no poll): the slot comes back. */
    assert_int_equal(aexec_executor_poll(&ex), 2);
    assert_int_equal(r.got, 0);
    assert_int_equal(lj[0].polls, 1);
    /* So the recycler's next poll gets it. */
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(r.got, 1);
    assert_int_equal(lj[0].polls, 0); /* reset by the recycler: not polled since */
    assert_int_equal(AEXEC_TASK_GEN(aexec_task_state(&lj[0].task)), gen + 1);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* its new life: one poll */
    assert_int_equal(lj[0].polls, 1);
#endif
    assert_int_equal(aexec_executor_poll(&ex), 1); /* linked again: popped, not polled */
    assert_int_equal(lj[0].polls, 1);
    assert_false(aexec_task_is_alive(&lj[0].task));
    assert_int_equal(aexec_executor_poll(&ex), 0);
    assert_int_equal(aexec_pool_claim(&lp, &t), 0);
}

/*
 * A slot at the last generation, launched by a task of its executor (with
 * local wakes: the plain store of its new state, listed), lives at
 * generation 1, not 0 (0 means "never spawned"): it runs, and a handle of
 * its last life is stale.
 */
static void a_slot_launched_by_a_task_after_the_last_generation_skips_zero(void **state)
{
    (void)state;
    static struct recycler r;
    atomic_store(&jobs[0].task.state,
                 ~0u << AEXEC_TASK_GEN_SHIFT); /* dead, at the last generation */
    aexec_handle last = aexec_task_handle(&jobs[0].task);
    r = (struct recycler){.pool = &pool, .want = 1, .finish_after = 1};
    assert_int_equal(aexec_spawn(&ex, &r.task, recycler_poll), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(r.got, 1);
    assert_ptr_equal(r.slots[0], &jobs[0].task);
    assert_int_equal(AEXEC_TASK_GEN(aexec_task_state(&jobs[0].task)), 1);
    assert_true(aexec_task_is_alive(&jobs[0].task));
    assert_int_equal(aexec_task_cancel(last), AEXEC_ESTALE);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* its first poll is its last */
    assert_int_equal(jobs[0].polls, 1);
    assert_false(aexec_task_is_alive(&jobs[0].task));
}

/*
 * A pool on the stack lies far from the static executor on a 64-bit host
 * (more than 2 GiB), beyond a 32-bit link's reach (the local wake list's,
 * decided once for the pool at its init): a slot that a task of the
 * executor launches there is linked (RUN_QUEUED, on the FIFO), one in reach
 * is listed (not RUN_QUEUED; with one queue, -Os, or through the critical
 * section, every launch is linked).
 * Either way it runs once and returns to its pool.
 */
static void a_task_launches_a_slot_out_of_the_lists_reach_linked(void **state)
{
    (void)state;
    struct job sj[2];
    aexec_pool_link sl[2];
    aexec_pool sp;
    memset(sj, 0, sizeof sj);
    assert_int_equal(
        aexec_pool_init(&sp, &ex, sj, sizeof sj[0], offsetof(struct job, task), 2, sl, job_poll),
        0);
    uintptr_t d = (uintptr_t)&sj[0].task - (uintptr_t)&ex;
    int far = d + 0x80000000u > 0xFFFFFFFFu;
#if __STDC_HOSTED__
    assert_int_equal(far, sizeof(void *) == 8);
#endif
    static struct recycler r;
    r = (struct recycler){.pool = &sp, .want = 1, .finish_after = 1};
    assert_int_equal(aexec_spawn(&ex, &r.task, recycler_poll), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(r.got, 1);
    assert_ptr_equal(r.slots[0], &sj[0].task);
    int linked = (aexec_task_state(&sj[0].task) & AEXEC_TASK_RUN_QUEUED) != 0;
#if defined(AEXEC_CONFIG_RUNQUEUE_CS) && AEXEC_CONFIG_RUNQUEUE_CS
    /* Through the critical section a launch keeps its CAS, so it links. */
    const int may_list = 0;
#else
    const int may_list = AEXEC__LOCAL_WAKES;
#endif
    assert_int_equal(linked, far || !may_list);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(sj[0].polls, 1);
    assert_false(aexec_task_is_alive(&sj[0].task));
    aexec_task *t[2];
    assert_int_equal(aexec_pool_claim(&sp, &t[0]), 0);
    assert_int_equal(aexec_pool_claim(&sp, &t[1]), 0);
    assert_true((t[0] == &sj[0].task && t[1] == &sj[1].task) ||
                (t[0] == &sj[1].task && t[1] == &sj[0].task));
}

static void a_task_of_another_executor_claims_from_the_free_stack(void **state)
{
    (void)state;
    static aexec_executor other;
    static test_port other_port;
    static struct recycler r;
    test_port_init(&other_port, &other, 1000);
    r = (struct recycler){.pool = &pool, .want = 1, .finish_after = 1};
    assert_int_equal(aexec_spawn(&other, &r.task, recycler_poll), 0);
    uint32_t top = atomic_load(&pool.free_top);
    aexec_executor_poll(&other);
    assert_int_equal(r.got, 1);
    assert_ptr_equal(r.slots[0], &jobs[0].task);
    assert_int_not_equal(atomic_load(&pool.free_top), top);
    /* The slot runs on the pool's executor, not on the claimer's. */
    assert_int_equal(aexec_executor_poll(&other), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(jobs[0].polls, 1);
}

/*
 * Claims and spawns every slot onto the local wake list (their first polls
 * leave them pending), then wakes them all and itself from its own poll, so
 * that their last polls make one batch of local wakes alone, with nothing pushed, no timer and
 * nothing on the FIFO: the batch aexec_run() runs without a pool flush.
 * Then it stops the run.
 */
struct slot_driver {
    aexec_task task;
    int polls;
};

static aexec_poll slot_driver_poll(aexec_task *t, aexec_cx *cx)
{
    struct slot_driver *d = AEXEC_CONTAINER_OF(t, struct slot_driver, task);
    switch (d->polls++) {
    case 0:
        for (int i = 0; i < SLOTS; i++) {
            aexec_task *slot = NULL;
            assert_int_equal(aexec_cx_pool_claim(cx, &pool, &slot), 0);
            AEXEC_CONTAINER_OF(slot, struct job, task)->finish_after = 2;
            aexec_pool_spawn(&pool, slot, cx);
        }
        aexec_cx_wake(cx, t);
        return AEXEC_PENDING;
    case 1:
        for (int i = 0; i < SLOTS; i++)
            aexec_cx_wake(cx, &jobs[i].task);
        aexec_cx_wake(cx, t);
        return AEXEC_PENDING;
    default: aexec_executor_stop(cx->executor); return AEXEC_READY;
    }
}

static void a_run_stopped_after_a_busy_batch_has_returned_its_finished_slots(void **state)
{
    (void)state;
    static struct slot_driver d;
    d = (struct slot_driver){0};
    assert_int_equal(aexec_spawn(&ex, &d.task, slot_driver_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_STOPPED);
    assert_int_equal(d.polls, 3);
    for (int i = 0; i < SLOTS; i++) {
        assert_int_equal(jobs[i].polls, 2);
        assert_false(aexec_task_is_alive(&jobs[i].task));
    }
    /* All four on the shared free stack, where any context claims. */
    for (int i = 0; i < SLOTS; i++)
        claim();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(claims_hand_out_every_slot_once, setup),
        cmocka_unit_test_setup(a_full_pool_reports_efull_and_stays_unchanged, setup),
        cmocka_unit_test_setup(a_spawned_slot_runs_and_returns_at_the_end_of_its_batch, setup),
        cmocka_unit_test_setup(a_slot_is_reused_with_a_new_generation, setup),
        cmocka_unit_test_setup(unclaim_returns_a_slot_at_once, setup),
        cmocka_unit_test_setup(init_rejects_bad_arguments, setup),
        cmocka_unit_test_setup(slots_of_any_stride_return_to_their_own_index, setup),
        cmocka_unit_test_setup(the_largest_pool_claims_and_releases_every_slot, setup),
        cmocka_unit_test_setup(spawning_a_pool_slot_with_aexec_spawn_asserts, setup),
        cmocka_unit_test_setup(spawning_a_slot_twice_asserts, setup),
        cmocka_unit_test_setup(
            a_task_reuses_slots_freed_earlier_in_its_batch_without_touching_the_free_stack, setup),
        cmocka_unit_test_setup(a_partly_reused_batch_returns_the_rest_to_the_pool, setup),
        cmocka_unit_test_setup(a_slot_that_finishes_still_linked_returns_once_its_link_is_popped,
                               setup),
        cmocka_unit_test_setup(a_task_of_another_executor_claims_from_the_free_stack, setup),
        cmocka_unit_test_setup(a_task_launches_a_slot_out_of_the_lists_reach_linked, setup),
        cmocka_unit_test_setup(a_slot_launched_by_a_task_after_the_last_generation_skips_zero,
                               setup),
        cmocka_unit_test_setup(a_run_stopped_after_a_busy_batch_has_returned_its_finished_slots,
                               setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
