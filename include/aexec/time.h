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
    AEXEC_ASSERT(hz != 0, "aexec_ticks_from_ns: tick rate hz is 0 (no time driver?)");
    return aexec__ticks_from(ns, hz, 1000000000u);
}
static inline uint64_t aexec_ticks_from_us(uint64_t hz, uint64_t us)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_from_us: tick rate hz is 0 (no time driver?)");
    return aexec__ticks_from(us, hz, 1000000u);
}
static inline uint64_t aexec_ticks_from_ms(uint64_t hz, uint64_t ms)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_from_ms: tick rate hz is 0 (no time driver?)");
    return aexec__ticks_from(ms, hz, 1000u);
}
static inline uint64_t aexec_ticks_from_s(uint64_t hz, uint64_t s)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_from_s: tick rate hz is 0 (no time driver?)");
    return aexec_muldiv(s, hz, 1u, 1);
}

/*
 * `ticks` at `hz` as whole units, rounded down, saturated. Any context.
 * Asserts that `hz` is not 0.
 */
static inline uint64_t aexec_ticks_to_ns(uint64_t hz, uint64_t ticks)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_to_ns: tick rate hz is 0 (no time driver?)");
    return aexec_muldiv(ticks, 1000000000u, hz, 0);
}
static inline uint64_t aexec_ticks_to_us(uint64_t hz, uint64_t ticks)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_to_us: tick rate hz is 0 (no time driver?)");
    return aexec_muldiv(ticks, 1000000u, hz, 0);
}
static inline uint64_t aexec_ticks_to_ms(uint64_t hz, uint64_t ticks)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_to_ms: tick rate hz is 0 (no time driver?)");
    return aexec_muldiv(ticks, 1000u, hz, 0);
}
static inline uint64_t aexec_ticks_to_s(uint64_t hz, uint64_t ticks)
{
    AEXEC_ASSERT(hz != 0, "aexec_ticks_to_s: tick rate hz is 0 (no time driver?)");
    return aexec_muldiv(ticks, 1u, hz, 0);
}

/* `at + d`, saturating at AEXEC_INSTANT_MAX. */
static inline aexec_instant aexec_instant_add(aexec_instant at, aexec_duration d)
{
    return at > AEXEC_INSTANT_MAX - d ? AEXEC_INSTANT_MAX : at + d;
}

/* The executor's clock: the port's now(). Asserts that the port has a time driver. */
aexec_instant aexec_now(const aexec_executor *ex);

/* ---- timers -------------------------------------------------------------- */

/* The timer node, aexec_timer, is defined in aexec/timer_queue.h. */

/* Makes `timer` idle. Task context. */
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
 */
void aexec_timer_cancel(aexec_timer *timer);

/* True once the armed deadline has passed and the timer fired. */
static inline int aexec_timer_fired(const aexec_timer *timer)
{
    return timer->state == AEXEC_TIMER_FIRED;
}

/* ---- sleep: ready at a deadline ------------------------------------------ */

typedef struct aexec_sleep {
    aexec_timer timer;
    aexec_duration delay; /* for a relative sleep: added to now() at the first poll */
    uint32_t relative;
} aexec_sleep;

/* Prepares a sleep until `deadline`. Any context. */
void aexec_sleep_until_init(aexec_sleep *s, aexec_instant deadline);

/*
 * Prepares a sleep of `ticks`, measured from its first poll (when it reads
 * now()). Any context.
 */
void aexec_sleep_for_init(aexec_sleep *s, aexec_duration ticks);

/*
 * AEXEC_READY once the deadline has passed; arms the timer on the first poll.
 * Task context.
 */
aexec_poll aexec_sleep_poll(aexec_sleep *s, aexec_cx *cx);

/* Leaves no timer behind. Safe in every state. Task context of the executor. */
static inline void aexec_sleep_cancel(aexec_sleep *s)
{
    aexec_timer_cancel(&s->timer);
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
 * first poll. Any context.
 * Returns 0, or AEXEC_EINVAL if num or den is 0.
 */
int aexec_ticker_init(aexec_ticker *t, uint64_t num, uint64_t den);

/*
 * AEXEC_READY when the next grid point has passed (one READY per fire: call
 * again to wait for the next). Task context. Asserts that the period is at
 * least one tick at the executor's rate.
 */
aexec_poll aexec_ticker_poll(aexec_ticker *t, aexec_cx *cx);

/* Periods skipped by the last fire (0 when on time). */
static inline uint64_t aexec_ticker_skipped(const aexec_ticker *t)
{
    return t->skipped;
}

/* The deadline the ticker waits for now. */
static inline aexec_instant aexec_ticker_deadline(const aexec_ticker *t)
{
    return t->base + (t->frac != 0);
}

/* Leaves no timer behind; a later poll restarts the grid. Safe in every state. */
void aexec_ticker_cancel(aexec_ticker *t);

/* ---- timeout: bound any other future -------------------------------------- */

/*
 * A deadline to race another future against. The rule when both are ready
 * in the same poll: the inner future is polled first, and if it is ready it
 * wins, even if the deadline has also passed; so a completed operation is
 * never reported as timed out.
 *
 *   aexec_timeout_for_init(&self->to, aexec_ticks_from_ms(hz, 50));
 *   AEXEC_AWAIT_WITH_TIMEOUT(&self->to, uart_read_poll(&self->rd, cx),
 *                            uart_read_cancel(&self->rd), self->err);
 *   if (self->err == AEXEC_ETIMEDOUT) ...
 */
typedef aexec_sleep aexec_timeout;

/* A timeout `ticks` after its first poll. Any context. */
static inline void aexec_timeout_for_init(aexec_timeout *to, aexec_duration ticks)
{
    aexec_sleep_for_init(to, ticks);
}

/* A timeout at `deadline`. Any context. */
static inline void aexec_timeout_until_init(aexec_timeout *to, aexec_instant deadline)
{
    aexec_sleep_until_init(to, deadline);
}

/* Leaves no timer behind. Safe in every state. Task context of the executor. */
static inline void aexec_timeout_cancel(aexec_timeout *to)
{
    aexec_sleep_cancel(to);
}

/*
 * co.h form, built on AEXEC_AWAIT_SELECT2: awaits `poll_expr` bounded by
 * `to`; the inner future is listed first, so it wins a tie. On timeout runs
 * `cancel_stmt` to cancel the inner future; on success the timer is
 * cancelled. `err` (an int lvalue in the task struct) gets 0 or
 * AEXEC_ETIMEDOUT.
 */
#define AEXEC_AWAIT_WITH_TIMEOUT(to, poll_expr, cancel_stmt, err)                           \
    do {                                                                                    \
        AEXEC_AWAIT_SELECT2(err, poll_expr, cancel_stmt, aexec_sleep_poll((to), aexec__cx), \
                            aexec_timeout_cancel(to));                                      \
        (err) = (err) == 0 ? 0 : AEXEC_ETIMEDOUT;                                           \
    } while (0)

#endif /* AEXEC_TIME_H */
