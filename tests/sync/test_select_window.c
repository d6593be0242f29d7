/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The window between two polls of a select: an operation that completes
 * after its own poll said PENDING and before the deadline's poll said READY.
 * Its cancel then finds it completed (returns 1), and the select must report
 * it as the winner, not as a timeout. One test per awaitable, each with the
 * completion injected at exactly that point, on virtual time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "test_port.h"

static aexec_executor ex, ex2;
static test_port port, port2;
static aexec_cs cs;

static int setup(void **state)
{
    (void)state;
    test_port_init(&port, &ex, 1000);
    test_port_init(&port2, &ex2, 1000);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    return 0;
}

enum kind { RECV, SEND, ACQUIRE, LOCK, WAIT, SLOT, JOIN };

/* The task another executor runs, for the join: it finishes with 42. */
static aexec_task target;
static aexec_poll target_poll(aexec_task *t, aexec_cx *cx)
{
    (void)t;
    aexec_task_set_result(cx, 42);
    return AEXEC_READY;
}

static aexec_channel ch;
static uint8_t ring[1];
static aexec_semaphore sem;
static aexec_wait_queue wq;
static aexec_waker_slot slot;
static int slot_flag;

struct racer {
    aexec_task task;
    aexec_co co;
    enum kind kind;
    aexec_timeout to;
    aexec_channel_recv recv;
    aexec_channel_send send;
    aexec_semaphore_acquire acq;
    aexec_wait wait;
    aexec_join join;
    uint8_t in, out;
    int err;
    int inject; /* complete the operation right after its next PENDING poll */
    int finished, expired;
    uint32_t done;
};

/* What "another context" does in the window: it completes the operation. */
static void complete_from_outside(struct racer *r)
{
    uint8_t b = 0;
    switch (r->kind) {
    case RECV: assert_int_equal(aexec_channel_try_send(&ch, &(uint8_t){0x5a}), 0); break;
    case SEND: /* takes the item in the ring; the waiting send refills the slot */
        assert_int_equal(aexec_channel_try_recv(&ch, &b), 0);
        assert_int_equal(b, 0x22);
        break;
    case ACQUIRE:
    case LOCK: aexec_semaphore_release(&sem); break;
    case WAIT: assert_int_equal(aexec_wait_queue_wake_one(&wq), 1); break;
    case SLOT:
        slot_flag = 1;
        aexec_waker_slot_wake(&slot);
        break;
    case JOIN: assert_int_equal(aexec_executor_poll(&ex2), 1); break;
    }
}

static aexec_poll slot_poll(aexec_cx *cx)
{
    if (slot_flag || aexec_waker_slot_register(&slot, cx) || slot_flag)
        return AEXEC_READY;
    return AEXEC_PENDING;
}

static aexec_poll inner_poll(struct racer *r, aexec_cx *cx)
{
    aexec_poll p = AEXEC_PENDING;
    switch (r->kind) {
    case RECV: p = aexec_channel_recv_poll(&r->recv, cx, &r->err); break;
    case SEND: p = aexec_channel_send_poll(&r->send, cx, &r->err); break;
    case ACQUIRE: p = aexec_semaphore_acquire_poll(&r->acq, cx); break;
    case LOCK: p = aexec_mutex_lock_poll(&r->acq, cx); break;
    case WAIT: p = aexec_wait_poll(&r->wait, cx); break;
    case SLOT: p = slot_poll(cx); break;
    case JOIN: p = aexec_join_poll(&r->join, cx, &r->err); break;
    }
    if (p == AEXEC_PENDING && r->inject) {
        r->inject = 0;
        complete_from_outside(r);
    }
    return p;
}

static int inner_cancel(struct racer *r, aexec_cx *cx)
{
    switch (r->kind) {
    case RECV: return aexec_channel_recv_cancel(&r->recv);
    case SEND: return aexec_channel_send_cancel(&r->send);
    case ACQUIRE: return aexec_semaphore_acquire_cancel(&r->acq);
    case LOCK: return aexec_mutex_lock_cancel(&r->acq);
    case WAIT: return aexec_wait_cancel(&r->wait);
    case SLOT: return aexec_waker_slot_cancel(&slot, cx->task);
    case JOIN: return aexec_join_cancel(&r->join);
    }
    return 0;
}

static aexec_poll racer_poll(aexec_task *t, aexec_cx *cx)
{
    struct racer *r = AEXEC_CONTAINER_OF(t, struct racer, task);
    AEXEC_CO_BEGIN(&r->co, cx);
    aexec_timeout_for_init(&r->to, 10);
    AEXEC_AWAIT_WITH_TIMEOUT(&r->to, inner_poll(r, cx), inner_cancel(r, cx));
    r->expired = aexec_timeout_expired(&r->to);
    r->done = r->to.sel.done;
    r->finished = 1;
    AEXEC_CO_END;
}

static struct racer racer;

/* Sets up `kind` so that its operation waits; spawns the racer; polls once. */
static void start(enum kind kind)
{
    racer = (struct racer){.kind = kind, .in = 0x11};
    assert_int_equal(aexec_channel_init(&ch, &cs, ring, 1, 1), 0);
    aexec_channel_recv_init(&racer.recv, &ch, &racer.out);
    aexec_channel_send_init(&racer.send, &ch, &racer.in);
    aexec_semaphore_init(&sem, &cs, 0);
    aexec_semaphore_acquire_init(&racer.acq, &sem);
    aexec_wait_queue_init(&wq, &cs);
    aexec_wait_init(&racer.wait, &wq);
    aexec_waker_slot_init(&slot, &cs);
    slot_flag = 0;
    if (kind == SEND) /* full, so the send waits */
        assert_int_equal(aexec_channel_try_send(&ch, &(uint8_t){0x22}), 0);
    if (kind == JOIN) {
        target = (aexec_task){0};
        assert_int_equal(aexec_spawn(&ex2, &target, target_poll), 0);
        aexec_join_init(&racer.join, aexec_task_handle(&target));
    }
    assert_int_equal(aexec_spawn(&ex, &racer.task, racer_poll), 0);
    aexec_executor_poll(&ex);
    assert_int_equal(racer.finished, 0);
    assert_int_equal(ex.timers.count, 1);
}

/* The deadline passes; the operation completes between the two polls. */
static void race(int inject)
{
    port.now += 10;
    racer.inject = inject;
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_int_equal(racer.finished, 1);
    assert_int_equal(racer.inject, 0);    /* it did run in the window */
    assert_int_equal(ex.timers.count, 0); /* nothing left armed */
    assert_false(aexec_task_is_alive(&racer.task));
}

/* What the operation delivered, checked per kind. */
static void assert_delivered(enum kind kind)
{
    uint8_t b = 0;
    switch (kind) {
    case RECV:
        assert_int_equal(racer.out, 0x5a);
        assert_int_equal(aexec_channel_len(&ch), 0); /* handed over, not queued too */
        break;
    case SEND: /* the sent item is the one left in the channel */
        assert_int_equal(aexec_channel_try_recv(&ch, &b), 0);
        assert_int_equal(b, 0x11);
        break;
    case ACQUIRE:
    case LOCK: /* the racer holds the permit: none is free */
        assert_false(aexec_semaphore_try_acquire(&sem));
        aexec_semaphore_release(&sem);
        assert_true(aexec_semaphore_try_acquire(&sem));
        break;
    case WAIT: assert_null(wq.head); break;
    case SLOT: assert_int_equal(slot_flag, 1); break;
    case JOIN: assert_int_equal(aexec_join_result(&racer.join), 42); break;
    }
}

static void check_window(enum kind kind)
{
    start(kind);
    race(1);
    assert_int_equal(racer.expired, 0); /* the completion won */
    assert_int_equal(racer.done, 3u);   /* both had completed: the deadline too */
    assert_delivered(kind);
}

static void check_plain_timeout(enum kind kind)
{
    start(kind);
    race(0);
    assert_int_equal(racer.expired, 1);
    assert_int_equal(racer.done, 2u); /* the cancel found nothing */
}

static void a_receive_completed_in_the_window_wins(void **state)
{
    (void)state;
    check_window(RECV);
}

static void a_send_completed_in_the_window_wins(void **state)
{
    (void)state;
    check_window(SEND);
}

static void an_acquire_completed_in_the_window_wins(void **state)
{
    (void)state;
    check_window(ACQUIRE);
}

static void a_lock_completed_in_the_window_wins(void **state)
{
    (void)state;
    check_window(LOCK);
}

static void a_wait_woken_in_the_window_wins(void **state)
{
    (void)state;
    check_window(WAIT);
}

static void a_waker_slot_woken_in_the_window_wins(void **state)
{
    (void)state;
    check_window(SLOT);
}

static void a_join_finished_in_the_window_wins(void **state)
{
    (void)state;
    check_window(JOIN);
}

static void without_a_completion_each_times_out_and_gives_nothing(void **state)
{
    (void)state;
    for (enum kind k = RECV; k <= SLOT; k++) {
        setup(NULL);
        check_plain_timeout(k);
    }
    /* and what was left behind is withdrawn: nothing waits anywhere */
    assert_null(ch.receivers);
    assert_null(sem.waiters);
    assert_null(wq.head);
}

static void a_join_that_times_out_leaves_no_joiner(void **state)
{
    (void)state;
    check_plain_timeout(JOIN);
    assert_null(ex2.joins);
    assert_int_equal(aexec_executor_poll(&ex2), 1); /* the target still runs, alone */
}

/* ---- two losers that both completed: the bitmask ------------------------- */

static aexec_channel ch_b;
static uint8_t ring_b[1];

struct pair {
    aexec_task task;
    aexec_co co;
    aexec_select sel;
    aexec_sleep deadline;
    aexec_channel_recv a, b;
    uint8_t got_a, got_b;
    int err_a, err_b;
    int inject, finished;
};

static aexec_poll second_then_inject(struct pair *p, aexec_cx *cx)
{
    aexec_poll r = aexec_channel_recv_poll(&p->b, cx, &p->err_b);
    if (r == AEXEC_PENDING && p->inject) {
        p->inject = 0;
        assert_int_equal(aexec_channel_try_send(&ch, &(uint8_t){1}), 0);
        assert_int_equal(aexec_channel_try_send(&ch_b, &(uint8_t){2}), 0);
    }
    return r;
}

static aexec_poll pair_poll(aexec_task *t, aexec_cx *cx)
{
    struct pair *p = AEXEC_CONTAINER_OF(t, struct pair, task);
    AEXEC_CO_BEGIN(&p->co, cx);
    aexec_sleep_for_init(&p->deadline, 10);
    AEXEC_AWAIT_SELECT3(&p->sel, aexec_channel_recv_poll(&p->a, cx, &p->err_a),
                        aexec_channel_recv_cancel(&p->a), second_then_inject(p, cx),
                        aexec_channel_recv_cancel(&p->b), aexec_sleep_poll(&p->deadline, cx),
                        aexec_sleep_cancel(&p->deadline));
    p->finished = 1;
    AEXEC_CO_END;
}

static void when_two_losers_both_completed_done_lists_each_and_which_is_the_first(void **state)
{
    (void)state;
    static struct pair p;
    p = (struct pair){0};
    assert_int_equal(aexec_channel_init(&ch, &cs, ring, 1, 1), 0);
    assert_int_equal(aexec_channel_init(&ch_b, &cs, ring_b, 1, 1), 0);
    aexec_channel_recv_init(&p.a, &ch, &p.got_a);
    aexec_channel_recv_init(&p.b, &ch_b, &p.got_b);
    aexec_spawn(&ex, &p.task, pair_poll);
    aexec_executor_poll(&ex);
    port.now += 10;
    p.inject = 1;
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_int_equal(p.finished, 1);
    assert_int_equal(p.sel.done, 7u); /* a and b by their cancels, the deadline by its poll */
    assert_int_equal(p.sel.which, 0u);
    assert_int_equal(p.got_a, 1);
    assert_int_equal(p.got_b, 2);
    assert_int_equal(aexec_channel_len(&ch) + aexec_channel_len(&ch_b), 0);
}

/* ---- a sleep that lost a tie still reports that it fired ----------------- */

struct two_sleeps {
    aexec_task task;
    aexec_co co;
    aexec_select sel;
    aexec_sleep a, b;
};

static aexec_poll two_sleeps_poll(aexec_task *t, aexec_cx *cx)
{
    struct two_sleeps *s = AEXEC_CONTAINER_OF(t, struct two_sleeps, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    aexec_sleep_for_init(&s->a, 10);
    aexec_sleep_for_init(&s->b, 10);
    AEXEC_AWAIT_SELECT2(&s->sel, aexec_sleep_poll(&s->a, cx), aexec_sleep_cancel(&s->a),
                        aexec_sleep_poll(&s->b, cx), aexec_sleep_cancel(&s->b));
    AEXEC_CO_END;
}

static void a_sleep_that_lost_a_tie_reports_it_fired(void **state)
{
    (void)state;
    static struct two_sleeps s;
    s = (struct two_sleeps){0};
    aexec_spawn(&ex, &s.task, two_sleeps_poll);
    aexec_executor_poll(&ex);
    port.now += 10;
    aexec_executor_poll(&ex);
    aexec_executor_poll(&ex);
    assert_false(aexec_task_is_alive(&s.task));
    assert_int_equal(s.sel.which, 0u);
    assert_int_equal(s.sel.done, 3u);
    assert_int_equal(ex.timers.count, 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_receive_completed_in_the_window_wins, setup),
        cmocka_unit_test_setup(a_send_completed_in_the_window_wins, setup),
        cmocka_unit_test_setup(an_acquire_completed_in_the_window_wins, setup),
        cmocka_unit_test_setup(a_lock_completed_in_the_window_wins, setup),
        cmocka_unit_test_setup(a_wait_woken_in_the_window_wins, setup),
        cmocka_unit_test_setup(a_waker_slot_woken_in_the_window_wins, setup),
        cmocka_unit_test_setup(a_join_finished_in_the_window_wins, setup),
        cmocka_unit_test_setup(without_a_completion_each_times_out_and_gives_nothing, setup),
        cmocka_unit_test_setup(a_join_that_times_out_leaves_no_joiner, setup),
        cmocka_unit_test_setup(
            when_two_losers_both_completed_done_lists_each_and_which_is_the_first, setup),
        cmocka_unit_test_setup(a_sleep_that_lost_a_tie_reports_it_fired, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
