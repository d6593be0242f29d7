/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The channel: a ring of fixed-size items and two FIFOs of blocked tasks,
 * all under the channel's critical section.
 *
 * Invariants (inside the section):
 *  C1. receivers are waiting only while the ring is empty; senders only
 *      while it is full. So an item from a sender goes straight to the first
 *      waiting receiver, and a slot freed by a receiver is refilled at once
 *      from the first waiting sender: nobody overtakes a waiter.
 *  C2. a waiter's status becomes final (0 or AEXEC_ECLOSED) exactly once,
 *      when it is unlinked; its task is woken after the section is left.
 */
#include "aexec/error.h"
#include "aexec/sync.h"
#include "waiter_list.h"

/* Tasks completed inside one section, woken after it. */
#define WAKE_BATCH 8

static void copy_item(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
}

static unsigned char *slot_at(const aexec_channel *ch, uint32_t i)
{
    uint32_t k = ch->head + i;
    if (k >= ch->capacity)
        k -= ch->capacity;
    return ch->buf + (size_t)k * ch->item_size;
}

int aexec_channel_init(aexec_channel *ch, const aexec_cs *cs, void *storage, size_t item_size,
                       uint32_t capacity)
{
    if (ch == NULL || cs == NULL || storage == NULL || item_size == 0 || capacity == 0)
        return AEXEC_EINVAL;
    ch->cs = *cs;
    ch->buf = storage;
    ch->item_size = item_size;
    ch->capacity = capacity;
    ch->head = 0;
    ch->count = 0;
    ch->closed = 0;
    ch->senders = ch->senders_tail = NULL;
    ch->receivers = ch->receivers_tail = NULL;
    return AEXEC_OK;
}

/* Inside the section: puts `item` in, or hands it to a waiting receiver (*wake). */
static int send_locked(aexec_channel *ch, const void *item, aexec_task **wake)
{
    if (ch->closed)
        return AEXEC_ECLOSED;
    if (ch->receivers != NULL) {
        copy_item(ch->receivers->item, item, ch->item_size);
        *wake = aexec__waiters_complete_first(&ch->receivers, &ch->receivers_tail, 0);
        return AEXEC_OK;
    }
    if (ch->count == ch->capacity)
        return AEXEC_EFULL;
    copy_item(slot_at(ch, ch->count), item, ch->item_size);
    ch->count++;
    return AEXEC_OK;
}

/* Inside the section: takes the oldest item, refilling from a waiting sender (*wake). */
static int recv_locked(aexec_channel *ch, void *item, aexec_task **wake)
{
    if (ch->count == 0)
        return ch->closed ? AEXEC_ECLOSED : AEXEC_EEMPTY;
    copy_item(item, slot_at(ch, 0), ch->item_size);
    ch->head = ch->head + 1 == ch->capacity ? 0 : ch->head + 1;
    ch->count--;
    if (ch->senders != NULL) {
        copy_item(slot_at(ch, ch->count), ch->senders->item, ch->item_size);
        ch->count++;
        *wake = aexec__waiters_complete_first(&ch->senders, &ch->senders_tail, 0);
    }
    return AEXEC_OK;
}

int aexec_channel_try_send(aexec_channel *ch, const void *item)
{
    aexec_task *wake = NULL;
    aexec_cs_state s = aexec__cs_enter(&ch->cs);
    int r = send_locked(ch, item, &wake);
    aexec__cs_exit(&ch->cs, s);
    aexec__wake_after(wake, NULL);
    return r;
}

int aexec_channel_try_recv(aexec_channel *ch, void *item)
{
    aexec_task *wake = NULL;
    aexec_cs_state s = aexec__cs_enter(&ch->cs);
    int r = recv_locked(ch, item, &wake);
    aexec__cs_exit(&ch->cs, s);
    aexec__wake_after(wake, NULL);
    return r;
}

uint32_t aexec_channel_len(aexec_channel *ch)
{
    aexec_cs_state s = aexec__cs_enter(&ch->cs);
    uint32_t n = ch->count;
    aexec__cs_exit(&ch->cs, s);
    return n;
}

void aexec_channel_close(aexec_channel *ch)
{
    for (;;) {
        aexec_task *wake[WAKE_BATCH];
        int n = 0;
        aexec_cs_state s = aexec__cs_enter(&ch->cs);
        ch->closed = 1;
        while (n < WAKE_BATCH && ch->senders != NULL)
            wake[n++] = aexec__waiters_complete_first(&ch->senders, &ch->senders_tail,
                                                      AEXEC_ECLOSED);
        /* C1: receivers wait only on an empty ring, so none has data coming. */
        while (n < WAKE_BATCH && ch->receivers != NULL)
            wake[n++] = aexec__waiters_complete_first(&ch->receivers, &ch->receivers_tail,
                                                      AEXEC_ECLOSED);
        int more = ch->senders != NULL || ch->receivers != NULL;
        aexec__cs_exit(&ch->cs, s);
        for (int i = 0; i < n; i++)
            aexec_wake(wake[i]);
        if (!more)
            return;
    }
}

void aexec_channel_send_init(aexec_channel_send *op, aexec_channel *ch, const void *item)
{
    aexec__waiter_reset(&op->w);
    op->ch = ch;
    op->item = item;
}

aexec_poll aexec_channel_send_poll(aexec_channel_send *op, aexec_cx *cx, int *err)
{
    aexec_channel *ch = op->ch;
    aexec_task *wake = NULL;
    aexec_poll r = AEXEC_PENDING;
    aexec_cs_state s = aexec__cs_enter(&ch->cs);
    if (op->w.status <= 0) {
        *err = op->w.status;
        r = AEXEC_READY;
    } else if (op->w.status == AEXEC__W_IDLE) {
        int e = send_locked(ch, op->item, &wake);
        if (e == AEXEC_EFULL) {
            op->w.task = cx->task;
            op->w.item = (void *)(uintptr_t)op->item; /* read, never written */
            aexec__waiters_push(&ch->senders, &ch->senders_tail, &op->w);
        } else {
            op->w.status = e;
            *err = e;
            r = AEXEC_READY;
        }
    }
    aexec__cs_exit(&ch->cs, s);
    aexec__wake_after(wake, cx);
    return r;
}

int aexec_channel_send_cancel(aexec_channel_send *op)
{
    aexec_channel *ch = op->ch;
    if (ch == NULL)
        return 0; /* zeroed, never initialized: a task cancelled before it got here */
    aexec_cs_state s = aexec__cs_enter(&ch->cs);
    int done = op->w.status == 0;
    if (op->w.linked)
        aexec__waiters_unlink(&ch->senders, &ch->senders_tail, &op->w);
    op->w.status = AEXEC__W_IDLE;
    aexec__cs_exit(&ch->cs, s);
    return done;
}

void aexec_channel_recv_init(aexec_channel_recv *op, aexec_channel *ch, void *item)
{
    aexec__waiter_reset(&op->w);
    op->ch = ch;
    op->item = item;
}

aexec_poll aexec_channel_recv_poll(aexec_channel_recv *op, aexec_cx *cx, int *err)
{
    aexec_channel *ch = op->ch;
    aexec_task *wake = NULL;
    aexec_poll r = AEXEC_PENDING;
    aexec_cs_state s = aexec__cs_enter(&ch->cs);
    if (op->w.status <= 0) {
        *err = op->w.status;
        r = AEXEC_READY;
    } else if (op->w.status == AEXEC__W_IDLE) {
        int e = recv_locked(ch, op->item, &wake);
        if (e == AEXEC_EEMPTY) {
            op->w.task = cx->task;
            op->w.item = op->item;
            aexec__waiters_push(&ch->receivers, &ch->receivers_tail, &op->w);
        } else {
            op->w.status = e;
            *err = e;
            r = AEXEC_READY;
        }
    }
    aexec__cs_exit(&ch->cs, s);
    aexec__wake_after(wake, cx);
    return r;
}

int aexec_channel_recv_cancel(aexec_channel_recv *op)
{
    aexec_channel *ch = op->ch;
    if (ch == NULL)
        return 0; /* zeroed, never initialized */
    aexec_cs_state s = aexec__cs_enter(&ch->cs);
    int done = op->w.status == 0;
    if (op->w.linked)
        aexec__waiters_unlink(&ch->receivers, &ch->receivers_tail, &op->w);
    op->w.status = AEXEC__W_IDLE;
    aexec__cs_exit(&ch->cs, s);
    return done;
}
