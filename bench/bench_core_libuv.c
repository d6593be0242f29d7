/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The libuv peer for B5: the same cross-thread round trip with libuv's own
 * mechanism for it. A second OS thread calls uv_async_send() and waits for
 * the loop's callback to answer, exactly as B5's thread wakes a task.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "bench.h"

struct uv_echo {
    uv_async_t async;
    _Atomic uint64_t request;
    _Atomic uint64_t reply;
    uint64_t n;
};

static void on_async(uv_async_t *handle)
{
    struct uv_echo *e = handle->data;
    uint64_t r = atomic_load_explicit(&e->request, memory_order_acquire);
    atomic_store_explicit(&e->reply, r, memory_order_release);
    if (r == e->n)
        uv_close((uv_handle_t *)&e->async, NULL);
}

static void *uv_peer(void *arg)
{
    struct uv_echo *e = arg;
    bench_pin(1);
    for (uint64_t i = 1; i <= e->n; i++) {
        atomic_store_explicit(&e->request, i, memory_order_release);
        uv_async_send(&e->async);
        while (atomic_load_explicit(&e->reply, memory_order_acquire) != i)
            __asm__ __volatile__("pause");
    }
    return NULL;
}

bench_result bench_b5_libuv(uint64_t n, const void *arg)
{
    (void)arg;
    static struct uv_echo e;
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) {
        fprintf(stderr, "bench B5 libuv: uv_loop_init failed\n");
        exit(1);
    }
    uv_async_init(&loop, &e.async, on_async);
    e.async.data = &e;
    atomic_store(&e.request, 0);
    atomic_store(&e.reply, 0);
    e.n = n;
    pthread_t peer;
    uint64_t t0 = bench_wall_ns();
    pthread_create(&peer, NULL, uv_peer, &e);
    uv_run(&loop, UV_RUN_DEFAULT);
    pthread_join(peer, NULL);
    uint64_t t1 = bench_wall_ns();
    uv_loop_close(&loop);
    return (bench_result){(double)(t1 - t0) / (double)n, -1, -1};
}
