/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Waker slot, signal, channel, semaphore and mutex on the deterministic
 * test port: behaviour, FIFO order, close, cancel in every state, and a
 * randomized model test of the channel against a reference queue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "expect_panic.h"
#include "test_port.h"

static aexec_executor ex;
static test_port port;
static aexec_cs cs;

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    return 0;
}

/* A task that does nothing but count its polls. */
struct counted {
    aexec_task task;
    int polls;
};

static aexec_poll counted_poll(aexec_task *t, aexec_cx *cx)
{
    (void)cx;
    AEXEC_CONTAINER_OF(t, struct counted, task)->polls++;
    return AEXEC_PENDING;
}

static int polls_of(aexec_task *t)
{
    return AEXEC_CONTAINER_OF(t, struct counted, task)->polls;
}

static aexec_cx cx_for(aexec_task *t)
{
    aexec_cx cx = {t, &ex, 0, 0, 0};
    return cx;
}

/* ---- waker slot ------------------------------------------------------------ */

static void a_registered_task_is_woken_once(void **state)
{
    (void)state;
    static struct counted c;
    c = (struct counted){0};
    aexec_spawn(&ex, &c.task, counted_poll);
    aexec_executor_poll(&ex);
    aexec_waker_slot slot;
    aexec_waker_slot_init(&slot, &cs);
    aexec_cx cx = cx_for(&c.task);
    assert_int_equal(aexec_waker_slot_register(&slot, &cx), 0);
    aexec_waker_slot_wake(&slot);
    aexec_executor_poll(&ex);
    assert_int_equal(polls_of(&c.task), 2);
    aexec_waker_slot_wake(&slot); /* emptied by the first wake: remembered, not delivered */
    aexec_executor_poll(&ex);
    assert_int_equal(polls_of(&c.task), 2);
}

/* A task whose polls register on `early_slot`, keeping what each returned. */
static aexec_waker_slot early_slot;
static int early_registered[4];

static aexec_poll registering_poll(aexec_task *t, aexec_cx *cx)
{
    struct counted *self = AEXEC_CONTAINER_OF(t, struct counted, task);
    if (self->polls < 4)
        early_registered[self->polls] = aexec_waker_slot_register(&early_slot, cx);
    self->polls++;
    return AEXEC_PENDING;
}

static void a_wake_before_registration_is_not_lost(void **state)
{
    (void)state;
    static struct counted c;
    c = (struct counted){0};
    aexec_waker_slot_init(&early_slot, &cs);
    aexec_waker_slot_wake(&early_slot); /* nobody registered yet */
    aexec_spawn(&ex, &c.task, registering_poll);
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(early_registered[0], 1); /* took the early wake */
    /* ... and queued its task again at once, which now registers. */
    assert_int_equal(aexec_executor_poll(&ex), 1);
    assert_int_equal(polls_of(&c.task), 2);
    assert_int_equal(early_registered[1], 0); /* consumed */
    assert_int_equal(aexec_executor_poll(&ex), 0);
}

static void a_cancelled_registration_is_not_woken(void **state)
{
    (void)state;
    static struct counted c;
    c = (struct counted){0};
    aexec_spawn(&ex, &c.task, counted_poll);
    aexec_executor_poll(&ex);
    aexec_waker_slot slot;
    aexec_waker_slot_init(&slot, &cs);
    aexec_cx cx = cx_for(&c.task);
    aexec_waker_slot_register(&slot, &cx);
    aexec_waker_slot_cancel(&slot, &c.task);
    aexec_waker_slot_wake(&slot);
    aexec_executor_poll(&ex);
    assert_int_equal(polls_of(&c.task), 1);
}

/* ---- signal ---------------------------------------------------------------- */

struct waiter_task {
    aexec_task task;
    aexec_co co;
    aexec_signal *sig;
    uintptr_t got[4];
    int n;
};

static aexec_poll signal_waiter_poll(aexec_task *t, aexec_cx *cx)
{
    struct waiter_task *w = AEXEC_CONTAINER_OF(t, struct waiter_task, task);
    AEXEC_CO_BEGIN(&w->co, cx);
    while (w->n < 2) {
        AEXEC_AWAIT(aexec_signal_wait_poll(w->sig, cx, &w->got[w->n]));
        w->n++;
    }
    AEXEC_CO_FINALLY;
    aexec_signal_wait_cancel(w->sig, cx);
    AEXEC_CO_END;
}

static void a_signal_delivers_the_latest_value(void **state)
{
    (void)state;
    static aexec_signal sig;
    static struct waiter_task w;
    aexec_signal_init(&sig, &cs);
    w = (struct waiter_task){.sig = &sig};
    aexec_spawn(&ex, &w.task, signal_waiter_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(w.n, 0);
    aexec_signal_send(&sig, 7);
    aexec_signal_send(&sig, 9); /* overwrites 7 */
    aexec_executor_poll(&ex);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.got[0], 9);
    aexec_signal_send(&sig, 11);
    aexec_executor_poll(&ex);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.got[1], 11);
    uintptr_t v;
    assert_int_equal(aexec_signal_try_take(&sig, &v), 0);
}

/* ---- channel --------------------------------------------------------------- */

static aexec_channel ch;
static uint32_t storage[4];

static void channel_setup(uint32_t cap)
{
    assert_int_equal(aexec_channel_init(&ch, &cs, storage, sizeof storage[0], cap), 0);
}

static void try_send_and_recv_are_fifo_and_report_full_and_empty(void **state)
{
    (void)state;
    channel_setup(3);
    uint32_t v;
    assert_int_equal(aexec_channel_try_recv(&ch, &v), AEXEC_EEMPTY);
    for (uint32_t i = 1; i <= 3; i++)
        assert_int_equal(aexec_channel_try_send(&ch, &i), 0);
    uint32_t four = 4;
    assert_int_equal(aexec_channel_try_send(&ch, &four), AEXEC_EFULL);
    assert_int_equal(aexec_channel_len(&ch), 3); /* nothing lost, nothing added */
    for (uint32_t i = 1; i <= 3; i++) {
        assert_int_equal(aexec_channel_try_recv(&ch, &v), 0);
        assert_int_equal(v, i);
    }
    assert_int_equal(aexec_channel_try_recv(&ch, &v), AEXEC_EEMPTY);
}

static void channel_init_rejects_bad_arguments(void **state)
{
    (void)state;
    aexec_channel c;
    assert_int_equal(aexec_channel_init(NULL, &cs, storage, 4, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_channel_init(&c, NULL, storage, 4, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_channel_init(&c, &cs, NULL, 4, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_channel_init(&c, &cs, storage, 0, 1), AEXEC_EINVAL);
    assert_int_equal(aexec_channel_init(&c, &cs, storage, 4, 0), AEXEC_EINVAL);
}

/* A task that sends one value and records the outcome. */
struct sender {
    aexec_task task;
    aexec_co co;
    aexec_channel_send op;
    uint32_t value;
    int err, done, cancelled_after_done;
};

static aexec_poll sender_poll(aexec_task *t, aexec_cx *cx)
{
    struct sender *s = AEXEC_CONTAINER_OF(t, struct sender, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    aexec_channel_send_init(&s->op, &ch, &s->value);
    AEXEC_AWAIT(aexec_channel_send_poll(&s->op, cx, &s->err));
    s->done = 1;
    AEXEC_CO_FINALLY;
    s->cancelled_after_done = aexec_channel_send_cancel(&s->op);
    AEXEC_CO_END;
}

struct receiver {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv op;
    uint32_t value;
    int err, done, handed_over;
};

static aexec_poll receiver_poll(aexec_task *t, aexec_cx *cx)
{
    struct receiver *r = AEXEC_CONTAINER_OF(t, struct receiver, task);
    AEXEC_CO_BEGIN(&r->co, cx);
    aexec_channel_recv_init(&r->op, &ch, &r->value);
    AEXEC_AWAIT(aexec_channel_recv_poll(&r->op, cx, &r->err));
    r->done = 1;
    AEXEC_CO_FINALLY;
    r->handed_over = aexec_channel_recv_cancel(&r->op);
    AEXEC_CO_END;
}

static void blocked_senders_complete_in_arrival_order(void **state)
{
    (void)state;
    channel_setup(1);
    static struct sender s[3];
    for (uint32_t i = 0; i < 3; i++) {
        s[i] = (struct sender){.value = 10 + i};
        aexec_spawn(&ex, &s[i].task, sender_poll);
    }
    aexec_executor_poll(&ex); /* s0 fills the channel, s1 and s2 queue */
    assert_int_equal(s[0].done, 1);
    assert_int_equal(s[1].done + s[2].done, 0);
    uint32_t eleven = 99;
    assert_int_equal(aexec_channel_try_send(&ch, &eleven), AEXEC_EFULL); /* no overtaking */
    uint32_t v;
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(aexec_channel_try_recv(&ch, &v), 0);
        assert_int_equal(v, 10 + i);
        aexec_executor_poll(&ex);
    }
    assert_int_equal(s[1].done, 1);
    assert_int_equal(s[2].done, 1);
    assert_int_equal(s[2].err, 0);
}

static void a_send_to_a_waiting_receiver_is_handed_over_in_order(void **state)
{
    (void)state;
    channel_setup(2);
    static struct receiver r[2];
    for (int i = 0; i < 2; i++) {
        r[i] = (struct receiver){0};
        aexec_spawn(&ex, &r[i].task, receiver_poll);
    }
    aexec_executor_poll(&ex);
    uint32_t a = 5, b = 6;
    aexec_channel_try_send(&ch, &a); /* as an ISR would */
    aexec_channel_try_send(&ch, &b);
    assert_int_equal(aexec_channel_len(&ch), 0); /* straight to the receivers */
    aexec_executor_poll(&ex);
    assert_int_equal(r[0].value, 5);
    assert_int_equal(r[1].value, 6);
    assert_int_equal(r[0].done + r[1].done, 2);
}

static void close_ends_every_waiter_and_drains_first(void **state)
{
    (void)state;
    channel_setup(1);
    static struct sender s[2];
    for (uint32_t i = 0; i < 2; i++) {
        s[i] = (struct sender){.value = i};
        aexec_spawn(&ex, &s[i].task, sender_poll);
    }
    aexec_executor_poll(&ex); /* s0 in, s1 waits */
    aexec_channel_close(&ch);
    aexec_executor_poll(&ex);
    assert_int_equal(s[1].done, 1);
    assert_int_equal(s[1].err, AEXEC_ECLOSED);
    uint32_t v = 77;
    assert_int_equal(aexec_channel_try_send(&ch, &v), AEXEC_ECLOSED);
    assert_int_equal(aexec_channel_try_recv(&ch, &v), 0); /* queued items still drain */
    assert_int_equal(v, 0);
    assert_int_equal(aexec_channel_try_recv(&ch, &v), AEXEC_ECLOSED);
    static struct receiver r;
    r = (struct receiver){0};
    aexec_spawn(&ex, &r.task, receiver_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(r.err, AEXEC_ECLOSED);
    aexec_channel_close(&ch); /* idempotent */
}

static void close_wakes_waiting_receivers(void **state)
{
    (void)state;
    channel_setup(1);
    static struct receiver r[12]; /* more than one close batch */
    for (int i = 0; i < 12; i++) {
        r[i] = (struct receiver){0};
        aexec_spawn(&ex, &r[i].task, receiver_poll);
    }
    aexec_executor_poll(&ex);
    aexec_channel_close(&ch);
    aexec_executor_poll(&ex);
    for (int i = 0; i < 12; i++) {
        assert_int_equal(r[i].done, 1);
        assert_int_equal(r[i].err, AEXEC_ECLOSED);
    }
}

static void cancel_in_every_state_leaves_no_waiter(void **state)
{
    (void)state;
    channel_setup(1);
    /* never started */
    aexec_channel_recv idle;
    uint32_t v;
    aexec_channel_recv_init(&idle, &ch, &v);
    assert_int_equal(aexec_channel_recv_cancel(&idle), 0);
    /* queued: cancel the middle receiver of three, then send two items */
    static struct receiver r[3];
    for (int i = 0; i < 3; i++) {
        r[i] = (struct receiver){0};
        aexec_spawn(&ex, &r[i].task, receiver_poll);
    }
    aexec_executor_poll(&ex);
    assert_int_equal(aexec_channel_recv_cancel(&r[1].op), 0);
    assert_null(r[1].op.w.next);
    uint32_t a = 1, b = 2;
    aexec_channel_try_send(&ch, &a);
    aexec_channel_try_send(&ch, &b);
    aexec_executor_poll(&ex);
    assert_int_equal(r[0].value, 1);
    assert_int_equal(r[2].value, 2); /* skipped the cancelled one */
    assert_int_equal(r[1].done, 0);
    assert_null(ch.receivers);
    /* completed, then cancelled (its FINALLY): reports the item was handed over */
    assert_int_equal(r[0].handed_over, 1);
}

/* The channel against a reference queue: random try_send/try_recv/close. */
static void channel_matches_a_reference_queue(void **state)
{
    (void)state;
    static uint32_t big[17];
    uint32_t ref[64];
    uint32_t rhead = 0, rcount = 0, next = 1, rng = 99;
    int closed = 0;
    for (int round = 0; round < 50; round++) {
        assert_int_equal(aexec_channel_init(&ch, &cs, big, sizeof big[0], 17), 0);
        rhead = rcount = 0;
        closed = 0;
        for (int op = 0; op < 4000; op++) {
            rng ^= rng << 13;
            rng ^= rng >> 17;
            rng ^= rng << 5;
            uint32_t k = rng % 100;
            if (k < 50) {
                int want = closed ? AEXEC_ECLOSED : rcount == 17 ? AEXEC_EFULL : 0;
                assert_int_equal(aexec_channel_try_send(&ch, &next), want);
                if (want == 0) {
                    ref[(rhead + rcount++) % 64] = next;
                }
                next++;
            } else if (k < 99) {
                uint32_t v = 0;
                int want = rcount > 0 ? 0 : closed ? AEXEC_ECLOSED : AEXEC_EEMPTY;
                assert_int_equal(aexec_channel_try_recv(&ch, &v), want);
                if (want == 0) {
                    assert_int_equal(v, ref[rhead % 64]);
                    rhead++;
                    rcount--;
                }
            } else if (op > 3000) {
                aexec_channel_close(&ch);
                closed = 1;
            }
            assert_int_equal(aexec_channel_len(&ch), rcount);
        }
    }
}

/*
 * Items of every shape the copy distinguishes (one aligned word, whole words,
 * 32-bit halves, odd bytes) and item buffers that are not aligned, through
 * the ring (several laps, so the offsets wrap) and through a hand-over to a
 * waiting receiver.
 */
static void items_of_any_shape_and_alignment_arrive_intact(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 3, 4, 8, 12, 16, 24};
    static uint64_t ring[5 * 24 / 8 + 1];
    static uint64_t out_words[4], in_words[4];
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        assert_int_equal(aexec_channel_init(&ch, &cs, ring, n, 5), 0);
        for (size_t misalign = 0; misalign < 2; misalign++) {
            unsigned char *in = (unsigned char *)in_words + misalign;
            unsigned char *out = (unsigned char *)out_words + misalign;
            for (unsigned lap = 0; lap < 4; lap++) {
                for (unsigned i = 0; i < 3; i++) {
                    for (size_t b = 0; b < n; b++)
                        in[b] = (unsigned char)(lap * 31 + i * 7 + b + n);
                    assert_int_equal(aexec_channel_try_send(&ch, in), 0);
                }
                for (unsigned i = 0; i < 3; i++) {
                    memset(out, 0xee, n);
                    assert_int_equal(aexec_channel_try_recv(&ch, out), 0);
                    for (size_t b = 0; b < n; b++)
                        assert_int_equal(out[b], (unsigned char)(lap * 31 + i * 7 + b + n));
                }
            }
            /* hand-over: a receive waits on the empty ring, a send copies straight in */
            static struct counted c;
            c = (struct counted){0};
            aexec_spawn(&ex, &c.task, counted_poll);
            aexec_channel_recv op;
            aexec_cx cx = cx_for(&c.task);
            int err = 1;
            memset(out, 0xee, n + 1);
            aexec_channel_recv_init(&op, &ch, out);
            assert_int_equal(aexec_channel_recv_poll(&op, &cx, &err), AEXEC_PENDING);
            for (size_t b = 0; b < n; b++)
                in[b] = (unsigned char)(200 + b);
            assert_int_equal(aexec_channel_try_send(&ch, in), 0);
            assert_int_equal(aexec_channel_len(&ch), 0);
            assert_int_equal(aexec_channel_recv_poll(&op, &cx, &err), AEXEC_READY);
            assert_int_equal(err, 0);
            for (size_t b = 0; b < n; b++)
                assert_int_equal(out[b], (unsigned char)(200 + b));
            assert_int_equal(out[n], 0xee); /* not a byte more */
            aexec_task_cancel(aexec_task_handle(&c.task));
            aexec_executor_poll(&ex);
        }
    }
}

static void init_rejects_a_storage_size_that_overflows_and_changes_nothing(void **state)
{
    (void)state;
    aexec_channel c, before;
    memset(&c, 0x5a, sizeof c);
    before = c;
    assert_int_equal(aexec_channel_init(&c, &cs, storage, SIZE_MAX / 2 + 1, 2), AEXEC_EINVAL);
    assert_int_equal(aexec_channel_init(&c, &cs, storage, 2, UINT32_MAX),
                     sizeof(size_t) > 4 ? 0 : AEXEC_EINVAL);
    if (sizeof(size_t) > 4)
        c = before; /* it fits on 64 bits: init succeeded, which is right */
    assert_memory_equal(&c, &before, sizeof c);
}

/*
 * A poll that waits, polled again before anything happens, stays queued once
 * (the re-poll does not queue it twice or move it); once completed, every
 * later poll reports the same result, and a cancel then says it was done.
 */
static void a_waiting_poll_polled_again_stays_queued_once_then_reports_done(void **state)
{
    (void)state;
    channel_setup(2);
    static struct counted c;
    c = (struct counted){0};
    aexec_spawn(&ex, &c.task, counted_poll);
    aexec_executor_poll(&ex);
    aexec_cx cx = cx_for(&c.task);
    aexec_channel_recv op;
    uint32_t v = 0;
    int err = 1;
    aexec_channel_recv_init(&op, &ch, &v);
    for (int i = 0; i < 3; i++)
        assert_int_equal(aexec_channel_recv_poll(&op, &cx, &err), AEXEC_PENDING);
    assert_ptr_equal(ch.receivers, &op.w);
    assert_ptr_equal(ch.receivers_tail, &op.w);
    assert_null(op.w.next);
    assert_int_equal(err, 1); /* untouched while pending */
    uint32_t x = 42;
    assert_int_equal(aexec_channel_try_send(&ch, &x), 0);
    assert_null(ch.receivers);
    aexec_executor_poll(&ex);
    assert_int_equal(polls_of(&c.task), 2); /* the hand-over woke it */
    for (int i = 0; i < 2; i++) {
        err = 1;
        assert_int_equal(aexec_channel_recv_poll(&op, &cx, &err), AEXEC_READY);
        assert_int_equal(err, 0);
        assert_int_equal(v, 42);
    }
    assert_int_equal(aexec_channel_len(&ch), 0);
    assert_int_equal(aexec_channel_recv_cancel(&op), 1);
}

/*
 * The edges of the straight-line polls: a send that finds a receiver waiting
 * hands over rather than using the empty ring; a receive that finds a
 * sender waiting on a full ring refills the slot it freed from that sender,
 * so a later try_send still finds the channel full; a receive on a closed
 * channel drains before it reports the close.
 */
static void straight_line_polls_defer_to_waiters_and_to_close(void **state)
{
    (void)state;
    channel_setup(1);
    static struct counted c;
    c = (struct counted){0};
    aexec_spawn(&ex, &c.task, counted_poll);
    aexec_executor_poll(&ex);
    aexec_cx cx = cx_for(&c.task);
    int err = 1;
    /* a receiver waits; a task's send goes to it */
    uint32_t got = 0, one = 1;
    aexec_channel_recv r;
    aexec_channel_recv_init(&r, &ch, &got);
    assert_int_equal(aexec_channel_recv_poll(&r, &cx, &err), AEXEC_PENDING);
    aexec_channel_send s;
    aexec_channel_send_init(&s, &ch, &one);
    assert_int_equal(aexec_channel_send_poll(&s, &cx, &err), AEXEC_READY);
    assert_int_equal(err, 0);
    assert_int_equal(aexec_channel_len(&ch), 0);
    assert_int_equal(aexec_channel_recv_poll(&r, &cx, &err), AEXEC_READY);
    assert_int_equal(got, 1);
    /* full, a sender waits; a task's receive takes the old item and refills */
    uint32_t two = 2, three = 3, four = 4;
    assert_int_equal(aexec_channel_try_send(&ch, &two), 0);
    aexec_channel_send_init(&s, &ch, &three);
    assert_int_equal(aexec_channel_send_poll(&s, &cx, &err), AEXEC_PENDING);
    aexec_channel_recv_init(&r, &ch, &got);
    assert_int_equal(aexec_channel_recv_poll(&r, &cx, &err), AEXEC_READY);
    assert_int_equal(got, 2);
    assert_int_equal(aexec_channel_len(&ch), 1);
    assert_int_equal(aexec_channel_try_send(&ch, &four), AEXEC_EFULL); /* no overtaking */
    err = 1;
    assert_int_equal(aexec_channel_send_poll(&s, &cx, &err), AEXEC_READY);
    assert_int_equal(err, 0);
    /* closed with an item queued: a receive drains it, the next one reports the close */
    aexec_channel_close(&ch);
    aexec_channel_send_init(&s, &ch, &four);
    assert_int_equal(aexec_channel_send_poll(&s, &cx, &err), AEXEC_READY);
    assert_int_equal(err, AEXEC_ECLOSED);
    assert_int_equal(aexec_channel_send_cancel(&s), 0); /* it did not send */
    aexec_channel_recv_init(&r, &ch, &got);
    assert_int_equal(aexec_channel_recv_poll(&r, &cx, &err), AEXEC_READY);
    assert_int_equal(err, 0);
    assert_int_equal(got, 3);
    aexec_channel_recv_init(&r, &ch, &got);
    assert_int_equal(aexec_channel_recv_poll(&r, &cx, &err), AEXEC_READY);
    assert_int_equal(err, AEXEC_ECLOSED);
}

static void poll_a_zeroed_recv(void *arg)
{
    aexec_channel_recv *op = arg;
    static struct counted c;
    aexec_cx cx = cx_for(&c.task);
    int err = 1;
    aexec_channel_recv_poll(op, &cx, &err);
}

/* A zeroed operation looks completed; polling it is misuse, not a receive. */
static void polling_an_operation_never_prepared_panics(void **state)
{
    (void)state;
    aexec_channel_recv op;
    memset(&op, 0, sizeof op);
    const char *msg = test_expect_panic(poll_a_zeroed_recv, &op);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "aexec_channel"));
    assert_non_null(strstr(msg, "never prepared"));
    assert_int_equal(aexec_channel_recv_cancel(&op), 0); /* cancel stays safe on it */
}

/* ---- semaphore and mutex --------------------------------------------------- */

static aexec_mutex mutex;
static int order[8], order_len;

struct locker {
    aexec_task task;
    aexec_co co;
    aexec_mutex_lock op;
    int id, held;
};

static aexec_poll locker_poll(aexec_task *t, aexec_cx *cx)
{
    struct locker *l = AEXEC_CONTAINER_OF(t, struct locker, task);
    AEXEC_CO_BEGIN(&l->co, cx);
    aexec_mutex_lock_init(&l->op, &mutex);
    AEXEC_AWAIT(aexec_mutex_lock_poll(&l->op, cx));
    l->held = 1;
    order[order_len++] = l->id;
    AEXEC_YIELD(); /* hold it across a suspension */
    aexec_mutex_unlock(&mutex);
    l->held = 0;
    AEXEC_CO_END;
}

static void the_mutex_is_granted_in_arrival_order(void **state)
{
    (void)state;
    aexec_mutex_init(&mutex, &cs);
    static struct locker l[5];
    order_len = 0;
    for (int i = 0; i < 5; i++) {
        l[i] = (struct locker){.id = i};
        aexec_spawn(&ex, &l[i].task, locker_poll);
    }
    for (int i = 0; i < 20; i++) {
        aexec_executor_poll(&ex);
        int holders = 0;
        for (int k = 0; k < 5; k++)
            holders += l[k].held;
        assert_true(holders <= 1); /* mutual exclusion */
    }
    assert_int_equal(order_len, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(order[i], i);
    assert_int_equal(aexec_executor_live(&ex), 0);
}

static void a_semaphore_hands_permits_to_waiters_before_newcomers(void **state)
{
    (void)state;
    aexec_semaphore sem;
    aexec_semaphore_init(&sem, &cs, 1);
    assert_int_equal(aexec_semaphore_try_acquire(&sem), 1);
    assert_int_equal(aexec_semaphore_try_acquire(&sem), 0);
    static struct counted c;
    c = (struct counted){0};
    aexec_spawn(&ex, &c.task, counted_poll);
    aexec_executor_poll(&ex);
    aexec_cx cx = cx_for(&c.task);
    aexec_semaphore_acquire a;
    aexec_semaphore_acquire_init(&a, &sem);
    assert_int_equal(aexec_semaphore_acquire_poll(&a, &cx), AEXEC_PENDING);
    aexec_semaphore_release(&sem);
    assert_int_equal(aexec_semaphore_try_acquire(&sem), 0); /* it went to the waiter */
    aexec_executor_poll(&ex);
    assert_int_equal(polls_of(&c.task), 2); /* the release woke it */
    assert_int_equal(aexec_semaphore_acquire_poll(&a, &cx), AEXEC_READY);
    /* cancel after the grant says so: the permit is the caller's */
    assert_int_equal(aexec_semaphore_acquire_cancel(&a), 1);
    aexec_semaphore_release(&sem);
    assert_int_equal(aexec_semaphore_try_acquire(&sem), 1);
}

static void a_cancelled_waiter_passes_the_permit_on(void **state)
{
    (void)state;
    aexec_semaphore sem;
    aexec_semaphore_init(&sem, &cs, 0);
    static struct counted c[2];
    aexec_semaphore_acquire a[2];
    aexec_cx cx[2];
    for (int i = 0; i < 2; i++) {
        c[i] = (struct counted){0};
        aexec_spawn(&ex, &c[i].task, counted_poll);
        cx[i] = cx_for(&c[i].task);
        aexec_semaphore_acquire_init(&a[i], &sem);
        assert_int_equal(aexec_semaphore_acquire_poll(&a[i], &cx[i]), AEXEC_PENDING);
    }
    assert_int_equal(aexec_semaphore_acquire_cancel(&a[0]), 0);
    aexec_semaphore_release(&sem);
    assert_int_equal(aexec_semaphore_acquire_poll(&a[1], &cx[1]), AEXEC_READY);
    assert_null(sem.waiters);
}

/* ---- wait queue ------------------------------------------------------------- */

static aexec_wait_queue wq;
static int ready_flag;

struct queued {
    aexec_task task;
    aexec_co co;
    aexec_wait wait;
    int id, passed;
};

static int passed_order[8], passed_len;

static aexec_poll queued_poll(aexec_task *t, aexec_cx *cx)
{
    struct queued *q = AEXEC_CONTAINER_OF(t, struct queued, task);
    AEXEC_CO_BEGIN(&q->co, cx);
    aexec_wait_init(&q->wait, &wq);
    AEXEC_WAIT_QUEUE_UNTIL(&q->wait, ready_flag > 0);
    ready_flag--;
    q->passed = 1;
    passed_order[passed_len++] = q->id;
    AEXEC_CO_FINALLY;
    aexec_wait_cancel(&q->wait);
    AEXEC_CO_END;
}

static void wake_one_serves_waiters_in_order_and_wake_all_serves_the_rest(void **state)
{
    (void)state;
    aexec_wait_queue_init(&wq, &cs);
    ready_flag = 0;
    passed_len = 0;
    static struct queued q[4];
    for (int i = 0; i < 4; i++) {
        q[i] = (struct queued){.id = i};
        aexec_spawn(&ex, &q[i].task, queued_poll);
    }
    aexec_executor_poll(&ex);
    assert_int_equal(aexec_wait_queue_wake_one(&wq), 0 + 1);
    ready_flag = 1;
    aexec_executor_poll(&ex);
    assert_int_equal(passed_len, 1);
    assert_int_equal(passed_order[0], 0);
    ready_flag = 3;
    assert_int_equal(aexec_wait_queue_wake_all(&wq), 3);
    aexec_executor_poll(&ex);
    assert_int_equal(passed_len, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(passed_order[i], i);
    assert_null(wq.head);
    assert_int_equal(aexec_wait_queue_wake_all(&wq), 0);
}

static void a_condition_set_before_the_wait_is_seen_without_a_wake(void **state)
{
    (void)state;
    aexec_wait_queue_init(&wq, &cs);
    ready_flag = 1;
    passed_len = 0;
    static struct queued q;
    q = (struct queued){.id = 7};
    aexec_spawn(&ex, &q.task, queued_poll);
    aexec_executor_poll(&ex);
    assert_int_equal(q.passed, 1);
    assert_null(wq.head); /* it armed, saw the condition, and left */
}

static void a_cancelled_wait_leaves_the_queue(void **state)
{
    (void)state;
    aexec_wait_queue_init(&wq, &cs);
    ready_flag = 0;
    static struct queued q[2];
    for (int i = 0; i < 2; i++) {
        q[i] = (struct queued){.id = i};
        aexec_spawn(&ex, &q[i].task, queued_poll);
    }
    aexec_executor_poll(&ex);
    assert_int_equal(aexec_task_cancel(aexec_task_handle(&q[0].task)), 0);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&q[0].task));
    assert_ptr_equal(wq.head, &q[1].wait.w);
    assert_ptr_equal(wq.tail, &q[1].wait.w);
    assert_int_equal(aexec_wait_queue_wake_one(&wq), 1); /* goes to the one still waiting */
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_registered_task_is_woken_once, setup),
        cmocka_unit_test_setup(a_wake_before_registration_is_not_lost, setup),
        cmocka_unit_test_setup(a_cancelled_registration_is_not_woken, setup),
        cmocka_unit_test_setup(a_signal_delivers_the_latest_value, setup),
        cmocka_unit_test_setup(try_send_and_recv_are_fifo_and_report_full_and_empty, setup),
        cmocka_unit_test_setup(channel_init_rejects_bad_arguments, setup),
        cmocka_unit_test_setup(blocked_senders_complete_in_arrival_order, setup),
        cmocka_unit_test_setup(a_send_to_a_waiting_receiver_is_handed_over_in_order, setup),
        cmocka_unit_test_setup(close_ends_every_waiter_and_drains_first, setup),
        cmocka_unit_test_setup(close_wakes_waiting_receivers, setup),
        cmocka_unit_test_setup(cancel_in_every_state_leaves_no_waiter, setup),
        cmocka_unit_test_setup(channel_matches_a_reference_queue, setup),
        cmocka_unit_test_setup(items_of_any_shape_and_alignment_arrive_intact, setup),
        cmocka_unit_test_setup(init_rejects_a_storage_size_that_overflows_and_changes_nothing,
                               setup),
        cmocka_unit_test_setup(a_waiting_poll_polled_again_stays_queued_once_then_reports_done,
                               setup),
        cmocka_unit_test_setup(straight_line_polls_defer_to_waiters_and_to_close, setup),
        cmocka_unit_test_setup(polling_an_operation_never_prepared_panics, setup),
        cmocka_unit_test_setup(the_mutex_is_granted_in_arrival_order, setup),
        cmocka_unit_test_setup(a_semaphore_hands_permits_to_waiters_before_newcomers, setup),
        cmocka_unit_test_setup(a_cancelled_waiter_passes_the_permit_on, setup),
        cmocka_unit_test_setup(wake_one_serves_waiters_in_order_and_wake_all_serves_the_rest,
                               setup),
        cmocka_unit_test_setup(a_condition_set_before_the_wait_is_seen_without_a_wake, setup),
        cmocka_unit_test_setup(a_cancelled_wait_leaves_the_queue, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
