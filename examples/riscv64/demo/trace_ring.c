/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The per-hart trace rings and libaexec's trace hooks (trace_ring.h). */
#include "trace_ring.h"

#include "aexec/trace.h"

_Static_assert((TRACE_RING_EVENTS & (TRACE_RING_EVENTS - 1u)) == 0, "a power of two");

/* Without the hooks (a kernel whose libaexec is built without AEXEC_TRACE)
 * there is nothing to record: no rings, and `trace` says so. */
#if AEXEC_CONFIG_TRACE

#define SLOTS TRACE_RING_EVENTS

struct ring {
    _Atomic uint32_t head;    /* events recorded since the last clear; the next slot */
    _Atomic uint32_t writers; /* hooks of this hart between their check of `on` and their store */
    struct trace_event ev[SLOTS];
};

static struct ring rings[DEMO_HARTS];
static _Atomic uint32_t on = 1; /* from boot: the first spawns are on the timeline */
static _Atomic uint32_t skipped;

int trace_ring_pause(void)
{
    atomic_store(&on, 0u);
    /* A hook that got past its check of `on` finishes in a few instructions;
     * the other hart's may be in an interrupt handler, which also ends. */
    uint64_t limit = demo_now() + timebase_hz;
    for (unsigned h = 0; h < DEMO_HARTS; h++)
        while (atomic_load(&rings[h].writers) != 0u)
            if (demo_now() > limit)
                return -1;
    return 0;
}

void trace_ring_resume(void)
{
    atomic_store(&on, 1u);
}

void trace_ring_clear(void)
{
    for (unsigned h = 0; h < DEMO_HARTS; h++)
        atomic_store_explicit(&rings[h].head, 0u, memory_order_relaxed);
}

uint32_t trace_ring_count(unsigned h)
{
    uint32_t n = atomic_load_explicit(&rings[h].head, memory_order_relaxed);
    return n < SLOTS ? n : SLOTS;
}

const struct trace_event *trace_ring_event(unsigned h, uint32_t i)
{
    uint32_t n = atomic_load_explicit(&rings[h].head, memory_order_relaxed);
    uint32_t first = n < SLOTS ? 0u : n - SLOTS;
    return &rings[h].ev[(first + i) & (SLOTS - 1u)];
}

uint32_t trace_ring_dropped(unsigned h)
{
    uint32_t n = atomic_load_explicit(&rings[h].head, memory_order_relaxed);
    return n < SLOTS ? 0u : n - SLOTS;
}

uint32_t trace_ring_take_skipped(void)
{
    return atomic_exchange(&skipped, 0u);
}

/* The recording hart: its struct hart is in sscratch from its trap setup on. */
static struct hart *this_hart(void)
{
    struct hart *h;
    __asm__ __volatile__("csrr %0, sscratch" : "=r"(h));
    for (unsigned i = 0; i < DEMO_HARTS; i++)
        if (h == &harts[i])
            return h;
    return NULL;
}

static void record(enum trace_kind kind, const aexec_executor *ex, const void *obj, uint64_t arg)
{
    struct hart *h = this_hart();
    if (h == NULL) {
        atomic_fetch_add_explicit(&skipped, 1u, memory_order_relaxed);
        return;
    }
    struct ring *r = &rings[h - harts];
    /* Announce, then look: the pause stores `on`, then reads `writers` (both
     * sequentially consistent), so it waits for us or we see it. */
    atomic_fetch_add(&r->writers, 1u);
    if (!atomic_load(&on)) {
        atomic_fetch_sub_explicit(&r->writers, 1u, memory_order_relaxed);
        atomic_fetch_add_explicit(&skipped, 1u, memory_order_relaxed);
        return;
    }
    uint32_t i = atomic_fetch_add_explicit(&r->head, 1u, memory_order_relaxed);
    struct trace_event *e = &r->ev[i & (SLOTS - 1u)];
    e->ticks = aexec_riscv_rdtime();
    e->obj = (uintptr_t)obj;
    e->arg = arg;
    e->kind = (uint8_t)kind;
    e->ctx = atomic_load_explicit(&h->in_trap, memory_order_relaxed) ? TRACE_CTX_IRQ
             : ex != NULL && ex != &h->ex                            ? TRACE_CTX_OTHER_HART
                                                                     : TRACE_CTX_TASK;
    /* Publishes the slot to the pause that waits for `writers` to drain. */
    atomic_fetch_sub_explicit(&r->writers, 1u, memory_order_release);
}

void aexec_trace_spawn(const aexec_executor *ex, const aexec_task *task)
{
    record(TRACE_SPAWN, ex, task, 0);
}

void aexec_trace_wake(const aexec_executor *ex, const aexec_task *task, unsigned from,
                      const aexec_task *waker)
{
    (void)waker;
    record(TRACE_WAKE, ex, task, from);
}

void aexec_trace_poll_begin(const aexec_executor *ex, const aexec_task *task)
{
    record(TRACE_POLL_BEGIN, ex, task, 0);
}

void aexec_trace_poll_end(const aexec_executor *ex, const aexec_task *task, aexec_poll r)
{
    record(TRACE_POLL_END, ex, task, (uint64_t)r);
}

void aexec_trace_idle_enter(const aexec_executor *ex)
{
    record(TRACE_IDLE_ENTER, ex, NULL, 0);
}

void aexec_trace_idle_exit(const aexec_executor *ex)
{
    record(TRACE_IDLE_EXIT, ex, NULL, 0);
}

void aexec_trace_timer_arm(const aexec_executor *ex, const struct aexec_timer *timer,
                           uint64_t deadline)
{
    record(TRACE_TIMER_ARM, ex, timer, deadline);
}

void aexec_trace_timer_cancel(const aexec_executor *ex, const struct aexec_timer *timer)
{
    record(TRACE_TIMER_CANCEL, ex, timer, 0);
}

void aexec_trace_timer_expire(const aexec_executor *ex, const struct aexec_timer *timer)
{
    record(TRACE_TIMER_EXPIRE, ex, timer, 0);
}

void aexec_trace_task_end(const aexec_executor *ex, const aexec_task *task, int32_t result)
{
    record(TRACE_TASK_END, ex, task, (uint64_t)(int64_t)result);
}

#endif /* AEXEC_CONFIG_TRACE */
