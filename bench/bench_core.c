/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * B1 ping-pong, B2 spawn churn, B3 fan-out, B5 cross-thread ping-pong, each
 * on the real host backend (condvar pender, CLOCK_MONOTONIC), and a `floor`
 * row: the same loop doing only what no executor can avoid (one atomic
 * exchange and one indirect call per operation), so the overhead over the
 * hardware limit is visible.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"
#include "bench.h"

bench_result bench_b5_libuv(uint64_t n, const void *arg); /* bench_core_libuv.c */

static void die(const char *what, int err)
{
    fprintf(stderr, "bench: %s failed: %s\n", what, aexec_strerror(err));
    exit(1);
}

static void host_init(aexec_executor *ex, aexec_host *host)
{
    int err = aexec_host_executor_init(ex, host);
    if (err)
        die("aexec_host_executor_init", err);
}

static void spawn(aexec_executor *ex, aexec_task *t, aexec_poll_fn fn)
{
    int err = aexec_spawn(ex, t, fn);
    if (err)
        die("aexec_spawn", err);
}

/* ---- floor: one exchange + one indirect call per operation ------------- */

static _Atomic(void *) floor_slot;
static uint64_t floor_count;

__attribute__((noinline)) static void floor_step(void *p)
{
    floor_count += p != NULL;
}

static void (*volatile floor_fn)(void *) = floor_step;

static bench_result floor_run(uint64_t n, const void *arg)
{
    (void)arg;
    void (*fn)(void *) = floor_fn;
    floor_count = 0;
    uint64_t t0 = bench_wall_ns();
    for (uint64_t i = 0; i < n; i++)
        fn(atomic_exchange_explicit(&floor_slot, (void *)&floor_slot, memory_order_acq_rel));
    uint64_t t1 = bench_wall_ns();
    bench_sink(floor_count);
    return (bench_result){(double)(t1 - t0) / (double)n, -1, -1};
}

/* ---- B1: two tasks wake each other through one-slot signals ------------ */

/*
 * impl "aexec": the signal is the task notification (aexec_cx_notify), the
 * one-slot signal every task has built in: signal and wake are one fetch_or.
 * impl "aexec-slot": a separate atomic flag plus aexec_cx_wake, the shape of
 * any signal that lives outside the task.
 */
struct notifier {
    aexec_task task;
    aexec_co co;
    aexec_task *peer;
    uint64_t left;
};

static aexec_poll notifier_poll(aexec_task *t, aexec_cx *cx)
{
    struct notifier *self = AEXEC_CONTAINER_OF(t, struct notifier, task);
    AEXEC_CO_BEGIN(&self->co, cx);
    while (self->left > 0) {
        AEXEC_AWAIT_NOTIFICATION();
        self->left--;
        aexec_cx_notify(cx, self->peer);
    }
    AEXEC_CO_END;
}

static bench_result b1_notify_run(uint64_t n, const void *arg)
{
    (void)arg;
    static aexec_executor ex;
    static aexec_host host;
    static struct notifier a, b;
    host_init(&ex, &host);
    a = (struct notifier){.peer = &b.task, .left = n};
    b = (struct notifier){.peer = &a.task, .left = n};
    spawn(&ex, &a.task, notifier_poll);
    spawn(&ex, &b.task, notifier_poll);
    aexec_notify(&a.task); /* a serves first */
    uint64_t t0 = bench_wall_ns();
    aexec_run(&ex);
    uint64_t t1 = bench_wall_ns();
    aexec_host_destroy(&host);
    if (a.left != 0 || b.left != 0) {
        fprintf(stderr, "bench B1: lost a notification (a %llu, b %llu left)\n",
                (unsigned long long)a.left, (unsigned long long)b.left);
        exit(1);
    }
    return (bench_result){(double)(t1 - t0) / (double)(2 * n), -1, -1};
}

/* A one-slot signal: the sender sets the flag and wakes the registered task. */
struct slot {
    _Atomic uint32_t full;
    aexec_task *waiter;
};

/* Sent from a task, so the wake goes through its cx. */
static void slot_send(struct slot *s, aexec_cx *cx)
{
    atomic_store_explicit(&s->full, 1u, memory_order_release);
    aexec_cx_wake(cx, s->waiter);
}

static int slot_take(struct slot *s)
{
    return atomic_exchange_explicit(&s->full, 0u, memory_order_acquire) != 0;
}

struct player {
    aexec_task task;
    aexec_co co;
    struct slot inbox;
    struct slot *peer;
    uint64_t rounds, left;
};

static aexec_poll player_poll(aexec_task *t, aexec_cx *cx)
{
    struct player *self = AEXEC_CONTAINER_OF(t, struct player, task);
    AEXEC_CO_BEGIN(&self->co, cx);
    while (self->left > 0) {
        AEXEC_WAIT_UNTIL(slot_take(&self->inbox));
        self->left--;
        slot_send(self->peer, cx);
    }
    AEXEC_CO_END;
}

static bench_result b1_run(uint64_t n, const void *arg)
{
    (void)arg;
    static aexec_executor ex;
    static aexec_host host;
    static struct player a, b;
    host_init(&ex, &host);
    a = (struct player){.peer = &b.inbox, .left = n};
    b = (struct player){.peer = &a.inbox, .left = n};
    a.inbox.waiter = &a.task;
    b.inbox.waiter = &b.task;
    atomic_store(&a.inbox.full, 1u); /* a serves first */
    spawn(&ex, &a.task, player_poll);
    spawn(&ex, &b.task, player_poll);
    uint64_t t0 = bench_wall_ns();
    aexec_run(&ex);
    uint64_t t1 = bench_wall_ns();
    aexec_host_destroy(&host);
    /* n round trips = 2n wake+poll pairs */
    return (bench_result){(double)(t1 - t0) / (double)(2 * n), -1, -1};
}

/* ---- B2: trivial tasks through a pool of 64 ------------------------------ */

#define B2_POOL 64

struct trivial {
    aexec_task task;
    uint64_t *done;
};

struct spawner {
    aexec_task task;
    aexec_pool *pool;
    uint64_t left;
    int any_context; /* claim with aexec_pool_claim, as a thread or an ISR would */
};

static aexec_poll trivial_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    struct trivial *self = AEXEC_CONTAINER_OF(t, struct trivial, task);
    (*self->done)++;
    return AEXEC_READY;
}

static uint64_t b2_done;

static aexec_poll spawner_poll(aexec_task *t, aexec_cx *cx)
{
    struct spawner *self = AEXEC_CONTAINER_OF(t, struct spawner, task);
    aexec_task *slot;
    while (self->left > 0 &&
           (self->any_context ? aexec_pool_claim(self->pool, &slot)
                              : aexec_cx_pool_claim(cx, self->pool, &slot)) == 0) {
        AEXEC_CONTAINER_OF(slot, struct trivial, task)->done = &b2_done;
        aexec_pool_spawn(self->pool, slot, cx);
        self->left--;
    }
    if (self->left == 0)
        return AEXEC_READY;
    /* Pool full: let this batch's tasks finish, then spawn more. */
    aexec_cx_wake(cx, aexec_cx_waker(cx));
    return AEXEC_PENDING;
}

/* arg: NULL to claim through the spawner's cx, non-NULL to claim as any context would. */
static bench_result b2_run(uint64_t n, const void *arg)
{
    static aexec_executor ex;
    static aexec_host host;
    static struct trivial slots[B2_POOL];
    static aexec_pool_link links[B2_POOL];
    static aexec_pool pool;
    static struct spawner sp;
    host_init(&ex, &host);
    for (int i = 0; i < B2_POOL; i++)
        slots[i] = (struct trivial){0};
    int err = aexec_pool_init(&pool, &ex, slots, sizeof slots[0], offsetof(struct trivial, task),
                              B2_POOL, links, trivial_poll);
    if (err)
        die("aexec_pool_init", err);
    sp = (struct spawner){.pool = &pool, .left = n, .any_context = arg != NULL};
    b2_done = 0;
    spawn(&ex, &sp.task, spawner_poll);
    uint64_t t0 = bench_wall_ns();
    aexec_run(&ex);
    uint64_t t1 = bench_wall_ns();
    aexec_host_destroy(&host);
    if (b2_done != n) {
        fprintf(stderr, "bench B2: %llu of %llu tasks ran\n", (unsigned long long)b2_done,
                (unsigned long long)n);
        exit(1);
    }
    return (bench_result){(double)(t1 - t0) / (double)n, -1, -1};
}

/* ---- B3: one driver wakes 10,000 waiting tasks, 100 rounds --------------- */

#define B3_TASKS 10000u

struct waiter {
    aexec_task task;
    uint64_t polls;
    int stop;
};

struct driver {
    aexec_task task;
    struct waiter *waiters;
    uint32_t count;
    uint64_t rounds;
};

static aexec_poll waiter_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    struct waiter *self = AEXEC_CONTAINER_OF(t, struct waiter, task);
    self->polls++;
    return self->stop ? AEXEC_READY : AEXEC_PENDING;
}

static aexec_poll driver_poll(aexec_task *t, aexec_cx *cx)
{
    struct driver *self = AEXEC_CONTAINER_OF(t, struct driver, task);
    int last = self->rounds == 1;
    for (uint32_t i = 0; i < self->count; i++) {
        self->waiters[i].stop = last;
        aexec_cx_wake(cx, &self->waiters[i].task);
    }
    if (--self->rounds == 0)
        return AEXEC_READY;
    aexec_cx_wake(cx, aexec_cx_waker(cx)); /* after them: runs once they all have */
    return AEXEC_PENDING;
}

static bench_result b3_run(uint64_t rounds, const void *arg)
{
    (void)arg;
    static aexec_executor ex;
    static aexec_host host;
    static struct waiter waiters[B3_TASKS];
    static struct driver drv;
    host_init(&ex, &host);
    for (uint32_t i = 0; i < B3_TASKS; i++) {
        waiters[i] = (struct waiter){0};
        spawn(&ex, &waiters[i].task, waiter_poll);
    }
    drv = (struct driver){.waiters = waiters, .count = B3_TASKS, .rounds = rounds};
    aexec_executor_poll(&ex); /* first polls of the waiters: not timed */
    spawn(&ex, &drv.task, driver_poll);
    uint64_t t0 = bench_wall_ns();
    aexec_run(&ex);
    uint64_t t1 = bench_wall_ns();
    aexec_host_destroy(&host);
    return (bench_result){(double)(t1 - t0) / (double)(rounds * B3_TASKS), -1, -1};
}

/* ---- B5: an OS thread and a task, round trips ---------------------------- */

struct echo {
    aexec_task task;
    _Atomic uint64_t request;
    _Atomic uint64_t reply;
    uint64_t n;
};

static aexec_poll echo_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    struct echo *self = AEXEC_CONTAINER_OF(t, struct echo, task);
    uint64_t r = atomic_load_explicit(&self->request, memory_order_acquire);
    atomic_store_explicit(&self->reply, r, memory_order_release);
    return r == self->n ? AEXEC_READY : AEXEC_PENDING;
}

static void *b5_peer(void *arg)
{
    struct echo *e = arg;
    bench_pin(1);
    for (uint64_t i = 1; i <= e->n; i++) {
        atomic_store_explicit(&e->request, i, memory_order_release);
        aexec_wake(&e->task);
        while (atomic_load_explicit(&e->reply, memory_order_acquire) != i)
            __asm__ __volatile__("pause");
    }
    return NULL;
}

static bench_result b5_run(uint64_t n, const void *arg)
{
    (void)arg;
    static aexec_executor ex;
    static aexec_host host;
    static BENCH_OWN_LINE struct echo e;
    host_init(&ex, &host);
    atomic_store(&e.request, 0);
    atomic_store(&e.reply, 0);
    e.n = n;
    spawn(&ex, &e.task, echo_poll);
    aexec_executor_poll(&ex); /* first poll: answers request 0 */
    pthread_t peer;
    uint64_t t0 = bench_wall_ns();
    pthread_create(&peer, NULL, b5_peer, &e);
    aexec_run(&ex);
    pthread_join(peer, NULL);
    uint64_t t1 = bench_wall_ns();
    aexec_host_destroy(&host);
    return (bench_result){(double)(t1 - t0) / (double)n, -1, -1};
}

/* The floor of a cross-thread round trip: two threads bouncing one line. */
static BENCH_OWN_LINE _Atomic uint64_t spin_ball;

static void *spin_peer(void *arg)
{
    uint64_t n = *(const uint64_t *)arg;
    bench_pin(1);
    for (uint64_t i = 1; i <= n; i++) {
        while (atomic_load_explicit(&spin_ball, memory_order_acquire) != 2 * i - 1)
            __asm__ __volatile__("pause");
        atomic_store_explicit(&spin_ball, 2 * i, memory_order_release);
    }
    return NULL;
}

static bench_result b5_floor_run(uint64_t n, const void *arg)
{
    (void)arg;
    pthread_t peer;
    atomic_store(&spin_ball, 0);
    uint64_t t0 = bench_wall_ns();
    pthread_create(&peer, NULL, spin_peer, &n);
    for (uint64_t i = 1; i <= n; i++) {
        atomic_store_explicit(&spin_ball, 2 * i - 1, memory_order_release);
        while (atomic_load_explicit(&spin_ball, memory_order_acquire) != 2 * i)
            __asm__ __volatile__("pause");
    }
    pthread_join(peer, NULL);
    uint64_t t1 = bench_wall_ns();
    return (bench_result){(double)(t1 - t0) / (double)n, -1, -1};
}

void bench_core(void)
{
    uint64_t m = bench_quick() ? 10000 : 1000000;
    if (bench_selected("B1")) {
        bench_run_ops("B1", "aexec", m, 2, b1_notify_run, NULL);
        bench_run_ops("B1", "aexec-slot", m, 2, b1_run, NULL);
        bench_run("B1", "floor", 2 * m, floor_run, NULL);
    }
    if (bench_selected("B2")) {
        bench_run("B2", "aexec", m, b2_run, NULL);
        bench_run("B2", "aexec-anyctx", m, b2_run, "");
        bench_run("B2", "floor", m, floor_run, NULL);
    }
    if (bench_selected("B3")) {
        uint64_t rounds = bench_quick() ? 5 : 100;
        bench_run_ops("B3", "aexec", rounds, B3_TASKS, b3_run, NULL);
        bench_run("B3", "floor", rounds * B3_TASKS, floor_run, NULL);
    }
    if (bench_selected("B5")) {
        bench_run("B5", "aexec", m, b5_run, NULL);
        bench_run("B5", "libuv", m, bench_b5_libuv, NULL);
        bench_run("B5", "floor", m, b5_floor_run, NULL);
    }
}
