/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Time: instants and durations in ticks, exact conversions, timers, and the
 * futures built on them (sleep, ticker, timeout).
 *
 * A tick is whatever the port's now() counts; the rate is the executor's
 * tick_hz, given at run time (QEMU virt 10 MHz, VisionFive 2 4 MHz, a 32768 Hz
 * RTC, 1 GHz on a host). Conversions are exact for every rate: no float, no
 * 64-bit overflow for any result that fits, saturation at the ends. A wait
 * converted to ticks rounds UP, so a sleep never ends early; ticks converted
 * to a duration round DOWN. docs/time.md is the model for driver writers.
 *
 * Each executor keeps its timers in one intrusive queue (a timing wheel in
 * front of two pairing heaps, aexec/timer_queue.h): a node lives inside the
 * future that waits on it. Timers are armed, fired and cancelled
 * only on the executor's thread (task context); nothing here takes a lock.
 */
#ifndef AEXEC_TIME_H
#define AEXEC_TIME_H

#include <stdint.h>

#include "aexec/co.h"
#include "aexec/error.h"
#include "aexec/executor.h"
#include "aexec/task.h"

/* A point in time, in ticks of the executor's clock. */
typedef uint64_t aexec_instant;
/* A span of time, in ticks. */
typedef uint64_t aexec_duration;

/* The end of time: a deadline that never comes (== AEXEC_ALARM_NONE). */
#define AEXEC_INSTANT_MAX UINT64_MAX

/* ---- tick math (pure functions; any context) ----------------------------- */

/*
 * floor(a * b / c) (round_up = 0) or ceil(a * b / c) (round_up = 1),
 * computed exactly with a 128-bit intermediate, saturating at UINT64_MAX.
 * `c` must not be 0 (returns UINT64_MAX). Uses no division helper from libgcc,
 * also on 32-bit targets.
 */
uint64_t aexec_muldiv(uint64_t a, uint64_t b, uint64_t c, int round_up);

/*
 * ceil(n * hz / unit), as aexec_muldiv. When n and hz both fit 32 bits (any
 * wait under 49 days in ms, 71 minutes in us, at any rate up to 4.29 GHz) a
 * 64-bit target needs no 128-bit product, and with `unit` a constant the
 * division compiles to a multiply: a sleep's conversion costs a few
 * instructions instead of a call and two hardware divides. A 32-bit target
 * would need a libgcc helper for that division, so it always calls.
 */
static inline uint64_t aexec__ticks_from(uint64_t n, uint64_t hz, uint64_t unit)
{
#if UINTPTR_MAX > 0xffffffffu
    if (((n | hz) >> 32) == 0)
        return (n * hz + (unit - 1u)) / unit;
#endif
    return aexec_muldiv(n, hz, unit, 1);
}

/*
 * A wait of `n` units as ticks at `hz`, rounded up, saturated. Any context.
 * Asserts that `hz` is not 0: a rate of 0 would turn every wait into 0
 * ticks, a busy loop. With asserts on that is one compare and a branch
 * never taken (docs/misuse.md has the count); with them off, nothing.
 */
static inline uint64_t aexec_ticks_from_ns(uint64_t hz, uint64_t ns)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_from_ns: tick rate hz is 0");
    return aexec__ticks_from(ns, hz, 1000000000u);
}
static inline uint64_t aexec_ticks_from_us(uint64_t hz, uint64_t us)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_from_us: tick rate hz is 0");
    return aexec__ticks_from(us, hz, 1000000u);
}
static inline uint64_t aexec_ticks_from_ms(uint64_t hz, uint64_t ms)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_from_ms: tick rate hz is 0");
    return aexec__ticks_from(ms, hz, 1000u);
}
static inline uint64_t aexec_ticks_from_s(uint64_t hz, uint64_t s)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_from_s: tick rate hz is 0");
    return aexec_muldiv(s, hz, 1u, 1);
}

/*
 * `ticks` at `hz` as whole units, rounded down, saturated. Any context.
 * Asserts that `hz` is not 0.
 */
static inline uint64_t aexec_ticks_to_ns(uint64_t hz, uint64_t ticks)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_to_ns: tick rate hz is 0");
    return aexec_muldiv(ticks, 1000000000u, hz, 0);
}
static inline uint64_t aexec_ticks_to_us(uint64_t hz, uint64_t ticks)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_to_us: tick rate hz is 0");
    return aexec_muldiv(ticks, 1000000u, hz, 0);
}
static inline uint64_t aexec_ticks_to_ms(uint64_t hz, uint64_t ticks)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_to_ms: tick rate hz is 0");
    return aexec_muldiv(ticks, 1000u, hz, 0);
}
static inline uint64_t aexec_ticks_to_s(uint64_t hz, uint64_t ticks)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_to_s: tick rate hz is 0");
    return aexec_muldiv(ticks, 1u, hz, 0);
}

/* `at + d`, saturating at AEXEC_INSTANT_MAX. */
static inline aexec_instant aexec_instant_add(aexec_instant at, aexec_duration d)
{
    return at > AEXEC_INSTANT_MAX - d ? AEXEC_INSTANT_MAX : at + d;
}

/*
 * The executor's clock: the port's now(). Any context from which the port's
 * now() may be called (the host's and the RISC-V backends' may be called from
 * anywhere). Asserts that the port has a time driver.
 */
aexec_instant aexec_now(const aexec_executor *ex);

/*
 * The tick rate of `ex`'s clock, as given to aexec_executor_init() (0 when
 * the port has no time driver). Any context: it never changes after init.
 */
static inline uint64_t aexec_executor_tick_hz(const aexec_executor *ex)
{
    return ex->tick_hz;
}

/* The tick rate of the executor polling the task: for conversions in a body. Task context. */
static inline uint64_t aexec_tick_hz(const aexec_cx *cx)
{
    return cx->executor->tick_hz;
}

/* ---- timers -------------------------------------------------------------- */

/* The timer node, aexec_timer, is defined in aexec/timer_queue.h. */

/*
 * Makes `timer` idle. Its storage must be zero, or a timer that is not armed:
 * re-initializing an armed timer would leave its node in the queue, so it
 * asserts (cancel it first; AEXEC_AWAIT_WITH_CANCEL does that on a task's
 * cancel). Task context.
 */
void aexec_timer_init(aexec_timer *timer);

/*
 * Arms `timer` on `cx`'s executor to wake `cx`'s task at `deadline` (a
 * deadline in the past fires at the executor's next timer check; equal
 * deadlines fire in arming order). Re-arming an armed timer moves it.
 * Task context. O(1). Asserts that the executor has a time driver.
 */
void aexec_timer_arm(aexec_timer *timer, aexec_cx *cx, aexec_instant deadline);

/*
 * Disarms `timer`: afterwards it is idle and no node is left in the queue.
 * Safe in every state (idle, armed, fired). The executor's thread.
 * O(1) when the timer waits in the wheel, O(log n) amortized in a heap.
 * Returns 1 if the timer had fired, 0 otherwise.
 */
int aexec_timer_cancel(aexec_timer *timer);

/* True once the armed deadline has passed and the timer fired. The executor's thread. */
static inline int aexec_timer_fired(const aexec_timer *timer)
{
    return timer->state == AEXEC_TIMER_FIRED;
}

/* ---- sleep: ready at a deadline ------------------------------------------ */

/* A future ready at a deadline (absolute, or relative to its first poll). */
typedef struct aexec_sleep {
    /* private: the library's state; use the functions below. */
    aexec_timer timer;
    aexec_duration delay; /* for a relative sleep: added to now() at the first poll */
    uint32_t relative;
} aexec_sleep;

/*
 * Prepares a sleep until `deadline`. The storage must be zero or a sleep
 * that is not armed (asserts, naming the sleep: an armed one must be
 * cancelled first). Task context, or any context while no task uses it.
 */
void aexec_sleep_until_init(aexec_sleep *s, aexec_instant deadline);

/*
 * Prepares a sleep of `ticks`, measured from its first poll: from the clock
 * the executor reads after that poll's batch (AEXEC_CONFIG_TIMER_BATCH_CLOCK,
 * aexec/timer_queue.h), or from now() read in the poll itself. Never ends
 * before first poll + ticks. As aexec_sleep_until_init for storage and
 * contexts.
 */
void aexec_sleep_for_init(aexec_sleep *s, aexec_duration ticks);

/*
 * AEXEC_READY once the deadline has passed; arms the timer on the first poll.
 * A finished sleep stays READY on later polls; initialize it again for
 * another wait. Task context.
 */
aexec_poll aexec_sleep_poll(aexec_sleep *s, aexec_cx *cx);

/*
 * Leaves no timer behind. Safe in every state. Task context of the executor.
 * Returns 1 if the deadline had passed (the sleep had completed), else 0.
 */
static inline int aexec_sleep_cancel(aexec_sleep *s)
{
    return aexec_timer_cancel(&s->timer);
}

/* ---- ticker: ready once per period, without drift ------------------------ */

/*
 * The period is num/den seconds, so 1/3 ms is exact (num 1, den 3000). In
 * ticks that is `whole` + `rem`/`den`; the ticker carries the remainder, so
 * its k-th deadline is exactly start + ceil(k * period * tick_hz) for every k.
 *
 * Catch-up rule: when a poll finds that one or more later deadlines have
 * also passed (the task was late, or the executor stalled), the ticker fires
 * once, reports how many periods it skipped, and stays on its original grid:
 * the next deadline is the first grid point after now(). It never fires a
 * burst to catch up, and it never drifts.
 */
typedef struct aexec_ticker {
    /* private: the library's state; use the functions below. */
    aexec_timer timer;
    aexec_instant base; /* start + k * whole + floor(k * rem / den) */
    uint64_t frac;      /* (k * rem) mod den: the carried remainder */
    uint64_t whole, rem, den;
    uint64_t ticks;   /* periods elapsed: k */
    uint64_t skipped; /* periods skipped by the last fire */
    uint64_t num_s, den_s;
    uint32_t started;
} aexec_ticker;

/*
 * Prepares a ticker with a period of num/den seconds; the grid starts at the
 * first poll. The storage must be zero or a ticker that is not armed
 * (asserts). Task context, or any context while no task uses it.
 * Returns 0, or AEXEC_EINVAL if num or den is 0.
 */
int aexec_ticker_init(aexec_ticker *t, uint64_t num, uint64_t den);

/*
 * AEXEC_READY when the next grid point has passed (one READY per fire: call
 * again to wait for the next). Task context. Asserts that the period is at
 * least one tick at the executor's rate.
 */
aexec_poll aexec_ticker_poll(aexec_ticker *t, aexec_cx *cx);

/* Periods skipped by the last fire (0 when on time). The executor's thread. */
static inline uint64_t aexec_ticker_skipped(const aexec_ticker *t)
{
    return t->skipped;
}

/*
 * The deadline the ticker waits for now; 0 before its first poll (the grid
 * starts at the first poll). Any context that owns the ticker; a snapshot.
 */
static inline aexec_instant aexec_ticker_deadline(const aexec_ticker *t)
{
    return t->base + (t->frac != 0);
}

/*
 * Leaves no timer behind. Safe in every state. Task context of the executor.
 * Returns 0: a fire that no poll had reported yet is not consumed (a later
 * poll re-arms for the same grid point, which has passed, and reports it),
 * so there is nothing for the caller to take over.
 */
int aexec_ticker_cancel(aexec_ticker *t);

/* ---- timeout: bound any other future -------------------------------------- */

/*
 * A deadline to race another future against, and the outcome of the race.
 * The rule when both are ready in the same poll: the inner future is polled
 * first, and if it is ready it wins, even if the deadline has also passed.
 * The rule when the deadline is seen first: the inner future's cancel runs,
 * and if it reports that the operation had completed after all (it returns
 * 1: a byte was handed over between the two polls), the inner future wins.
 * So a completed operation is never reported as timed out.
 *
 *   aexec_timeout_for_init(&self->to, aexec_ticks_from_ms(aexec_tick_hz(cx), 50));
 *   AEXEC_AWAIT_WITH_TIMEOUT(&self->to, uart_read_poll(&self->rd, cx, &self->err),
 *                            uart_read_cancel(&self->rd));
 *   if (aexec_timeout_expired(&self->to)) ...   (else self->err is the read's)
 */
typedef struct aexec_timeout {
    /* private: the library's state; use the functions below. */
    aexec_sleep sleep;
    aexec_select sel; /* branch 0: the inner future; branch 1: the deadline */
} aexec_timeout;

/*
 * A timeout `ticks` after its first poll. The storage must be zero or a
 * timeout that is not armed (asserts). Task context, or any context while no
 * task uses it.
 */
static inline void aexec_timeout_for_init(aexec_timeout *to, aexec_duration ticks)
{
    aexec_sleep_for_init(&to->sleep, ticks);
    to->sel.which = 0;
    to->sel.done = 0;
}

/* A timeout at `deadline`. As aexec_timeout_for_init. */
static inline void aexec_timeout_until_init(aexec_timeout *to, aexec_instant deadline)
{
    aexec_sleep_until_init(&to->sleep, deadline);
    to->sel.which = 0;
    to->sel.done = 0;
}

/* AEXEC_READY once the deadline has passed (arms on the first poll). Task context. */
static inline aexec_poll aexec_timeout_poll(aexec_timeout *to, aexec_cx *cx)
{
    return aexec_sleep_poll(&to->sleep, cx);
}

/*
 * Leaves no timer behind. Safe in every state. Task context of the executor.
 * Returns 1 if the deadline had passed, else 0.
 */
static inline int aexec_timeout_cancel(aexec_timeout *to)
{
    return aexec_sleep_cancel(&to->sleep);
}

/*
 * After AEXEC_AWAIT_WITH_TIMEOUT on `to`: 1 if the deadline won (the inner
 * future was cancelled before completing), 0 if the inner future completed
 * (its own result, e.g. its error code, says how). The executor's thread.
 */
static inline int aexec_timeout_expired(const aexec_timeout *to)
{
    return to->sel.which != 0;
}

/*
 * co.h form, AEXEC_AWAIT_SELECT2 of `poll_expr` and the deadline `to`: the
 * inner future is listed first, so it wins a tie and a completion that its
 * cancel reports. On timeout `cancel_expr` (an int: 1 if the inner operation
 * had completed) cancels the inner future; otherwise the timer is
 * cancelled. On a cancel of the task while it waits, both are cancelled
 * before FINALLY. The outcome is in `to` (aexec_timeout_expired), never in
 * a variable of the caller's, so it cannot overwrite the inner future's
 * error code.
 */
#define AEXEC_AWAIT_WITH_TIMEOUT(to, poll_expr, cancel_expr)                                     \
    AEXEC_AWAIT_SELECT2(&(to)->sel, poll_expr, cancel_expr, aexec_timeout_poll((to), aexec__cx), \
                        aexec_timeout_cancel(to))

#endif /* AEXEC_TIME_H */
