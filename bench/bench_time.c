/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * B4: timer churn. N logical tasks each sleep 100 times for a pseudo-random
 * 1..1000 us (fixed seed), on the host time driver; libuv does the same with
 * one uv_timer_t per logical task, re-armed in its callback, each sleep
 * rounded up to libuv's 1 ms resolution; aexec sleeps to the same 1 ms grid
 * (timer slack, see bench_time()), aexec-exact to each deadline. Rows report
 * wall ns and CPU (user+sys) ns per expiry, and the wall time of the run;
 * aexec-vclock and aexec-vclock-1ms run the same tasks on a virtual clock,
 * for instruction counts (see there). floor-sleep is B4's floor: n sleeps of
 * the host's idle hook to the next millisecond and nothing else, CPU and
 * wall ns per sleep; at
 * N = 1,000 both aexec and libuv sleep about once per 1,000 expiries, so a
 * thousandth of it is what each of their expiries pays the kernel.
 * B4q: the raw timer queue at 1 GHz: 1,000,000 inserts with random deadlines,
 * then pop all; ns per insert+pop. Two spreads: deadlines within the next
 * second (impl "aexec": what sleeps and timeouts look like) and anywhere in
 * 2^48 ticks, 3 days (impl "aexec-2^48": the upper wheel levels of a 64-bit
 * build, the far heap of a 3-level one).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"
#include "bench.h"
#include "arch/host/timer_slack.h"
#include "time/timer_queue.h"

#ifndef B4_SLEEPS
#define B4_SLEEPS 100 /* bench/b4-instructions builds 100 and 200: the difference is per expiry */
#endif
#define SLEEPS B4_SLEEPS

/* Zeroed memory that starts on a cache line. */
static void *bench_lines(size_t size)
{
    void *p = aligned_alloc(64, (size + 63) / 64 * 64);
    if (p != NULL)
        memset(p, 0, size);
    return p;
}

static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* ---- aexec --------------------------------------------------------------- */

struct churn {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    uint32_t rng;
    uint32_t left;
};

static uint64_t churn_hz;
static uint64_t expiries;
static uint64_t churn_step;       /* the virtual clock's advance per expiry (below) */
static uint64_t vclock_now_ticks; /* the virtual clock */

static aexec_poll churn_poll(aexec_task *t, aexec_cx *cx)
{
    struct churn *c = AEXEC_CONTAINER_OF(t, struct churn, task);
    AEXEC_CO_BEGIN(&c->co, cx);
    while (c->left > 0) {
        aexec_sleep_for_init(&c->sleep,
                             aexec_ticks_from_us(churn_hz, 1 + next_random(&c->rng) % 1000));
        AEXEC_AWAIT(aexec_sleep_poll(&c->sleep, cx));
        c->left--;
        expiries++;
        vclock_now_ticks += churn_step;
    }
    AEXEC_CO_END;
}

static struct churn *churns;

/* B4's result: wall and CPU ns per expiry, and the run's wall time in ms. */
static bench_result per_expiry(uint64_t cpu, uint64_t wall)
{
    return (bench_result){(double)wall / (double)expiries, (double)cpu / (double)expiries,
                          (double)wall / 1e6};
}

/* Spawns n churn tasks on `ex` (whose tick rate is hz) and runs it to the
 * end; returns the CPU and wall time that took in *cpu and *wall. */
static void churn_run(aexec_executor *ex, uint64_t n, uint64_t hz, uint64_t *cpu, uint64_t *wall)
{
    churn_hz = hz;
    expiries = 0;
    for (uint64_t i = 0; i < n; i++) {
        churns[i] = (struct churn){.rng = (uint32_t)(i * 2654435761u) | 1u, .left = SLEEPS};
        aexec_spawn(ex, &churns[i].task, churn_poll);
    }
    uint64_t c0 = bench_cpu_ns(), w0 = bench_wall_ns();
    aexec_run(ex);
    *cpu = bench_cpu_ns() - c0;
    *wall = bench_wall_ns() - w0;
}

struct b4_arg {
    uint32_t spin;  /* the executor's spin before it sleeps */
    uint64_t slack; /* the host's timer slack, ns (aexec_host_set_timer_slack) */
};

static bench_result b4_aexec(uint64_t n, const void *arg)
{
    const struct b4_arg *a = arg;
    static aexec_executor ex;
    static aexec_host host;
    aexec_host_executor_init(&ex, &host);
    aexec_executor_set_spin(&ex, a->spin);
    aexec_host_set_timer_slack(&host, a->slack);
    uint64_t cpu, wall;
    churn_run(&ex, n, aexec_executor_tick_hz(&ex), &cpu, &wall);
    aexec_host_destroy(&host);
    if (expiries != n * SLEEPS) {
        fprintf(stderr, "bench B4: %llu expiries, expected %llu\n", (unsigned long long)expiries,
                (unsigned long long)(n * SLEEPS));
        exit(1);
    }
    return per_expiry(cpu, wall);
}

/* ---- aexec on a virtual clock ---------------------------------------------
 * The same workload with no kernel in it: the clock moves 150 ns per expiry
 * (about what one costs) and idle jumps to the alarm (or, for the 1 ms
 * row, its grid point, as the host's slack does) plus 50 us (Linux's
 * default timer slack, which a real condvar wait also gets). What it runs
 * depends only on the seed, so callgrind counts the same instructions on a
 * busy machine as on an idle one (bench/instructions BUILD B4 counts this
 * row exactly; the real-clock rows move with the load). */

static uint64_t vclock_alarm;
static uint64_t vclock_slack; /* as aexec_host_set_timer_slack: idle ends on this grid */

static void vclock_pend(void *ctx)
{
    (void)ctx;
}
static void vclock_idle(void *ctx)
{
    (void)ctx;
    if (vclock_alarm != AEXEC_ALARM_NONE && vclock_alarm > vclock_now_ticks)
        vclock_now_ticks = aexec__host_slack_wake(vclock_alarm, vclock_slack) + 50000u;
}
static uint64_t vclock_now(void *ctx)
{
    (void)ctx;
    return vclock_now_ticks;
}
static void vclock_set_alarm(void *ctx, uint64_t at)
{
    (void)ctx;
    vclock_alarm = at;
}
static aexec_cs_state vclock_cs_enter(void *ctx)
{
    (void)ctx;
    return 0;
}
static void vclock_cs_exit(void *ctx, aexec_cs_state s)
{
    (void)ctx;
    (void)s;
}
static const aexec_port vclock_port = {.pend = vclock_pend,
                                       .idle = vclock_idle,
                                       .cs_enter = vclock_cs_enter,
                                       .cs_exit = vclock_cs_exit,
                                       .now = vclock_now,
                                       .set_alarm = vclock_set_alarm};

static bench_result b4_vclock(uint64_t n, const void *arg)
{
    const struct b4_arg *a = arg;
    vclock_slack = a->slack;
    static aexec_executor ex;
    vclock_now_ticks = 1000000000u;
    vclock_alarm = AEXEC_ALARM_NONE;
    aexec_executor_init(&ex, &vclock_port, NULL, 1000000000u);
    churn_step = 150;
    uint64_t cpu, wall;
    churn_run(&ex, n, 1000000000u, &cpu, &wall);
    churn_step = 0;
    if (expiries != n * SLEEPS) {
        fprintf(stderr, "bench B4 vclock: %llu expiries\n", (unsigned long long)expiries);
        exit(1);
    }
    return per_expiry(cpu, wall);
}

/* ---- libuv --------------------------------------------------------------- */

struct uv_churn {
    uv_timer_t timer;
    uint32_t rng;
    uint32_t left;
};

static struct uv_churn *uv_churns;

static uint64_t uv_delay_ms(struct uv_churn *c)
{
    uint32_t us = 1 + next_random(&c->rng) % 1000;
    return (us + 999u) / 1000u; /* libuv's resolution is 1 ms: round up */
}

static void uv_churn_cb(uv_timer_t *t)
{
    struct uv_churn *c = t->data;
    expiries++;
    if (--c->left > 0)
        uv_timer_start(&c->timer, uv_churn_cb, uv_delay_ms(c), 0);
    else
        uv_close((uv_handle_t *)&c->timer, NULL);
}

static bench_result b4_libuv(uint64_t n, const void *arg)
{
    (void)arg;
    uv_loop_t loop;
    uv_loop_init(&loop);
    expiries = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct uv_churn *c = &uv_churns[i];
        c->rng = (uint32_t)(i * 2654435761u) | 1u;
        c->left = SLEEPS;
        uv_timer_init(&loop, &c->timer);
        c->timer.data = c;
        uv_timer_start(&c->timer, uv_churn_cb, uv_delay_ms(c), 0);
    }
    uint64_t c0 = bench_cpu_ns(), w0 = bench_wall_ns();
    uv_run(&loop, UV_RUN_DEFAULT);
    uint64_t cpu = bench_cpu_ns() - c0, wall = bench_wall_ns() - w0;
    uv_loop_close(&loop);
    if (expiries != n * SLEEPS) {
        fprintf(stderr, "bench B4 libuv: %llu expiries\n", (unsigned long long)expiries);
        exit(1);
    }
    return per_expiry(cpu, wall);
}

/* ---- B4's floor: the sleeps alone ------------------------------------------ */

/* n sleeps of the host backend's own idle hook, each to the next
 * millisecond (a 1 ms slack, as the `aexec` row has); nothing wakes them
 * early. The hooks are called directly, so no executor work is counted. */
static bench_result b4_floor_sleep(uint64_t n, const void *arg)
{
    (void)arg;
    static aexec_executor ex;
    static aexec_host host;
    aexec_host_executor_init(&ex, &host);
    aexec_host_set_timer_slack(&host, 1000000u);
    uint64_t c0 = bench_cpu_ns(), w0 = bench_wall_ns();
    for (uint64_t i = 0; i < n; i++) {
        ex.port->set_alarm(ex.ctx, aexec_host_now_ns() + 1u);
        ex.port->idle(ex.ctx);
    }
    uint64_t cpu = bench_cpu_ns() - c0, wall = bench_wall_ns() - w0;
    aexec_host_destroy(&host);
    return (bench_result){(double)wall / (double)n, (double)cpu / (double)n, (double)wall / 1e6};
}

/* ---- B4q: the raw queue -------------------------------------------------- */

static aexec_timer *qnodes;

static bench_result b4q_run(uint64_t n, const void *arg)
{
    const uint64_t *spread = arg;
    static aexec_timer_queue q;
    uint32_t rng = 12345u;
    for (uint64_t i = 0; i < n; i++)
        qnodes[i].deadline = (((uint64_t)next_random(&rng) << 32) | next_random(&rng)) % *spread;
    aexec__tq_init(&q, 1000000000u);
    uint64_t t0 = bench_wall_ns();
    for (uint64_t i = 0; i < n; i++)
        aexec__tq_insert(&q, &qnodes[i]);
    uint64_t last = 0, popped = 0;
    aexec_timer *t;
    while ((t = aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX)) != NULL) {
        if (t->deadline < last) {
            fprintf(stderr, "bench B4q: out of order\n");
            exit(1);
        }
        last = t->deadline;
        popped++;
    }
    uint64_t t1 = bench_wall_ns();
    if (popped != n) {
        fprintf(stderr, "bench B4q: %llu of %llu popped\n", (unsigned long long)popped,
                (unsigned long long)n);
        exit(1);
    }
    return (bench_result){(double)(t1 - t0) / (double)n, -1, -1};
}

void bench_time(void)
{
    static const uint64_t sizes[] = {1000, 10000, 100000};
    if (bench_selected("B4")) {
        uint64_t max = bench_quick() ? 1000 : 100000;
        /* One size alone (bench/b4-instructions counts each under callgrind). */
        const char *only_n = getenv("AEXEC_BENCH_B4_N");
        uint64_t one = only_n != NULL ? strtoull(only_n, NULL, 10) : 0;
        /* Both arrays start on a cache line, so neither implementation's
         * per-task state straddles one more line than its struct needs. */
        churns = bench_lines(max * sizeof churns[0]);
        uv_churns = bench_lines(max * sizeof uv_churns[0]);
        if (churns == NULL || uv_churns == NULL)
            exit(1);
        /* libuv's clock has 1 ms resolution: it rounds each sleep up to
         * whole milliseconds and wakes once per millisecond for every timer
         * due. The `aexec` rows sleep to the same grid (a 1 ms timer slack,
         * aexec_host_set_timer_slack: each timer fires at the first
         * millisecond at or after its exact deadline), so both do the same
         * work at the same resolution; `aexec-exact` wakes for each deadline
         * to the nanosecond, as the host backend does by default. The host
         * executor also spins before it sleeps, to catch wakes from other
         * threads without a system call; this workload has none, so the rows
         * without spin are the timer cost alone. */
        static const struct b4_arg ms = {0, 1000000u}, exact = {0, 0},
                                   spin = {AEXEC_HOST_DEFAULT_SPIN, 1000000u};
        for (size_t i = 0; i < 3 && sizes[i] <= max; i++) {
            if (one != 0 && sizes[i] != one)
                continue;
            bench_run_ops("B4", "aexec", sizes[i], SLEEPS, b4_aexec, &ms);
            bench_run_ops("B4", "aexec-exact", sizes[i], SLEEPS, b4_aexec, &exact);
            bench_run_ops("B4", "aexec-spin", sizes[i], SLEEPS, b4_aexec, &spin);
            bench_run_ops("B4", "libuv", sizes[i], SLEEPS, b4_libuv, NULL);
            bench_run_ops("B4", "aexec-vclock", sizes[i], SLEEPS, b4_vclock, &exact);
            bench_run_ops("B4", "aexec-vclock-1ms", sizes[i], SLEEPS, b4_vclock, &ms);
        }
        bench_run("B4", "floor-sleep", SLEEPS, b4_floor_sleep, NULL);
        free(churns);
        free(uv_churns);
    }
    if (bench_selected("B4q")) {
        uint64_t n = bench_quick() ? 10000 : 1000000;
        qnodes = bench_lines(n * sizeof qnodes[0]);
        if (qnodes == NULL)
            exit(1);
        static const uint64_t second = 1000000000u, wide = 1ull << 48;
        bench_run("B4q", "aexec", n, b4q_run, &second);
        bench_run("B4q", "aexec-2^48", n, b4q_run, &wide);
        free(qnodes);
    }
}
