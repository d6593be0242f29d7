/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The device-tree reader on real trees: QEMU virt's own blobs (dumped by QEMU,
 * tests/fdt/blobs/make-qemu-blobs.sh) and trees compiled by dtc from the .dts
 * files here. Each test checks the facts of its machine (what QEMU's virt
 * board is documented to have, what the .dts says) and then that libfdt finds
 * the same for everything the reader reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fdt_ref.h"

static struct dt_platform parse_ok(const char *name)
{
    size_t size;
    void *blob = ref_load(name, &size);
    struct dt_platform p;
    ref_fill(&p, 0xa5);
    int rc = dt_parse(blob, size, &p);
    if (rc != 0)
        fail_msg("%s: %s", name, dt_strerror(rc));
    ref_check(blob, &p);
    free(blob);
    return p;
}

/* QEMU virt's fixed map: UART0 at 0x10000000 (irq 10), PLIC at 0xc000000, eight virtio slots
 * from 0x10001000 (irq 1) listed from the last one down, a 10 MHz timebase. */
static void check_qemu_virt(const struct dt_platform *p, uint32_t harts, uint64_t ram)
{
    assert_int_equal(p->timebase_hz, 10000000);
    assert_int_equal(p->memory.base, 0x80000000u);
    assert_int_equal(p->memory.size, ram);
    assert_int_equal(p->nharts, harts);
    for (uint32_t i = 0; i < harts; i++) {
        assert_int_equal(p->harts[i].hartid, i);
        assert_true(p->harts[i].okay);
        assert_memory_equal(p->harts[i].isa, "rv64imafdch_", 12);
    }
    assert_true(p->uart.present);
    assert_int_equal(p->uart.reg.base, 0x10000000u);
    assert_int_equal(p->uart.reg.size, 0x100);
    assert_int_equal(p->uart.irq, 10);
    assert_int_equal(p->uart.clock_hz, 3686400);
    assert_int_equal(p->uart.reg_shift, 0);
    assert_int_equal(p->uart.reg_io_width, 1);
    assert_int_equal(p->nvirtio, 8);
    assert_int_equal(p->virtio_ignored, 0);
    for (uint32_t i = 0; i < 8; i++) {
        assert_int_equal(p->virtio[i].reg.base, 0x10008000u - 0x1000u * i);
        assert_int_equal(p->virtio[i].reg.size, 0x1000);
        assert_int_equal(p->virtio[i].irq, 8 - i);
    }
}

/* With the PLIC, hart h has contexts 2h (M mode) and 2h + 1 (S mode). */
static void check_qemu_plic(const struct dt_platform *p, uint32_t harts)
{
    assert_true(p->plic.present);
    assert_int_equal(p->plic.reg.base, 0xc000000u);
    assert_int_equal(p->plic.reg.size, 0x600000u);
    assert_int_equal(p->plic.ndev, 96);
    for (uint32_t h = 0; h < DT_MAX_HARTS; h++)
        assert_int_equal(p->plic.s_context[h], h < harts ? (int32_t)(2 * h + 1) : -1);
}

static void qemu_virt_one_hart_without_sstc(void **state)
{
    (void)state;
    struct dt_platform p = parse_ok("qemu-virt-smp1.dtb");
    check_qemu_virt(&p, 1, 128u << 20);
    check_qemu_plic(&p, 1);
    assert_false(p.harts[0].has_sstc);
}

static void qemu_virt_two_harts_with_sstc(void **state)
{
    (void)state;
    struct dt_platform p = parse_ok("qemu-virt-smp2.dtb");
    check_qemu_virt(&p, 2, 256u << 20);
    check_qemu_plic(&p, 2);
    assert_true(p.harts[0].has_sstc);
    assert_true(p.harts[1].has_sstc);
}

static void qemu_virt_four_harts_and_disks(void **state)
{
    (void)state;
    struct dt_platform p = parse_ok("qemu-virt-smp4-blk.dtb");
    check_qemu_virt(&p, 4, 1024u << 20);
    check_qemu_plic(&p, 4);
}

/* What S mode receives: OpenSBI reserved its own memory and masked the M-mode contexts (irq
 * 0xffffffff); the S-mode contexts keep their numbers. */
static void qemu_virt_after_opensbi(void **state)
{
    (void)state;
    struct dt_platform p = parse_ok("opensbi-virt-smp2.dtb");
    check_qemu_virt(&p, 2, 256u << 20);
    check_qemu_plic(&p, 2);
}

static void qemu_virt_with_aia_has_no_plic(void **state)
{
    (void)state;
    struct dt_platform p = parse_ok("qemu-virt-aia.dtb");
    check_qemu_virt(&p, 2, 128u << 20);
    assert_false(p.plic.present);
    for (uint32_t h = 0; h < DT_MAX_HARTS; h++)
        assert_int_equal(p.plic.s_context[h], -1);
}

/* The JH7110: hart 0 has only an M-mode context, so hart h >= 1 has its S context at 2h. */
static void visionfive2_jh7110(void **state)
{
    (void)state;
    struct dt_platform p = parse_ok("visionfive2.dtb");
    assert_int_equal(p.timebase_hz, 4000000);
    assert_int_equal(p.memory.base, 0x40000000u);
    assert_int_equal(p.memory.size, 4ull << 30);
    assert_int_equal(p.nharts, 5);
    assert_false(p.harts[0].okay);
    assert_string_equal(p.harts[0].isa, "rv64imac_zba_zbb");
    for (uint32_t h = 1; h < 5; h++) {
        assert_int_equal(p.harts[h].hartid, h);
        assert_true(p.harts[h].okay);
        assert_string_equal(p.harts[h].isa, "rv64imafdc_zba_zbb");
        assert_false(p.harts[h].has_sstc);
    }
    assert_true(p.uart.present);
    assert_int_equal(p.uart.reg.base, 0x10000000u);
    assert_int_equal(p.uart.irq, 32);
    assert_int_equal(p.uart.clock_hz, 24000000);
    assert_int_equal(p.uart.reg_shift, 2);
    assert_int_equal(p.uart.reg_io_width, 4);
    assert_true(p.plic.present);
    assert_int_equal(p.plic.reg.base, 0xc000000u);
    assert_int_equal(p.plic.ndev, 136);
    const int32_t want[DT_MAX_HARTS] = {-1, 2, 4, 6, 8, -1, -1, -1};
    for (uint32_t h = 0; h < DT_MAX_HARTS; h++)
        assert_int_equal(p.plic.s_context[h], want[h]);
    assert_int_equal(p.nvirtio, 0);
}

static void edge_cases(void **state)
{
    (void)state;
    struct dt_platform p = parse_ok("edge-cases.dtb");
    /* In the first cpu node only, in two cells; the second cpu's 1 Hz does not count. */
    assert_int_equal(p.timebase_hz, 12500000);
    /* 1-cell address and size; the first of two ranges. */
    assert_int_equal(p.memory.base, 0x80000000u);
    assert_int_equal(p.memory.size, 0x20000000u);
    assert_int_equal(p.nharts, 3);
    assert_int_equal(p.harts[0].hartid, 0);
    assert_string_equal(p.harts[0].isa, "rv64i"); /* riscv,isa-base */
    assert_true(p.harts[0].has_sstc);             /* from riscv,isa-extensions */
    assert_true(p.harts[0].okay);
    assert_int_equal(p.harts[1].hartid, 2);
    assert_true(p.harts[1].has_sstc); /* "_Sstc" in upper case */
    assert_true(p.harts[1].okay);     /* status "ok" */
    assert_int_equal(p.harts[2].hartid, 5);
    assert_false(p.harts[2].has_sstc); /* xsstc, sstcx, zsstc, ssstc are not Sstc */
    assert_false(p.harts[2].okay);     /* status "fail" */
    /* The disabled ns16550a is skipped; the nested ns16550 comes first; defaults apply. */
    assert_true(p.uart.present);
    assert_int_equal(p.uart.reg.base, 0x10011000u);
    assert_int_equal(p.uart.reg.size, 0x1000u);
    assert_int_equal(p.uart.irq, 7); /* from interrupts-extended */
    assert_int_equal(p.uart.clock_hz, 1843200);
    assert_int_equal(p.uart.reg_shift, 0);
    assert_int_equal(p.uart.reg_io_width, 1);
    assert_int_equal(p.plic.ndev, 1023);
    const int32_t want[DT_MAX_HARTS] = {4, -1, 2, -1, -1, 1, -1, -1};
    for (uint32_t h = 0; h < DT_MAX_HARTS; h++)
        assert_int_equal(p.plic.s_context[h], want[h]);
    assert_int_equal(p.nvirtio, 2);
    assert_int_equal(p.virtio[0].reg.base, 0x10002000u);
    assert_int_equal(p.virtio[0].irq, 2);
    assert_int_equal(p.virtio[1].reg.base, 0x10003000u);
    assert_int_equal(p.virtio[1].reg.size, 0x200u);
    assert_int_equal(p.virtio[1].irq, 3);
}

static void more_harts_and_slots_than_recorded_are_counted(void **state)
{
    (void)state;
    struct dt_platform p = parse_ok("many.dtb");
    assert_int_equal(p.nharts, DT_MAX_HARTS);
    assert_int_equal(p.harts_ignored, 2);
    assert_int_equal(p.harts[DT_MAX_HARTS - 1].hartid, DT_MAX_HARTS - 1);
    assert_int_equal(p.nvirtio, DT_MAX_VIRTIO);
    assert_int_equal(p.virtio_ignored, 2);
    assert_int_equal(p.virtio[DT_MAX_VIRTIO - 1].irq, DT_MAX_VIRTIO);
    for (uint32_t h = 0; h < DT_MAX_HARTS; h++)
        assert_int_equal(p.plic.s_context[h], -1); /* a PLIC without interrupts-extended */
}

/* Sstc for the backend: every enabled hart must list it; unrecorded harts make it unknown. */
static void sstc_on_every_hart_counts_enabled_harts_only(void **state)
{
    (void)state;
    struct dt_platform p = parse_ok("qemu-virt-smp4-blk.dtb");
    assert_true(dt_sstc_on_every_hart(&p));
    p = parse_ok("qemu-virt-smp1.dtb"); /* -cpu rv64,sstc=off */
    assert_false(dt_sstc_on_every_hart(&p));
    p = parse_ok("visionfive2.dtb"); /* the U74 has no Sstc */
    assert_false(dt_sstc_on_every_hart(&p));
    p = parse_ok("edge-cases.dtb"); /* hart 5 lacks it, but its status is "fail" */
    assert_true(dt_sstc_on_every_hart(&p));
    p.harts[1].has_sstc = 0;
    assert_false(dt_sstc_on_every_hart(&p));
    p = parse_ok("qemu-virt-smp2.dtb");
    p.harts_ignored = 1; /* a hart the reader did not record may lack it */
    assert_false(dt_sstc_on_every_hart(&p));
    p.nharts = 0;
    p.harts_ignored = 0;
    assert_false(dt_sstc_on_every_hart(&p));
}

/* Without dtc the tests read the checked-in blobs: they must say what their sources say. */
static void checked_in_blobs_read_as_their_sources(void **state)
{
    (void)state;
    static const char *const names[] = {"visionfive2.dtb", "edge-cases.dtb", "many.dtb"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n;
        void *old = ref_load_checked_in(names[i], &n);
        if (!old)
            skip();
        struct dt_platform fresh = parse_ok(names[i]), kept;
        ref_fill(&kept, 0xa5);
        assert_int_equal(dt_parse(old, n, &kept), 0);
        if (memcmp(&kept, &fresh, sizeof kept) != 0)
            fail_msg("tests/fdt/blobs/%s is stale: rebuild it with dtc from its .dts", names[i]);
        free(old);
    }
}

/* The reader needs no alignment: the same blob one byte off parses the same. */
static void unaligned_blob_parses_the_same(void **state)
{
    (void)state;
    size_t size;
    unsigned char *blob = ref_load("visionfive2.dtb", &size);
    unsigned char *shifted = malloc(size + 1);
    assert_non_null(shifted);
    memcpy(shifted + 1, blob, size);
    struct dt_platform a, b;
    ref_fill(&a, 0x5a);
    ref_fill(&b, 0x5a);
    assert_int_equal(dt_parse(blob, size, &a), 0);
    assert_int_equal(dt_parse(shifted + 1, size, &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    free(shifted);
    free(blob);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qemu_virt_one_hart_without_sstc),
        cmocka_unit_test(qemu_virt_two_harts_with_sstc),
        cmocka_unit_test(qemu_virt_four_harts_and_disks),
        cmocka_unit_test(qemu_virt_after_opensbi),
        cmocka_unit_test(qemu_virt_with_aia_has_no_plic),
        cmocka_unit_test(visionfive2_jh7110),
        cmocka_unit_test(edge_cases),
        cmocka_unit_test(more_harts_and_slots_than_recorded_are_counted),
        cmocka_unit_test(sstc_on_every_hart_counts_enabled_harts_only),
        cmocka_unit_test(checked_in_blobs_read_as_their_sources),
        cmocka_unit_test(unaligned_blob_parses_the_same),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
