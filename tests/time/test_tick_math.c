/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Tick conversions at the rates boards use (1 Hz to 1 GHz): exact, rounded
 * up for waits and down for readings, no overflow below the saturation
 * point, saturation at the ends of the range. Checked against a reference
 * that computes with unsigned __int128 (the test may use it; the library
 * may not, as it would need libgcc's 128-bit divide).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aexec/time.h"

__extension__ typedef unsigned __int128 u128; /* test-only: the reference */

static uint64_t ref(uint64_t a, uint64_t b, uint64_t c, int up)
{
    u128 p = (u128)a * b;
    u128 q = p / c;
    if (up && p % c != 0)
        q++;
    return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

static const uint64_t rates[] = {1u, 32768u, 4000000u, 10000000u, 12500000u, 1000000000u};
static const uint64_t units[] = {1000000000u, 1000000u, 1000u, 1u};

/* Values around every interesting edge: 0, 1, powers of two, unit and rate multiples, the end. */
static uint64_t sample(uint64_t i, uint64_t hz, uint64_t unit)
{
    switch (i % 12) {
    case 0: return i / 12;
    case 1: return (uint64_t)1 << (i % 64);
    case 2: return ((uint64_t)1 << (i % 64)) - 1;
    case 3: return unit * (i / 12) + 1;
    case 4: return hz * (i / 12) - 1;
    case 5: return UINT64_MAX - i / 12;
    case 6: return UINT64_MAX / hz + i / 12 - 6;
    case 7: return UINT64_MAX / unit * hz / (hz ? hz : 1) + i;
    case 8: return (uint64_t)i * 2654435761u * 40503u;
    default: return (i * 0x9e3779b97f4a7c15u) >> (i % 40);
    }
}

static void conversions_match_exact_arithmetic_at_every_rate(void **state)
{
    (void)state;
    uint64_t checked = 0;
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        uint64_t hz = rates[r];
        for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
            uint64_t unit = units[u];
            for (uint64_t i = 0; i < 20000; i++) {
                uint64_t v = sample(i, hz, unit);
                assert_int_equal(aexec_muldiv(v, hz, unit, 1), ref(v, hz, unit, 1));
                assert_int_equal(aexec_muldiv(v, unit, hz, 0), ref(v, unit, hz, 0));
                checked += 2;
            }
        }
    }
    assert_true(checked >= 900000);
}

/* The inline conversions take a shortcut while both operands fit 32 bits: check its edges. */
static void the_32_bit_shortcut_matches_at_its_edges(void **state)
{
    (void)state;
    static const uint64_t hzs[] = {1u,          1000000000u,  2450000000u, 0xfffffffeu,
                                   0xffffffffu, 0x100000000u, 0x100000001u};
    static const uint64_t near[] = {0u,           1u,          999u,        1000u,
                                    1001u,        0xfffffffeu, 0xffffffffu, 0x100000000u,
                                    0x100000001u, UINT64_MAX};
    for (size_t h = 0; h < sizeof hzs / sizeof hzs[0]; h++) {
        for (size_t i = 0; i < sizeof near / sizeof near[0]; i++) {
            uint64_t hz = hzs[h], v = near[i];
            assert_int_equal(aexec_ticks_from_ns(hz, v), ref(v, hz, 1000000000u, 1));
            assert_int_equal(aexec_ticks_from_us(hz, v), ref(v, hz, 1000000u, 1));
            assert_int_equal(aexec_ticks_from_ms(hz, v), ref(v, hz, 1000u, 1));
            assert_int_equal(aexec_ticks_from_s(hz, v), ref(v, hz, 1u, 1));
        }
    }
}

static void a_wait_never_rounds_down(void **state)
{
    (void)state;
    /* 1 ns at 32768 Hz is a fraction of a tick: a whole tick, not zero */
    assert_int_equal(aexec_ticks_from_ns(32768u, 1), 1);
    assert_int_equal(aexec_ticks_from_ns(32768u, 0), 0);
    /* 1/3 ms at 10 MHz is 3333.3 ticks: 3334 */
    assert_int_equal(aexec_ticks_from_us(10000000u, 333), 3330);
    assert_int_equal(aexec_ticks_from_ns(10000000u, 333334), 3334);
    /* 1 us at 12.5 MHz is 12.5 ticks: 13; reading 13 ticks back gives 1 us */
    assert_int_equal(aexec_ticks_from_us(12500000u, 1), 13);
    assert_int_equal(aexec_ticks_to_us(12500000u, 13), 1);
    assert_int_equal(aexec_ticks_to_ns(12500000u, 13), 1040);
    /* exact rates stay exact */
    assert_int_equal(aexec_ticks_from_ms(4000000u, 5), 20000);
    assert_int_equal(aexec_ticks_to_ms(4000000u, 20000), 5);
    assert_int_equal(aexec_ticks_from_s(1u, 7), 7);
}

static void large_values_do_not_overflow_before_they_saturate(void **state)
{
    (void)state;
    /* a day in ns at 1 GHz: the product overflows 64 bits, the result does not */
    uint64_t day_ns = 86400u * 1000000000u;
    assert_int_equal(aexec_ticks_from_ns(1000000000u, day_ns), day_ns);
    /* 500 years in ms at 12.5 MHz */
    uint64_t ms = 500u * 365u * 86400u * 1000u;
    assert_int_equal(aexec_ticks_from_ms(12500000u, ms), ms * 12500u);
    /* the largest tick count at 32768 Hz reads back as seconds without overflow */
    assert_int_equal(aexec_ticks_to_s(32768u, UINT64_MAX), UINT64_MAX / 32768u);
    assert_int_equal(aexec_ticks_to_ns(32768u, UINT64_MAX),
                     ref(UINT64_MAX, 1000000000u, 32768u, 0));
}

static void results_beyond_the_range_saturate(void **state)
{
    (void)state;
    assert_int_equal(aexec_ticks_from_s(1000000000u, UINT64_MAX), UINT64_MAX);
    assert_int_equal(aexec_ticks_from_ms(10000000u, UINT64_MAX / 1000u), UINT64_MAX);
    assert_int_equal(aexec_ticks_to_ns(1u, UINT64_MAX), UINT64_MAX);
    assert_int_equal(aexec_muldiv(UINT64_MAX, UINT64_MAX, 1, 1), UINT64_MAX);
    assert_int_equal(aexec_muldiv(UINT64_MAX, UINT64_MAX, UINT64_MAX, 1), UINT64_MAX);
    assert_int_equal(aexec_muldiv(UINT64_MAX, UINT64_MAX - 1, UINT64_MAX, 0), UINT64_MAX - 1);
    assert_int_equal(aexec_muldiv(5, 7, 0, 0), UINT64_MAX); /* no rate: saturate, not trap */
    assert_int_equal(aexec_instant_add(UINT64_MAX - 3, 10), AEXEC_INSTANT_MAX);
    assert_int_equal(aexec_instant_add(100, 10), 110);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conversions_match_exact_arithmetic_at_every_rate),
        cmocka_unit_test(the_32_bit_shortcut_matches_at_its_edges),
        cmocka_unit_test(a_wait_never_rounds_down),
        cmocka_unit_test(large_values_do_not_overflow_before_they_saturate),
        cmocka_unit_test(results_beyond_the_range_saturate),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
