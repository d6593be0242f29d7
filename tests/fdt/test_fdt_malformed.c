/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The device-tree reader on bad blobs: a broken header, a broken structure
 * block built token by token, malformed values in properties the reader uses,
 * and every truncation of real blobs. Each is rejected with its own DT_E*
 * code and leaves the output as it was; every blob sits in a buffer exactly
 * max_size long, so under ASan a read past the limit fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "fdt_ref.h"

#define PATTERN 0x3c

/* dt_parse on an exactly-sized heap copy of [blob, blob + n); on error, *out must be untouched. */
static int parse_copy(const void *blob, size_t n, struct dt_platform *out)
{
    void *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, blob, n);
    ref_fill(out, PATTERN);
    int rc = dt_parse(copy, n, out);
    if (rc != 0)
        assert_true(ref_untouched(out, PATTERN));
    free(copy);
    return rc;
}

static int parse_n(const void *blob, size_t n)
{
    struct dt_platform p;
    return parse_copy(blob, n, &p);
}

static void put32(unsigned char *b, size_t off, uint32_t v)
{
    b[off] = (unsigned char)(v >> 24);
    b[off + 1] = (unsigned char)(v >> 16);
    b[off + 2] = (unsigned char)(v >> 8);
    b[off + 3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *b, size_t off)
{
    return (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 | (uint32_t)b[off + 2] << 8 |
           b[off + 3];
}

/* ---- the header, on QEMU's blob -------------------------------------------- */

enum {
    H_MAGIC = 0,
    H_TOTAL = 4,
    H_STRUCT = 8,
    H_STRINGS = 12,
    H_RSVMAP = 16,
    H_VERSION = 20,
    H_LAST_COMP = 24,
    H_STRINGS_SIZE = 32,
    H_STRUCT_SIZE = 36
};

static int with_field(const unsigned char *blob, size_t size, size_t field, uint32_t v)
{
    unsigned char *b = malloc(size);
    assert_non_null(b);
    memcpy(b, blob, size);
    put32(b, field, v);
    int rc = parse_n(b, size);
    free(b);
    return rc;
}

static void a_broken_header_is_rejected(void **state)
{
    (void)state;
    size_t n;
    unsigned char *b = ref_load("qemu-virt-smp2.dtb", &n);
    uint32_t total = get32(b, H_TOTAL), s0 = get32(b, H_STRUCT), t0 = get32(b, H_STRINGS);
    uint32_t slen = get32(b, H_STRUCT_SIZE), tlen = get32(b, H_STRINGS_SIZE);
    struct dt_platform p;
    assert_int_equal(parse_copy(b, n, &p), 0); /* the unchanged blob is good */

    assert_int_equal(dt_parse(NULL, 4096, &p), DT_EMAGIC);
    assert_int_equal(with_field(b, n, H_MAGIC, 0xedfe0dd0u), DT_EMAGIC); /* little-endian */
    assert_int_equal(with_field(b, n, H_VERSION, 16), DT_EVERSION);
    assert_int_equal(with_field(b, n, H_LAST_COMP, 18), DT_EVERSION);
    assert_int_equal(with_field(b, n, H_TOTAL, total + 1), DT_ETRUNCATED);
    assert_int_equal(with_field(b, n, H_TOTAL, 39), DT_EHEADER);
    assert_int_equal(with_field(b, n, H_RSVMAP, 36), DT_EHEADER);
    assert_int_equal(with_field(b, n, H_RSVMAP, 44), DT_EHEADER); /* 8-byte aligned */
    assert_int_equal(with_field(b, n, H_STRUCT, total + 4), DT_EHEADER);
    assert_int_equal(with_field(b, n, H_STRUCT, s0 + 2), DT_EHEADER); /* tokens are aligned */
    assert_int_equal(with_field(b, n, H_STRUCT, 32), DT_EHEADER);     /* inside the header */
    assert_int_equal(with_field(b, n, H_STRUCT_SIZE, total - s0 + 1), DT_EHEADER);
    assert_int_equal(with_field(b, n, H_STRUCT_SIZE, 0xfffffffcu), DT_EHEADER); /* wraps */
    assert_int_equal(with_field(b, n, H_STRINGS, total + 1), DT_EHEADER);
    assert_int_equal(with_field(b, n, H_STRINGS_SIZE, total - t0 + 1), DT_EHEADER);
    /* The reservation map must end (an entry of size 0) inside the blob: give every 16-byte
     * slot from its start to the end of the blob a size of 1. */
    unsigned char *nr = malloc(n);
    assert_non_null(nr);
    memcpy(nr, b, n);
    for (uint32_t e = get32(b, H_RSVMAP); e + 16 <= total; e += 16)
        put32(nr, e + 12, 1);
    assert_int_equal(parse_n(nr, n), DT_EHEADER);
    assert_int_not_equal(fdt_check_full(nr, n), 0);
    free(nr);
    /* A structure block cut short loses its FDT_END; a strings block cut short, a NUL. */
    assert_int_equal(with_field(b, n, H_STRUCT_SIZE, slen - 4), DT_ESTRUCT);
    assert_int_equal(with_field(b, n, H_STRINGS_SIZE, tlen - 1), DT_ENAME);
    free(b);
}

static void max_size_below_the_header_is_rejected(void **state)
{
    (void)state;
    size_t n;
    unsigned char *b = ref_load("qemu-virt-smp1.dtb", &n);
    assert_int_equal(parse_n(b, 0), DT_ETRUNCATED);
    assert_int_equal(parse_n(b, 3), DT_ETRUNCATED);
    assert_int_equal(parse_n(b, 39), DT_ETRUNCATED);
    assert_int_equal(parse_n(b, n - 1), DT_ETRUNCATED);
    free(b);
}

/* ---- the structure block, token by token --------------------------------------- */

/* A blob under construction: strings "timebase-frequency" (offset 0) and "compatible" (19). */
struct raw {
    unsigned char b[4096];
    size_t n; /* end of the structure block so far */
};

#define STR_TIMEBASE 0u
#define STR_COMPATIBLE 19u
static const char strings[] = "timebase-frequency\0compatible";

static void raw_init(struct raw *r)
{
    memset(r->b, 0, sizeof r->b);
    r->n = 56; /* header, then an empty reservation map (16 bytes) */
}

static void tok(struct raw *r, uint32_t v)
{
    put32(r->b, r->n, v);
    r->n += 4;
}

static void node(struct raw *r, const char *name)
{
    tok(r, FDT_BEGIN_NODE);
    size_t len = strlen(name) + 1;
    memcpy(r->b + r->n, name, len);
    r->n += (len + 3) & ~(size_t)3;
}

static void prop_u32(struct raw *r, uint32_t name, uint32_t v)
{
    tok(r, FDT_PROP);
    tok(r, 4);
    tok(r, name);
    tok(r, v);
}

/* The smallest tree the reader accepts: / { cpus { timebase-frequency = <1000000>; }; }; */
static void minimal_body(struct raw *r)
{
    node(r, "");
    node(r, "cpus");
    prop_u32(r, STR_TIMEBASE, 1000000);
    tok(r, FDT_END_NODE);
    tok(r, FDT_END_NODE);
}

/* Finishes the header (strings after the structure block) and parses the exact bytes. */
static int raw_parse(struct raw *r)
{
    size_t t0 = r->n, total = t0 + sizeof strings;
    memcpy(r->b + t0, strings, sizeof strings);
    put32(r->b, H_MAGIC, 0xd00dfeedu);
    put32(r->b, H_TOTAL, (uint32_t)total);
    put32(r->b, H_STRUCT, 56);
    put32(r->b, H_STRINGS, (uint32_t)t0);
    put32(r->b, H_RSVMAP, 40);
    put32(r->b, H_VERSION, 17);
    put32(r->b, H_LAST_COMP, 16);
    put32(r->b, H_STRINGS_SIZE, sizeof strings);
    put32(r->b, H_STRUCT_SIZE, (uint32_t)(t0 - 56));
    return parse_n(r->b, total);
}

static void the_minimal_tree_parses(void **state)
{
    (void)state;
    struct raw r;
    raw_init(&r);
    minimal_body(&r);
    tok(&r, FDT_END);
    assert_int_equal(raw_parse(&r), 0);
    assert_int_equal(fdt_check_full(r.b, get32(r.b, H_TOTAL)), 0); /* libfdt agrees it is good */
    struct dt_platform p;
    assert_int_equal(parse_copy(r.b, get32(r.b, H_TOTAL), &p), 0);
    assert_int_equal(p.timebase_hz, 1000000);
    assert_int_equal(p.nharts, 0);
    assert_false(p.uart.present);
    assert_false(p.plic.present);
    assert_int_equal(p.nvirtio, 0);
    assert_int_equal(p.memory.size, 0);
}

static void nops_are_skipped(void **state)
{
    (void)state;
    struct raw r;
    raw_init(&r);
    tok(&r, FDT_NOP);
    node(&r, "");
    tok(&r, FDT_NOP);
    node(&r, "cpus");
    tok(&r, FDT_NOP);
    prop_u32(&r, STR_TIMEBASE, 1000000);
    tok(&r, FDT_NOP);
    tok(&r, FDT_END_NODE);
    tok(&r, FDT_END_NODE);
    tok(&r, FDT_END);
    assert_int_equal(raw_parse(&r), 0);
    assert_int_equal(fdt_check_full(r.b, get32(r.b, H_TOTAL)), 0);
}

/* Between the root's end and FDT_END nothing may come, not even a NOP (libfdt agrees). */
static void only_fdt_end_follows_the_root(void **state)
{
    (void)state;
    struct raw r;
    raw_init(&r);
    minimal_body(&r);
    tok(&r, FDT_NOP);
    tok(&r, FDT_END);
    assert_int_equal(raw_parse(&r), DT_ESTRUCT);
    assert_int_not_equal(fdt_check_full(r.b, get32(r.b, H_TOTAL)), 0);
}

static void an_unknown_token_is_rejected(void **state)
{
    (void)state;
    struct raw r;
    raw_init(&r);
    node(&r, "");
    tok(&r, 5); /* between FDT_NOP (4) and FDT_END (9): unassigned */
    assert_int_equal(raw_parse(&r), DT_ETOKEN);
}

static void unbalanced_nodes_are_rejected(void **state)
{
    (void)state;
    struct raw r;
    raw_init(&r); /* FDT_END with a node still open */
    node(&r, "");
    node(&r, "cpus");
    prop_u32(&r, STR_TIMEBASE, 1000000);
    tok(&r, FDT_END_NODE);
    tok(&r, FDT_END);
    assert_int_equal(raw_parse(&r), DT_ESTRUCT);

    raw_init(&r); /* one FDT_END_NODE too many */
    minimal_body(&r);
    tok(&r, FDT_END_NODE);
    tok(&r, FDT_END);
    assert_int_equal(raw_parse(&r), DT_ESTRUCT);

    raw_init(&r); /* a second root */
    minimal_body(&r);
    minimal_body(&r);
    tok(&r, FDT_END);
    assert_int_equal(raw_parse(&r), DT_ESTRUCT);

    raw_init(&r); /* no FDT_END: the block just ends */
    minimal_body(&r);
    assert_int_equal(raw_parse(&r), DT_ESTRUCT);

    raw_init(&r); /* FDT_END before any node */
    tok(&r, FDT_END);
    assert_int_equal(raw_parse(&r), DT_ESTRUCT);
}

static void a_misplaced_property_is_rejected(void **state)
{
    (void)state;
    struct raw r;
    raw_init(&r); /* before the root */
    prop_u32(&r, STR_TIMEBASE, 1000000);
    minimal_body(&r);
    tok(&r, FDT_END);
    assert_int_equal(raw_parse(&r), DT_ESTRUCT);

    raw_init(&r); /* after a subnode: properties come first */
    node(&r, "");
    node(&r, "cpus");
    prop_u32(&r, STR_TIMEBASE, 1000000);
    tok(&r, FDT_END_NODE);
    prop_u32(&r, STR_COMPATIBLE, 0);
    tok(&r, FDT_END_NODE);
    tok(&r, FDT_END);
    assert_int_equal(raw_parse(&r), DT_ESTRUCT);
}

static void bad_names_are_rejected(void **state)
{
    (void)state;
    struct raw r;
    raw_init(&r); /* a property name outside the strings block */
    node(&r, "");
    prop_u32(&r, sizeof strings, 0);
    assert_int_equal(raw_parse(&r), DT_ENAME);

    raw_init(&r); /* a root with a name (libfdt agrees: the root's name is empty) */
    node(&r, "@");
    node(&r, "cpus");
    prop_u32(&r, STR_TIMEBASE, 1000000);
    tok(&r, FDT_END_NODE);
    tok(&r, FDT_END_NODE);
    tok(&r, FDT_END);
    assert_int_equal(raw_parse(&r), DT_ENAME);
    assert_int_not_equal(fdt_check_full(r.b, get32(r.b, H_TOTAL)), 0);

    raw_init(&r); /* a node name running to the end of the structure block */
    node(&r, "");
    tok(&r, FDT_BEGIN_NODE);
    memcpy(r.b + r.n, "cpusXXXX", 8);
    r.n += 8;
    assert_int_equal(raw_parse(&r), DT_ENAME);
}

static void a_property_past_the_block_is_rejected(void **state)
{
    (void)state;
    struct raw r;
    raw_init(&r);
    node(&r, "");
    node(&r, "cpus");
    tok(&r, FDT_PROP);
    tok(&r, 0xfffffff0u); /* its length */
    tok(&r, STR_TIMEBASE);
    tok(&r, 1000000);
    tok(&r, FDT_END_NODE);
    tok(&r, FDT_END_NODE);
    tok(&r, FDT_END);
    assert_int_equal(raw_parse(&r), DT_EPROPLEN);

    raw_init(&r); /* a property header cut by the end of the block */
    node(&r, "");
    tok(&r, FDT_PROP);
    tok(&r, 4);
    assert_int_equal(raw_parse(&r), DT_EPROPLEN);
}

static int nested(int levels)
{
    struct raw r;
    raw_init(&r);
    node(&r, "");
    node(&r, "cpus");
    prop_u32(&r, STR_TIMEBASE, 1000000);
    tok(&r, FDT_END_NODE);
    for (int i = 1; i < levels; i++)
        node(&r, "n");
    for (int i = 0; i < levels; i++)
        tok(&r, FDT_END_NODE);
    tok(&r, FDT_END);
    return raw_parse(&r);
}

static void nesting_deeper_than_the_limit_is_rejected(void **state)
{
    (void)state;
    assert_int_equal(nested(DT_MAX_DEPTH), 0);
    assert_int_equal(nested(DT_MAX_DEPTH + 1), DT_EDEPTH);
    assert_int_equal(nested(200), DT_EDEPTH);
}

/* ---- values the reader uses, in trees built with libfdt ------------------------- */

enum tweak {
    T_NONE,
    T_NO_TIMEBASE,
    T_TIMEBASE_ZERO,
    T_TIMEBASE_3_BYTES,
    T_CPU_NO_REG,
    T_CPU_ADDRESS_CELLS_3,
    T_CPU_HARTID_64BIT,
    T_ISA_UNTERMINATED,
    T_UART_WIDTH_3,
    T_UART_SHIFT_32,
    T_UART_CLOCK_64BIT,
    T_UART_REG_SHORT,
    T_UART_NO_REG,
    T_PLIC_NDEV_1024,
    T_PLIC_NO_NDEV,
    T_PLIC_CONTEXTS_ODD,
    T_VIRTIO_IRQ_EMPTY,
    T_MEMORY_SIZE_CELLS_3,
    T_UART_DISABLED_WIDTH_3,
};

#define CHECK(x) assert_int_equal((x), 0)

static void *build(enum tweak t)
{
    static char buf[4096];
    uint32_t pairs[] = {cpu_to_fdt32(1), cpu_to_fdt32(11), cpu_to_fdt32(1), cpu_to_fdt32(9)};
    uint32_t memory[] = {0, cpu_to_fdt32(0x80000000u), cpu_to_fdt32(0x8000000u)};
    CHECK(fdt_create(buf, sizeof buf));
    CHECK(fdt_finish_reservemap(buf));
    CHECK(fdt_begin_node(buf, ""));
    CHECK(fdt_property_u32(buf, "#address-cells", 2));
    CHECK(fdt_property_u32(buf, "#size-cells", t == T_MEMORY_SIZE_CELLS_3 ? 3 : 1));
    CHECK(fdt_begin_node(buf, "cpus"));
    CHECK(fdt_property_u32(buf, "#address-cells",
                           t == T_CPU_ADDRESS_CELLS_3 ? 3
                           : t == T_CPU_HARTID_64BIT  ? 2
                                                      : 1));
    CHECK(fdt_property_u32(buf, "#size-cells", 0));
    if (t == T_TIMEBASE_ZERO)
        CHECK(fdt_property_u32(buf, "timebase-frequency", 0));
    else if (t == T_TIMEBASE_3_BYTES)
        CHECK(fdt_property(buf, "timebase-frequency", "\x98\x96\x80", 3));
    else if (t != T_NO_TIMEBASE)
        CHECK(fdt_property_u32(buf, "timebase-frequency", 10000000));
    CHECK(fdt_begin_node(buf, "cpu@0"));
    CHECK(fdt_property_string(buf, "device_type", "cpu"));
    if (t == T_CPU_HARTID_64BIT)
        CHECK(fdt_property_u64(buf, "reg", 0x100000000ull));
    else if (t != T_CPU_NO_REG)
        CHECK(fdt_property_u32(buf, "reg", 0));
    if (t == T_ISA_UNTERMINATED)
        CHECK(fdt_property(buf, "riscv,isa", "rv64imac", 8));
    else
        CHECK(fdt_property_string(buf, "riscv,isa", "rv64imac"));
    CHECK(fdt_begin_node(buf, "interrupt-controller"));
    CHECK(fdt_property_string(buf, "compatible", "riscv,cpu-intc"));
    CHECK(fdt_property_u32(buf, "phandle", 1));
    CHECK(fdt_end_node(buf));
    CHECK(fdt_end_node(buf));
    CHECK(fdt_end_node(buf));
    CHECK(fdt_begin_node(buf, "memory@80000000"));
    CHECK(fdt_property_string(buf, "device_type", "memory"));
    CHECK(fdt_property(buf, "reg", memory, sizeof memory)); /* 2 address cells, 1 size cell */
    CHECK(fdt_end_node(buf));
    CHECK(fdt_begin_node(buf, "soc"));
    CHECK(fdt_property_u32(buf, "#address-cells", 1));
    CHECK(fdt_property_u32(buf, "#size-cells", 1));
    CHECK(fdt_begin_node(buf, "serial@10000000"));
    CHECK(fdt_property_string(buf, "compatible", "ns16550a"));
    if (t == T_UART_DISABLED_WIDTH_3)
        CHECK(fdt_property_string(buf, "status", "disabled"));
    if (t == T_UART_REG_SHORT)
        CHECK(fdt_property_u32(buf, "reg", 0x10000000));
    else if (t != T_UART_NO_REG)
        CHECK(fdt_property_u64(buf, "reg", 0x1000000000000100ull));
    CHECK(fdt_property_u32(buf, "interrupts", 10));
    if (t == T_UART_WIDTH_3 || t == T_UART_DISABLED_WIDTH_3)
        CHECK(fdt_property_u32(buf, "reg-io-width", 3));
    if (t == T_UART_SHIFT_32)
        CHECK(fdt_property_u32(buf, "reg-shift", 32));
    if (t == T_UART_CLOCK_64BIT)
        CHECK(fdt_property_u64(buf, "clock-frequency", 0x100000000ull));
    CHECK(fdt_end_node(buf));
    CHECK(fdt_begin_node(buf, "plic@c000000"));
    CHECK(fdt_property_string(buf, "compatible", "riscv,plic0"));
    CHECK(fdt_property_u64(buf, "reg", 0x0c00000000600000ull));
    if (t == T_PLIC_NDEV_1024)
        CHECK(fdt_property_u32(buf, "riscv,ndev", 1024));
    else if (t != T_PLIC_NO_NDEV)
        CHECK(fdt_property_u32(buf, "riscv,ndev", 96));
    CHECK(fdt_property(buf, "interrupts-extended", pairs, t == T_PLIC_CONTEXTS_ODD ? 12 : 16));
    CHECK(fdt_end_node(buf));
    CHECK(fdt_begin_node(buf, "virtio_mmio@10001000"));
    CHECK(fdt_property_string(buf, "compatible", "virtio,mmio"));
    CHECK(fdt_property_u64(buf, "reg", 0x1000100000001000ull));
    if (t == T_VIRTIO_IRQ_EMPTY)
        CHECK(fdt_property(buf, "interrupts", NULL, 0));
    else
        CHECK(fdt_property_u32(buf, "interrupts", 1));
    CHECK(fdt_end_node(buf));
    CHECK(fdt_end_node(buf));
    CHECK(fdt_end_node(buf));
    CHECK(fdt_finish(buf));
    return buf;
}

static void the_built_tree_is_read_as_written(void **state)
{
    (void)state;
    void *b = build(T_NONE);
    struct dt_platform p;
    assert_int_equal(parse_copy(b, fdt_totalsize(b), &p), 0);
    ref_check(b, &p);
    assert_int_equal(p.timebase_hz, 10000000);
    assert_int_equal(p.uart.reg.base, 0x10000000u);
    assert_int_equal(p.uart.reg.size, 0x100u);
    assert_int_equal(p.plic.s_context[0], 1);
    assert_int_equal(p.virtio[0].irq, 1);
    assert_int_equal(p.memory.size, 0x8000000u);
    /* A device the reader skips may hold values it would reject. */
    b = build(T_UART_DISABLED_WIDTH_3);
    assert_int_equal(parse_copy(b, fdt_totalsize(b), &p), 0);
    assert_false(p.uart.present);
}

static void a_malformed_value_the_reader_uses_is_rejected(void **state)
{
    (void)state;
    static const struct {
        enum tweak t;
        int rc;
        const char *what;
    } cases[] = {
        {T_NO_TIMEBASE, DT_ENOTIMEBASE, "no timebase"},
        {T_TIMEBASE_ZERO, DT_EVALUE, "timebase 0"},
        {T_TIMEBASE_3_BYTES, DT_EVALUE, "timebase of 3 bytes"},
        {T_CPU_NO_REG, DT_EVALUE, "cpu without reg"},
        {T_CPU_ADDRESS_CELLS_3, DT_EVALUE, "/cpus #address-cells 3"},
        {T_CPU_HARTID_64BIT, DT_EVALUE, "hart id beyond 32 bits"},
        {T_ISA_UNTERMINATED, DT_EVALUE, "riscv,isa without NUL"},
        {T_UART_WIDTH_3, DT_EVALUE, "reg-io-width 3"},
        {T_UART_SHIFT_32, DT_EVALUE, "reg-shift 32"},
        {T_UART_CLOCK_64BIT, DT_EVALUE, "clock beyond 32 bits"},
        {T_UART_REG_SHORT, DT_EVALUE, "UART reg shorter than its cells"},
        {T_UART_NO_REG, DT_EVALUE, "UART without reg"},
        {T_PLIC_NDEV_1024, DT_EVALUE, "riscv,ndev 1024"},
        {T_PLIC_NO_NDEV, DT_EVALUE, "PLIC without riscv,ndev"},
        {T_PLIC_CONTEXTS_ODD, DT_EVALUE, "interrupts-extended not in pairs"},
        {T_VIRTIO_IRQ_EMPTY, DT_EVALUE, "empty interrupts"},
        {T_MEMORY_SIZE_CELLS_3, DT_EVALUE, "memory under #size-cells 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        void *b = build(cases[i].t);
        assert_int_equal(fdt_check_full(b, fdt_totalsize(b)), 0); /* well-formed to libfdt */
        int rc = parse_n(b, fdt_totalsize(b));
        if (rc != cases[i].rc)
            fail_msg("%s: got %d (%s), want %d", cases[i].what, rc, dt_strerror(rc), cases[i].rc);
    }
}

/* ---- truncation ----------------------------------------------------------- */

static const char *const real_blobs[] = {"qemu-virt-smp2.dtb", "qemu-virt-smp4-blk.dtb",
                                         "opensbi-virt-smp2.dtb", "visionfive2.dtb",
                                         "edge-cases.dtb"};

/* A prefix whose header still claims the whole blob: rejected by size, at every length. */
static void every_prefix_of_a_real_blob_is_rejected(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof real_blobs / sizeof real_blobs[0]; k++) {
        size_t n;
        unsigned char *b = ref_load(real_blobs[k], &n);
        for (size_t len = 0; len < n; len++) {
            int rc = parse_n(b, len);
            if (rc != DT_ETRUNCATED)
                fail_msg("%s cut at %zu: %d (%s)", real_blobs[k], len, rc, dt_strerror(rc));
        }
        assert_int_equal(parse_n(b, n), 0);
        free(b);
    }
}

/*
 * A prefix whose header was rewritten to fit it (totalsize = the prefix, each
 * block clipped to it), as a firmware copying a blob into too small a buffer
 * might leave it: the reader sees a consistent header over a cut tree and must
 * judge it from the structure itself, reading only the prefix. It is rejected,
 * or, where the cut took only bytes nothing refers to (strings an editor such
 * as OpenSBI's libfdt left behind), read exactly as the whole blob, and libfdt
 * then finds it well formed too.
 */
static void every_consistent_truncation_is_judged_within_its_bytes(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof real_blobs / sizeof real_blobs[0]; k++) {
        size_t n;
        unsigned char *b = ref_load(real_blobs[k], &n);
        unsigned char *c = malloc(n);
        assert_non_null(c);
        struct dt_platform whole;
        assert_int_equal(parse_copy(b, n, &whole), 0);
        uint32_t s0 = get32(b, H_STRUCT), t0 = get32(b, H_STRINGS);
        uint32_t slen = get32(b, H_STRUCT_SIZE), tlen = get32(b, H_STRINGS_SIZE);
        unsigned accepted = 0;
        for (uint32_t len = 40; len < n; len++) {
            memcpy(c, b, len);
            put32(c, H_TOTAL, len);
            put32(c, H_STRUCT_SIZE, s0 >= len ? 0 : (s0 + slen > len ? len - s0 : slen));
            put32(c, H_STRINGS_SIZE, t0 >= len ? 0 : (t0 + tlen > len ? len - t0 : tlen));
            struct dt_platform p;
            int rc = parse_copy(c, len, &p);
            if (rc == 0) {
                accepted++;
                assert_memory_equal(&p, &whole, sizeof p);
                assert_int_equal(fdt_check_full(c, len), 0);
            } else if (rc > 0 || strcmp(dt_strerror(rc), "unknown error") == 0) {
                fail_msg("%s cut at %u: %d (%s)", real_blobs[k], len, rc, dt_strerror(rc));
            }
        }
        /* dtc and QEMU leave no slack: there, every cut is rejected. */
        if (strncmp(real_blobs[k], "opensbi", 7) != 0)
            assert_int_equal(accepted, 0);
        free(c);
        free(b);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_broken_header_is_rejected),
        cmocka_unit_test(max_size_below_the_header_is_rejected),
        cmocka_unit_test(the_minimal_tree_parses),
        cmocka_unit_test(nops_are_skipped),
        cmocka_unit_test(only_fdt_end_follows_the_root),
        cmocka_unit_test(an_unknown_token_is_rejected),
        cmocka_unit_test(unbalanced_nodes_are_rejected),
        cmocka_unit_test(a_misplaced_property_is_rejected),
        cmocka_unit_test(bad_names_are_rejected),
        cmocka_unit_test(a_property_past_the_block_is_rejected),
        cmocka_unit_test(nesting_deeper_than_the_limit_is_rejected),
        cmocka_unit_test(the_built_tree_is_read_as_written),
        cmocka_unit_test(a_malformed_value_the_reader_uses_is_rejected),
        cmocka_unit_test(every_prefix_of_a_real_blob_is_rejected),
        cmocka_unit_test(every_consistent_truncation_is_judged_within_its_bytes),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
