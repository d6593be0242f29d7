/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The host demo: three tasks on one executor and one OS thread that plays a
 * device interrupt.
 *
 *   ping, pong  take turns through AEXEC_YIELD: each yield lets every other
 *               ready task run once, so their lines interleave.
 *   sampler     waits for samples that the "device" thread publishes and
 *               wakes it for, from outside the executor (a cross-thread wake).
 *
 * aexec_run() returns when the last task has finished: a clean exit.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"

#define SAMPLES 5

struct player {
    aexec_task task;
    aexec_co co;
    const char *name;
    int turn;
};

static aexec_poll player_poll(aexec_task *t, aexec_cx *cx)
{
    struct player *self = AEXEC_CONTAINER_OF(t, struct player, task);
    AEXEC_CO_BEGIN(&self->co, cx);
    for (self->turn = 1; self->turn <= 3; self->turn++) {
        printf("  %s: turn %d\n", self->name, self->turn);
        AEXEC_YIELD();
    }
    printf("  %s: done\n", self->name);
    AEXEC_CO_END;
}

/* What the device thread shares with the sampler: a sequence number and a value. */
struct device {
    _Atomic uint32_t seq;
    _Atomic uint32_t value;
    aexec_task *reader;
};

struct sampler {
    aexec_task task;
    aexec_co co;
    struct device *dev;
    uint32_t seen;
    uint32_t sum;
};

static aexec_poll sampler_poll(aexec_task *t, aexec_cx *cx)
{
    struct sampler *self = AEXEC_CONTAINER_OF(t, struct sampler, task);
    AEXEC_CO_BEGIN(&self->co, cx);
    while (self->seen < SAMPLES) {
        /* The device wakes us after each new sample; until then, sleep. */
        aexec_stats_set_waiting(cx, "device sample");
        AEXEC_WAIT_UNTIL(atomic_load_explicit(&self->dev->seq, memory_order_acquire) != self->seen);
        self->seen = atomic_load_explicit(&self->dev->seq, memory_order_acquire);
        uint32_t v = atomic_load_explicit(&self->dev->value, memory_order_relaxed);
        self->sum += v;
        printf("  sampler: sample %u = %u (woken from the device thread)\n", self->seen, v);
    }
    printf("  sampler: done, sum %u\n", self->sum);
    AEXEC_CO_END;
}

/* The "interrupt handler": publishes a sample and wakes the task that wants it. */
static void *device_thread(void *arg)
{
    struct device *dev = arg;
    for (uint32_t i = 1; i <= SAMPLES; i++) {
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
        atomic_store_explicit(&dev->value, i * 10u, memory_order_relaxed);
        atomic_store_explicit(&dev->seq, i, memory_order_release);
        aexec_wake(dev->reader); /* safe from any thread */
    }
    return NULL;
}

/* aexec_stats_print's output: one line per call. */
static void print_line(void *arg, const char *line)
{
    (void)arg;
    printf("  %s\n", line);
}

int main(void)
{
    static aexec_executor ex;
    static aexec_host host;
    static struct player ping = {.name = "ping"}, pong = {.name = "pong"};
    static struct device dev;
    static struct sampler sampler = {.dev = &dev};
    dev.reader = &sampler.task;

    if (aexec_host_executor_init(&ex, &host) != 0) {
        fprintf(stderr, "demo: executor init failed\n");
        return 1;
    }
    aexec_spawn(&ex, &ping.task, player_poll);
    aexec_spawn(&ex, &pong.task, player_poll);
    aexec_spawn(&ex, &sampler.task, sampler_poll);
    /* Per-task counters, when the library is built with AEXEC_STATS (else
     * these calls return AEXEC_ENOTSUP and the table says so). */
    static aexec_task_stats stats[8];
    aexec_stats_init(&ex, stats, 8);
    aexec_stats_track(&ex, &ping.task, "ping");
    aexec_stats_track(&ex, &pong.task, "pong");
    aexec_stats_track(&ex, &sampler.task, "sampler");

    pthread_t device;
    pthread_create(&device, NULL, device_thread, &dev);
    printf("libaexec host demo: 3 tasks, 1 device thread\n");
    int r = aexec_run(&ex);
    pthread_join(device, NULL);
    aexec_host_destroy(&host);
    printf("aexec_run returned %s: every task finished\n",
           r == AEXEC_RUN_DONE ? "AEXEC_RUN_DONE" : "?");
    aexec_stats_print(&ex, print_line, NULL);
    return r == AEXEC_RUN_DONE && sampler.seen == SAMPLES ? 0 : 1;
}
