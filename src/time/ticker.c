/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The ticker: deadline k is start + ceil(k * P) ticks, P = whole + rem/den,
 * kept as base = start + k*whole + floor(k*rem/den) and frac = (k*rem) mod
 * den. Stepping adds whole to base and rem to frac, carrying one tick when
 * frac reaches den: exact for every k, so a ticker never drifts.
 */
#include "aexec/error.h"
#include "aexec/time.h"

int aexec_ticker_init(aexec_ticker *t, uint64_t num, uint64_t den)
{
    if (num == 0 || den == 0)
        return AEXEC_EINVAL;
    AEXEC_ASSERT(t->timer.state != AEXEC_TIMER_ARMED,
                 "aexec_ticker_init: still armed; cancel it first");
    aexec_timer_init(&t->timer);
    t->base = 0; /* aexec_ticker_deadline() before the first poll */
    t->frac = 0;
    t->num_s = num;
    t->den_s = den;
    t->started = 0;
    t->skipped = 0;
    t->ticks = 0;
    return AEXEC_OK;
}

/* Sets whole/rem/den from the period in seconds and the executor's rate. */
static void ticker_start(aexec_ticker *t, aexec_executor *ex)
{
    uint64_t hz = ex->tick_hz;
    /* P = num * hz / den ticks = whole + rem / den. */
    t->whole = aexec_muldiv(t->num_s, hz, t->den_s, 0);
    /* rem = num*hz - whole*den, computed modulo 2^64: exact because the true
     * value is in [0, den). */
    t->rem = t->num_s * hz - t->whole * t->den_s;
    t->den = t->den_s;
    /* Below one tick the grid would need several fires per tick. */
    AEXEC_ASSERT(t->whole > 0, "aexec_ticker_poll: period below one tick");
    AEXEC_ASSERT(t->whole < UINT64_MAX, "aexec_ticker_poll: period beyond the tick range");
    t->base = aexec_now(ex);
    t->frac = 0;
    t->ticks = 0;
    t->started = 1;
}

/* Advances the grid by m periods. */
static void ticker_advance(aexec_ticker *t, uint64_t m)
{
    /* base += m*whole + floor((frac + m*rem) / den); frac = (frac + m*rem) mod den,
     * with m*rem split so nothing overflows: m*rem = q*den + r. */
    uint64_t q = aexec_muldiv(m, t->rem, t->den, 0);
    uint64_t r = m * t->rem - q * t->den; /* exact modulo 2^64, in [0, den) */
    uint64_t f = t->frac + r;             /* < 2 den */
    if (f >= t->den || f < t->frac) {     /* the second test catches a wrap */
        f -= t->den;
        q++;
    }
    t->base = aexec_instant_add(aexec_instant_add(t->base, aexec_muldiv(m, t->whole, 1, 0)), q);
    t->frac = f;
    t->ticks += m;
}

aexec_poll aexec_ticker_poll(aexec_ticker *t, aexec_cx *cx)
{
    aexec_poll r = AEXEC_PENDING;
    if (!t->started) {
        ticker_start(t, cx->executor);
        ticker_advance(t, 1);
    } else if (t->timer.state == AEXEC_TIMER_ARMED) {
        return AEXEC_PENDING;
    } else if (t->timer.state == AEXEC_TIMER_FIRED) {
        /* Move to the first grid point after now, counting what we skip. */
        aexec_instant now = aexec_now(cx->executor);
        uint64_t skipped = 0;
        ticker_advance(t, 1);
        if (aexec_ticker_deadline(t) <= now) {
            /* Late by at least a period: jump most of the way in one step, so a
             * long stall costs O(1), then walk the last step or two. */
            uint64_t behind = now - aexec_ticker_deadline(t);
            uint64_t per = t->whole + (t->rem != 0);      /* an upper bound of P */
            uint64_t m = aexec_muldiv(behind, 1, per, 0); /* no libgcc divide on rv32 */
            if (m > 0) {
                ticker_advance(t, m);
                skipped += m;
            }
            while (aexec_ticker_deadline(t) <= now) {
                ticker_advance(t, 1);
                skipped++;
            }
        }
        t->skipped = skipped;
        r = AEXEC_READY;
    }
    /* Started, fired, or cancelled and polled again (IDLE): the next grid point. */
    aexec_timer_arm(&t->timer, cx, aexec_ticker_deadline(t));
    return r;
}

int aexec_ticker_cancel(aexec_ticker *t)
{
    (void)aexec_timer_cancel(&t->timer);
    return 0; /* a fire not yet reported stays due: the next poll reports it */
}
