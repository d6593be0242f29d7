/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The PLIC driver against a plain memory image of its registers: where
 * each call writes (priorities, the enable words of each context,
 * thresholds) for QEMU virt's context layout and for the JH7110's, whose
 * hart 0 has no S-mode context. Claim/complete against the real PLIC is
 * covered by the QEMU tests (every UART interrupt goes through it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "aexec/error.h"
#include "plic.h"

/* Registers up to context 9: threshold and claim at 0x200000 + 0x1000 * ctx. */
#define IMAGE_BYTES (0x200000u + 0x1000u * 10u)
static uint32_t image[IMAGE_BYTES / 4];
static struct plic p;
static struct plic_handler table[137];

static uint32_t reg(uint32_t off)
{
    return image[off / 4];
}

static uint32_t enable_word(uint32_t context, uint32_t irq)
{
    return reg(0x2000u + 0x80u * context + 4u * (irq / 32u));
}

static const int32_t qemu_contexts[2] = {1, 3};             /* hart h: S context 2h + 1 */
static const int32_t jh7110_contexts[5] = {-1, 2, 4, 6, 8}; /* hart 0: M-mode only */

static void fill_garbage(void)
{
    memset(image, 0xa5, sizeof image);
}

static void test_init_clears_priorities_enables_thresholds(void **state)
{
    (void)state;
    fill_garbage();
    assert_int_equal(plic_init(&p, (uintptr_t)image, 95, table, qemu_contexts, 2), 0);
    for (uint32_t irq = 1; irq <= 95; irq++)
        assert_int_equal(reg(4u * irq), 0);
    for (uint32_t c = 1; c <= 3; c += 2) {
        for (uint32_t w = 0; w <= 95 / 32; w++)
            assert_int_equal(enable_word(c, 32u * w), 0);
        assert_int_equal(reg(0x200000u + 0x1000u * c), 0);
    }
    /* Context 0 and 2 (the M-mode ones) are the firmware's: untouched. */
    assert_int_equal(enable_word(0, 10), 0xa5a5a5a5u);
    assert_int_equal(enable_word(2, 10), 0xa5a5a5a5u);
}

static void test_route_enables_one_hart_only(void **state)
{
    (void)state;
    fill_garbage();
    assert_int_equal(plic_init(&p, (uintptr_t)image, 95, table, qemu_contexts, 2), 0);
    assert_int_equal(plic_route(&p, 10, 1), 0);
    assert_int_equal(enable_word(3, 10), 1u << 10);
    assert_int_equal(enable_word(1, 10), 0);
    /* Moving it: enabled on hart 0, gone from hart 1. */
    assert_int_equal(plic_route(&p, 10, 0), 0);
    assert_int_equal(enable_word(1, 10), 1u << 10);
    assert_int_equal(enable_word(3, 10), 0);
    /* A source in the second word keeps the first untouched. */
    assert_int_equal(plic_route(&p, 33, 0), 0);
    assert_int_equal(enable_word(1, 33), 1u << 1);
    assert_int_equal(enable_word(1, 10), 1u << 10);
}

static void test_jh7110_contexts(void **state)
{
    (void)state;
    fill_garbage();
    assert_int_equal(plic_init(&p, (uintptr_t)image, 136, table, jh7110_contexts, 5), 0);
    assert_int_equal(plic_context_of(&p, 0), -1);
    assert_int_equal(plic_context_of(&p, 1), 2);
    assert_int_equal(plic_context_of(&p, 4), 8);
    /* The UART (source 32) to hart 1: context 2, word 1, bit 0. */
    assert_int_equal(plic_route(&p, 32, 1), 0);
    assert_int_equal(enable_word(2, 32), 1u);
    for (uint32_t c = 4; c <= 8; c += 2)
        assert_int_equal(enable_word(c, 32), 0);
    /* Hart 0 (the S7) cannot take it: no S context. */
    assert_int_equal(plic_route(&p, 32, 0), AEXEC_EINVAL);
    assert_int_equal(enable_word(2, 32), 1u); /* unchanged */
}

static int calls;
static void handler(void *ctx)
{
    calls += *(int *)ctx;
}

static void test_register_sets_priority_and_rejects_bad_sources(void **state)
{
    (void)state;
    static int weight = 1;
    fill_garbage();
    assert_int_equal(plic_init(&p, (uintptr_t)image, 95, table, qemu_contexts, 2), 0);
    assert_int_equal(plic_register(&p, 10, 3, handler, &weight), 0);
    assert_int_equal(reg(4u * 10), 3);
    assert_ptr_equal(table[10].fn, handler);
    assert_int_equal(plic_register(&p, 0, 1, handler, NULL), AEXEC_EINVAL);
    assert_int_equal(plic_register(&p, 96, 1, handler, NULL), AEXEC_EINVAL);
    assert_int_equal(plic_register(&p, 5, 1, NULL, NULL), AEXEC_EINVAL);
    assert_int_equal(plic_set_threshold(&p, 3, 2), 0);
    assert_int_equal(reg(0x200000u + 0x1000u * 3), 2);
    /* Nothing pending (the claim register reads 0): nothing dispatched. */
    image[(0x200004u + 0x1000u * 3) / 4] = 0;
    calls = 0;
    assert_int_equal(plic_on_irq(&p, 3), 0);
    assert_int_equal(calls, 0);
}

static void test_init_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_int_equal(plic_init(NULL, (uintptr_t)image, 95, table, qemu_contexts, 2), AEXEC_EINVAL);
    assert_int_equal(plic_init(&p, 0, 95, table, qemu_contexts, 2), AEXEC_EINVAL);
    assert_int_equal(plic_init(&p, (uintptr_t)image, 0, table, qemu_contexts, 2), AEXEC_EINVAL);
    assert_int_equal(plic_init(&p, (uintptr_t)image, 1024, table, qemu_contexts, 2), AEXEC_EINVAL);
    assert_int_equal(plic_init(&p, (uintptr_t)image, 95, NULL, qemu_contexts, 2), AEXEC_EINVAL);
    assert_int_equal(plic_init(&p, (uintptr_t)image, 95, table, NULL, 2), AEXEC_EINVAL);
    assert_int_equal(plic_init(&p, (uintptr_t)image, 95, table, qemu_contexts, PLIC_MAX_HARTS + 1),
                     AEXEC_EINVAL);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_clears_priorities_enables_thresholds),
        cmocka_unit_test(test_route_enables_one_hart_only),
        cmocka_unit_test(test_jh7110_contexts),
        cmocka_unit_test(test_register_sets_priority_and_rejects_bad_sources),
        cmocka_unit_test(test_init_rejects_bad_arguments),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
