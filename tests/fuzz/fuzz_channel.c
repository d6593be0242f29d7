/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Fuzz target: the channel, driven by an operation tape from simulated
 * contexts, against a model of what must come out.
 *
 * TASKS tasks on one executor each hold at most one operation, a send or a
 * receive, started, re-polled and cancelled inside the task's own poll; an
 * "interrupt" context (the fuzzer's loop, outside any poll) calls try_send,
 * try_recv and close. The tape leaves requests for the tasks and runs the
 * executor only where it says, so an operation can complete (an interrupt's
 * try_send hands an item to a waiting receiver) between the task's last
 * poll and its cancel: the cancel must then report it (returns 1). Every
 * send carries the next number of a sequence, taken when the operation
 * first reaches the channel; every receive gets a ticket at that moment.
 *
 * What the channel must do, checked at the end of each input (after every
 * task has cancelled what it still holds and the interrupt has drained the
 * rest):
 *  - no loss, no duplicate: the numbers received are exactly the numbers
 *    accepted (a send that completed with 0, a send whose cancel returned 1
 *    "already completed", a try_send that returned 0), each once;
 *  - no reordering: senders and receivers are both served first come, first
 *    served, so ordered by ticket the receives see increasing numbers;
 *  - a cancel that returns 0 consumed nothing: a receive cancelled so has
 *    no item, a send cancelled so is never received;
 *  - every completion wakes its task (after a run, no task holds a
 *    completed operation it has not seen);
 *  - a send that starts after close is never accepted, and the count never
 *    exceeds the capacity.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "aexec/aexec.h"

#define TASKS 4
#define MAX_OPS 4096

static uint32_t cs_depth;

static void fz_pend(void *ctx)
{
    (void)ctx;
}
static aexec_cs_state fz_cs_enter(void *ctx)
{
    (void)ctx;
    if (cs_depth++ != 0) {
        fprintf(stderr, "channel: critical sections nest\n");
        abort();
    }
    return 0x5a;
}
static void fz_cs_exit(void *ctx, aexec_cs_state s)
{
    (void)ctx;
    if (s != 0x5a || cs_depth-- != 1) {
        fprintf(stderr, "channel: unbalanced critical section\n");
        abort();
    }
}
static const aexec_port port = {.pend = fz_pend, .cs_enter = fz_cs_enter, .cs_exit = fz_cs_exit};

enum { IDLE, SENDING, RECEIVING };
enum { REQ_NONE, REQ_SEND, REQ_RECV, REQ_CANCEL, REQ_POLL };

struct actor {
    aexec_task task;
    int state, req;
    aexec_channel_send send;
    aexec_channel_recv recv;
    uint32_t out, in; /* the number being sent; the receive buffer */
    uint32_t ticket;  /* the receive's place in line */
};

static aexec_executor ex;
static aexec_cs cs;
static aexec_channel ch;
static uint32_t storage[8];
static struct actor actors[TASKS];

static uint32_t next_number; /* the next number a send carries */
static uint32_t next_ticket; /* the next receive's place in line */
static int closed;
static uint32_t numbers_at_close; /* sends numbered from here on started after close */

/* What happened to every number and every ticket. */
static uint8_t accepted[MAX_OPS];
static uint8_t received[MAX_OPS];
static uint32_t ticket_got[MAX_OPS]; /* number + 1 received by ticket, or 0 */

static void fail(const char *why, uint32_t what)
{
    fprintf(stderr, "channel: %s (%u)\n", why, what);
    abort();
}

static void accept(uint32_t number)
{
    if (accepted[number]++)
        fail("a number was accepted twice", number);
    if (closed && number >= numbers_at_close)
        fail("a send that started after close was accepted", number);
}

static void receive(uint32_t ticket, uint32_t number)
{
    /* A sender learns of its completion at its next poll, possibly after
     * the receiver: whether it was accepted is checked at the end. */
    if (number >= next_number)
        fail("received a number that was never sent", number);
    if (received[number]++)
        fail("a number was received twice", number);
    ticket_got[ticket] = number + 1u;
}

static uint32_t take_ticket(void)
{
    return next_ticket++;
}

/* A send or receive finished with `err` (READY); records its outcome. */
static void send_done(struct actor *a, int err)
{
    if (err == 0)
        accept(a->out);
    else if (err != AEXEC_ECLOSED || !closed)
        fail("a send failed with an unexpected error", (uint32_t)-err);
    a->state = IDLE;
}

static void recv_done(struct actor *a, int err)
{
    if (err == 0)
        receive(a->ticket, a->in);
    else if (err != AEXEC_ECLOSED || !closed)
        fail("a receive failed with an unexpected error", (uint32_t)-err);
    a->state = IDLE;
}

static aexec_poll actor_poll(aexec_task *t, aexec_cx *cx)
{
    struct actor *a = AEXEC_CONTAINER_OF(t, struct actor, task);
    int req = a->req, err = 1;
    a->req = REQ_NONE;
    if (req == REQ_CANCEL) {
        if (a->state == SENDING) {
            if (aexec_channel_send_cancel(&a->send) == 1)
                accept(a->out); /* it had completed: the item is in the channel */
        } else if (a->state == RECEIVING) {
            if (aexec_channel_recv_cancel(&a->recv) == 1)
                receive(a->ticket, a->in); /* the item is in our buffer */
            else if (a->in != UINT32_MAX)
                fail("a receive cancelled with nothing taken wrote its buffer", a->in);
        }
        a->state = IDLE;
        return AEXEC_PENDING;
    }
    if (a->state == IDLE && req == REQ_SEND) {
        a->out = next_number++;
        aexec_channel_send_init(&a->send, &ch, &a->out);
        a->state = SENDING;
    } else if (a->state == IDLE && req == REQ_RECV) {
        a->in = UINT32_MAX;
        a->ticket = take_ticket();
        aexec_channel_recv_init(&a->recv, &ch, &a->in);
        a->state = RECEIVING;
    }
    /* Polled for any reason (a request, a wake, a spurious poll): advance. */
    if (a->state == SENDING && aexec_channel_send_poll(&a->send, cx, &err) == AEXEC_READY)
        send_done(a, err);
    else if (a->state == RECEIVING && aexec_channel_recv_poll(&a->recv, cx, &err) == AEXEC_READY)
        recv_done(a, err);
    return AEXEC_PENDING;
}

static int finished(const aexec_waiter *w)
{
    return w->status <= 0; /* a final status: 0 or an error */
}

/*
 * Runs every task that is ready. Afterwards no task may hold an operation
 * that has completed: its completion woke it, and the poll saw it.
 */
static void settle(void)
{
    for (int rounds = 0; aexec_executor_poll(&ex) != 0; rounds++)
        if (rounds > 64)
            fail("the executor does not settle", 0);
    for (int i = 0; i < TASKS; i++) {
        const struct actor *a = &actors[i];
        if ((a->state == SENDING && finished(&a->send.w)) ||
            (a->state == RECEIVING && finished(&a->recv.w)))
            fail("an operation completed and its task was not woken", (uint32_t)i);
    }
    if (aexec_channel_len(&ch) > ch.capacity)
        fail("more items queued than the capacity", aexec_channel_len(&ch));
}

/* Leaves a request for the task's next poll; the tape decides when that runs. */
static void request(int i, int req)
{
    actors[i].req = req;
    aexec_wake(&actors[i].task);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint32_t capacity = 1u + (data[0] & 7u);
    data++;
    size--;
    if (size > MAX_OPS / 2)
        size = MAX_OPS / 2; /* each op takes at most one number or one ticket */
    if (aexec_executor_init(&ex, &port, NULL, 0) != 0 || aexec_executor_cs(&ex, &cs) != 0 ||
        aexec_channel_init(&ch, &cs, storage, sizeof storage[0], capacity) != 0)
        abort();
    next_number = next_ticket = numbers_at_close = 0;
    closed = 0;
    for (uint32_t k = 0; k < MAX_OPS; k++)
        accepted[k] = received[k] = 0, ticket_got[k] = 0;
    for (int i = 0; i < TASKS; i++) {
        actors[i] = (struct actor){0};
        if (aexec_spawn(&ex, &actors[i].task, actor_poll) != 0)
            abort();
    }
    settle();

    /* The tape: requests to the tasks and calls from the interrupt, with
     * the executor run only when the tape says so, so that completions
     * land between a task's poll and its cancel. */
    for (size_t k = 0; k < size; k++) {
        uint8_t op = data[k];
        int i = op & (TASKS - 1);
        switch (op >> 2 & 7u) {
        case 0: request(i, REQ_SEND); break;
        case 1: request(i, REQ_RECV); break;
        case 2: request(i, REQ_CANCEL); break;
        case 3: request(i, REQ_POLL); break;
        case 4: {
            uint32_t number = next_number++;
            int r = aexec_channel_try_send(&ch, &number);
            if (r == 0)
                accept(number);
            else if (r != AEXEC_EFULL && !(r == AEXEC_ECLOSED && closed))
                fail("try_send returned an unexpected code", (uint32_t)-r);
            break;
        }
        case 5: {
            uint32_t v = UINT32_MAX;
            uint32_t ticket = take_ticket();
            int r = aexec_channel_try_recv(&ch, &v);
            if (r == 0)
                receive(ticket, v);
            else if (r != AEXEC_EEMPTY && !(r == AEXEC_ECLOSED && closed))
                fail("try_recv returned an unexpected code", (uint32_t)-r);
            break;
        }
        case 6: settle(); break;
        default:
            if ((op & 0x80u) && !closed) {
                aexec_channel_close(&ch);
                closed = 1;
                numbers_at_close = next_number;
            } else {
                settle();
            }
            break;
        }
    }
    settle();

    /* Every task lets go of what it holds (a completed operation reports
     * so), then the interrupt drains the channel. */
    for (int i = 0; i < TASKS; i++)
        request(i, REQ_CANCEL);
    settle();
    for (int i = 0; i < TASKS; i++)
        if (actors[i].state != IDLE)
            fail("a task still holds an operation after its cancel", (uint32_t)i);
    for (;;) {
        uint32_t v = UINT32_MAX;
        uint32_t ticket = take_ticket();
        int r = aexec_channel_try_recv(&ch, &v);
        if (r != 0)
            break;
        receive(ticket, v);
    }
    if (aexec_channel_len(&ch) != 0)
        fail("items left after the drain", aexec_channel_len(&ch));

    for (uint32_t n = 0; n < next_number; n++)
        if (accepted[n] != received[n])
            fail(accepted[n] ? "an accepted number was lost" : "a number came from nowhere", n);
    uint32_t last = 0;
    for (uint32_t t = 0; t < next_ticket; t++) {
        if (ticket_got[t] == 0)
            continue;
        if (ticket_got[t] <= last)
            fail("numbers were received out of order", ticket_got[t] - 1u);
        last = ticket_got[t];
    }
    return 0;
}
