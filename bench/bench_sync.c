/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * B6: channel throughput between two tasks on one executor (ns per item),
 * capacity 1 and 64, on the host backend (its spinlock is the channel's
 * critical section).
 * B5c: cross-thread round trip through channels: a thread try_sends a
 * request into one channel, a task receives it and try_sends the reply into
 * another, which the thread polls.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"
#include "bench.h"

static aexec_channel ch;
static uint64_t ring[64];

struct producer {
    aexec_task task;
    aexec_co co;
    aexec_channel_send op;
    uint64_t i, n, item;
    int err;
};

static aexec_poll producer_poll(aexec_task *t, aexec_cx *cx)
{
    struct producer *p = AEXEC_CONTAINER_OF(t, struct producer, task);
    AEXEC_CO_BEGIN(&p->co, cx);
    for (p->i = 0; p->i < p->n; p->i++) {
        p->item = p->i;
        aexec_channel_send_init(&p->op, &ch, &p->item);
        AEXEC_AWAIT(aexec_channel_send_poll(&p->op, cx, &p->err));
    }
    AEXEC_CO_END;
}

struct consumer {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv op;
    uint64_t i, n, item, sum;
    int err;
};

static aexec_poll consumer_poll(aexec_task *t, aexec_cx *cx)
{
    struct consumer *c = AEXEC_CONTAINER_OF(t, struct consumer, task);
    AEXEC_CO_BEGIN(&c->co, cx);
    for (c->i = 0; c->i < c->n; c->i++) {
        aexec_channel_recv_init(&c->op, &ch, &c->item);
        AEXEC_AWAIT(aexec_channel_recv_poll(&c->op, cx, &c->err));
        c->sum += c->item;
    }
    AEXEC_CO_END;
}

static bench_result b6_run(uint64_t n, const void *arg)
{
    uint32_t capacity = *(const uint32_t *)arg;
    static aexec_executor ex;
    static aexec_host host;
    static struct producer p;
    static struct consumer c;
    aexec_cs cs;
    aexec_host_executor_init(&ex, &host);
    aexec_executor_cs(&ex, &cs);
    aexec_channel_init(&ch, &cs, ring, sizeof ring[0], capacity);
    p = (struct producer){.n = n};
    c = (struct consumer){.n = n};
    aexec_spawn(&ex, &p.task, producer_poll);
    aexec_spawn(&ex, &c.task, consumer_poll);
    uint64_t t0 = bench_wall_ns();
    aexec_run(&ex);
    uint64_t t1 = bench_wall_ns();
    aexec_host_destroy(&host);
    if (c.sum != n * (n - 1) / 2) {
        fprintf(stderr, "bench B6: items lost\n");
        exit(1);
    }
    return (bench_result){(double)(t1 - t0) / (double)n, -1, -1};
}

/* ---- B5c ------------------------------------------------------------------ */

static BENCH_OWN_LINE aexec_channel requests;
static BENCH_OWN_LINE aexec_channel replies;
static BENCH_OWN_LINE uint64_t req_ring[4];
static BENCH_OWN_LINE uint64_t rep_ring[4];

struct echo {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv op;
    uint64_t item;
    int err;
};

static aexec_poll echo_poll(aexec_task *t, aexec_cx *cx)
{
    struct echo *e = AEXEC_CONTAINER_OF(t, struct echo, task);
    AEXEC_CO_BEGIN(&e->co, cx);
    for (;;) {
        aexec_channel_recv_init(&e->op, &requests, &e->item);
        AEXEC_AWAIT(aexec_channel_recv_poll(&e->op, cx, &e->err));
        if (e->err == AEXEC_ECLOSED)
            break;
        aexec_channel_try_send(&replies, &e->item);
    }
    AEXEC_CO_END;
}

static void *b5c_peer(void *arg)
{
    uint64_t n = *(const uint64_t *)arg;
    bench_pin(1);
    for (uint64_t i = 1; i <= n; i++) {
        uint64_t r = 0;
        aexec_channel_try_send(&requests, &i);
        while (aexec_channel_try_recv(&replies, &r) != 0)
            __asm__ __volatile__("pause");
        if (r != i)
            exit(1);
    }
    aexec_channel_close(&requests);
    return NULL;
}

static bench_result b5c_run(uint64_t n, const void *arg)
{
    (void)arg;
    static aexec_executor ex;
    static aexec_host host;
    static BENCH_OWN_LINE struct echo e;
    aexec_cs cs;
    aexec_host_executor_init(&ex, &host);
    aexec_executor_cs(&ex, &cs);
    aexec_channel_init(&requests, &cs, req_ring, sizeof req_ring[0], 4);
    aexec_channel_init(&replies, &cs, rep_ring, sizeof rep_ring[0], 4);
    e = (struct echo){0};
    aexec_spawn(&ex, &e.task, echo_poll);
    pthread_t peer;
    uint64_t t0 = bench_wall_ns();
    pthread_create(&peer, NULL, b5c_peer, &n);
    aexec_run(&ex);
    pthread_join(peer, NULL);
    uint64_t t1 = bench_wall_ns();
    aexec_host_destroy(&host);
    return (bench_result){(double)(t1 - t0) / (double)n, -1, -1};
}

void bench_sync(void)
{
    uint64_t m = bench_quick() ? 10000 : 1000000;
    if (bench_selected("B6")) {
        static const uint32_t one = 1, sixty_four = 64;
        bench_run("B6", "aexec-cap1", m, b6_run, &one);
        bench_run("B6", "aexec-cap64", m, b6_run, &sixty_four);
    }
    if (bench_selected("B5c"))
        bench_run("B5c", "aexec", m, b5c_run, NULL);
}
