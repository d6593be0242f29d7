/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Fuzz target: the timer queue, through the executor, against a model.
 *
 * TIMERS tasks each own one timer. The input picks a tick rate (the wheel's
 * slot width depends on it), a start time, then a tape of operations: arm
 * (or re-arm) timer i at a deadline near, far, in the past or at the end of
 * time, directly or as a relative sleep (whose deadline the executor
 * stamps after the batch); cancel timer i; advance virtual time by a small
 * or huge step. Arms and cancels run in the owning task's poll, as in a real future. After
 * each operation the executor is polled until nothing is due, and:
 *  - the timers that fired in that step are exactly the armed ones whose
 *    deadline is now <= the clock, each once, and in (deadline, arming
 *    order) order when they were armed before the step;
 *  - a fired timer never fires again; a cancelled or moved arming never
 *    fires;
 *  - every fire is at or after its deadline;
 *  - the queue's count and the alarm the executor programmed match the
 *    model (the alarm is the earliest armed deadline, exactly).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "aexec/aexec.h"

#define TIMERS 16

static uint64_t clock_now;
static uint64_t alarm_at;

static void fz_pend(void *ctx)
{
    (void)ctx;
}
static uint64_t fz_now(void *ctx)
{
    (void)ctx;
    return clock_now;
}
static void fz_set_alarm(void *ctx, uint64_t at)
{
    (void)ctx;
    alarm_at = at;
}
static aexec_cs_state fz_cs_enter(void *ctx)
{
    (void)ctx;
    return 0;
}
static void fz_cs_exit(void *ctx, aexec_cs_state s)
{
    (void)ctx;
    (void)s;
}
static const aexec_port port = {.pend = fz_pend,
                                .now = fz_now,
                                .set_alarm = fz_set_alarm,
                                .cs_enter = fz_cs_enter,
                                .cs_exit = fz_cs_exit};

enum { REQ_NONE, REQ_ARM, REQ_ARM_AFTER, REQ_CANCEL };

struct owner {
    aexec_task task;
    aexec_sleep sleep; /* its timer is armed directly, or as a relative sleep */
    int req;
    aexec_instant req_at; /* REQ_ARM: the deadline; REQ_ARM_AFTER: the delay */
};

/* The model of one timer. */
struct model {
    int armed;
    aexec_instant deadline;
    uint64_t seq; /* arming order */
};

static aexec_executor ex;
static struct owner owners[TIMERS];
static struct model model[TIMERS];
static uint64_t next_seq;

/* Fires seen in the current step, in the order the tasks saw them. */
static int fired[TIMERS * 4];
static uint64_t fired_clock[TIMERS * 4];
static int nfired;

static void fail(const char *why, int i)
{
    fprintf(stderr, "timer queue: %s (timer %d, now %llu, deadline %llu)\n", why, i,
            (unsigned long long)clock_now, (unsigned long long)model[i].deadline);
    abort();
}

static aexec_poll owner_poll(aexec_task *t, aexec_cx *cx)
{
    struct owner *o = AEXEC_CONTAINER_OF(t, struct owner, task);
    int i = (int)(o - owners);
    aexec_timer *timer = &o->sleep.timer;
    if (aexec_timer_fired(timer)) {
        if (nfired == TIMERS * 4)
            fail("more fires than could be armed", i);
        fired[nfired] = i;
        fired_clock[nfired++] = clock_now;
        aexec_timer_cancel(timer); /* seen: back to idle */
    }
    if (o->req == REQ_ARM) {
        aexec_timer_arm(timer, cx, o->req_at);
    } else if (o->req == REQ_ARM_AFTER) {
        /* A relative sleep, stamped with the clock of the next expiry step. */
        aexec_timer_cancel(timer);
        aexec_sleep_for_init(&o->sleep, o->req_at);
        (void)aexec_sleep_poll(&o->sleep, cx);
    } else if (o->req == REQ_CANCEL) {
        aexec_timer_cancel(timer);
    }
    o->req = REQ_NONE;
    return AEXEC_PENDING;
}

/* Polls until no task is ready and no timer is due. */
static void settle(void)
{
    for (int rounds = 0;; rounds++) {
        if (rounds > 64)
            fail("the executor does not settle", 0);
        uint32_t n = aexec_executor_poll(&ex);
        /* The poll's last expiry may have woken tasks for the next one. */
        if (n == 0 && atomic_load(&ex.wake_list_first) == 0 && ex.fifo_head == NULL &&
            (alarm_at == AEXEC_ALARM_NONE || alarm_at > clock_now))
            return;
    }
}

/* Is (deadline, seq) of a before b? */
static int earlier(int a, int b)
{
    if (model[a].deadline != model[b].deadline)
        return model[a].deadline < model[b].deadline;
    return model[a].seq < model[b].seq;
}

/*
 * Checks the step's fires against the model and retires them. `ordered`:
 * every timer that fired was armed before the step, so the order is fixed.
 */
static void check_step(int ordered)
{
    int seen[TIMERS] = {0};
    for (int k = 0; k < nfired; k++) {
        int i = fired[k];
        if (!model[i].armed)
            fail("a timer fired that is not armed (cancelled, moved, or fired before)", i);
        if (seen[i]++)
            fail("a timer fired twice", i);
        if (fired_clock[k] < model[i].deadline)
            fail("a timer fired before its deadline", i);
        if (ordered && k > 0 && earlier(i, fired[k - 1]))
            fail("timers fired out of deadline order", i);
    }
    aexec_instant next = AEXEC_ALARM_NONE;
    uint32_t armed = 0;
    for (int i = 0; i < TIMERS; i++) {
        if (!model[i].armed)
            continue;
        if (seen[i]) {
            model[i].armed = 0;
            continue;
        }
        if (model[i].deadline <= clock_now)
            fail("a due timer did not fire", i);
        armed++;
        if (model[i].deadline < next)
            next = model[i].deadline;
    }
    if (ex.timers.count != armed)
        fail("the queue's count differs from the armed timers", 0);
    if (alarm_at != next)
        fail("the alarm is not the earliest armed deadline", 0);
    nfired = 0;
}

static uint64_t read_bytes(const uint8_t **p, size_t *n, int k)
{
    uint64_t v = 0;
    for (int i = 0; i < k; i++) {
        v = v << 8;
        if (*n > 0) {
            v |= **p;
            (*p)++;
            (*n)--;
        }
    }
    return v;
}

/* A distance in ticks from a selector and raw bits: mostly small, sometimes huge. */
static uint64_t distance(uint8_t how, uint64_t raw)
{
    switch (how & 7u) {
    case 0: return 0;
    case 1:
    case 2: return raw & 0xffu;
    case 3: return raw & 0xffffu;
    case 4: return raw & 0xffffffu;
    case 5: return raw >> (raw & 63u);
    case 6: return raw;
    default: return (raw & 0xffu) << ((raw >> 8) & 63u);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t rates[] = {1000, 32768, 10000000, 1000000000u};
    uint8_t head = (uint8_t)read_bytes(&data, &size, 1);
    clock_now = distance((uint8_t)(head >> 2), read_bytes(&data, &size, 8));
    if (clock_now == UINT64_MAX)
        clock_now--; /* the clock never reaches the end of time */
    alarm_at = AEXEC_ALARM_NONE;
    if (aexec_executor_init(&ex, &port, NULL, rates[head & 3u]) != 0)
        abort();
    next_seq = 0;
    nfired = 0;
    for (int i = 0; i < TIMERS; i++) {
        owners[i] = (struct owner){0};
        model[i] = (struct model){0};
        if (aexec_spawn(&ex, &owners[i].task, owner_poll) != 0)
            abort();
    }
    settle();
    check_step(1);

    while (size >= 2) {
        uint8_t op = (uint8_t)read_bytes(&data, &size, 1);
        int i = op & (TIMERS - 1);
        switch (op >> 4 & 3u) {
        case 0:
        case 1: { /* arm or re-arm, relative to now, maybe in the past */
            uint8_t how = (uint8_t)read_bytes(&data, &size, 1);
            uint64_t d = distance(how, read_bytes(&data, &size, 8));
            aexec_instant at;
            owners[i].req = REQ_ARM;
            if ((how & 0x18u) == 0x18u) {
                at = AEXEC_INSTANT_MAX;
            } else if (how & 0x20u) {
                at = d > clock_now ? 0 : clock_now - d;
            } else {
                at = aexec_instant_add(clock_now, d);
                if (how & 0x40u)
                    owners[i].req = REQ_ARM_AFTER; /* the clock stands still while it settles */
            }
            owners[i].req_at = owners[i].req == REQ_ARM_AFTER ? d : at;
            aexec_wake(&owners[i].task);
            settle();
            /* A timer armed in the past fires within this step; the model
             * sees the new arming, whatever the old one was. */
            model[i].armed = 1;
            model[i].deadline = at;
            model[i].seq = next_seq++;
            check_step(0);
            break;
        }
        case 2: /* cancel */
            owners[i].req = REQ_CANCEL;
            aexec_wake(&owners[i].task);
            settle();
            /* Everything due fired in an earlier step: nothing fires now. */
            model[i].armed = 0;
            check_step(1);
            break;
        default: { /* advance the clock */
            uint8_t how = (uint8_t)read_bytes(&data, &size, 1);
            uint64_t d = distance(how, read_bytes(&data, &size, 8));
            clock_now = d >= UINT64_MAX - 1 - clock_now ? UINT64_MAX - 1 : clock_now + d;
            settle();
            check_step(1);
            break;
        }
        }
    }
    return 0;
}
