/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Fuzz target: the tick conversions against unsigned __int128 arithmetic.
 *
 * Each 17-byte record is a rate, a count and a selector byte; the values
 * are shaped (shifted down, or pushed to the edges) so that small rates,
 * counts near 2^32 and 2^64, and results that just fit or just overflow all
 * come up often. Checked, for both the library's aexec_muldiv and the copy
 * compiled as 32-bit targets get it (AEXEC_CONFIG_PORTABLE_MULDIV, no 64-bit
 * divide): every aexec_ticks_from_* is ceil(n * hz / unit) and every
 * aexec_ticks_to_* is floor(t * unit / hz), saturated at UINT64_MAX; a rate
 * of 0 trips the assert; aexec_instant_add saturates.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aexec/aexec.h"
#include "expect_panic.h"

typedef unsigned __int128 u128;

/* The same tick_math.c, built the way 32-bit targets build it (portable_muldiv.c). */
uint64_t aexec_fuzz_portable_muldiv(uint64_t a, uint64_t b, uint64_t c, int round_up);

static uint64_t ref_muldiv(uint64_t a, uint64_t b, uint64_t c, int round_up)
{
    u128 p = (u128)a * b;
    u128 q = p / c;
    if (round_up && p % c != 0)
        q++;
    return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

static void fail(const char *what, uint64_t a, uint64_t b, uint64_t got, uint64_t want)
{
    fprintf(stderr, "%s(%llu, %llu) = %llu, expected %llu\n", what, (unsigned long long)a,
            (unsigned long long)b, (unsigned long long)got, (unsigned long long)want);
    abort();
}

#define CHECK(what, a, b, got, want)           \
    do {                                       \
        uint64_t got_ = (got), want_ = (want); \
        if (got_ != want_)                     \
            fail(what, a, b, got_, want_);     \
    } while (0)

/* Shapes a raw 64-bit value by the selector's bits: as is, shifted down, or near an edge. */
static uint64_t shape(uint64_t v, uint8_t how)
{
    switch (how & 7u) {
    case 0: return v;
    case 1: return v >> 32; /* fits 32 bits: the inline fast path */
    case 2: return v >> (v & 63u);
    case 3: return UINT64_MAX - (v & 0xffffu);           /* near the top */
    case 4: return ((uint64_t)1 << 32) - 8u + (v & 15u); /* around 2^32 */
    case 5: return v & 0xffffu;
    case 6: {
        static const uint64_t rates[] = {1,        1000,     32768,       4000000,
                                         10000000, 12500000, 1000000000u, 3000000000u,
                                         24000000, 1193182u, UINT64_MAX,  (uint64_t)1 << 63};
        return rates[v % (sizeof rates / sizeof rates[0])];
    }
    default: return v >> 16;
    }
}

static uint64_t read64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void check_conversions(uint64_t hz, uint64_t n)
{
    static const uint64_t units[] = {1000000000u, 1000000u, 1000u, 1u};
    uint64_t from[4], to[4];
    from[0] = aexec_ticks_from_ns(hz, n);
    from[1] = aexec_ticks_from_us(hz, n);
    from[2] = aexec_ticks_from_ms(hz, n);
    from[3] = aexec_ticks_from_s(hz, n);
    to[0] = aexec_ticks_to_ns(hz, n);
    to[1] = aexec_ticks_to_us(hz, n);
    to[2] = aexec_ticks_to_ms(hz, n);
    to[3] = aexec_ticks_to_s(hz, n);
    for (int u = 0; u < 4; u++) {
        CHECK("aexec_ticks_from_<unit>", hz, n, from[u], ref_muldiv(n, hz, units[u], 1));
        CHECK("aexec_ticks_to_<unit>", hz, n, to[u], ref_muldiv(n, units[u], hz, 0));
    }
}

struct zero_rate {
    uint64_t n;
    uint8_t which;
};

static void convert_at_zero_rate(void *arg)
{
    const struct zero_rate *z = arg;
    volatile uint64_t sink = 0;
    switch (z->which & 7u) {
    case 0: sink = aexec_ticks_from_ns(0, z->n); break;
    case 1: sink = aexec_ticks_from_us(0, z->n); break;
    case 2: sink = aexec_ticks_from_ms(0, z->n); break;
    case 3: sink = aexec_ticks_from_s(0, z->n); break;
    case 4: sink = aexec_ticks_to_ns(0, z->n); break;
    case 5: sink = aexec_ticks_to_us(0, z->n); break;
    case 6: sink = aexec_ticks_to_ms(0, z->n); break;
    default: sink = aexec_ticks_to_s(0, z->n); break;
    }
    (void)sink;
}

static void check_zero_rate(uint64_t n, uint8_t which)
{
    struct zero_rate z = {n, which};
    const char *msg = expect_panic_catch(convert_at_zero_rate, &z);
#if AEXEC_CONFIG_ASSERT
    if (msg == NULL || strstr(msg, "tick rate hz is 0") == NULL) {
        fprintf(stderr, "a conversion at rate 0 did not assert (selector %u)\n", which & 7u);
        abort();
    }
#else
    (void)msg;
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (; size >= 17; data += 17, size -= 17) {
        uint8_t sel = data[16];
        uint64_t a = shape(read64(data), sel);
        uint64_t b = shape(read64(data + 8), (uint8_t)(sel >> 3));
        if (a == 0) {
            check_zero_rate(b, (uint8_t)(sel >> 5));
            continue;
        }
        check_conversions(a, b);
        /* aexec_muldiv in general, both builds of it; c = 0 saturates. */
        uint64_t c = shape(read64(data) ^ read64(data + 8), (uint8_t)(sel >> 2));
        int up = sel >> 7;
        uint64_t want = c == 0 ? UINT64_MAX : ref_muldiv(a, b, c, up);
        CHECK("aexec_muldiv", a, b, aexec_muldiv(a, b, c, up), want);
        CHECK("aexec_muldiv (portable)", a, b, aexec_fuzz_portable_muldiv(a, b, c, up), want);
        u128 sum = (u128)a + b;
        CHECK("aexec_instant_add", a, b, aexec_instant_add(a, b),
              sum > UINT64_MAX ? UINT64_MAX : (uint64_t)sum);
    }
    return 0;
}
