/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Tasks: caller-owned, statically allocated, stackless.
 *
 * A task is any struct that embeds an aexec_task header. The executor calls
 * the header's poll function; the function advances the task's state machine
 * and returns AEXEC_READY when the task is done or AEXEC_PENDING after it has
 * arranged to be woken. Nothing here allocates.
 *
 * State word (one 32-bit atomic, the only field other contexts write):
 *
 *   bits 31..10 generation: +1 on every spawn, so a handle can tell a
 *               finished task from a new task in the same storage
 *   SPAWNED     the task is alive: spawned and not yet finished
 *   RUN_QUEUED  a wake is pending in a run queue: set by the one waker
 *               that wins the fetch_or, cleared by the executor just before
 *               it polls. A wake from a task of the same executor
 *               (aexec_cx_wake) is instead listed by the executor without
 *               touching this word (docs/design.md, "The local wake
 *               list"), so the bit can be clear while a poll is queued.
 *   (the other bits are the core's bookkeeping, see src/core/task_state.h)
 *
 *              spawn                       executor pops, clears RUN_QUEUED
 *   [free] ----------> [SPAWNED|RUN_QUEUED] ------------------------+
 *     ^                        ^                                    v
 *     |                        |  wake (fetch_or RUN_QUEUED,  [SPAWNED] -- poll
 *     |                        +-- first waker pushes) ------       |
 *     +--------------- poll returned READY: SPAWNED cleared --------+
 *
 * Waking a task that is not SPAWNED changes nothing observable: the task is
 * not queued and not polled.
 */
#ifndef AEXEC_TASK_H
#define AEXEC_TASK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct aexec_task aexec_task;
typedef struct aexec_cx aexec_cx;
typedef struct aexec_executor aexec_executor;
typedef struct aexec_pool aexec_pool;

/* What a poll function returns. */
typedef enum aexec_poll {
    AEXEC_PENDING = 0, /* not done; a wake has been arranged */
    AEXEC_READY = 1    /* done; for a task, its storage becomes free */
} aexec_poll;

/* A task's poll function. Runs on the executor's thread, never concurrently with itself. */
typedef aexec_poll (*aexec_poll_fn)(aexec_task *task, aexec_cx *cx);

/*
 * The task header: 32 bytes on 64-bit targets, 20 on 32-bit ones. Zero it
 * (static storage does) before the first spawn; after that only the library
 * writes it.
 */
struct aexec_task {
    /* private: written by the library only, from the first spawn on. */
    _Atomic uint32_t state;
    /*
     * One word, two uses, one at a time. Atomic for the joiners; every
     * access is a plain load or store.
     */
    union {
        /* While the task is spawned: its place in its executor's local wake
         * list, a 32-bit relative link that only the executor's thread reads
         * or writes (src/core/wake_list.h). */
        _Atomic uint32_t wake_link;
        /* Once it has finished: its result code, which joiners on any thread
         * read (src/core/task_result.h). */
        _Atomic uint32_t result;
    };
    aexec_task *next; /* run-queue link, written by the waker that queued it */
    /* The executor, or the pool with bit 0 set. Atomic (relaxed: plain loads
     * and stores) because a stale handle may read it while a spawn moves the
     * storage to another executor. */
    _Atomic uintptr_t owner;
    aexec_poll_fn poll;
};

/* 32 bytes on rv64/x86-64, 20 on rv32: two words and three pointers. */
_Static_assert(sizeof(aexec_task) <= 2 * sizeof(uint32_t) + 3 * sizeof(void *),
               "aexec_task: the header must stay within 32 bytes on 64-bit targets");
/* The local wake list keeps two flags in the low bits of a link between headers. */
_Static_assert(_Alignof(aexec_task) >= 4, "aexec_task: headers must be 4-byte aligned");

/* State bits that the public API reports (aexec_task_state()). */
#define AEXEC_TASK_SPAWNED 0x01u
#define AEXEC_TASK_RUN_QUEUED 0x02u
#define AEXEC_TASK_CANCELLED 0x10u

/* The generation of a state word: how many times the storage was spawned. */
#define AEXEC_TASK_GEN_SHIFT 10
#define AEXEC_TASK_GEN(state) ((uint32_t)(state) >> AEXEC_TASK_GEN_SHIFT)

/* container_of: from a pointer to a member back to its enclosing struct. */
#define AEXEC_CONTAINER_OF(ptr, type, member) \
    ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/*
 * The poll context, passed to every poll function and on into nested futures
 * (as Rust's Context). It is valid only during the poll it was passed to.
 * A poll changes it only through the functions that take it (the executor
 * reuses one cx for many polls): it reads the fields, and never writes them.
 */
struct aexec_cx {
    aexec_task *task;         /* the task being polled: its waker */
    aexec_executor *executor; /* the executor polling it */
    uint32_t flags;           /* AEXEC_CX_CANCELLED, AEXEC_CX_NOTIFIED (and the core's own) */
    int32_t result;           /* the result code if this poll finishes the task */
    /* The task's state word as the poll began, masked to its generation and
     * AEXEC_TASK_CANCELLED: what co.h compares with a body's aexec_co to
     * tell a resume from a new life or a cancelled poll in one test.
     * Written by whoever calls a poll function. */
    uint32_t life;
};

/* Set in aexec_cx.flags during the one last poll of a cancelled task. */
#define AEXEC_CX_CANCELLED 0x1u
/* Set while a notification (aexec_notify) is delivered and not yet taken. */
#define AEXEC_CX_NOTIFIED 0x2u
/* The core's: the task woke itself (and notified itself) during this poll. */
#define AEXEC__CX_WOKE 0x4u
#define AEXEC__CX_WOKE_NOTIFY 0x8u
/* The core's: this poll set a result (aexec_task_set_result), which the
 * executor reads, and puts back to 0, only when a flag is set. */
#define AEXEC__CX_RESULT 0x10u

/*
 * Spawns `task` onto `ex` with poll function `poll` and queues its first poll.
 * Any context (task, ISR, other thread), if `ex`'s pender may be called from
 * there.
 * Returns 0; AEXEC_EINVAL if an argument is NULL; AEXEC_EBUSY if the storage
 * is still in use (spawned and not finished, being spawned concurrently, or
 * still in another executor's run queue). On error nothing changed.
 * Asserts that `ex` was initialized and that `task` does not belong to a pool.
 */
int aexec_spawn(aexec_executor *ex, aexec_task *task, aexec_poll_fn poll);

/*
 * The task's current state word: AEXEC_TASK_* bits and the generation.
 * Any context. A snapshot: it may change as soon as it is read.
 */
uint32_t aexec_task_state(const aexec_task *task);

/* True when `task` is spawned and not finished. Any context; a snapshot. */
static inline int aexec_task_is_alive(const aexec_task *task)
{
    return (aexec_task_state(task) & AEXEC_TASK_SPAWNED) != 0;
}

/* True during the one last poll of a cancelled task. */
static inline int aexec_cx_is_cancelled(const aexec_cx *cx)
{
    return (cx->flags & AEXEC_CX_CANCELLED) != 0;
}

/* One per slot: the free-list link (an atomic 16-bit load/store, never an RMW). */
typedef _Atomic uint16_t aexec_pool_link;

/*
 * Task pools: N identical tasks in caller-provided static storage, spawned
 * repeatedly. Claim and release are O(1) (an index stack, not a scan).
 *
 *   struct worker { aexec_task task; int job; };
 *   static struct worker workers[64];
 *   static aexec_pool_link links[64];
 *   static aexec_pool pool;
 *   aexec_pool_init(&pool, &ex, workers, sizeof workers[0],
 *                   offsetof(struct worker, task), 64, links, worker_poll);
 *   aexec_task *t;
 *   if (aexec_pool_claim(&pool, &t) == 0) {
 *       AEXEC_CONTAINER_OF(t, struct worker, task)->job = 7;
 *       aexec_pool_spawn(&pool, t, NULL);
 *   }
 */
struct aexec_pool {
    /* private: the library's state; use the functions below. */
    _Atomic uint32_t free_top; /* index + 1 of the top free slot; ABA tag in bits 31..16 */
    uint16_t count;
    /* 1 if the executor's local wake list reaches every slot (set at init
     * when not optimizing for size; src/core/wake_list.h). */
    uint16_t reach;
    aexec_pool_link *links; /* links[i]: index + 1 of the free slot below slot i */
    char *slots;
    size_t stride;
    size_t task_offset;
    uint32_t div_mul; /* slot index = ((offset >> div_shift) * div_mul) mod 2^32 */
    uint32_t div_shift;
    /* Slots finished during the current batch, linked through their free
     * run-queue links and returned with one CAS once it is over, before the
     * executor's next batch (the executor's thread only). */
    aexec_task *done;
    uint32_t done_listed; /* on the executor's done_pools list this batch */
    aexec_pool *done_next;
    aexec_executor *executor;
    aexec_poll_fn poll;
};

/* The largest number of slots a pool can hold. */
#define AEXEC_POOL_MAX 65535u

/*
 * Initializes `pool` over `count` slots of `stride` bytes at `slots`, each
 * embedding an aexec_task at `task_offset`, all polled by `poll` on `ex`.
 * `links` must have room for `count` entries. The slots' task headers must
 * be zero (never spawned). Task context, before the pool is used.
 * Returns 0 or AEXEC_EINVAL (NULL argument, count 0 or > AEXEC_POOL_MAX,
 * stride too small, or the slots span 4 GiB or more).
 */
int aexec_pool_init(aexec_pool *pool, aexec_executor *ex, void *slots, size_t stride,
                    size_t task_offset, size_t count, aexec_pool_link *links, aexec_poll_fn poll);

/*
 * Takes a free slot out of the pool for the caller to fill before
 * aexec_pool_spawn(). Any context. O(1).
 * Returns 0 and the slot's task in *task, or AEXEC_EFULL when every slot is
 * in use (the pool is unchanged).
 */
int aexec_pool_claim(aexec_pool *pool, aexec_task **task);

/*
 * aexec_pool_claim() from a task, with the cx of its poll: when the pool
 * belongs to the executor running the poll, a slot freed earlier in the same
 * batch is reused at once, without an atomic (other contexts could not claim
 * it before the batch ends anyway). Otherwise, or when no such slot is left,
 * it claims as aexec_pool_claim() does. O(1), never a scan.
 * Task context only. Returns 0 and the slot's task in *task, or AEXEC_EFULL
 * when every slot is in use (the pool is unchanged).
 */
int aexec_cx_pool_claim(aexec_cx *cx, aexec_pool *pool, aexec_task **task);

/*
 * Spawns a slot obtained from aexec_pool_claim(): queues its first poll. When
 * it finishes, the slot returns to the pool by itself once the executor's
 * batch is over, before its next batch or the return of aexec_run() (so all
 * the slots freed in one batch cost one CAS).
 * Any context. From a task, pass its cx: a slot of the same executor is then
 * queued without any atomic read-modify-write (a plain store of its state),
 * and its first poll needs none either (it goes on the local wake list, as
 * a local wake does); elsewhere pass NULL.
 * Asserts that the slot belongs to `pool`, was claimed (a slot still on the
 * free stack would corrupt it) and is not already spawned.
 */
void aexec_pool_spawn(aexec_pool *pool, aexec_task *task, aexec_cx *cx);

/*
 * Returns a claimed, never spawned slot to the pool. Any context. Asserts
 * that the slot is claimed and not spawned (so it is never freed twice).
 */
void aexec_pool_unclaim(aexec_pool *pool, aexec_task *task);

/* ---- task handles: await or cancel one incarnation of a task -------------- */

/* A task and the generation it had when the handle was taken. */
typedef struct aexec_handle {
    /* private: copy a handle whole; only the library reads its fields. */
    aexec_task *task;
    uint32_t gen;
} aexec_handle;

/* A handle to the current (or last) incarnation of `task`. Any context. */
aexec_handle aexec_task_handle(const aexec_task *task);

/*
 * Sets the result code the task's joiners will read if this poll finishes
 * the task, as a return value would: it is kept by the poll that returns
 * AEXEC_READY (or the last poll of a cancelled task), and a poll that
 * finishes without setting one gives 0 (AEXEC_ECANCELED for a cancelled
 * task). Task context, in the poll that finishes the task.
 */
static inline void aexec_task_set_result(aexec_cx *cx, int32_t result)
{
    cx->result = result;
    cx->flags |= AEXEC__CX_RESULT;
}

/*
 * Asks the task to stop: it gets one last poll in which aexec_cx_is_cancelled()
 * is true (AEXEC_CO_BEGIN jumps to AEXEC_CO_FINALLY), releases what it holds,
 * and its storage is free after that poll, whatever the poll returns.
 * Any context, including an ISR and another thread.
 * Returns 0, or AEXEC_ESTALE if that incarnation has already finished.
 */
int aexec_task_cancel(aexec_handle handle);

/*
 * Waits for an incarnation of a task to finish. Lives in the waiting future,
 * one per waiting task: aexec_join_poll() asserts when a second task polls a
 * join that is waiting, and when a task joins its own live incarnation.
 */
typedef struct aexec_join {
    /* private: the library's state; use the functions below. */
    aexec_handle handle;
    struct aexec_join *next, *prev;
    aexec_task *waiter;
    int32_t result;
    uint32_t state;
} aexec_join;

/* Prepares a join of `handle` (not one that is waiting: cancel it first). Any context. */
void aexec_join_init(aexec_join *join, aexec_handle handle);

/*
 * AEXEC_READY once the incarnation has finished, with its result code in
 * *result (AEXEC_ESTALE if the storage was already spawned again, so the
 * code is gone; AEXEC_ENOTSUP if the task's executor has no critical
 * section to guard its list of joiners). The joiner may run on any executor.
 * *result is written once, by the poll that returns READY first; a finished
 * join stays READY and writes nothing on later polls. Task context.
 */
aexec_poll aexec_join_poll(aexec_join *join, aexec_cx *cx, int *result);

/*
 * Withdraws a waiting join. Safe in every state (including zeroed). Task
 * context. Returns 1 if the incarnation had finished (its result code is
 * aexec_join_result()), 0 if the join was withdrawn or never started.
 */
int aexec_join_cancel(aexec_join *join);

/*
 * The result code of a join that completed (its poll returned READY, or its
 * cancel returned 1). The joining task's context.
 */
static inline int aexec_join_result(const aexec_join *join)
{
    return join->result;
}

#endif /* AEXEC_TASK_H */
