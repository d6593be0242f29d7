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

/*
 * No memcpy in the core, so items are copied here: by aligned words where
 * size and alignment allow (most items are a word or a few: a byte count, a
 * pointer, a small struct), else by bytes. may_alias makes the word access
 * legal whatever the item's type.
 */
#if defined(__GNUC__)
typedef uintptr_t __attribute__((may_alias)) aexec__word;
#define COPY_BY_WORDS 1
#else
#define COPY_BY_WORDS 0
#endif

static inline void copy_item(void *dst, const void *src, size_t n)
{
#if COPY_BY_WORDS
    if (((uintptr_t)dst | (uintptr_t)src | n) % sizeof(aexec__word) == 0) {
        aexec__word *d = dst;
        const aexec__word *s = src;
        for (n /= sizeof(aexec__word); n > 0; n--)
            *d++ = *s++;
        return;
    }
#endif
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
            wake[n++] =
                aexec__waiters_complete_first(&ch->senders, &ch->senders_tail, AEXEC_ECLOSED);
        /* C1: receivers wait only on an empty ring, so none has data coming. */
        while (n < WAKE_BATCH && ch->receivers != NULL)
            wake[n++] =
                aexec__waiters_complete_first(&ch->receivers, &ch->receivers_tail, AEXEC_ECLOSED);
        int more = ch->senders != NULL || ch->receivers != NULL;
        aexec__cs_exit(&ch->cs, s);
        for (int i = 0; i < n; i++)
            aexec_wake(wake[i]);
        if (!more)
            return;
    }
}

/*
 * The async operations share one shape: inside the section, a final status
 * means done; an idle operation tries once and, if it would block, queues in
 * its direction's FIFO. `step` is send_locked or recv_locked.
 */
typedef int (*channel_step)(aexec_channel *ch, void *item, aexec_task **wake);

static int send_step(aexec_channel *ch, void *item, aexec_task **wake)
{
    return send_locked(ch, item, wake);
}

/* Inlined into each direction, so `step` becomes a direct call. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline aexec_poll
op_poll(aexec_channel *ch, aexec_waiter *w, void *item, channel_step step, int would_block,
        aexec_waiter **head, aexec_waiter **tail, aexec_cx *cx, int *err)
{
    aexec_task *wake = NULL;
    aexec_poll r = AEXEC_PENDING;
    aexec_cs_state s = aexec__cs_enter(&ch->cs);
    if (w->status == AEXEC__W_IDLE) {
        int e = step(ch, item, &wake);
        if (e == would_block) {
            w->task = cx->task;
            w->item = item;
            aexec__waiters_push(head, tail, w);
        } else {
            w->status = e;
        }
    }
    if (w->status <= 0) {
        *err = w->status;
        r = AEXEC_READY;
    }
    aexec__cs_exit(&ch->cs, s);
    aexec__wake_after(wake, cx);
    return r;
}

static int op_cancel(aexec_channel *ch, aexec_waiter *w, aexec_waiter **head, aexec_waiter **tail)
{
    if (ch == NULL)
        return 0; /* zeroed, never initialized: a task cancelled before it got here */
    return aexec__waiter_cancel(&ch->cs, head, tail, w);
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
    /* The item is only read; the cast lets both directions share op_poll. */
    return op_poll(ch, &op->w, (void *)(uintptr_t)op->item, send_step, AEXEC_EFULL, &ch->senders,
                   &ch->senders_tail, cx, err);
}

int aexec_channel_send_cancel(aexec_channel_send *op)
{
    aexec_channel *ch = op->ch;
    return op_cancel(ch, &op->w, ch ? &ch->senders : NULL, ch ? &ch->senders_tail : NULL);
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
    return op_poll(ch, &op->w, op->item, recv_locked, AEXEC_EEMPTY, &ch->receivers,
                   &ch->receivers_tail, cx, err);
}

int aexec_channel_recv_cancel(aexec_channel_recv *op)
{
    aexec_channel *ch = op->ch;
    return op_cancel(ch, &op->w, ch ? &ch->receivers : NULL, ch ? &ch->receivers_tail : NULL);
}
