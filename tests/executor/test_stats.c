/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Statistics (aexec/stats.h) on the deterministic port: time moves only
 * where a poll or the idle hook moves it, so every count and every tick is
 * known exactly. Built twice (tests/executor/CMakeLists.txt): against the
 * library with AEXEC_CONFIG_STATS on and with it off, where the same calls
 * must compile, change nothing and report AEXEC_ENOTSUP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "test_port.h"
#if AEXEC_CONFIG_STATS
#include "core/stats_hooks.h" /* aexec__stats_hash: to pick tasks that collide */
#endif

static test_port port;
static aexec_executor ex;

/* Two tasks that wake each other: ping's poll costs 3 ticks, pong's 2. */
struct player {
    aexec_task task;
    struct player *other;
    int polls;
    uint64_t cost;
    int wake_on_last; /* wake the other at the last poll too */
};
static struct player ping, pong;
#define ROUNDS 5

static aexec_poll play(aexec_task *task, aexec_cx *cx)
{
    struct player *p = AEXEC_CONTAINER_OF(task, struct player, task);
    port.now += p->cost;
    p->polls++;
    if (p->polls < ROUNDS || p->wake_on_last)
        aexec_cx_wake(cx, &p->other->task);
    return p->polls == ROUNDS ? AEXEC_READY : AEXEC_PENDING;
}

static void players_spawn(void)
{
    ping = (struct player){.other = &pong, .cost = 3, .wake_on_last = 1};
    pong = (struct player){.other = &ping, .cost = 2, .wake_on_last = 0};
    assert_int_equal(aexec_spawn(&ex, &ping.task, play), AEXEC_OK);
    assert_int_equal(aexec_spawn(&ex, &pong.task, play), AEXEC_OK);
}

/* A task that arms three timers at its first poll and ends when all fired. */
static aexec_timer timers[3];
static aexec_task sleeper;
static int sleeper_polls;

static aexec_poll sleep_poll(aexec_task *task, aexec_cx *cx)
{
    (void)task;
    if (sleeper_polls++ == 0) {
        for (int i = 0; i < 3; i++) {
            aexec_timer_init(&timers[i]);
            aexec_timer_arm(&timers[i], cx, port.now + 10u * (uint64_t)(i + 1));
        }
        aexec_stats_set_waiting(cx, "3 timers");
        return AEXEC_PENDING;
    }
    return sleeper_polls == 4 ? AEXEC_READY : AEXEC_PENDING;
}

/* A task that finishes at its first poll. */
static aexec_poll once(aexec_task *task, aexec_cx *cx)
{
    (void)task;
    (void)cx;
    return AEXEC_READY;
}

/* aexec_stats_print's lines, kept. */
#define LINES 16
/* Wider than the printer's line, so that a line it failed to cut would show. */
static char lines[LINES][192];
static int nlines;

static void keep_line(void *arg, const char *line)
{
    assert_ptr_equal(arg, &nlines);
    assert_true(nlines < LINES);
    snprintf(lines[nlines++], sizeof lines[0], "%s", line);
}

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    nlines = 0;
    sleeper_polls = 0;
    return 0;
}

#if AEXEC_CONFIG_STATS

static aexec_task_stats table[8];

static void assert_task(const aexec_task *t, uint32_t polls, uint32_t wakes, uint64_t ticks)
{
    aexec_task_counts c;
    assert_int_equal(aexec_stats_read_task(&ex, t, &c), AEXEC_OK);
    assert_int_equal(c.polls, polls);
    assert_int_equal(c.wakes, wakes);
    assert_int_equal(c.poll_ticks, ticks);
}

/*
 * Both players are pushed by their spawns, so the first batch polls two
 * tasks. From then on each poll wakes the other, which runs alone in the
 * next batch: ping polls 5 times and is woken 4 times (by pong's first four
 * polls), pong polls 5 times and is woken 5 times (ping's first wake finds
 * pong still queued from its spawn: it is counted, though it adds no poll).
 */
static void counts_polls_wakes_and_ticks_of_two_tasks(void **state)
{
    (void)state;
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    players_spawn();
    assert_int_equal(aexec_stats_track(&ex, &ping.task, "ping"), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&ex, &pong.task, "pong"), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);

    assert_task(&ping.task, ROUNDS, ROUNDS - 1, 3 * ROUNDS);
    assert_task(&pong.task, ROUNDS, ROUNDS, 2 * ROUNDS);
    aexec_executor_counts c;
    assert_int_equal(aexec_stats_read_executor(&ex, &c), AEXEC_OK);
    assert_int_equal(c.batches, 1 + 2 * (ROUNDS - 1));
    assert_int_equal(c.ready_high, 2);
    assert_int_equal(c.busy_ticks, 5 * ROUNDS); /* time moved only inside polls */
    assert_int_equal(c.idles, 0);
    assert_int_equal(c.idle_ticks, 0);
    assert_int_equal(c.tracked, 2);
}

/* Untracked tasks cost a failed lookup and are counted nowhere. */
static void untracked_tasks_are_not_counted(void **state)
{
    (void)state;
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    players_spawn();
    assert_int_equal(aexec_stats_track(&ex, &pong.task, "pong"), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    aexec_task_counts tc;
    assert_int_equal(aexec_stats_read_task(&ex, &ping.task, &tc), AEXEC_EINVAL);
    assert_task(&pong.task, ROUNDS, ROUNDS, 2 * ROUNDS);
}

/* Wakes from outside any poll, as an ISR or another thread makes them, coalesced or not. */
static void counts_wakes_from_outside_the_executor(void **state)
{
    (void)state;
    aexec_task t = {0};
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    assert_int_equal(aexec_spawn(&ex, &t, once), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&ex, &t, "once"), AEXEC_OK);
    aexec_wake(&t);
    aexec_wake(&t);
    aexec_notify(&t);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_task(&t, 1, 3, 0);
}

/*
 * Idle and timers: the sleeper arms timers at +10, +20, +30; the executor
 * idles three times, virtual time jumping to each alarm, and each fired
 * timer is one wake.
 */
static void counts_idle_time_and_timers(void **state)
{
    (void)state;
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    port.on_idle = test_port_jump_to_alarm;
    assert_int_equal(aexec_spawn(&ex, &sleeper, sleep_poll), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&ex, &sleeper, "sleeper"), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_task(&sleeper, 4, 3, 0);
    aexec_executor_counts c;
    assert_int_equal(aexec_stats_read_executor(&ex, &c), AEXEC_OK);
    assert_int_equal(c.idles, 3);
    assert_int_equal(c.idle_ticks, 30);
    assert_int_equal(c.busy_ticks, 0);
    assert_int_equal(c.timers, 0);
    assert_int_equal(c.timers_high, 3);
    aexec_task_counts tc;
    assert_int_equal(aexec_stats_read_task(&ex, &sleeper, &tc), AEXEC_OK);
    assert_string_equal(tc.name, "sleeper");
    assert_string_equal(tc.waiting, "3 timers");
}

/*
 * A task that wakes itself: each call counts once, though the executor
 * applies the two wakes of one poll as one, and the call of a poll that
 * then finishes counts too (nothing is applied).
 */
static int selfish_polls;
static aexec_poll selfish(aexec_task *task, aexec_cx *cx)
{
    selfish_polls++;
    aexec_cx_wake(cx, task);
    if (selfish_polls == 2)
        return AEXEC_READY;
    aexec_cx_notify(cx, task);
    return AEXEC_PENDING;
}

static void counts_each_wake_a_task_makes_of_itself(void **state)
{
    (void)state;
    aexec_task t = {0};
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    assert_int_equal(aexec_spawn(&ex, &t, selfish), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&ex, &t, "selfish"), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(selfish_polls, 2);
    assert_task(&t, 2, 3, 0);
}

/*
 * Local wakes on each path: the list, a coalesced second wake, and (on a
 * 64-bit host) the linked path, which a task beyond the list's reach opens
 * for the rest of the batch: the driver wakes the far task first, so both
 * wakes of `near` then take the closed list's fetch_or. A wake of a task
 * that has finished counts as well. Each target is polled once per wake
 * that found it pending, so the counting did not lose a wake either.
 */
static aexec_task *far_task, *near_task;
static int near_polls, far_polls;
static aexec_poll counted(aexec_task *task, aexec_cx *cx)
{
    (void)cx;
    int *polls = task == near_task ? &near_polls : &far_polls;
    return ++*polls == 2 ? AEXEC_READY : AEXEC_PENDING;
}

static aexec_poll waker(aexec_task *task, aexec_cx *cx)
{
    (void)task;
    aexec_cx_wake(cx, far_task);
    aexec_cx_wake(cx, near_task);
    aexec_cx_notify(cx, near_task);
    return AEXEC_READY;
}

static void counts_local_wakes_on_every_path(void **state)
{
    (void)state;
    static aexec_task near, driver;
    aexec_task far; /* on the stack: beyond a 32-bit link from the statics on a 64-bit host */
    memset(&near, 0, sizeof near);
    memset(&driver, 0, sizeof driver);
    memset(&far, 0, sizeof far);
    near_task = &near;
    far_task = &far;
    near_polls = far_polls = 0;
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    assert_int_equal(aexec_spawn(&ex, &near, counted), AEXEC_OK);
    assert_int_equal(aexec_spawn(&ex, &far, counted), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&ex, &near, "near"), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&ex, &far, "far"), AEXEC_OK);
    assert_int_equal(aexec_executor_poll(&ex), 2); /* first polls: both wait */
    assert_int_equal(aexec_spawn(&ex, &driver, waker), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(near_polls, 2);
    assert_int_equal(far_polls, 2);
    assert_task(&near, 2, 2, 0);
    assert_task(&far, 2, 1, 0);
    aexec_wake(&near);
    aexec_task_counts tc;
    assert_int_equal(aexec_stats_read_task(&ex, &near, &tc), AEXEC_OK);
    assert_int_equal(tc.wakes, 3);
}

/*
 * A tracked task that wakes itself after a wake of a far task opened the
 * linked path (64-bit hosts): the executor applies its wake on that path
 * after the poll and must not count it again.
 */
static aexec_poll far_then_self(aexec_task *task, aexec_cx *cx)
{
    near_polls++;
    if (near_polls == 2)
        return AEXEC_READY;
    aexec_cx_wake(cx, far_task);
    aexec_cx_wake(cx, task);
    return AEXEC_PENDING;
}

static void a_self_wake_applied_on_the_linked_path_counts_once(void **state)
{
    (void)state;
    static aexec_task self;
    aexec_task far;
    memset(&self, 0, sizeof self);
    memset(&far, 0, sizeof far);
    near_task = NULL;
    far_task = &far;
    near_polls = far_polls = 0;
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    assert_int_equal(aexec_spawn(&ex, &far, counted), AEXEC_OK);
    assert_int_equal(aexec_executor_poll(&ex), 1); /* far waits */
    assert_int_equal(aexec_spawn(&ex, &self, far_then_self), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&ex, &self, "self"), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(near_polls, 2);
    assert_task(&self, 2, 1, 0);
}

/*
 * A task whose record went with a table that was replaced keeps its bit
 * and takes the general paths, which find no record: nothing is counted,
 * nothing breaks, and it runs as before. A wake of tracked storage that
 * was never spawned has no executor to count it in.
 */
static aexec_poll says_why(aexec_task *task, aexec_cx *cx)
{
    (void)task;
    aexec_stats_set_waiting(cx, "nothing");
    return ++near_polls == 2 ? AEXEC_READY : AEXEC_PENDING;
}

static void tasks_of_a_replaced_table_are_counted_nowhere(void **state)
{
    (void)state;
    static aexec_task_stats other[4];
    aexec_task t = {0};
    near_polls = 0;
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&ex, &t, "t"), AEXEC_OK);
    aexec_wake(&t); /* not spawned yet: no executor */
    assert_task(&t, 0, 0, 0);
    assert_int_equal(aexec_spawn(&ex, &t, says_why), AEXEC_OK);
    assert_int_equal(aexec_stats_init(&ex, other, 4), AEXEC_OK);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    aexec_wake(&t);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(near_polls, 2);
    aexec_task_counts tc;
    assert_int_equal(aexec_stats_read_task(&ex, &t, &tc), AEXEC_EINVAL);
    aexec_executor_counts c;
    assert_int_equal(aexec_stats_read_executor(&ex, &c), AEXEC_OK);
    assert_int_equal(c.tracked, 0);
    assert_int_equal(c.batches, 2);
}

/*
 * A task of another executor, tracked in that executor's table and woken
 * from a poll on this one: counted once, in its own table, and polled there.
 */
static aexec_executor other_ex;
static aexec_task other_task;
static aexec_poll wakes_the_other(aexec_task *task, aexec_cx *cx)
{
    (void)task;
    aexec_cx_wake(cx, &other_task);
    return AEXEC_READY;
}

static void a_wake_across_executors_counts_once_in_the_task_s_own_table(void **state)
{
    (void)state;
    static test_port other_port;
    static aexec_task_stats other_table[4];
    static aexec_task driver;
    memset(&driver, 0, sizeof driver);
    memset(&other_task, 0, sizeof other_task);
    near_polls = far_polls = 0;
    near_task = NULL;
    far_task = &other_task;
    test_port_init(&other_port, &other_ex, 1000);
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    assert_int_equal(aexec_stats_init(&other_ex, other_table, 4), AEXEC_OK);
    assert_int_equal(aexec_spawn(&other_ex, &other_task, counted), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&other_ex, &other_task, "other"), AEXEC_OK);
    assert_int_equal(aexec_executor_poll(&other_ex), 1);
    assert_int_equal(aexec_spawn(&ex, &driver, wakes_the_other), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(aexec_executor_poll(&other_ex), 1);
    assert_int_equal(far_polls, 2);
    aexec_task_counts tc;
    assert_int_equal(aexec_stats_read_task(&other_ex, &other_task, &tc), AEXEC_OK);
    assert_int_equal(tc.polls, 2);
    assert_int_equal(tc.wakes, 1);
    assert_int_equal(aexec_stats_read_task(&ex, &other_task, &tc), AEXEC_EINVAL);
}

/*
 * A pool slot stays tracked from one life to the next: the launch keeps the
 * bit, whether it links the slot or lists it (a spawn from a task of the
 * same executor).
 */
static aexec_pool stats_pool;
static aexec_task pool_slots[1];
static aexec_pool_link pool_links[1];
static int slot_polls, respawns;
static aexec_poll slot_body(aexec_task *task, aexec_cx *cx)
{
    (void)task;
    (void)cx;
    slot_polls++;
    return AEXEC_READY;
}

static aexec_poll respawner(aexec_task *task, aexec_cx *cx)
{
    aexec_task *t;
    if (aexec_cx_pool_claim(cx, &stats_pool, &t) == AEXEC_OK) {
        aexec_pool_spawn(&stats_pool, t, cx);
        respawns++;
    }
    if (respawns == 3)
        return AEXEC_READY;
    aexec_cx_wake(cx, task);
    return AEXEC_PENDING;
}

static void a_pool_slot_stays_tracked_across_its_lives(void **state)
{
    (void)state;
    static aexec_task driver;
    memset(&driver, 0, sizeof driver);
    memset(pool_slots, 0, sizeof pool_slots);
    slot_polls = respawns = 0;
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    assert_int_equal(aexec_pool_init(&stats_pool, &ex, pool_slots, sizeof pool_slots[0], 0, 1,
                                     pool_links, slot_body),
                     AEXEC_OK);
    assert_int_equal(aexec_stats_track(&ex, &pool_slots[0], "slot"), AEXEC_OK);
    aexec_task *t;
    assert_int_equal(aexec_pool_claim(&stats_pool, &t), AEXEC_OK);
    aexec_pool_spawn(&stats_pool, t, NULL); /* linked: pushed onto the run queue */
    assert_int_equal(aexec_spawn(&ex, &driver, respawner), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(slot_polls, 1 + respawns);
    assert_task(&pool_slots[0], (uint32_t)slot_polls, 0, 0);
}

/*
 * Two tasks whose addresses hash to one entry: the second is tracked in
 * the next entry, and each lookup finds its own record past the other.
 */
static void tasks_that_hash_alike_keep_their_own_records(void **state)
{
    (void)state;
    static aexec_task cand[5]; /* 5 tasks, 4 entries: two hash alike */
    memset(cand, 0, sizeof cand);
    assert_int_equal(aexec_stats_init(&ex, table, 4), AEXEC_OK);
    aexec_task *a = NULL, *b = NULL;
    for (int i = 0; i < 5 && b == NULL; i++)
        for (int j = i + 1; j < 5 && b == NULL; j++)
            if (aexec__stats_hash(&ex, &cand[i]) == aexec__stats_hash(&ex, &cand[j])) {
                a = &cand[i];
                b = &cand[j];
            }
    assert_non_null(b);
    assert_int_equal(aexec_stats_track(&ex, a, "a"), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&ex, b, "b"), AEXEC_OK);
    assert_int_equal(aexec_spawn(&ex, b, once), AEXEC_OK);
    aexec_wake(b);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    aexec_task_counts tc;
    assert_int_equal(aexec_stats_read_task(&ex, a, &tc), AEXEC_OK);
    assert_string_equal(tc.name, "a");
    assert_int_equal(tc.polls, 0);
    assert_int_equal(tc.wakes, 0);
    assert_int_equal(aexec_stats_read_task(&ex, b, &tc), AEXEC_OK);
    assert_string_equal(tc.name, "b");
    assert_int_equal(tc.polls, 1);
    assert_int_equal(tc.wakes, 1);
}

/* A reset zeroes the counters and keeps the tracked tasks and their names. */
static void reset_zeroes_and_keeps_tracking(void **state)
{
    (void)state;
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    players_spawn();
    assert_int_equal(aexec_stats_track(&ex, &ping.task, "ping"), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(aexec_stats_reset(&ex), AEXEC_OK);
    assert_task(&ping.task, 0, 0, 0);
    aexec_executor_counts c;
    assert_int_equal(aexec_stats_read_executor(&ex, &c), AEXEC_OK);
    assert_int_equal(c.batches, 0);
    assert_int_equal(c.busy_ticks, 0);
    assert_int_equal(c.ready_high, 0);
    assert_int_equal(c.tracked, 1);
    /* The same storage, spawned again, counts from zero. */
    players_spawn();
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_task(&ping.task, ROUNDS, ROUNDS - 1, 3 * ROUNDS);
    aexec_task_counts tc;
    assert_int_equal(aexec_stats_read_task(&ex, &ping.task, &tc), AEXEC_OK);
    assert_string_equal(tc.name, "ping");
}

/* A table of n holds n - 1 tasks; bad arguments change nothing. */
static void table_limits_and_bad_arguments(void **state)
{
    (void)state;
    aexec_task t[4];
    memset(t, 0, sizeof t);
    assert_int_equal(aexec_stats_track(&ex, &t[0], "x"), AEXEC_EFULL); /* no table yet */
    assert_int_equal(aexec_stats_init(&ex, table, 3), AEXEC_EINVAL);
    assert_int_equal(aexec_stats_init(&ex, table, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_stats_init(NULL, table, 4), AEXEC_EINVAL);
    assert_int_equal(aexec_stats_init(&ex, table, 4), AEXEC_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(aexec_stats_track(&ex, &t[i], "t"), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&ex, &t[3], "t3"), AEXEC_EFULL);
    assert_int_equal(aexec_stats_track(&ex, &t[1], "renamed"), AEXEC_OK);
    aexec_task_counts tc;
    assert_int_equal(aexec_stats_read_task(&ex, &t[1], &tc), AEXEC_OK);
    assert_string_equal(tc.name, "renamed");
    assert_int_equal(aexec_stats_read_task(&ex, &t[3], &tc), AEXEC_EINVAL);
    assert_int_equal(aexec_stats_track(&ex, NULL, "t"), AEXEC_EINVAL);
    aexec_executor_counts c;
    assert_int_equal(aexec_stats_read_executor(&ex, &c), AEXEC_OK);
    assert_int_equal(c.tracked, 3);
}

/* A task that says what it waits for, then waits; one that says nothing. */
static const char *why;

static aexec_poll forever(aexec_task *task, aexec_cx *cx)
{
    (void)task;
    (void)cx;
    return AEXEC_PENDING;
}

static aexec_poll say_why(aexec_task *task, aexec_cx *cx)
{
    (void)task;
    aexec_stats_set_waiting(cx, why);
    return AEXEC_PENDING;
}

static int has_line(const char *want)
{
    for (int i = 0; i < nlines; i++)
        if (strcmp(lines[i], want) == 0)
            return 1;
    return 0;
}

/*
 * NULL arguments are refused; an executor without a table or a clock reads,
 * resets and prints; an untracked task's "waiting for" goes nowhere; a row
 * shows "?" for no name and "-" for nothing said, cuts a long name to its
 * column and a long line to the line buffer; a wake of a task never spawned
 * counts nowhere; arming under the timers' high-water mark keeps it.
 */
static void odd_input_is_refused_or_printed_within_bounds(void **state)
{
    (void)state;
    aexec_task t = {0};
    aexec_task_counts tc;
    aexec_executor_counts c;
    assert_int_equal(aexec_stats_read_task(NULL, &t, &tc), AEXEC_EINVAL);
    assert_int_equal(aexec_stats_read_task(&ex, NULL, &tc), AEXEC_EINVAL);
    assert_int_equal(aexec_stats_read_task(&ex, &t, NULL), AEXEC_EINVAL);
    assert_int_equal(aexec_stats_read_executor(NULL, &c), AEXEC_EINVAL);
    assert_int_equal(aexec_stats_read_executor(&ex, NULL), AEXEC_EINVAL);
    assert_int_equal(aexec_stats_reset(NULL), AEXEC_EINVAL);
    assert_int_equal(aexec_stats_reset(&ex), AEXEC_OK); /* no table: nothing to zero */
    aexec_stats_print(&ex, keep_line, &nlines);         /* no table: header and executor lines */
    assert_int_equal(nlines, 3);

    /* No clock: every tick count stays 0. */
    aexec_executor e;
    test_port p = {.alarm = AEXEC_ALARM_NONE};
    aexec_port no_time = test_port_ops;
    no_time.now = NULL;
    no_time.set_alarm = NULL;
    assert_int_equal(aexec_executor_init(&e, &no_time, &p, 0), AEXEC_OK);
    static aexec_task_stats small[4];
    assert_int_equal(aexec_stats_init(&e, small, 4), AEXEC_OK);
    static aexec_task quiet, untracked, named;
    quiet = untracked = named = (aexec_task){0};
    why = "a very long reason that does not fit the line buffer of the table printer at all, "
          "not even nearly";
    assert_int_equal(aexec_spawn(&e, &untracked, say_why), AEXEC_OK); /* its reason goes nowhere */
    assert_int_equal(aexec_stats_track(&e, &quiet, NULL), AEXEC_OK);
    assert_int_equal(aexec_spawn(&e, &quiet, forever), AEXEC_OK);
    assert_int_equal(aexec_stats_track(&e, &named, "a-name-longer-than-its-column"), AEXEC_OK);
    assert_int_equal(aexec_spawn(&e, &named, say_why), AEXEC_OK);
    assert_int_equal(aexec_executor_poll(&e), 3);
    assert_int_equal(aexec_stats_read_task(&e, &quiet, &tc), AEXEC_OK);
    assert_int_equal(tc.polls, 1);
    assert_int_equal(tc.poll_ticks, 0);
    assert_null(tc.waiting);
    static aexec_task never;
    never = (aexec_task){0};
    aexec_wake(&never); /* no executor: counted nowhere */
    assert_int_equal(aexec_stats_read_executor(&e, &c), AEXEC_OK);
    assert_int_equal(c.busy_ticks, 0);
    assert_int_equal(c.tracked, 2);
    nlines = 0;
    aexec_stats_print(&e, keep_line, &nlines);
    assert_int_equal(nlines, 5);
    char want[192];
    snprintf(want, sizeof want, "%-16s%10d%10d%12d  -", "?", 1, 0, 0);
    assert_true(has_line(want));
    int n = snprintf(want, sizeof want, "%-16.16s%10d%10d%12d  %s", "a-name-longer-than-its-column",
                     1, 0, 0, why);
    assert_true(n > 127);
    want[127] = '\0'; /* the printer's line holds 127 characters */
    assert_true(has_line(want));

    /* The timer high-water mark only rises: a second round of three keeps it at 3. */
    port.on_idle = test_port_jump_to_alarm;
    for (int round = 0; round < 2; round++) {
        sleeper = (aexec_task){0};
        sleeper_polls = 0;
        assert_int_equal(aexec_spawn(&ex, &sleeper, sleep_poll), AEXEC_OK);
        assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
        assert_int_equal(aexec_stats_read_executor(&ex, &c), AEXEC_OK);
        assert_int_equal(c.timers_high, 3);
        assert_int_equal(c.timers, 0);
    }
    /* A 20-digit busy count: the executor's lines come out whole, whatever
     * the counters hold (stats.c asserts their widest form fits). */
    port.now += 10000000000000000000u;
    nlines = 0;
    aexec_stats_print(&ex, keep_line, &nlines);
    assert_int_equal(aexec_stats_read_executor(&ex, &c), AEXEC_OK);
    assert_true(c.busy_ticks >= 10000000000000000000u);
    snprintf(want, sizeof want, "executor: busy %llu idle %llu ticks, %u batches, %u idles",
             (unsigned long long)c.busy_ticks, (unsigned long long)c.idle_ticks, c.batches,
             c.idles);
    assert_string_equal(lines[nlines - 2], want);
    snprintf(want, sizeof want, "executor: ready high %u, timers %u (high %u)", c.ready_high,
             c.timers, c.timers_high);
    assert_string_equal(lines[nlines - 1], want);
}

/* The printed table: a header, one row per tracked task, two executor lines. */
static void prints_a_table_through_the_callers_function(void **state)
{
    (void)state;
    assert_int_equal(aexec_stats_init(&ex, table, 8), AEXEC_OK);
    players_spawn();
    assert_int_equal(aexec_stats_track(&ex, &ping.task, "ping"), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    aexec_stats_print(&ex, keep_line, &nlines);
    assert_int_equal(nlines, 4);
    assert_true(strncmp(lines[0], "task", 4) == 0);
    char want[192];
    snprintf(want, sizeof want, "%-16s%10d%10d%12d  (finished)", "ping", ROUNDS, ROUNDS - 1,
             3 * ROUNDS);
    assert_string_equal(lines[1], want);
    snprintf(want, sizeof want, "executor: busy %d idle 0 ticks, %d batches, 0 idles", 5 * ROUNDS,
             1 + 2 * (ROUNDS - 1));
    assert_string_equal(lines[2], want);
    assert_string_equal(lines[3], "executor: ready high 2, timers 0 (high 0)");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(counts_polls_wakes_and_ticks_of_two_tasks, setup),
        cmocka_unit_test_setup(untracked_tasks_are_not_counted, setup),
        cmocka_unit_test_setup(counts_wakes_from_outside_the_executor, setup),
        cmocka_unit_test_setup(counts_idle_time_and_timers, setup),
        cmocka_unit_test_setup(counts_each_wake_a_task_makes_of_itself, setup),
        cmocka_unit_test_setup(counts_local_wakes_on_every_path, setup),
        cmocka_unit_test_setup(a_pool_slot_stays_tracked_across_its_lives, setup),
        cmocka_unit_test_setup(a_self_wake_applied_on_the_linked_path_counts_once, setup),
        cmocka_unit_test_setup(tasks_of_a_replaced_table_are_counted_nowhere, setup),
        cmocka_unit_test_setup(tasks_that_hash_alike_keep_their_own_records, setup),
        cmocka_unit_test_setup(a_wake_across_executors_counts_once_in_the_task_s_own_table, setup),
        cmocka_unit_test_setup(reset_zeroes_and_keeps_tracking, setup),
        cmocka_unit_test_setup(table_limits_and_bad_arguments, setup),
        cmocka_unit_test_setup(prints_a_table_through_the_callers_function, setup),
        cmocka_unit_test_setup(odd_input_is_refused_or_printed_within_bounds, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* !AEXEC_CONFIG_STATS */

/* Every call compiles, reports AEXEC_ENOTSUP, and the executor runs as ever. */
static void stats_calls_are_inert_when_built_out(void **state)
{
    (void)state;
    aexec_task_stats table[4];
    aexec_task_counts tc;
    aexec_executor_counts c;
    assert_int_equal(aexec_stats_init(&ex, table, 4), AEXEC_ENOTSUP);
    players_spawn();
    assert_int_equal(aexec_stats_track(&ex, &ping.task, "ping"), AEXEC_ENOTSUP);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(ping.polls, ROUNDS);
    assert_int_equal(pong.polls, ROUNDS);
    assert_int_equal(aexec_stats_read_task(&ex, &ping.task, &tc), AEXEC_ENOTSUP);
    assert_int_equal(aexec_stats_read_executor(&ex, &c), AEXEC_ENOTSUP);
    assert_int_equal(aexec_stats_reset(&ex), AEXEC_ENOTSUP);
    aexec_stats_print(&ex, keep_line, &nlines);
    assert_int_equal(nlines, 1);
    assert_non_null(strstr(lines[0], "not built in"));
}

/* The set_waiting call inside a poll is a no-op too. */
static void set_waiting_is_a_no_op_when_built_out(void **state)
{
    (void)state;
    port.on_idle = test_port_jump_to_alarm;
    assert_int_equal(aexec_spawn(&ex, &sleeper, sleep_poll), AEXEC_OK);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(sleeper_polls, 4);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(stats_calls_are_inert_when_built_out, setup),
        cmocka_unit_test_setup(set_waiting_is_a_no_op_when_built_out, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    (void)once;
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif /* AEXEC_CONFIG_STATS */
