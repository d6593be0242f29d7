/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Three producer threads, standing in for interrupt handlers, try_send
 * 10,000,000 items in total (1,000,000 under ThreadSanitizer) into a channel
 * that two tasks on one host executor drain with async receives. Every item
 * must arrive exactly once, and each producer's items in the order it sent
 * them. With two consumers, "in order" is checked per consumer (each sees a
 * producer's items in increasing order: FIFO ring, FIFO receivers), and
 * "exactly once" with a bitmap of every item.
 *
 * The other direction too: two tasks send with async sends into a small
 * channel that two threads drain with try_recv, so senders keep finding it
 * full, queue, and are refilled from by another thread (their re-polls read
 * the completion without the section) while the other task's straight-line
 * sends race with those refills.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"

#if defined(__SANITIZE_THREAD__)
#define TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN 1
#endif
#endif
#ifndef TSAN
#define TSAN 0
#endif

#define PRODUCERS 3u
#define TOTAL (TSAN ? 1000000u : 10000000u)
#define PER_PRODUCER (TOTAL / PRODUCERS + 1) /* the most any producer sends */

/* Producer `id`'s share: the remainder goes to the first ones. */
static uint64_t share(uint64_t id)
{
    return TOTAL / PRODUCERS + (id < TOTAL % PRODUCERS);
}
#define CONSUMERS 2

static aexec_channel ch;
static uint64_t ring[256];
static _Atomic uint64_t full_retries;

static void *producer(void *arg)
{
    uint64_t id = (uint64_t)(uintptr_t)arg;
    uint64_t retries = 0;
    for (uint64_t seq = 0; seq < share(id); seq++) {
        uint64_t item = id << 32 | seq;
        int r;
        while ((r = aexec_channel_try_send(&ch, &item)) == AEXEC_EFULL) {
            retries++;     /* an ISR would drop or count it; this one retries */
            sched_yield(); /* 2 cores, 4 threads: let the consumer run */
        }
        assert_int_equal(r, 0);
    }
    atomic_fetch_add(&full_retries, retries);
    return NULL;
}

/* What the consumers saw (all on the one executor thread). */
static uint8_t seen[PRODUCERS][PER_PRODUCER / 8 + 1];
static uint64_t per_producer[PRODUCERS];
static uint64_t received;

struct consumer {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv op;
    uint64_t item;
    int err;
    uint64_t count;
    int64_t last[PRODUCERS]; /* the last seq this consumer got from each producer */
};

static aexec_poll consumer_poll(aexec_task *t, aexec_cx *cx)
{
    struct consumer *c = AEXEC_CONTAINER_OF(t, struct consumer, task);
    AEXEC_CO_BEGIN(&c->co, cx);
    for (;;) {
        aexec_channel_recv_init(&c->op, &ch, &c->item);
        AEXEC_AWAIT(aexec_channel_recv_poll(&c->op, cx, &c->err));
        if (c->err == AEXEC_ECLOSED)
            break;
        uint64_t id = c->item >> 32, seq = c->item & 0xffffffffu;
        assert_true(id < PRODUCERS && seq < PER_PRODUCER);
        assert_true((int64_t)seq > c->last[id]); /* in order */
        c->last[id] = (int64_t)seq;
        assert_false(seen[id][seq / 8] & (1u << (seq % 8))); /* once */
        seen[id][seq / 8] |= (uint8_t)(1u << (seq % 8));
        per_producer[id]++;
        c->count++;
        if (++received == TOTAL)
            aexec_channel_close(&ch); /* wakes the other consumer */
    }
    AEXEC_CO_FINALLY;
    aexec_channel_recv_cancel(&c->op);
    AEXEC_CO_END;
}

static void three_producers_feed_two_consumers_without_loss_or_reordering(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static struct consumer c[CONSUMERS];
    aexec_cs cs;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    assert_int_equal(aexec_channel_init(&ch, &cs, ring, sizeof ring[0], 256), 0);
    for (int i = 0; i < CONSUMERS; i++) {
        for (unsigned p = 0; p < PRODUCERS; p++)
            c[i].last[p] = -1;
        assert_int_equal(aexec_spawn(&ex, &c[i].task, consumer_poll), 0);
    }
    pthread_t th[PRODUCERS];
    for (uintptr_t i = 0; i < PRODUCERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, producer, (void *)i), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    for (unsigned i = 0; i < PRODUCERS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(received, TOTAL);
    for (unsigned i = 0; i < PRODUCERS; i++)
        assert_int_equal(per_producer[i], share(i)); /* with the bitmap: all, once */
    printf("  %u producers sent %u items: %llu received exactly once, in order "
           "(%llu + %llu per consumer, %llu full retries)\n",
           PRODUCERS, TOTAL, (unsigned long long)received, (unsigned long long)c[0].count,
           (unsigned long long)c[1].count, (unsigned long long)atomic_load(&full_retries));
    aexec_host_destroy(&host);
}

/* ---- tasks send, threads receive ----------------------------------------- */

#define SENDERS 2u
#define DRAINERS 2
#define PER_SENDER (TSAN ? 30000u : 300000u)

static aexec_channel back;
static uint64_t back_ring[4];
static uint8_t back_seen[SENDERS][PER_SENDER / 8 + 1];
static _Atomic uint64_t back_received;
static _Atomic unsigned senders_done;

struct sender {
    aexec_task task;
    aexec_co co;
    aexec_channel_send op;
    uint64_t id, seq, item;
    int err;
};

static aexec_poll sender_poll(aexec_task *t, aexec_cx *cx)
{
    struct sender *s = AEXEC_CONTAINER_OF(t, struct sender, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    for (s->seq = 0; s->seq < PER_SENDER; s->seq++) {
        s->item = s->id << 32 | s->seq;
        aexec_channel_send_init(&s->op, &back, &s->item);
        AEXEC_AWAIT(aexec_channel_send_poll(&s->op, cx, &s->err));
        assert_int_equal(s->err, 0);
    }
    if (atomic_fetch_add(&senders_done, 1) + 1 == SENDERS)
        aexec_channel_close(&back); /* the drainers stop once it is empty */
    AEXEC_CO_FINALLY;
    aexec_channel_send_cancel(&s->op);
    AEXEC_CO_END;
}

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

static void *drainer(void *arg)
{
    (void)arg;
    int64_t last[SENDERS] = {-1, -1};
    for (;;) {
        uint64_t item;
        int r = aexec_channel_try_recv(&back, &item);
        if (r == AEXEC_ECLOSED)
            break;
        if (r == AEXEC_EEMPTY) {
            sched_yield();
            continue;
        }
        assert_int_equal(r, 0);
        uint64_t id = item >> 32, seq = item & 0xffffffffu;
        assert_true(id < SENDERS && seq < PER_SENDER);
        assert_true((int64_t)seq > last[id]); /* in order, as this thread sees them */
        last[id] = (int64_t)seq;
        pthread_mutex_lock(&seen_lock);
        assert_false(back_seen[id][seq / 8] & (1u << (seq % 8))); /* once */
        back_seen[id][seq / 8] |= (uint8_t)(1u << (seq % 8));
        pthread_mutex_unlock(&seen_lock);
        atomic_fetch_add(&back_received, 1);
    }
    return NULL;
}

static void two_sending_tasks_feed_two_receiving_threads_without_loss_or_reordering(void **state)
{
    (void)state;
    static aexec_executor ex;
    static aexec_host host;
    static struct sender s[SENDERS];
    aexec_cs cs;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    assert_int_equal(aexec_channel_init(&back, &cs, back_ring, sizeof back_ring[0], 4), 0);
    for (unsigned i = 0; i < SENDERS; i++) {
        s[i] = (struct sender){.id = i};
        assert_int_equal(aexec_spawn(&ex, &s[i].task, sender_poll), 0);
    }
    pthread_t th[DRAINERS];
    for (int i = 0; i < DRAINERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, drainer, NULL), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    for (int i = 0; i < DRAINERS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&back_received), (uint64_t)SENDERS * PER_SENDER);
    printf("  %u tasks sent %u items each: all received exactly once, in order\n", SENDERS,
           PER_SENDER);
    aexec_host_destroy(&host);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_producers_feed_two_consumers_without_loss_or_reordering),
        cmocka_unit_test(two_sending_tasks_feed_two_receiving_threads_without_loss_or_reordering),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
