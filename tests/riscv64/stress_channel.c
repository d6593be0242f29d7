/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * One channel across four harts: a producer task on each of harts 1-3
 * sends numbered items (async send: it waits while the ring is full), one
 * consumer task on hart 0 receives them all. Every item arrives once and in
 * its producer's order; nothing is left in the channel. The small ring keeps
 * producers blocking, so the hand-over paths (a receiver wakes a waiting
 * sender on another hart, a sender wakes the waiting receiver) run hot.
 */
#include <stdatomic.h>
#include <stdio.h>

#include "guest.h"
#include "stress.h"

#define PRODUCERS 3u  /* harts 1..3 */
#define ITEMS 100000u /* per producer */
#define RING 8u

static aexec_channel ch;
static uint32_t ring[RING];

struct producer {
    aexec_task task;
    aexec_co co;
    aexec_channel_send tx;
    uint32_t id, seq, item;
    int err;
    uint32_t errors;
};

struct consumer {
    aexec_task task;
    aexec_co co;
    aexec_channel_recv rx;
    uint32_t item;
    int err;
    _Atomic uint32_t received;
    uint32_t next[PRODUCERS]; /* the sequence number expected from each producer */
    uint32_t out_of_order, foreign, errors;
};

static struct producer producers[PRODUCERS];
static struct consumer consumer;

static aexec_poll producer_poll(aexec_task *t, aexec_cx *cx)
{
    struct producer *p = AEXEC_CONTAINER_OF(t, struct producer, task);
    AEXEC_CO_BEGIN(&p->co, cx);
    for (p->seq = 0; p->seq < ITEMS; p->seq++) {
        p->item = p->id << 24 | p->seq;
        aexec_channel_send_init(&p->tx, &ch, &p->item);
        AEXEC_AWAIT(aexec_channel_send_poll(&p->tx, cx, &p->err));
        p->errors += p->err != 0;
    }
    AEXEC_CO_FINALLY;
    aexec_channel_send_cancel(&p->tx);
    AEXEC_CO_END;
}

static aexec_poll consumer_poll(aexec_task *t, aexec_cx *cx)
{
    struct consumer *c = AEXEC_CONTAINER_OF(t, struct consumer, task);
    AEXEC_CO_BEGIN(&c->co, cx);
    while (atomic_load_explicit(&c->received, memory_order_relaxed) < PRODUCERS * ITEMS) {
        aexec_channel_recv_init(&c->rx, &ch, &c->item);
        AEXEC_AWAIT(aexec_channel_recv_poll(&c->rx, cx, &c->err));
        if (c->err != 0) {
            c->errors++;
            break;
        }
        uint32_t from = c->item >> 24, seq = c->item & 0xffffffu;
        if (from >= PRODUCERS) {
            c->foreign++;
        } else {
            c->out_of_order += seq != c->next[from];
            c->next[from] = seq + 1u;
        }
        atomic_fetch_add_explicit(&c->received, 1u, memory_order_relaxed);
    }
    AEXEC_CO_FINALLY;
    aexec_channel_recv_cancel(&c->rx);
    AEXEC_CO_END;
}

void stress_channel_spawn(unsigned hart)
{
    aexec_task *task;
    aexec_poll_fn poll;
    if (hart == 0) {
        if (aexec_channel_init(&ch, &aexec_riscv_smp_cs, ring, sizeof ring[0], RING) != 0)
            aexec_panic("stress_channel: init failed", __FILE__, __LINE__);
        task = &consumer.task;
        poll = consumer_poll;
    } else {
        producers[hart - 1].id = hart - 1;
        task = &producers[hart - 1].task;
        poll = producer_poll;
    }
    if (aexec_spawn(&guest_harts[hart].ex, task, poll) != 0)
        aexec_panic("stress_channel: spawn failed", __FILE__, __LINE__);
}

uint64_t stress_channel_progress(void)
{
    return atomic_load_explicit(&consumer.received, memory_order_relaxed);
}

void stress_channel_report(void)
{
    int complete = 1, errors = consumer.errors != 0;
    for (unsigned p = 0; p < PRODUCERS; p++) {
        complete &= consumer.next[p] == ITEMS;
        errors |= producers[p].errors != 0;
    }
    printf("  channel: %u items from harts 1-3 to hart 0; %u out of order, %u foreign, "
           "%u left in the channel\n",
           (unsigned)atomic_load(&consumer.received), (unsigned)consumer.out_of_order,
           (unsigned)consumer.foreign, (unsigned)aexec_channel_len(&ch));
    guest_report("stress", "channel_delivers_every_item_of_three_harts_once",
                 complete && consumer.foreign == 0 && !errors &&
                     atomic_load(&consumer.received) == PRODUCERS * ITEMS &&
                     aexec_channel_len(&ch) == 0);
    guest_report("stress", "channel_keeps_each_producers_order", consumer.out_of_order == 0);
}
