/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A timed serial reader under load: a thread plays the UART interrupt and
 * try_sends 1,000,000 bytes of text through a 16-byte channel; a task reads
 * them one by one, each read bounded by a per-line deadline so short (30 us)
 * that deadlines and hand-overs race all the time. Whenever the deadline
 * wins, the reader starts a new deadline and reads on. Not one byte may be
 * lost or duplicated: the reader's count and checksum must equal the
 * producer's. The producer pauses now and then, so timeouts do happen.
 *
 * AEXEC_TIMEOUT_STRESS_BYTES (a macro, or an environment variable at run
 * time) sets the count: 1,000,000 in every flavour, ThreadSanitizer's
 * included (about 15 s of wall time on a loaded 2-core machine either way).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"

/* The default count; the environment variable of the same name overrides it. */
#ifndef AEXEC_TIMEOUT_STRESS_BYTES
#define AEXEC_TIMEOUT_STRESS_BYTES 1000000u
#endif
static uint64_t BYTES = AEXEC_TIMEOUT_STRESS_BYTES;
#define LINE_US 30u
#define PAUSE_EVERY 4096u /* bytes between the producer's pauses */

static aexec_channel rx;
static uint8_t fifo[16];

/* FNV-1a over the stream, position-sensitive: a lost, doubled or swapped byte shows. */
static uint64_t fnv(uint64_t h, uint8_t b)
{
    return (h ^ b) * 0x100000001b3ull;
}
#define FNV_START 0xcbf29ce484222325ull

struct produced {
    uint64_t sum;
    uint64_t full; /* try_sends that found the FIFO full (retried, not dropped) */
};

static void *uart_interrupt(void *arg)
{
    struct produced *out = arg;
    uint64_t sum = FNV_START, x = 0x9e3779b97f4a7c15ull;
    for (uint64_t i = 0; i < BYTES; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint8_t b = (x % 24u) == 0 ? (uint8_t)'\n' : (uint8_t)('a' + x % 26u);
        while (aexec_channel_try_send(&rx, &b) == AEXEC_EFULL) {
            /* A FIFO that fills is the reader's cue; waiting here rather than
             * spinning leaves the CPU to it (and keeps the test cheap on a
             * shared machine). */
            out->full++;
            struct timespec breath = {0, 10 * 1000};
            nanosleep(&breath, NULL);
        }
        sum = fnv(sum, b);
        if (i % PAUSE_EVERY == PAUSE_EVERY - 1) {
            struct timespec gap = {0, 200 * 1000}; /* longer than a line's deadline */
            nanosleep(&gap, NULL);
        }
    }
    aexec_channel_close(&rx);
    out->sum = sum;
    return NULL;
}

struct reader {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv get;
    aexec_timeout to;
    aexec_instant deadline;
    aexec_duration line_ticks;
    uint8_t byte;
    int err;
    uint64_t count, lines, timeouts, rescued, sum;
};

static aexec_poll reader_poll(aexec_task *t, aexec_cx *cx)
{
    struct reader *r = AEXEC_CONTAINER_OF(t, struct reader, task);
    AEXEC_CO_BEGIN(&r->co, cx);
    r->deadline = aexec_instant_add(aexec_now(cx->executor), r->line_ticks);
    for (;;) {
        aexec_channel_recv_init(&r->get, &rx, &r->byte);
        aexec_timeout_until_init(&r->to, r->deadline);
        AEXEC_AWAIT_WITH_TIMEOUT(&r->to, aexec_channel_recv_poll(&r->get, cx, &r->err),
                                 aexec_channel_recv_cancel(&r->get));
        if (aexec_timeout_expired(&r->to)) {
            r->timeouts++;
            r->deadline = aexec_instant_add(aexec_now(cx->executor), r->line_ticks);
            continue;
        }
        if (r->to.sel.done == 3u)
            r->rescued++; /* the deadline had won the poll; the cancel found the byte */
        if (r->err == AEXEC_ECLOSED)
            break;
        r->sum = fnv(r->sum, r->byte);
        r->count++;
        if (r->byte == '\n') {
            r->lines++;
            r->deadline = aexec_instant_add(aexec_now(cx->executor), r->line_ticks);
        }
    }
    AEXEC_CO_END;
}

static void every_byte_arrives_once_while_deadlines_race_the_hand_overs(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static struct reader r;
    aexec_cs cs;
    struct produced p = {0};
    const char *env = getenv("AEXEC_TIMEOUT_STRESS_BYTES");
    if (env != NULL && strtoull(env, NULL, 10) > 0)
        BYTES = strtoull(env, NULL, 10);
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    assert_int_equal(aexec_channel_init(&rx, &cs, fifo, 1, sizeof fifo), 0);
    r = (struct reader){.sum = FNV_START};
    r.line_ticks = aexec_ticks_from_us(aexec_executor_tick_hz(&ex), LINE_US);
    assert_int_equal(aexec_spawn(&ex, &r.task, reader_poll), 0);

    pthread_t dev;
    assert_int_equal(pthread_create(&dev, NULL, uart_interrupt, &p), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    pthread_join(dev, NULL);
    aexec_host_destroy(&host);

    printf("# %llu bytes, %llu lines, %llu timeouts, %llu rescued by a cancel, %llu full\n",
           (unsigned long long)r.count, (unsigned long long)r.lines, (unsigned long long)r.timeouts,
           (unsigned long long)r.rescued, (unsigned long long)p.full);
    assert_int_equal(r.count, BYTES);
    assert_int_equal(r.sum, p.sum);
    assert_true(r.timeouts > 0); /* the producer's pauses outlast a deadline */
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_byte_arrives_once_while_deadlines_race_the_hand_overs),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
