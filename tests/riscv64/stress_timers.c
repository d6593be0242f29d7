/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Timers on every hart at once, each hart on its own executor's queue with
 * the real time driver (rdtime, the SBI timer, its interrupt). Every round
 * a task arms two near timers (within 0.2 ms) and one far one (within 1 s,
 * higher in the wheel), waits for the first near one to fire, then:
 *   - a timer fires at or after its deadline, never before;
 *   - the near timer still unfired has the later deadline (the executor
 *     fires every due timer before it polls);
 *   - the timers it cancels, it then outwaits, and they never fire;
 *   - every armed timer either fired or was cancelled, none twice.
 */
#include <stdatomic.h>
#include <stdio.h>

#include "guest.h"
#include "stress.h"

#define TASKS 4u /* per hart */
#define ROUNDS 250u

struct counts {
    _Atomic uint32_t rounds;
    uint32_t armed, fired, cancelled;
    uint32_t early, out_of_order, fired_after_cancel;
};

struct timer_task {
    aexec_task task;
    aexec_co co;
    struct counts *counts;
    uint64_t rng;
    uint32_t round;
    aexec_timer a, b, far;
    aexec_instant da, db, dfar;
    aexec_timer *late; /* the near timer cancelled unfired, or NULL */
    aexec_instant late_deadline;
    aexec_sleep outwait;
};

static struct timer_task tasks[GUEST_MAX_HARTS][TASKS];
static struct counts counts[GUEST_MAX_HARTS];

static void count_fired(struct counts *c, aexec_instant deadline, aexec_instant now)
{
    c->fired++;
    c->early += now < deadline;
}

static aexec_poll timer_poll(aexec_task *t, aexec_cx *cx)
{
    struct timer_task *k = AEXEC_CONTAINER_OF(t, struct timer_task, task);
    struct counts *c = k->counts;
    AEXEC_CO_BEGIN(&k->co, cx);
    for (k->round = 0; k->round < ROUNDS; k->round++) {
        {
            aexec_instant now = guest_now();
            k->da = now + 1u + guest_random(&k->rng) % 2000u;
            k->db = now + 1u + guest_random(&k->rng) % 2000u;
            k->dfar = now + 20000u + guest_random(&k->rng) % GUEST_TIMEBASE_HZ;
        }
        aexec_timer_init(&k->a);
        aexec_timer_init(&k->b);
        aexec_timer_init(&k->far);
        aexec_timer_arm(&k->a, cx, k->da);
        aexec_timer_arm(&k->far, cx, k->dfar);
        aexec_timer_arm(&k->b, cx, k->db);
        c->armed += 3;
        AEXEC_WAIT_UNTIL(aexec_timer_fired(&k->a) || aexec_timer_fired(&k->b));
        {
            aexec_instant now = guest_now();
            int fa = aexec_timer_fired(&k->a), fb = aexec_timer_fired(&k->b);
            k->late = NULL;
            if (fa)
                count_fired(c, k->da, now);
            if (fb)
                count_fired(c, k->db, now);
            if (fa && !fb) {
                k->late = &k->b;
                k->late_deadline = k->db;
                c->out_of_order += k->db <= k->da;
            } else if (fb && !fa) {
                k->late = &k->a;
                k->late_deadline = k->da;
                c->out_of_order += k->da <= k->db;
            }
            if (aexec_timer_fired(&k->far)) /* only if the round took a second */
                count_fired(c, k->dfar, now);
            else
                c->cancelled++;
            aexec_timer_cancel(&k->far);
            if (k->late) {
                c->cancelled++;
                aexec_timer_cancel(k->late);
            }
        }
        if (k->late) {
            /* Outwait the cancelled timer: it must stay idle. */
            aexec_sleep_until_init(&k->outwait, k->late_deadline + 200u);
            AEXEC_AWAIT(aexec_sleep_poll(&k->outwait, cx));
            c->fired_after_cancel += aexec_timer_fired(k->late);
        }
        atomic_store_explicit(&c->rounds, atomic_load(&c->rounds) + 1u, memory_order_relaxed);
    }
    AEXEC_CO_FINALLY;
    aexec_timer_cancel(&k->a);
    aexec_timer_cancel(&k->b);
    aexec_timer_cancel(&k->far);
    aexec_sleep_cancel(&k->outwait);
    AEXEC_CO_END;
}

void stress_timers_spawn(unsigned hart)
{
    for (unsigned i = 0; i < TASKS; i++) {
        struct timer_task *k = &tasks[hart][i];
        k->counts = &counts[hart];
        k->rng = 0x9e3779b97f4a7c15ull * (hart * TASKS + i + 1u);
        aexec_sleep_until_init(&k->outwait, 0);
        if (aexec_spawn(&guest_harts[hart].ex, &k->task, timer_poll) != 0)
            aexec_panic("stress_timers: spawn failed", __FILE__, __LINE__);
    }
}

uint64_t stress_timers_progress(void)
{
    uint64_t sum = 0;
    for (unsigned h = 0; h < GUEST_MAX_HARTS; h++)
        sum += atomic_load_explicit(&counts[h].rounds, memory_order_relaxed);
    return sum;
}

void stress_timers_report(void)
{
    int balanced = 1, never_early = 1, in_order = 1, cancelled_stay = 1, all_rounds = 1;
    for (unsigned h = 0; h < GUEST_MAX_HARTS; h++) {
        const struct counts *c = &counts[h];
        printf("  timers on hart %u: %u armed, %u fired, %u cancelled; %u early, %u out of order, "
               "%u fired after cancel\n",
               h, (unsigned)c->armed, (unsigned)c->fired, (unsigned)c->cancelled,
               (unsigned)c->early, (unsigned)c->out_of_order, (unsigned)c->fired_after_cancel);
        all_rounds &= atomic_load(&c->rounds) == TASKS * ROUNDS;
        balanced &= c->armed == TASKS * ROUNDS * 3u && c->fired + c->cancelled == c->armed;
        never_early &= c->early == 0;
        in_order &= c->out_of_order == 0;
        cancelled_stay &= c->fired_after_cancel == 0;
    }
    guest_report("stress", "timers_on_every_hart_finish_every_round", all_rounds);
    guest_report("stress", "every_armed_timer_fired_or_was_cancelled", balanced);
    guest_report("stress", "no_timer_fires_before_its_deadline", never_early);
    guest_report("stress", "due_timers_fire_before_the_next_poll", in_order);
    guest_report("stress", "a_cancelled_timer_never_fires", cancelled_stay);
}
