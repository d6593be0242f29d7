/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Sync: how interrupt handlers, threads and tasks talk.
 *
 *   aexec_waker_slot  one waiting task, woken from anywhere (lock-free; a
 *                     wake that comes before the registration is kept)
 *   aexec_signal      latest value wins, sent from anywhere, awaited by one task
 *   aexec_channel     bounded FIFO of fixed-size items in your storage; async
 *                     send/recv for tasks, try_send/try_recv for ISRs
 *   aexec_semaphore   counting, FIFO-fair, async acquire
 *   aexec_mutex       a semaphore of one
 *
 * Objects that keep lists of waiters (channel, semaphore, mutex, signal)
 * guard them with a critical section (aexec_cs) given at init: an interrupt
 * mask on one hart, a spinlock on SMP, the host backend's spinlock on a host
 * (aexec_executor_cs()). Sections are short: a list splice, an item copy.
 *
 * Fairness: waiters are served strictly in arrival order. A value or a
 * permit released while someone waits is handed straight to the first
 * waiter, so a newcomer cannot overtake it.
 *
 * Cancellation: every future here has a cancel function, safe in every
 * state (including zeroed and never initialized, for a task cancelled before
 * it reached the future), that removes its registration and returns int: 1
 * if it found the operation already completed (what was handed over, a
 * received item, a permit, is the caller's: use it or give it back), 0 if
 * nothing happened. Select and timeout (co.h, time.h) honour that 1, so
 * nothing is lost when an operation races its deadline. docs/sync.md has
 * the table of what each cancel returns and what the caller must do.
 *
 * Lifetime of a future: init, polls until READY, then it is finished: a
 * later poll returns READY again and does nothing new (a receive does not
 * take a second item). To run the operation again, initialize it again.
 * Initializing one that is still queued (never completed nor cancelled)
 * asserts, naming it: the object's list would keep pointing at it.
 */
#ifndef AEXEC_SYNC_H
#define AEXEC_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/port.h"
#include "aexec/task.h"

/* ---- critical section ---------------------------------------------------- */

/* A critical section: the port's hooks and their context. */
typedef struct aexec_cs {
    aexec_cs_state (*enter)(void *ctx);            /* like aexec_port.cs_enter */
    void (*exit)(void *ctx, aexec_cs_state saved); /* like aexec_port.cs_exit */
    void *ctx;                                     /* passed to both */
} aexec_cs;

/*
 * The critical section of `ex`'s port, for sync objects used with it.
 * Any context (it copies hooks that never change after init).
 * Returns 0, or AEXEC_ENOTSUP if the port has no cs hooks.
 */
int aexec_executor_cs(const aexec_executor *ex, aexec_cs *cs);

/* ---- waker slot: one waiter, lock-free ----------------------------------- */

/*
 * One registered task, or nothing, or "woken before anyone registered". A
 * future registers its task, then checks its condition; the producer sets
 * the condition, then wakes the slot. Either the wake finds the task, or the
 * registration finds the early wake: no interleaving loses it.
 */
typedef struct aexec_waker_slot {
    _Atomic uintptr_t word; /* 0, a task pointer, or "woken" (1) */
    const aexec_cs *cs;     /* only for AEXEC_CONFIG_RUNQUEUE_CS builds */
    uint32_t registered;    /* the waiting task's note: it registered and has not cancelled */
} aexec_waker_slot;

/*
 * Empties the slot. `cs` may be NULL: the slot is lock-free. Builds for cores
 * without compare-and-swap (AEXEC_CONFIG_RUNQUEUE_CS) need it, and use it
 * for the slot's read-modify-writes; it must outlive the slot. Before use,
 * from one context.
 */
void aexec_waker_slot_init(aexec_waker_slot *slot, const aexec_cs *cs);

/*
 * Registers the polled task (replacing any earlier registration). Returns 1
 * if a wake arrived while nobody was registered (it is consumed; the task is
 * queued again at once), 0 otherwise. Task context.
 */
int aexec_waker_slot_register(aexec_waker_slot *slot, aexec_cx *cx);

/*
 * Wakes the registered task and empties the slot; with nobody registered,
 * remembers the wake for the next registration. Any context.
 */
void aexec_waker_slot_wake(aexec_waker_slot *slot);

/*
 * Removes a registration of `task`, if it is the one registered. Task
 * context, the task that registered. Returns 1 if a wake had taken the
 * registration since the last register (the producer's condition may hold:
 * look at it; a wake carries no data, so nothing else is owed), 0 if it
 * removed the registration or there was none.
 */
int aexec_waker_slot_cancel(aexec_waker_slot *slot, aexec_task *task);

/* ---- the waiter node shared by the primitives below ---------------------- */

/* A future's place in an object's FIFO of waiters (intrusive, doubly linked). */
typedef struct aexec_waiter {
    /* private: linked and read by the sync objects only. */
    struct aexec_waiter *next, *prev;
    aexec_task *task;
    void *item;     /* channel: where the handed-over item comes from or goes */
    int32_t status; /* AEXEC__W_IDLE / _QUEUED, or the final result (<= 0) */
    uint32_t linked;
} aexec_waiter;

/* ---- wait queue: many waiters, wake one or all ------------------------------ */

/*
 * A FIFO of waiting tasks under a critical section: the building block for a
 * condition that many tasks wait on ("the device is ready", "a buffer is
 * free"). Wakers call wake_one / wake_all from any context.
 */
typedef struct aexec_wait_queue {
    /* private: the library's state; use the functions below. */
    aexec_cs cs;
    aexec_waiter *head, *tail;
} aexec_wait_queue;

/* Initializes an empty queue guarded by `cs`. Before use, one context. */
void aexec_wait_queue_init(aexec_wait_queue *q, const aexec_cs *cs);

/* Wakes the longest waiter. Returns how many it woke (0 or 1). Any context. */
uint32_t aexec_wait_queue_wake_one(aexec_wait_queue *q);

/* Wakes every waiter. Returns how many it woke. Any context. */
uint32_t aexec_wait_queue_wake_all(aexec_wait_queue *q);

/* One task's place in a wait queue. */
typedef struct aexec_wait {
    /* private: the library's state; use the functions below. */
    aexec_waiter w;
    aexec_wait_queue *q;
} aexec_wait;

/*
 * Prepares a wait on `q`. Asserts if `op` is still in a queue. Task
 * context, or any context while no task uses it.
 */
void aexec_wait_init(aexec_wait *op, aexec_wait_queue *q);

/*
 * Puts the task in the queue unless it is already there (again after a
 * wake). Call it before checking the condition: a wake after this call is
 * never lost. Task context.
 */
void aexec_wait_arm(aexec_wait *op, aexec_cx *cx);

/*
 * A future that waits for one wake: the first poll queues the task,
 * AEXEC_READY once a wake_one/wake_all has reached it. Task context.
 */
aexec_poll aexec_wait_poll(aexec_wait *op, aexec_cx *cx);

/*
 * Leaves the queue. Safe in every state. Task context. Returns 1 if a wake
 * had reached the task (it was taken out of the queue for it): if the task
 * will not look at the condition, it passes the wake on
 * (aexec_wait_queue_wake_one), or another waiter may sleep through it.
 */
int aexec_wait_cancel(aexec_wait *op);

/*
 * co.h: waits on `op`'s queue until `cond` holds, without losing a wake that
 * races with the check (arm first, then look). If the task is cancelled
 * while it waits, it leaves the queue and passes on a wake it had been given.
 */
#define AEXEC_WAIT_QUEUE_UNTIL(op, cond)                                                    \
    AEXEC__CO_WAIT((aexec_wait_arm((op), aexec__cx), (cond)) && (aexec_wait_cancel(op), 1), \
                   (void)(aexec_wait_cancel(op) && aexec_wait_queue_wake_one((op)->q)))

/* ---- signal: latest value wins -------------------------------------------- */

/*
 * A one-slot mailbox for one waiting task: a send replaces an unread value,
 * so the task sees the latest (a device status, a configuration).
 */
typedef struct aexec_signal {
    /* private: the library's state; use the functions below. */
    aexec_cs cs;
    uintptr_t value;
    uint32_t full;
    aexec_waker_slot slot;
} aexec_signal;

/* Initializes an empty signal guarded by `cs`. Before use, from one context. */
void aexec_signal_init(aexec_signal *sig, const aexec_cs *cs);

/* Stores `value` (replacing an unread one) and wakes the waiting task. Any context. */
void aexec_signal_send(aexec_signal *sig, uintptr_t value);

/* Takes the value if there is one: returns 1 and sets *value, else 0. Any context. */
int aexec_signal_try_take(aexec_signal *sig, uintptr_t *value);

/*
 * AEXEC_READY with *value once a value is there (taking it); otherwise
 * registers the task. One task awaits a signal at a time. Task context.
 */
aexec_poll aexec_signal_wait_poll(aexec_signal *sig, aexec_cx *cx, uintptr_t *value);

/*
 * Removes the task's registration. Safe in every state. Task context.
 * Returns 0: only a READY poll takes the value, so a value sent meanwhile
 * stays in the signal for the next wait or try_take.
 */
int aexec_signal_wait_cancel(aexec_signal *sig, aexec_cx *cx);

/* ---- channel: bounded FIFO ------------------------------------------------ */

/*
 * A bounded FIFO of fixed-size items copied in and out of caller storage,
 * with FIFO queues of blocked senders and receivers; closable.
 */
typedef struct aexec_channel {
    /* private: the library's state; use the functions below. */
    aexec_cs cs;
    unsigned char *buf;
    size_t item_size;
    size_t size;       /* capacity * item_size: where the offsets wrap */
    size_t head, tail; /* byte offsets of the oldest item and of the next free slot */
    uint32_t capacity, count;
    uint32_t closed;
    aexec_waiter *senders, *senders_tail;     /* FIFO of blocked senders */
    aexec_waiter *receivers, *receivers_tail; /* FIFO of blocked receivers */
} aexec_channel;

/*
 * Initializes a channel of `capacity` items of `item_size` bytes in `storage`
 * (capacity * item_size bytes), guarded by `cs`. Before use, one context.
 * Returns 0, or AEXEC_EINVAL (NULL pointer, capacity or item_size 0, or a
 * capacity * item_size that does not fit in size_t).
 */
int aexec_channel_init(aexec_channel *ch, const aexec_cs *cs, void *storage, size_t item_size,
                       uint32_t capacity);

/*
 * Copies `item` in without waiting. Any context, including an ISR.
 * Returns 0, AEXEC_EFULL (nothing changed, nothing lost), or AEXEC_ECLOSED.
 */
int aexec_channel_try_send(aexec_channel *ch, const void *item);

/*
 * Copies the oldest item out without waiting. Any context, including an ISR.
 * Returns 0, AEXEC_EEMPTY, or AEXEC_ECLOSED (closed and drained).
 */
int aexec_channel_try_recv(aexec_channel *ch, void *item);

/*
 * Closes the channel: later sends fail with AEXEC_ECLOSED, every waiting
 * sender completes with AEXEC_ECLOSED, receivers drain what is queued and
 * then get AEXEC_ECLOSED. Any context. Idempotent.
 */
void aexec_channel_close(aexec_channel *ch);

/* Items queued now. Any context; a snapshot. */
uint32_t aexec_channel_len(aexec_channel *ch);

/* An async send: the item is copied out of `item` by the time it completes. */
typedef struct aexec_channel_send {
    /* private: the library's state; use the functions below. */
    aexec_waiter w;
    aexec_channel *ch;
    const void *item;
} aexec_channel_send;

/*
 * Prepares a send of `item` (it must stay valid until the send completes).
 * Asserts if `op` is still queued. Task context, or any context while no
 * task uses it.
 */
void aexec_channel_send_init(aexec_channel_send *op, aexec_channel *ch, const void *item);

/*
 * AEXEC_READY when the item is in the channel (*err = 0) or the channel is
 * closed (*err = AEXEC_ECLOSED); waits in FIFO order while it is full.
 * Once READY it stays READY with the same *err and sends nothing more:
 * initialize it again for the next item. Task context.
 */
aexec_poll aexec_channel_send_poll(aexec_channel_send *op, aexec_cx *cx, int *err);

/*
 * Withdraws a waiting send. Returns 1 if the send had already completed (the
 * item is in the channel), 0 if it was withdrawn, never started, or ended by
 * a close: the item was not sent. Task context.
 */
int aexec_channel_send_cancel(aexec_channel_send *op);

/* An async receive into `item`. */
typedef struct aexec_channel_recv {
    /* private: the library's state; use the functions below. */
    aexec_waiter w;
    aexec_channel *ch;
    void *item;
} aexec_channel_recv;

/*
 * Prepares a receive into `item` (item_size bytes). Asserts if `op` is
 * still queued. Task context, or any context while no task uses it.
 */
void aexec_channel_recv_init(aexec_channel_recv *op, aexec_channel *ch, void *item);

/*
 * AEXEC_READY with an item in `item` (*err = 0) or when the channel is closed
 * and drained (*err = AEXEC_ECLOSED); waits in FIFO order while it is empty.
 * Once READY it stays READY with the same *err and takes no second item:
 * initialize it again for the next one. Task context.
 */
aexec_poll aexec_channel_recv_poll(aexec_channel_recv *op, aexec_cx *cx, int *err);

/*
 * Withdraws a waiting receive. Returns 1 if an item had already been handed
 * over (it is in `item`: use it), 0 otherwise (nothing was taken; a close
 * that reached it is reported as 0). Task context.
 */
int aexec_channel_recv_cancel(aexec_channel_recv *op);

/* ---- semaphore and mutex ---------------------------------------------------- */

/* A counting semaphore with FIFO waiters; with one permit, a mutex. */
typedef struct aexec_semaphore {
    /* private: the library's state; use the functions below. */
    aexec_cs cs;
    uint32_t permits;
    aexec_waiter *waiters, *waiters_tail;
} aexec_semaphore;

/* Initializes with `permits` available. Before use, one context. */
void aexec_semaphore_init(aexec_semaphore *sem, const aexec_cs *cs, uint32_t permits);

/* Takes a permit if one is free and nobody waits: returns 1, else 0. Any context. */
int aexec_semaphore_try_acquire(aexec_semaphore *sem);

/* Returns a permit: to the first waiter if there is one, else to the count. Any context. */
void aexec_semaphore_release(aexec_semaphore *sem);

/* An async acquire of one permit. */
typedef struct aexec_semaphore_acquire {
    /* private: the library's state; use the functions below. */
    aexec_waiter w;
    aexec_semaphore *sem;
} aexec_semaphore_acquire;

/*
 * Prepares an acquire of one permit. Asserts if `op` is still queued. Task
 * context, or any context while no task uses it.
 */
void aexec_semaphore_acquire_init(aexec_semaphore_acquire *op, aexec_semaphore *sem);

/*
 * AEXEC_READY once the task holds a permit. FIFO among waiters. A finished
 * acquire stays READY without taking a second permit: initialize it again
 * for the next. Task context.
 */
aexec_poll aexec_semaphore_acquire_poll(aexec_semaphore_acquire *op, aexec_cx *cx);

/*
 * Withdraws a waiting acquire. Safe in every state. Task context. Returns 1
 * if the permit had already been handed over (the caller holds it and must
 * release it), 0 otherwise.
 */
int aexec_semaphore_acquire_cancel(aexec_semaphore_acquire *op);

/* An async mutex: FIFO-fair, no busy-wait. */
typedef aexec_semaphore aexec_mutex;
typedef aexec_semaphore_acquire aexec_mutex_lock;

/* Initializes an unlocked mutex guarded by `cs`. Before use, one context. */
static inline void aexec_mutex_init(aexec_mutex *m, const aexec_cs *cs)
{
    aexec_semaphore_init(m, cs, 1);
}
/* Prepares a lock of `m`. As aexec_semaphore_acquire_init. */
static inline void aexec_mutex_lock_init(aexec_mutex_lock *op, aexec_mutex *m)
{
    aexec_semaphore_acquire_init(op, m);
}
/* AEXEC_READY once the task holds the mutex. Task context. */
static inline aexec_poll aexec_mutex_lock_poll(aexec_mutex_lock *op, aexec_cx *cx)
{
    return aexec_semaphore_acquire_poll(op, cx);
}
/*
 * Withdraws a waiting lock. Safe in every state. Task context. Returns 1 if
 * the lock had been granted (the caller holds the mutex and must unlock).
 */
static inline int aexec_mutex_lock_cancel(aexec_mutex_lock *op)
{
    return aexec_semaphore_acquire_cancel(op);
}
/* Unlocks: the first waiter, if any, gets the mutex. Any context. */
static inline void aexec_mutex_unlock(aexec_mutex *m)
{
    aexec_semaphore_release(m);
}

#endif /* AEXEC_SYNC_H */
