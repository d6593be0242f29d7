/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Task pools: a lock-free stack of free slot indices.
 *
 * free_top packs the top index (+1, 0 = empty) with a 16-bit tag bumped on
 * every change, so a claim that read "top A, below it B" cannot succeed after
 * A was claimed and given back in between (ABA) unless exactly 65,536 changes
 * happened while it was stalled. Indices instead of pointers keep the word at
 * 32 bits: no double-width CAS, which many cores lack.
 */
#include <stddef.h>

#include "aexec/error.h"
#include "hooks.h"
#include "launch.h"
#include "pool.h"
#include "rmw.h"
#include "run_queue.h"
#include "task_owner.h"
#include "task_state.h"
#include "wake_list.h"

#define POOL_TAG_ONE 0x10000u
#define POOL_INDEX(top) ((top)&0xffffu)

static aexec_task *pool_task(const aexec_pool *pool, uint32_t index)
{
    return (aexec_task *)(void *)(pool->slots + (size_t)index * pool->stride + pool->task_offset);
}

/*
 * A slot's offset is an exact multiple of the stride, so dividing is a shift
 * and a multiply by the inverse of the stride's odd part modulo 2^32 (exact
 * division, Hacker's Delight 10-16): no divide instruction on the finish
 * path, and no 64-bit division helper on 32-bit targets.
 */
/* The index of the slot whose task is `t`, from the first slot's task and the divisor. */
static inline uint32_t slot_index(const char *first_task, uint32_t shift, uint32_t mul,
                                  const aexec_task *t)
{
    return (((uint32_t)((const char *)t - first_task)) >> shift) * mul;
}

static uint32_t pool_index(const aexec_pool *pool, const aexec_task *t)
{
    return slot_index(pool->slots + pool->task_offset, pool->div_shift, pool->div_mul, t);
}

static void pool_set_divisor(aexec_pool *pool, uint32_t stride)
{
    uint32_t shift = 0;
    while (!(stride & 1u)) {
        stride >>= 1;
        shift++;
    }
    /* Newton's iteration for the inverse of an odd number modulo 2^32:
     * stride * stride == 1 (mod 8), and each step doubles the good bits. */
    uint32_t inv = stride;
    for (int i = 0; i < 4; i++)
        inv *= 2u - stride * inv;
    pool->div_mul = inv;
    pool->div_shift = shift;
}

static int pool_cas(aexec_pool *pool, uint32_t *expect, uint32_t desired)
{
    return aexec__pool_top_cas(pool, expect, desired);
}

int aexec_pool_init(aexec_pool *pool, aexec_executor *ex, void *slots, size_t stride,
                    size_t task_offset, size_t count, aexec_pool_link *links, aexec_poll_fn poll)
{
    if (pool == NULL || ex == NULL || slots == NULL || links == NULL || poll == NULL)
        return AEXEC_EINVAL;
    if (count == 0 || count > AEXEC_POOL_MAX || stride < task_offset + sizeof(aexec_task))
        return AEXEC_EINVAL;
    if (stride > UINT32_MAX / count)
        return AEXEC_EINVAL;
    pool->count = (uint16_t)count;
    pool->links = links;
    pool->slots = (char *)slots;
    pool->stride = stride;
    pool->task_offset = task_offset;
    pool->executor = ex;
    pool->poll = poll;
    pool->done = NULL;
    pool->done_listed = 0;
    pool->done_next = NULL;
    pool_set_divisor(pool, (uint32_t)stride);
#if AEXEC__FAST_PATHS && AEXEC__LOCAL_WAKES
    /* The slots lie between the first and the last, so those two decide
     * for all: a launch from a task then tests one field, not the offset. */
    pool->reach = (uint16_t)(aexec__wake_list_reaches(ex, pool_task(pool, 0)) &&
                             aexec__wake_list_reaches(ex, pool_task(pool, (uint32_t)count - 1u)));
#endif
    /* Slot 0 on top, so claims hand out slots in address order. */
    for (size_t i = 0; i < count; i++) {
        aexec_task *t = pool_task(pool, (uint32_t)i);
        atomic_store_explicit(&t->owner, (uintptr_t)pool | 1u, memory_order_relaxed);
        t->poll = poll;
        atomic_init(&links[i], (uint16_t)(i + 1 < count ? i + 2 : 0));
    }
    atomic_init(&pool->free_top, 1u);
#if !AEXEC__FAST_PATHS
    AEXEC__HOOK_INSTALL(aexec__pool_finished_hook, aexec__pool_slot_finished);
#endif
    AEXEC__HOOK_INSTALL(aexec__pools_flush_hook, aexec__pools_flush);
    return AEXEC_OK;
}

/*
 * Marks a slot just taken off the free stack as claimed, so that a spawn can
 * tell it from a slot that is still free (spawning one of those would push
 * it on a run queue while it sits on the free stack, and claims would then
 * cycle through the broken stack forever). The claimer owns the slot, and
 * other contexts can only leave trace bits in its state (I5): with atomics
 * this is a plain load and store (rmw.h). Only aexec_pool_spawn's and
 * aexec_pool_unclaim's asserts read a slot's CLAIMED (the launch drops it),
 * so a build without asserts does not mark it.
 */
static void slot_mark_claimed(aexec_pool *pool, aexec_task *t)
{
    if (AEXEC_CONFIG_ASSERT)
        aexec__state_fetch_or_claimed(pool->executor, t, TS_CLAIMED);
    (void)pool;
    (void)t;
}

int aexec_pool_claim(aexec_pool *pool, aexec_task **task)
{
    uint32_t top = atomic_load_explicit(&pool->free_top, memory_order_acquire);
    uint32_t below;
    do {
        if (POOL_INDEX(top) == 0)
            return AEXEC_EFULL;
        /* May read a link that a concurrent claim+release is rewriting; the
         * tag makes the CAS below fail in that case. */
        below = atomic_load_explicit(&pool->links[POOL_INDEX(top) - 1u], memory_order_relaxed);
    } while (!pool_cas(pool, &top, ((top & ~0xffffu) + POOL_TAG_ONE) | below));
    *task = pool_task(pool, POOL_INDEX(top) - 1u);
    slot_mark_claimed(pool, *task);
    return AEXEC_OK;
}

int aexec_cx_pool_claim(aexec_cx *cx, aexec_pool *pool, aexec_task **task)
{
    /* Slots finished earlier in this batch are still private to the
     * executor's thread (nobody else can claim them before the end-of-batch
     * flush anyway), so a task of that executor takes them without an atomic. */
    aexec_task *t = pool->done;
    if (t == NULL || cx->executor != pool->executor)
        return aexec_pool_claim(pool, task);
    pool->done = t->next;
    slot_mark_claimed(pool, t);
    *task = t;
    return AEXEC_OK;
}

/*
 * Pushes the chain of slots first..last (indices + 1, linked through
 * links[]) onto the free stack.
 */
static void pool_push_chain(aexec_pool *pool, uint32_t first, uint32_t last)
{
    uint32_t top = atomic_load_explicit(&pool->free_top, memory_order_relaxed);
    do {
        atomic_store_explicit(&pool->links[last - 1u], (uint16_t)POOL_INDEX(top),
                              memory_order_relaxed);
    } while (!pool_cas(pool, &top, ((top & ~0xffffu) + POOL_TAG_ONE) | first));
}

void aexec__pools_flush(aexec_executor *ex)
{
    for (aexec_pool *pool = ex->done_pools; pool != NULL; pool = pool->done_next) {
        aexec_task *t = pool->done;
        if (t != NULL) {
            /* Thread the list into the index links; only the push publishes
             * it. The pool's fields go into locals: the compiler cannot tell
             * that the link stores leave them alone. */
            aexec_pool_link *links = pool->links;
            const char *base = pool->slots + pool->task_offset;
            uint32_t shift = pool->div_shift, mul = pool->div_mul;
            uint32_t first = slot_index(base, shift, mul, t) + 1u;
            uint32_t last = first;
            for (t = t->next; t != NULL; t = t->next) {
                uint32_t slot = slot_index(base, shift, mul, t) + 1u;
                atomic_store_explicit(&links[last - 1u], (uint16_t)slot, memory_order_relaxed);
                last = slot;
            }
            pool_push_chain(pool, first, last);
        }
        pool->done = NULL;
        pool->done_listed = 0;
    }
    ex->done_pools = NULL;
    aexec__attn_clear(ex, AEXEC__ATTN_POOLS);
}

#if !AEXEC__FAST_PATHS
void aexec__pool_slot_finished(aexec_executor *ex, aexec_task *t)
{
    // NOLINTNEXTLINE(performance-no-int-to-ptr): the owner word tags a pool pointer with bit 0
    aexec__pool_finished(ex, (aexec_pool *)(aexec__task_owner(t) - 1u), t);
}
#endif

static void pool_check_slot(const aexec_pool *pool, const aexec_task *t, const char *msg)
{
    AEXEC_ASSERT(t != NULL && aexec__task_owner(t) == ((uintptr_t)pool | 1u), msg);
    (void)pool;
    (void)t;
    (void)msg;
}

void aexec_pool_spawn(aexec_pool *pool, aexec_task *task, aexec_cx *cx)
{
    pool_check_slot(pool, task, "aexec_pool_spawn/aexec_pool_unclaim: not a slot of this pool");
    uint32_t s = atomic_load_explicit(&task->state, memory_order_relaxed);
    AEXEC_ASSERT(!(s & TS_SPAWNED), "aexec_pool_spawn: slot already spawned (twice per claim?)");
    /* The launch's new state word drops CLAIMED. */
    AEXEC_ASSERT(s & TS_CLAIMED, "aexec_pool_spawn: slot not claimed (aexec_pool_claim first)");
    if (cx != NULL && cx->executor == pool->executor)
        aexec__launch_slot_from_task(pool->executor, task, cx, s, pool);
    else
        aexec__launch(pool->executor, task, cx);
}

void aexec_pool_unclaim(aexec_pool *pool, aexec_task *task)
{
    pool_check_slot(pool, task, "aexec_pool_spawn/aexec_pool_unclaim: not a slot of this pool");
    uint32_t s = atomic_load_explicit(&task->state, memory_order_relaxed);
    AEXEC_ASSERT((s & (TS_SPAWNED | TS_CLAIMED)) == TS_CLAIMED,
                 "aexec_pool_unclaim: slot not claimed (twice, or spawned)");
    /* As in slot_mark_claimed(): the claimer still owns the slot here. */
    aexec__state_fetch_and_claimed(pool->executor, task, ~TS_CLAIMED);
    uint32_t slot = pool_index(pool, task) + 1u;
    pool_push_chain(pool, slot, slot);
}
