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
 *  C3. that final status is the last thing stored in a queued waiter (a
 *      release store, after the item is copied and the waiter unlinked):
 *      its task reads it without the section and may reuse the waiter at
 *      once, so nothing touches the waiter after that store.
 */
#include "aexec/error.h"
#include "aexec/sync.h"
#include "../core/inline.h"
#include "waiter_list.h"

/* Tasks completed inside one section, woken after it. */
#define WAKE_BATCH 8

/*
 * The per-item path is a few dozen instructions, so what the compiler does
 * with it matters: the helpers below are forced inline into each entry point
 * (a call and its spills would cost as much as their bodies), and the
 * branches that lead to waiting are marked cold. Built for size
 * (__OPTIMIZE_SIZE__), a poll has no straight line of its own:
 * op_poll_slow does the same work through send_locked/recv_locked, and the
 * copy of it in each poll is what the part's flash would pay for; both
 * directions are then one function, op_poll, with the direction an argument.
 */
#if defined(__OPTIMIZE_SIZE__)
#define CH_STRAIGHT_LINE 0
#else
#define CH_STRAIGHT_LINE 1
#endif

#if defined(__GNUC__)
#define CH_LIKELY(x) __builtin_expect(!!(x), 1)
#define CH_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define CH_LIKELY(x) (x)
#define CH_UNLIKELY(x) (x)
#endif

/*
 * No memcpy in the core, so items are copied here: by aligned words, else
 * by aligned 32-bit halves, else by bytes. Most items are a word or a few (a
 * byte count, a pointer, a small struct); a generic loop, which the compiler
 * vectorizes, costs more in its size and alignment checks than a one-word
 * item costs to copy, so that shape is one load and one store inline and
 * every other goes to copy_any. may_alias makes the wide accesses legal
 * whatever the item's type.
 */
#if defined(__GNUC__)
typedef uintptr_t __attribute__((may_alias)) ch_word;
typedef uint32_t __attribute__((may_alias)) ch_u32;
#define COPY_WIDE 1
#else
#define COPY_WIDE 0
#endif

static AEXEC__NOINLINE void copy_any(void *dst, const void *src, size_t n)
{
#if COPY_WIDE
    uintptr_t shape = (uintptr_t)dst | (uintptr_t)src | n;
    if (shape % sizeof(ch_word) == 0) {
        ch_word *d = dst;
        const ch_word *s = src;
        for (n /= sizeof(ch_word); n > 0; n--)
            *d++ = *s++;
        return;
    }
    if (shape % sizeof(ch_u32) == 0) {
        ch_u32 *d = dst;
        const ch_u32 *s = src;
        for (n /= sizeof(ch_u32); n > 0; n--)
            *d++ = *s++;
        return;
    }
#endif
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
}

/* The one-word item inline; any other shape in copy_any, out of the callers' registers. */
static AEXEC__ALWAYS_INLINE void copy_item(void *dst, const void *src, size_t n)
{
#if COPY_WIDE
    if (CH_LIKELY(n == sizeof(ch_word) &&
                  ((uintptr_t)dst | (uintptr_t)src) % sizeof(ch_word) == 0)) {
        *(ch_word *)dst = *(const ch_word *)src;
        return;
    }
#endif
    copy_any(dst, src, n);
}

/*
 * The ring keeps byte offsets rather than indices, so finding a slot is an
 * add and a compare instead of a multiplication and a modulo.
 */

/* Inside the section: claims the slot after the newest item. */
static AEXEC__ALWAYS_INLINE unsigned char *ring_put(aexec_channel *ch)
{
    unsigned char *slot = ch->buf + ch->tail;
    size_t next = ch->tail + ch->item_size;
    ch->tail = next == ch->size ? 0 : next;
    ch->count++;
    return slot;
}

/* Inside the section: releases the oldest item's slot (read it before the next put). */
static AEXEC__ALWAYS_INLINE unsigned char *ring_take(aexec_channel *ch)
{
    unsigned char *slot = ch->buf + ch->head;
    size_t next = ch->head + ch->item_size;
    ch->head = next == ch->size ? 0 : next;
    ch->count--;
    return slot;
}

int aexec_channel_init(aexec_channel *ch, const aexec_cs *cs, void *storage, size_t item_size,
                       uint32_t capacity)
{
    if (ch == NULL || cs == NULL || storage == NULL || item_size == 0 || capacity == 0)
        return AEXEC_EINVAL;
    if (capacity > SIZE_MAX / item_size)
        return AEXEC_EINVAL; /* no storage can be that big: a wrong size or count */
    aexec__cs_copy(&ch->cs, cs);
    ch->buf = storage;
    ch->item_size = item_size;
    ch->size = (size_t)capacity * item_size;
    ch->head = 0;
    ch->tail = 0;
    ch->capacity = capacity;
    ch->count = 0;
    ch->closed = 0;
    ch->senders = ch->senders_tail = NULL;
    ch->receivers = ch->receivers_tail = NULL;
    return AEXEC_OK;
}

/*
 * Inside the section: puts `item` in, or hands it to a waiting receiver
 * (*wake). The common case, an open channel with room and nobody waiting,
 * is the first straight line through it.
 */
static AEXEC__ALWAYS_INLINE int send_locked(aexec_channel *ch, const void *item, aexec_task **wake)
{
    if (CH_LIKELY(!ch->closed && ch->receivers == NULL && ch->count != ch->capacity)) {
        copy_item(ring_put(ch), item, ch->item_size);
        return AEXEC_OK;
    }
    if (ch->closed)
        return AEXEC_ECLOSED;
    if (ch->receivers != NULL) { /* C1: the ring is empty; no overtaking */
        copy_item(ch->receivers->item, item, ch->item_size);
        *wake = aexec__waiters_complete_first(&ch->receivers, &ch->receivers_tail, 0);
        return AEXEC_OK;
    }
    return AEXEC_EFULL;
}

/* Inside the section: takes the oldest item, refilling from a waiting sender (*wake). */
static AEXEC__ALWAYS_INLINE int recv_locked(aexec_channel *ch, void *item, aexec_task **wake)
{
    if (CH_UNLIKELY(ch->count == 0))
        return ch->closed ? AEXEC_ECLOSED : AEXEC_EEMPTY;
    copy_item(item, ring_take(ch), ch->item_size);
    if (CH_UNLIKELY(ch->senders != NULL)) { /* C1: the ring was full; the freed slot is theirs */
        copy_item(ring_put(ch), ch->senders->item, ch->item_size);
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
    if (CH_UNLIKELY(wake != NULL))
        aexec_wake(wake);
    return r;
}

int aexec_channel_try_recv(aexec_channel *ch, void *item)
{
    aexec_task *wake = NULL;
    aexec_cs_state s = aexec__cs_enter(&ch->cs);
    int r = recv_locked(ch, item, &wake);
    aexec__cs_exit(&ch->cs, s);
    if (CH_UNLIKELY(wake != NULL))
        aexec_wake(wake);
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
 * The rest of a poll, entered inside the section when the straight line of
 * the poll did not apply: an operation that waits or has waited, a hand-over
 * to or from a waiter, a full, empty or closed channel. Kept out of line so
 * that the straight line needs few registers (and ends in a tail call). A
 * final status means done; an idle operation tries once and, if it would
 * block, queues in its direction's FIFO. Leaves the section.
 */
static AEXEC__ALWAYS_INLINE aexec_poll op_poll_slow(aexec_channel *ch, aexec_waiter *w, void *item,
                                                    int send, aexec_cx *cx, int *err,
                                                    aexec_cs_state s)
{
    aexec_task *wake = NULL;
    int32_t st = w->status;
    if (st == AEXEC__W_IDLE) {
        st = send ? send_locked(ch, item, &wake) : recv_locked(ch, item, &wake);
        if (st == (send ? AEXEC_EFULL : AEXEC_EEMPTY)) {
            w->task = cx->task;
            w->item = item;
            if (send)
                aexec__waiters_push(&ch->senders, &ch->senders_tail, w);
            else
                aexec__waiters_push(&ch->receivers, &ch->receivers_tail, w);
            st = AEXEC__W_QUEUED;
        } else {
            aexec__waiter_finish(w, st);
        }
    }
    aexec__cs_exit(&ch->cs, s);
    if (wake != NULL)
        aexec_cx_wake(cx, wake);
    if (st > 0)
        return AEXEC_PENDING;
    *err = st;
    return AEXEC_READY;
}

#if CH_STRAIGHT_LINE
/* Few enough arguments for registers, so that the straight lines reach these with a jump. */
static AEXEC__COLD aexec_poll send_poll_slow(aexec_channel_send *op, aexec_channel *ch,
                                             aexec_cx *cx, int *err, aexec_cs_state s)
{
    /* The item is only read; the cast lets both directions share op_poll_slow. */
    return op_poll_slow(ch, &op->w, (void *)op->item, 1, cx, err, s);
}

static AEXEC__COLD aexec_poll recv_poll_slow(aexec_channel_recv *op, aexec_channel *ch,
                                             aexec_cx *cx, int *err, aexec_cs_state s)
{
    return op_poll_slow(ch, &op->w, op->item, 0, cx, err, s);
}
#endif

static int op_cancel(aexec_channel *ch, aexec_waiter *w, aexec_waiter **head, aexec_waiter **tail)
{
    if (ch == NULL)
        return 0; /* zeroed, never initialized: a task cancelled before it got here */
    return aexec__waiter_cancel(&ch->cs, head, tail, w);
}

void aexec_channel_send_init(aexec_channel_send *op, aexec_channel *ch, const void *item)
{
    AEXEC__WAITER_NOT_QUEUED(&op->w);
    aexec__waiter_prepare(&op->w);
    op->ch = ch;
    op->item = item;
}

/*
 * A poll of an operation that has started: it is queued (the other side
 * will complete it and wake the task, whose registration stands) or done.
 * Its status tells which without the section: see aexec__waiter_finish.
 * Returns 1 with the poll's result in *r, or 0 when the operation is idle.
 * `ch` is where the operation keeps its channel, read only to check misuse.
 */
static AEXEC__ALWAYS_INLINE int op_started(aexec_channel *const *ch, aexec_waiter *w, int *err,
                                           aexec_poll *r)
{
#if AEXEC__WAITER_STATUS_LOCK_FREE
    int32_t st = aexec__waiter_status_acquire(w);
    if (CH_LIKELY(st == AEXEC__W_IDLE))
        return 0;
    if (st > 0) {
        *r = AEXEC_PENDING;
    } else {
        /* A zeroed operation looks done: say so rather than report a send that never was. */
        AEXEC_ASSERT(*ch != NULL, "aexec_channel_send_poll/recv_poll: never prepared by its _init");
        *err = st;
        *r = AEXEC_READY;
    }
    return 1;
#else
    (void)ch;
    (void)w;
    (void)err;
    (void)r;
    return 0; /* op_poll_slow reads it inside the section */
#endif
}

#if !CH_STRAIGHT_LINE
/* Built for size: both polls are this one function, the direction an argument. */
static aexec_poll op_poll(aexec_channel *ch, aexec_waiter *w, void *item, int send, aexec_cx *cx,
                          int *err)
{
    aexec_poll r;
    if (op_started(&ch, w, err, &r))
        return r;
    return op_poll_slow(ch, w, item, send, cx, err, aexec__cs_enter(&ch->cs));
}
#endif

/*
 * The straight line: a first poll that finds room and nobody waiting, which
 * is every send but those that wait or hand over. It completes inside one
 * section without touching the waiter lists; anything else goes on to
 * op_poll_slow, still inside the section, so the checks here and the work
 * there see one state. Only this task moves its operation out of IDLE, so
 * the check before the section holds inside it.
 */
aexec_poll aexec_channel_send_poll(aexec_channel_send *op, aexec_cx *cx, int *err)
{
#if !CH_STRAIGHT_LINE
    /* The item is only read; the cast lets both directions share op_poll. */
    return op_poll(op->ch, &op->w, (void *)op->item, 1, cx, err);
#else
    aexec_poll r;
    if (op_started(&op->ch, &op->w, err, &r))
        return r;
    aexec_channel *ch = op->ch;
    aexec_cs_state s = aexec__cs_enter(&ch->cs);
    if (CH_LIKELY(!ch->closed && ch->receivers == NULL && ch->count != ch->capacity &&
                  (AEXEC__WAITER_STATUS_LOCK_FREE || op->w.status == AEXEC__W_IDLE))) {
        copy_item(ring_put(ch), op->item, ch->item_size);
        aexec__waiter_finish(&op->w, AEXEC_OK);
        aexec__cs_exit(&ch->cs, s);
        *err = AEXEC_OK;
        return AEXEC_READY;
    }
    return send_poll_slow(op, ch, cx, err, s);
#endif
}

int aexec_channel_send_cancel(aexec_channel_send *op)
{
    aexec_channel *ch = op->ch;
    return op_cancel(ch, &op->w, ch ? &ch->senders : NULL, ch ? &ch->senders_tail : NULL);
}

void aexec_channel_recv_init(aexec_channel_recv *op, aexec_channel *ch, void *item)
{
    AEXEC__WAITER_NOT_QUEUED(&op->w);
    aexec__waiter_prepare(&op->w);
    op->ch = ch;
    op->item = item;
}

/* The straight line: a first poll that finds an item and no sender waiting to refill. */
aexec_poll aexec_channel_recv_poll(aexec_channel_recv *op, aexec_cx *cx, int *err)
{
#if !CH_STRAIGHT_LINE
    return op_poll(op->ch, &op->w, op->item, 0, cx, err);
#else
    aexec_poll r;
    if (op_started(&op->ch, &op->w, err, &r))
        return r;
    aexec_channel *ch = op->ch;
    aexec_cs_state s = aexec__cs_enter(&ch->cs);
    if (CH_LIKELY(ch->count != 0 && ch->senders == NULL &&
                  (AEXEC__WAITER_STATUS_LOCK_FREE || op->w.status == AEXEC__W_IDLE))) {
        copy_item(op->item, ring_take(ch), ch->item_size);
        aexec__waiter_finish(&op->w, AEXEC_OK);
        aexec__cs_exit(&ch->cs, s);
        *err = AEXEC_OK;
        return AEXEC_READY;
    }
    return recv_poll_slow(op, ch, cx, err, s);
#endif
}

int aexec_channel_recv_cancel(aexec_channel_recv *op)
{
    aexec_channel *ch = op->ch;
    return op_cancel(ch, &op->w, ch ? &ch->receivers : NULL, ch ? &ch->receivers_tail : NULL);
}
