/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A small workload recorded as a timeline: two tasks that wake each other,
 * a task that sleeps on timers (one armed, cancelled and re-armed), and a
 * task that a device thread wakes from outside while the executor sleeps. Writes the trace-event
 * JSON to argv[1] (chrome://tracing, ui.perfetto.dev; docs/tracing.md),
 * and the same recording in the kernel dump's text form to argv[2] if given.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"
#include "trace_json.h"

#define ROUNDS 4

struct player {
    aexec_task task;
    struct player *other;
    int turns;
};

static aexec_poll player_poll(aexec_task *t, aexec_cx *cx)
{
    struct player *p = AEXEC_CONTAINER_OF(t, struct player, task);
    aexec_cx_wake(cx, &p->other->task);
    return ++p->turns == ROUNDS ? AEXEC_READY : AEXEC_PENDING;
}

/* Sleeps three times 200 us; its first timer is cancelled and re-armed. */
static struct {
    aexec_task task;
    aexec_timer timer, spare;
    int step;
} sleeper;

static aexec_poll sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    if (sleeper.step == 0) {
        aexec_timer_init(&sleeper.spare);
        aexec_timer_arm(&sleeper.spare, cx, aexec_now(cx->executor) + 1000000000u);
        (void)aexec_timer_cancel(&sleeper.spare);
    }
    if (sleeper.step++ == 3)
        return AEXEC_READY;
    aexec_timer_init(&sleeper.timer);
    aexec_timer_arm(&sleeper.timer, cx, aexec_now(cx->executor) + 200000u);
    return AEXEC_PENDING;
}

/* Woken by the device thread, which publishes `seq`. */
static struct {
    aexec_task task;
    _Atomic unsigned seq;
    unsigned seen;
} reader;

static aexec_poll reader_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    (void)cx;
    reader.seen = atomic_load(&reader.seq);
    return reader.seen == 3 ? AEXEC_READY : AEXEC_PENDING;
}

static void *device(void *arg)
{
    (void)arg;
    trace_json_name_thread("device thread");
    /* Wake i waits for the executor's i-th idle, however loaded the
     * machine: after each wake the reader is polled and waits again, so the
     * executor goes idle once more (at the latest once the sleeper is
     * done), and the timeline has idle slices ended by wakes from outside. */
    for (unsigned i = 1; i <= 3; i++) {
        while (trace_json_idle_entries() < i) {
            struct timespec pause = {0, 50000};
            nanosleep(&pause, NULL);
        }
        atomic_store(&reader.seq, i);
        aexec_wake(&reader.task);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s OUT.json [OUT.txt]\n", argv[0]);
        return 2;
    }
    static aexec_executor ex;
    static aexec_host host;
    static struct player ping, pong;
    ping.other = &pong;
    pong.other = &ping;
    if (aexec_host_executor_init(&ex, &host) != 0)
        return 1;
    trace_json_name_executor(&ex, "executor (main thread)");
    trace_json_name_task(&ping.task, "ping");
    trace_json_name_task(&pong.task, "pong");
    trace_json_name_task(&sleeper.task, "sleeper");
    trace_json_name_task(&reader.task, "reader");
    aexec_spawn(&ex, &ping.task, player_poll);
    aexec_spawn(&ex, &pong.task, player_poll);
    aexec_spawn(&ex, &sleeper.task, sleeper_poll);
    aexec_spawn(&ex, &reader.task, reader_poll);
    pthread_t th;
    pthread_create(&th, NULL, device, NULL);
    int r = aexec_run(&ex);
    pthread_join(th, NULL);
    aexec_host_destroy(&host);
    FILE *f = fopen(argv[1], "w");
    if (f == NULL || trace_json_write(f) != 0 || fclose(f) != 0) {
        fprintf(stderr, "trace_demo: cannot write %s\n", argv[1]);
        return 1;
    }
    printf("trace_demo: %s written\n", argv[1]);
    if (argc == 3) {
        f = fopen(argv[2], "w");
        if (f == NULL || trace_json_write_text(f) != 0 || fclose(f) != 0) {
            fprintf(stderr, "trace_demo: cannot write %s\n", argv[2]);
            return 1;
        }
        printf("trace_demo: %s written\n", argv[2]);
    }
    return r == AEXEC_RUN_DONE ? 0 : 1;
}
