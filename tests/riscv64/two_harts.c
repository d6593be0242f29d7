/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The first demo's traffic on two harts, as a test: every count is checked
 * and reported on a line of its own.
 *   ticker     fires every 100 ms, five times, never before its grid point
 *   ping/pong  two tasks passing a notification back and forth, 3 rounds each
 *   sleeper    wakes after 350 ms, then cancels `forever`, a task that would
 *              never finish: its finally runs once and its timer is released
 *   hart 1     first plays a device: it try_sends 100,000 numbered items into
 *              a channel a task on hart 0 drains (each once, in order), and
 *              bounces 10,000 notifications off another task there, waiting
 *              for each answer. Then it runs an executor of its own, whose
 *              task plays 10,000 rounds of notification ping-pong with a task
 *              on hart 0's executor (a wake onto a sleeping hart is an IPI).
 */
#include <stdatomic.h>
#include <stdio.h>

#include "guest.h"

#define MS(n) aexec_ticks_from_ms(GUEST_TIMEBASE_HZ, (n))
#define TICKS 5u
#define ITEMS 100000u
#define BOUNCES 10000u
#define ROUNDS 10000u

static aexec_instant start;

/* ---- ticker -------------------------------------------------------------- */

struct ticker_task {
    aexec_task task;
    aexec_co co;
    aexec_ticker ticker;
    uint32_t fires, early;
};

static aexec_poll ticker_poll(aexec_task *t, aexec_cx *cx)
{
    struct ticker_task *k = AEXEC_CONTAINER_OF(t, struct ticker_task, task);
    AEXEC_CO_BEGIN(&k->co, cx);
    aexec_ticker_init(&k->ticker, 1, 10); /* 1/10 s, from the first poll */
    while (k->fires < TICKS) {
        AEXEC_AWAIT(aexec_ticker_poll(&k->ticker, cx));
        k->fires++;
        k->early += guest_now() < start + k->fires * MS(100);
    }
    AEXEC_CO_FINALLY;
    aexec_ticker_cancel(&k->ticker);
    AEXEC_CO_END;
}

/* ---- ping/pong ----------------------------------------------------------- */

static char volley[2 * 3 + 1];
static unsigned volley_len;

struct player {
    aexec_task task;
    aexec_co co;
    char mark;
    aexec_task *peer;
    int rounds;
};

static aexec_poll player_poll(aexec_task *t, aexec_cx *cx)
{
    struct player *p = AEXEC_CONTAINER_OF(t, struct player, task);
    AEXEC_CO_BEGIN(&p->co, cx);
    while (p->rounds < 3) {
        AEXEC_AWAIT_NOTIFICATION();
        p->rounds++;
        if (volley_len < sizeof volley - 1)
            volley[volley_len++] = p->mark;
        aexec_cx_notify(cx, p->peer);
    }
    AEXEC_CO_END;
}

/* ---- cancel -------------------------------------------------------------- */

struct forever {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    uint32_t finally_runs, woke;
};

static aexec_poll forever_poll(aexec_task *t, aexec_cx *cx)
{
    struct forever *f = AEXEC_CONTAINER_OF(t, struct forever, task);
    AEXEC_CO_BEGIN(&f->co, cx);
    aexec_sleep_until_init(&f->sleep, AEXEC_INSTANT_MAX); /* never */
    AEXEC_AWAIT(aexec_sleep_poll(&f->sleep, cx));
    f->woke++;
    AEXEC_CO_FINALLY;
    aexec_sleep_cancel(&f->sleep);
    f->finally_runs++;
    AEXEC_CO_END;
}

static struct forever forever;

struct sleeper {
    aexec_task task;
    aexec_co co;
    aexec_sleep sleep;
    aexec_instant woke_at;
    int cancel_result;
};

static aexec_poll sleeper_poll(aexec_task *t, aexec_cx *cx)
{
    struct sleeper *s = AEXEC_CONTAINER_OF(t, struct sleeper, task);
    AEXEC_CO_BEGIN(&s->co, cx);
    aexec_sleep_for_init(&s->sleep, MS(350));
    AEXEC_AWAIT(aexec_sleep_poll(&s->sleep, cx));
    s->woke_at = guest_now();
    s->cancel_result = aexec_task_cancel(aexec_task_handle(&forever.task));
    AEXEC_CO_END;
}

/* ---- hart 1 as a device: a channel and notifications --------------------- */

static aexec_channel items;
static uint32_t items_ring[32];
static _Atomic uint32_t bounce_request, bounce_reply;

struct drain {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv rx;
    uint32_t item, expect, out_of_order;
    int err;
};

static aexec_poll drain_poll(aexec_task *t, aexec_cx *cx)
{
    struct drain *d = AEXEC_CONTAINER_OF(t, struct drain, task);
    AEXEC_CO_BEGIN(&d->co, cx);
    while (d->expect < ITEMS && d->err == 0) {
        aexec_channel_recv_init(&d->rx, &items, &d->item);
        AEXEC_AWAIT(aexec_channel_recv_poll(&d->rx, cx, &d->err));
        d->out_of_order += d->item != d->expect;
        d->expect++;
    }
    AEXEC_CO_END;
}

struct echo {
    aexec_task task;
    aexec_co co;
    uint32_t n, answered, skipped;
};

static aexec_poll echo_poll(aexec_task *t, aexec_cx *cx)
{
    struct echo *e = AEXEC_CONTAINER_OF(t, struct echo, task);
    AEXEC_CO_BEGIN(&e->co, cx);
    while (e->n < BOUNCES) {
        AEXEC_AWAIT_NOTIFICATION();
        uint32_t n = atomic_load_explicit(&bounce_request, memory_order_acquire);
        e->skipped += n != e->n + 1u; /* hart 1 waits for each answer */
        e->n = n;
        e->answered++;
        atomic_store_explicit(&bounce_reply, n, memory_order_release);
    }
    AEXEC_CO_END;
}

static struct drain drain;
static struct echo echo;

/* ---- the rally between the two executors --------------------------------- */

struct rally {
    aexec_task task;
    aexec_co co;
    aexec_task *peer;
    uint32_t n, taken, sent;
    int serves;
};

static aexec_poll rally_poll(aexec_task *t, aexec_cx *cx)
{
    struct rally *r = AEXEC_CONTAINER_OF(t, struct rally, task);
    AEXEC_CO_BEGIN(&r->co, cx);
    if (r->serves) {
        r->sent++;
        aexec_cx_notify(cx, r->peer); /* the peer is on the other executor */
    }
    for (r->n = 0; r->n < ROUNDS; r->n++) {
        AEXEC_AWAIT_NOTIFICATION();
        r->taken++;
        if (!r->serves || r->n + 1 < ROUNDS) {
            r->sent++;
            aexec_cx_notify(cx, r->peer);
        }
    }
    AEXEC_CO_END;
}

static struct rally rally_local, rally_remote;
static _Atomic int hart1_result; /* 0 running, 1 its run returned DONE, -1 otherwise */

static void hart1(unsigned index)
{
    for (uint32_t i = 0; i < ITEMS; i++) {
        while (aexec_channel_try_send(&items, &i) == AEXEC_EFULL) {
        }
    }
    for (uint32_t i = 1; i <= BOUNCES; i++) {
        atomic_store_explicit(&bounce_request, i, memory_order_release);
        aexec_notify(&echo.task);
        while (atomic_load_explicit(&bounce_reply, memory_order_acquire) != i) {
        }
    }
    /* hart 0's player is spawned already: it hears the serve */
    rally_remote.peer = &rally_local.task;
    rally_remote.serves = 1;
    aexec_spawn(&guest_harts[index].ex, &rally_remote.task, rally_poll);
    int r = aexec_run(&guest_harts[index].ex);
    atomic_store(&hart1_result, r == AEXEC_RUN_DONE ? 1 : -1);
}

/* On hart 0: waits (looking every 10 ms) for hart 1's executor to finish. */
struct hart1_watch {
    aexec_task task;
    aexec_co co;
    aexec_ticker period;
};

static aexec_poll hart1_watch_poll(aexec_task *t, aexec_cx *cx)
{
    struct hart1_watch *w = AEXEC_CONTAINER_OF(t, struct hart1_watch, task);
    AEXEC_CO_BEGIN(&w->co, cx);
    aexec_ticker_init(&w->period, 1, 100);
    while (atomic_load(&hart1_result) == 0)
        AEXEC_AWAIT(aexec_ticker_poll(&w->period, cx));
    AEXEC_CO_FINALLY;
    aexec_ticker_cancel(&w->period);
    AEXEC_CO_END;
}

static struct hart1_watch hart1_watch;
static struct ticker_task ticker;
static struct player ping = {.mark = 'i'}, pong = {.mark = 'o'};
static struct sleeper sleeper;

static void spawn(aexec_task *task, aexec_poll_fn poll)
{
    if (aexec_spawn(&guest_harts[0].ex, task, poll) != 0)
        aexec_panic("two_harts: spawn failed", __FILE__, __LINE__);
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    guest_init(hartid);
    printf("libaexec on two harts (QEMU virt), boot hart %lu\n", hartid);
    aexec_executor *ex = &guest_harts[0].ex;
    if (aexec_channel_init(&items, &aexec_riscv_smp_cs, items_ring, sizeof items_ring[0], 32) != 0)
        aexec_panic("two_harts: channel init failed", __FILE__, __LINE__);
    start = guest_now();
    ping.peer = &pong.task;
    pong.peer = &ping.task;
    spawn(&ticker.task, ticker_poll);
    spawn(&ping.task, player_poll);
    spawn(&pong.task, player_poll);
    spawn(&forever.task, forever_poll);
    spawn(&sleeper.task, sleeper_poll);
    aexec_notify(&ping.task); /* serve */
    spawn(&drain.task, drain_poll);
    spawn(&echo.task, echo_poll);
    rally_local.peer = &rally_remote.task;
    spawn(&rally_local.task, rally_poll);
    spawn(&hart1_watch.task, hart1_watch_poll);
    if (guest_start_harts(1, hart1) != 1) {
        guest_report("two_harts", "a_second_hart_starts", 0);
        guest_finish();
    }

    int r = aexec_run(ex); /* sleeps in wfi between interrupts */
    uint64_t ms = aexec_ticks_to_ms(GUEST_TIMEBASE_HZ, guest_now() - start);
    printf("  ran %llu ms; volley %s; drained %u items (%u out of order); echo answered %u; "
           "rally %u/%u rounds\n",
           (unsigned long long)ms, volley, (unsigned)drain.expect, (unsigned)drain.out_of_order,
           (unsigned)echo.answered, (unsigned)rally_local.taken, (unsigned)rally_remote.taken);
    guest_report("two_harts", "every_task_on_hart_0_finished", r == AEXEC_RUN_DONE);
    guest_report("two_harts", "ticker_fires_five_times_never_early",
                 ticker.fires == TICKS && ticker.early == 0);
    guest_report("two_harts", "ping_and_pong_alternate_for_three_rounds",
                 ping.rounds == 3 && pong.rounds == 3 && volley_len == 6 && volley[0] == 'i' &&
                     volley[1] == 'o' && volley[2] == 'i' && volley[3] == 'o' && volley[4] == 'i' &&
                     volley[5] == 'o');
    guest_report("two_harts", "sleeper_wakes_no_earlier_than_350_ms",
                 sleeper.woke_at >= start + MS(350));
    guest_report("two_harts", "cancel_runs_the_finally_once_and_ends_the_task",
                 sleeper.cancel_result == 0 && forever.finally_runs == 1 && forever.woke == 0 &&
                     !aexec_task_is_alive(&forever.task));
    guest_report("two_harts", "channel_from_hart_1_delivers_100000_items_in_order",
                 drain.expect == ITEMS && drain.out_of_order == 0 && drain.err == 0 &&
                     aexec_channel_len(&items) == 0);
    guest_report("two_harts", "notifications_from_hart_1_each_answered_once",
                 echo.answered == BOUNCES && echo.skipped == 0);
    guest_report("two_harts", "rally_10000_rounds_between_the_executors",
                 atomic_load(&hart1_result) == 1 && rally_local.taken == ROUNDS &&
                     rally_remote.taken == ROUNDS && rally_local.sent == ROUNDS &&
                     rally_remote.sent == ROUNDS);
    guest_finish();
}
