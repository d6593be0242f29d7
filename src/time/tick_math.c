/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Exact a * b / c for tick conversions.
 *
 * The product of a count and a rate overflows 64 bits long before the
 * quotient does (a day in ns times 1 GHz), so the slow path forms the full
 * 128-bit product from 32-bit halves and divides it by long division. On
 * 64-bit targets the common case (product fits) is one multiply and one
 * hardware divide. 32-bit targets never use the C `/` on 64-bit operands,
 * which would call libgcc's __udivdi3: a kernel linked with bare ld has none.
 */
#include <stdint.h>

#include "aexec/time.h"

/* (hi, lo) / d for hi < d: the quotient fits 64 bits; the remainder in *rem. */
static uint64_t div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0;
    for (int i = 0; i < 64; i++) {
        /* Shift (hi:lo) left by one; the bit shifted out of hi matters when
         * d has its top bit set, as hi may then exceed 2^63. */
        uint64_t carry = hi >> 63;
        hi = (hi << 1) | (lo >> 63);
        lo <<= 1;
        q <<= 1;
        if (carry || hi >= d) {
            hi -= d;
            q |= 1u;
        }
    }
    *rem = hi;
    return q;
}

/* The 128-bit product of a and b, from 32-bit halves (no 128-bit type needed). */
static void mul128(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    *lo = (mid << 32) | (uint32_t)p00;
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

uint64_t aexec_muldiv(uint64_t a, uint64_t b, uint64_t c, int round_up)
{
    if (c == 0)
        return UINT64_MAX;
    uint64_t q, r;
#if UINTPTR_MAX > 0xffffffffu && !defined(AEXEC_CONFIG_PORTABLE_MULDIV)
    uint64_t p;
#if defined(__GNUC__)
    /* The overflow flag of the multiply: no division to test for overflow. */
    int fits = !__builtin_mul_overflow(a, b, &p);
#else
    int fits = b == 0 || a <= UINT64_MAX / b;
    p = a * b;
#endif
    if (fits) {
        q = p / c;
        r = p % c;
        return round_up && r != 0 ? (q == UINT64_MAX ? q : q + 1) : q;
    }
#endif
    uint64_t hi, lo;
    mul128(a, b, &hi, &lo);
    if (hi >= c)
        return UINT64_MAX; /* the quotient does not fit: saturate */
    q = div128(hi, lo, c, &r);
    if (round_up && r != 0)
        q = q == UINT64_MAX ? q : q + 1;
    return q;
}
