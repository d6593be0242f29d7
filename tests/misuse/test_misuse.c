/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Misuse stops at an assert whose message names the function and the rule,
 * before any object changes: pool slots spawned without a claim or given
 * back twice, a task joining itself, two tasks awaiting one join, a ticker
 * period below one tick, tick conversions at a rate of 0, an executor with a
 * tick rate but no clock, an executor polled before its init or run without
 * an idle hook, a pool handed a task it does not own, a listed task whose
 * storage is reused. Each test catches the panic (test_expect_panic
 * longjmps out of the library) and, where an object could have been
 * corrupted, checks that it was not. The poll functions are plain (no co.h)
 * so that each test shows exactly which call trips.
 */
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

#define HZ 1000u

static aexec_executor ex;
static test_port port;

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, HZ);
    return 0;
}

/* The message names the function and states the rule. */
static void assert_message(const char *msg, const char *function, const char *rule)
{
    if (strstr(msg, function) == NULL || strstr(msg, rule) == NULL)
        fail_msg("assert message \"%s\" should name \"%s\" and say \"%s\"", msg, function, rule);
}

/* ---- pools ------------------------------------------------------------------ */

#define SLOTS 4

struct job {
    aexec_task task;
    int polls;
};

static aexec_poll job_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    AEXEC_CONTAINER_OF(t, struct job, task)->polls++;
    return AEXEC_READY;
}

static struct job jobs[SLOTS];
static aexec_pool_link links[SLOTS];
static aexec_pool pool;

static int setup_pool(void **state)
{
    setup(state);
    memset(jobs, 0, sizeof jobs);
    assert_int_equal(aexec_pool_init(&pool, &ex, jobs, sizeof jobs[0], offsetof(struct job, task),
                                     SLOTS, links, job_poll),
                     0);
    return 0;
}

/* Every slot can be claimed once, then the pool reports EFULL: the free stack is whole. */
static void assert_pool_whole(void)
{
    int seen[SLOTS] = {0};
    aexec_task *t;
    for (int i = 0; i < SLOTS; i++) {
        assert_int_equal(aexec_pool_claim(&pool, &t), 0);
        ptrdiff_t k = AEXEC_CONTAINER_OF(t, struct job, task) - jobs;
        assert_true(k >= 0 && k < SLOTS);
        assert_int_equal(seen[k]++, 0);
    }
    assert_int_equal(aexec_pool_claim(&pool, &t), AEXEC_EFULL);
}

static void pool_spawn(void *arg)
{
    aexec_pool_spawn(&pool, arg, NULL);
}

static void pool_unclaim(void *arg)
{
    aexec_pool_unclaim(&pool, arg);
}

static void spawning_a_slot_that_was_never_claimed_asserts_and_leaves_the_pool_whole(void **state)
{
    (void)state;
    const char *msg = test_expect_panic(pool_spawn, &jobs[2].task);
    assert_message(msg, "aexec_pool_spawn", "not claimed");
    assert_int_equal(jobs[2].polls, 0);
    assert_pool_whole();
}

static void spawning_a_finished_slot_again_without_a_claim_asserts(void **state)
{
    (void)state;
    aexec_task *t;
    assert_int_equal(aexec_pool_claim(&pool, &t), 0);
    aexec_pool_spawn(&pool, t, NULL);
    aexec_executor_poll(&ex); /* runs and finishes; the slot is back on the free stack */
    assert_int_equal(AEXEC_CONTAINER_OF(t, struct job, task)->polls, 1);
    const char *msg = test_expect_panic(pool_spawn, t);
    assert_message(msg, "aexec_pool_spawn", "not claimed");
    assert_pool_whole();
}

/* A slot claimed from a task, out of the slots freed in the same batch, is claimed too. */
struct respawner {
    aexec_task task;
    aexec_task *got;
    int err;
};

static aexec_poll respawner_poll(aexec_task *t, aexec_cx *cx)
{
    struct respawner *r = AEXEC_CONTAINER_OF(t, struct respawner, task);
    r->err = aexec_cx_pool_claim(cx, &pool, &r->got);
    if (r->err == 0)
        aexec_pool_spawn(&pool, r->got, cx);
    return AEXEC_READY;
}

static void a_slot_reused_within_its_batch_is_claimed_and_spawns(void **state)
{
    (void)state;
    aexec_task *t;
    assert_int_equal(aexec_pool_claim(&pool, &t), 0);
    aexec_pool_spawn(&pool, t, NULL);
    struct respawner r = {0};
    assert_int_equal(aexec_spawn(&ex, &r.task, respawner_poll), 0);
    aexec_executor_poll(&ex); /* the job finishes first, then r takes its slot at once */
    assert_int_equal(r.err, 0);
    assert_ptr_equal(r.got, t);
    aexec_executor_poll(&ex);
    assert_int_equal(AEXEC_CONTAINER_OF(t, struct job, task)->polls, 2);
    assert_pool_whole();
}

static void giving_a_slot_back_twice_asserts_and_leaves_the_pool_whole(void **state)
{
    (void)state;
    aexec_task *t;
    assert_int_equal(aexec_pool_claim(&pool, &t), 0);
    aexec_pool_unclaim(&pool, t);
    const char *msg = test_expect_panic(pool_unclaim, t);
    assert_message(msg, "aexec_pool_unclaim", "not claimed");
    assert_pool_whole();
}

static void giving_back_a_spawned_slot_asserts(void **state)
{
    (void)state;
    aexec_task *t;
    assert_int_equal(aexec_pool_claim(&pool, &t), 0);
    aexec_pool_spawn(&pool, t, NULL);
    const char *msg = test_expect_panic(pool_unclaim, t);
    assert_message(msg, "aexec_pool_unclaim", "not claimed");
}

/* A slot of another pool, or a task of no pool, is refused by both calls. */
static struct job other_jobs[1];
static aexec_pool_link other_links[1];
static aexec_pool other_pool;

static void pool_spawn_null(void *arg)
{
    (void)arg;
    aexec_pool_spawn(&pool, NULL, NULL);
}

static void passing_a_task_the_pool_does_not_own_asserts_and_leaves_both_pools_whole(void **state)
{
    (void)state;
    static aexec_task loose;
    loose = (aexec_task){0};
    assert_int_equal(aexec_pool_init(&other_pool, &ex, other_jobs, sizeof other_jobs[0],
                                     offsetof(struct job, task), 1, other_links, job_poll),
                     0);
    aexec_task *foreign;
    assert_int_equal(aexec_pool_claim(&other_pool, &foreign), 0);
    assert_message(test_expect_panic(pool_spawn, foreign), "aexec_pool_spawn",
                   "not a slot of this pool");
    assert_message(test_expect_panic(pool_unclaim, foreign), "aexec_pool_unclaim",
                   "not a slot of this pool");
    assert_message(test_expect_panic(pool_spawn, &loose), "aexec_pool_spawn",
                   "not a slot of this pool");
    assert_message(test_expect_panic(pool_unclaim, &loose), "aexec_pool_unclaim",
                   "not a slot of this pool");
    assert_message(test_expect_panic(pool_spawn_null, NULL), "aexec_pool_spawn",
                   "not a slot of this pool");
    assert_int_equal(aexec_executor_poll(&ex), 0); /* nothing was queued */
    assert_int_equal(AEXEC_CONTAINER_OF(foreign, struct job, task)->polls, 0);
    assert_pool_whole();
    /* The foreign slot is still its own pool's claim: given back there, it is claimable. */
    aexec_pool_unclaim(&other_pool, foreign);
    aexec_task *again;
    assert_int_equal(aexec_pool_claim(&other_pool, &again), 0);
    assert_ptr_equal(again, foreign);
}

/* ---- joins -------------------------------------------------------------------- */

/* A task that joins whatever `target` names; `target` may be itself. */
struct joiner {
    aexec_task task;
    aexec_join *join;
    aexec_handle target;
    int polls, result;
};

static aexec_poll joiner_poll(aexec_task *t, aexec_cx *cx)
{
    struct joiner *j = AEXEC_CONTAINER_OF(t, struct joiner, task);
    if (j->polls++ == 0 && j->join == NULL)
        return AEXEC_PENDING; /* the test sets up the join after the spawn */
    return aexec_join_poll(j->join, cx, &j->result);
}

static aexec_poll forever_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    (void)cx;
    return AEXEC_PENDING;
}

static void poll_executor(void *arg)
{
    aexec_executor_poll(arg);
}

static void a_task_joining_itself_asserts(void **state)
{
    (void)state;
    static struct joiner self;
    static aexec_join join;
    self = (struct joiner){0};
    assert_int_equal(aexec_spawn(&ex, &self.task, joiner_poll), 0);
    aexec_executor_poll(&ex);
    aexec_join_init(&join, aexec_task_handle(&self.task));
    self.join = &join;
    aexec_wake(&self.task);
    const char *msg = test_expect_panic(poll_executor, &ex);
    assert_message(msg, "aexec_join_poll", "joins itself");
    assert_null(ex.joins); /* nothing was registered */
}

static aexec_poll finish_with_5(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    aexec_task_set_result(cx, 5);
    return AEXEC_READY;
}

/* Joining an earlier life of one's own storage is no misuse: that life is over. */
static void a_task_joining_an_earlier_life_of_its_storage_does_not_assert(void **state)
{
    (void)state;
    static struct joiner self;
    static aexec_join join;
    self = (struct joiner){0};
    assert_int_equal(aexec_spawn(&ex, &self.task, finish_with_5), 0);
    aexec_join_init(&join, aexec_task_handle(&self.task));
    aexec_executor_poll(&ex);
    self.join = &join;
    assert_int_equal(aexec_spawn(&ex, &self.task, joiner_poll), 0);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&self.task));
    assert_int_equal(self.polls, 1);
    assert_int_equal(self.result, AEXEC_ESTALE); /* the storage lives again: the code is gone */
}

static void two_tasks_polling_one_join_assert(void **state)
{
    (void)state;
    static aexec_task target;
    static struct joiner a, b;
    static aexec_join join;
    target = (aexec_task){0};
    a = (struct joiner){0};
    b = (struct joiner){0};
    assert_int_equal(aexec_spawn(&ex, &target, forever_poll), 0);
    aexec_join_init(&join, aexec_task_handle(&target));
    a.join = &join;
    b.join = &join;
    assert_int_equal(aexec_spawn(&ex, &a.task, joiner_poll), 0);
    aexec_executor_poll(&ex); /* target pends; a waits on the join */
    assert_ptr_equal(ex.joins, &join);
    assert_int_equal(aexec_spawn(&ex, &b.task, joiner_poll), 0);
    const char *msg = test_expect_panic(poll_executor, &ex);
    assert_message(msg, "aexec_join_poll", "another task");
    assert_ptr_equal(ex.joins, &join); /* a's registration stands */
    assert_null(join.next);
}

/* ---- executors ------------------------------------------------------------------ */

static aexec_executor raw; /* zeroed, never initialized */

static void poll_raw(void *arg)
{
    (void)arg;
    aexec_executor_poll(&raw);
}

static void run_raw(void *arg)
{
    (void)arg;
    aexec_run(&raw);
}

static void poll_null(void *arg)
{
    (void)arg;
    aexec_executor_poll(NULL);
}

static void polling_or_running_an_uninitialized_executor_asserts(void **state)
{
    (void)state;
    memset(&raw, 0,
           sizeof raw); /* {0} would initialize the atomic head from an int: clang rejects it */
    assert_message(test_expect_panic(poll_raw, NULL), "aexec_executor_poll", "not initialized");
    assert_message(test_expect_panic(run_raw, NULL), "aexec_run", "not initialized");
    assert_message(test_expect_panic(poll_null, NULL), "aexec_executor_poll", "not initialized");
    assert_int_equal(port.pends, 0); /* the assert came before any hook */
    /* The enter check left no claim behind on the real executor either. */
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

static aexec_port no_idle;
static aexec_executor idle_less;

static void run_idle_less(void *arg)
{
    (void)arg;
    aexec_run(&idle_less);
}

static void running_an_executor_whose_port_has_no_idle_hook_asserts(void **state)
{
    (void)state;
    static struct job j;
    j = (struct job){0};
    no_idle = test_port_ops;
    no_idle.idle = NULL;
    assert_int_equal(aexec_executor_init(&idle_less, &no_idle, &port, HZ), 0);
    assert_int_equal(aexec_spawn(&idle_less, &j.task, job_poll), 0);
    const char *msg = test_expect_panic(run_idle_less, NULL);
    assert_message(msg, "aexec_run", "no idle hook");
    assert_int_equal(j.polls, 0); /* refused before the first batch */
}

/* A local wake lists a task (no read-modify-write); reusing its storage before that entry
 * is polled is caught when the executor takes the entry. Built without the list
 * (AEXEC__LOCAL_WAKES 0, the default at -Os), the wake links the task on the run queue, and the
 * executor catches the reuse when it pops that link. */
struct reuser {
    aexec_task task;
    struct job *victim;
};

static aexec_poll reuser_poll(aexec_task *t, aexec_cx *cx)
{
    struct reuser *r = AEXEC_CONTAINER_OF(t, struct reuser, task);
    aexec_cx_wake(cx, &r->victim->task);     /* listed for the next batch */
    memset(r->victim, 0, sizeof *r->victim); /* misuse: the storage is reused while listed */
    return AEXEC_READY;
}

static aexec_poll pend_once(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    return AEXEC_CONTAINER_OF(t, struct job, task)->polls++ == 0 ? AEXEC_PENDING : AEXEC_READY;
}

static void reusing_the_storage_of_a_listed_task_asserts(void **state)
{
    (void)state;
    static struct job victim;
    static struct reuser r;
    victim = (struct job){0};
    r = (struct reuser){.victim = &victim};
    assert_int_equal(aexec_spawn(&ex, &victim.task, pend_once), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* victim pends, not linked */
    assert_int_equal(aexec_spawn(&ex, &r.task, reuser_poll), 0);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* r lists victim, then clears it */
    const char *msg = test_expect_panic(poll_executor, &ex);
    assert_message(msg, AEXEC__LOCAL_WAKES ? "local wake list" : "run queue", "not spawned");
    assert_int_equal(victim.polls, 0); /* the cleared storage was not polled */
}

/* ---- time ------------------------------------------------------------------------ */

struct ticking {
    aexec_task task;
    aexec_ticker ticker;
    int fires;
};

static aexec_poll ticking_poll(aexec_task *t, aexec_cx *cx)
{
    struct ticking *k = AEXEC_CONTAINER_OF(t, struct ticking, task);
    while (aexec_ticker_poll(&k->ticker, cx) == AEXEC_READY)
        if (++k->fires == 3) {
            aexec_ticker_cancel(&k->ticker);
            return AEXEC_READY;
        }
    return AEXEC_PENDING;
}

static void a_ticker_period_below_one_tick_asserts(void **state)
{
    (void)state;
    static struct ticking k;
    k = (struct ticking){0};
    assert_int_equal(aexec_ticker_init(&k.ticker, 999, 1000u * HZ), 0); /* 0.999 ticks */
    assert_int_equal(aexec_spawn(&ex, &k.task, ticking_poll), 0);
    const char *msg = test_expect_panic(poll_executor, &ex);
    assert_message(msg, "aexec_ticker_poll", "below one tick");
    assert_int_equal(ex.timers.count, 0); /* no timer was armed */
}

/* The edge: exactly one tick is a valid period. */
static void a_ticker_period_of_exactly_one_tick_runs(void **state)
{
    (void)state;
    static struct ticking k;
    k = (struct ticking){0};
    port.on_idle = test_port_jump_to_alarm;
    assert_int_equal(aexec_ticker_init(&k.ticker, 1, HZ), 0);
    assert_int_equal(aexec_spawn(&ex, &k.task, ticking_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(k.fires, 3);
    assert_int_equal(port.now, 3);
}

/* The rate comes through a volatile, as from a device tree: no constant folding. */
static volatile uint64_t zero_hz = 0;

#define CONVERSION(fn)                       \
    static void call_##fn(void *arg)         \
    {                                        \
        *(uint64_t *)arg = fn(zero_hz, 500); \
    }
CONVERSION(aexec_ticks_from_ns)
CONVERSION(aexec_ticks_from_us)
CONVERSION(aexec_ticks_from_ms)
CONVERSION(aexec_ticks_from_s)
CONVERSION(aexec_ticks_to_ns)
CONVERSION(aexec_ticks_to_us)
CONVERSION(aexec_ticks_to_ms)
CONVERSION(aexec_ticks_to_s)

static void tick_conversions_at_a_rate_of_zero_assert(void **state)
{
    (void)state;
    static const struct {
        void (*call)(void *);
        const char *name;
    } fns[] = {
        {call_aexec_ticks_from_ns, "aexec_ticks_from_ns"},
        {call_aexec_ticks_from_us, "aexec_ticks_from_us"},
        {call_aexec_ticks_from_ms, "aexec_ticks_from_ms"},
        {call_aexec_ticks_from_s, "aexec_ticks_from_s"},
        {call_aexec_ticks_to_ns, "aexec_ticks_to_ns"},
        {call_aexec_ticks_to_us, "aexec_ticks_to_us"},
        {call_aexec_ticks_to_ms, "aexec_ticks_to_ms"},
        {call_aexec_ticks_to_s, "aexec_ticks_to_s"},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        uint64_t out = 77;
        const char *msg = test_expect_panic(fns[i].call, &out);
        assert_message(msg, fns[i].name, "tick rate hz is 0");
        assert_int_equal(out, 77); /* no value came out */
    }
}

/* A port with a pender, an idle hook and a critical section, and no time driver. */
static aexec_port no_time;

static void init_with_rate_and_no_clock(void *arg)
{
    aexec_executor_init(arg, &no_time, &port, HZ);
}

static void an_executor_given_a_tick_rate_but_no_now_asserts(void **state)
{
    (void)state;
    static aexec_executor e;
    /* With the cs hooks, which a runqueue-cs build requires. */
    no_time = (aexec_port){.pend = test_port_ops.pend,
                           .idle = test_port_ops.idle,
                           .cs_enter = test_port_ops.cs_enter,
                           .cs_exit = test_port_ops.cs_exit};
    const char *msg = test_expect_panic(init_with_rate_and_no_clock, &e);
    assert_message(msg, "aexec_executor_init", "no time driver");
    /* Without a rate the same port is a valid executor without time. */
    assert_int_equal(aexec_executor_init(&e, &no_time, &port, 0), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(
            spawning_a_slot_that_was_never_claimed_asserts_and_leaves_the_pool_whole, setup_pool),
        cmocka_unit_test_setup(spawning_a_finished_slot_again_without_a_claim_asserts, setup_pool),
        cmocka_unit_test_setup(a_slot_reused_within_its_batch_is_claimed_and_spawns, setup_pool),
        cmocka_unit_test_setup(giving_a_slot_back_twice_asserts_and_leaves_the_pool_whole,
                               setup_pool),
        cmocka_unit_test_setup(giving_back_a_spawned_slot_asserts, setup_pool),
        cmocka_unit_test_setup(
            passing_a_task_the_pool_does_not_own_asserts_and_leaves_both_pools_whole, setup_pool),
        cmocka_unit_test_setup(a_task_joining_itself_asserts, setup),
        cmocka_unit_test_setup(a_task_joining_an_earlier_life_of_its_storage_does_not_assert,
                               setup),
        cmocka_unit_test_setup(two_tasks_polling_one_join_assert, setup),
        cmocka_unit_test_setup(polling_or_running_an_uninitialized_executor_asserts, setup),
        cmocka_unit_test_setup(running_an_executor_whose_port_has_no_idle_hook_asserts, setup),
        cmocka_unit_test_setup(reusing_the_storage_of_a_listed_task_asserts, setup),
        cmocka_unit_test_setup(a_ticker_period_below_one_tick_asserts, setup),
        cmocka_unit_test_setup(a_ticker_period_of_exactly_one_tick_runs, setup),
        cmocka_unit_test_setup(tick_conversions_at_a_rate_of_zero_assert, setup),
        cmocka_unit_test_setup(an_executor_given_a_tick_rate_but_no_now_asserts, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
