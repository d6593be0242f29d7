/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * libfdt as the reference. The checks here walk the tree their own way (libfdt's
 * lookups, phandles followed from the PLIC to the cpus) rather than the
 * reader's, so a shared mistake is unlikely.
 */
#define _POSIX_C_SOURCE 200809L /* strtok_r, strnlen */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "fdt_ref.h"

static void *load_path(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *buf = malloc(n > 0 ? (size_t)n : 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

void *ref_load(const char *name, size_t *size)
{
    char path[512];
    /* dtc's fresh build of a .dts when there is one, else the checked-in blob. */
    snprintf(path, sizeof path, "%s/%s", FDT_DTC_BLOBS, name);
    void *buf = load_path(path, size);
    if (!buf) {
        snprintf(path, sizeof path, "%s/%s", FDT_SRC_BLOBS, name);
        buf = load_path(path, size);
    }
    if (!buf)
        fail_msg("cannot read blob %s", name);
    return buf;
}

void *ref_load_checked_in(const char *name, size_t *size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", FDT_DTC_BLOBS, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL; /* no dtc: the checked-in copy is all there is */
    fclose(f);
    snprintf(path, sizeof path, "%s/%s", FDT_SRC_BLOBS, name);
    void *buf = load_path(path, size);
    if (!buf)
        fail_msg("cannot read blob %s", path);
    return buf;
}

void ref_fill(struct dt_platform *p, unsigned char pattern)
{
    memset(p, pattern, sizeof *p);
}

int ref_untouched(const struct dt_platform *p, unsigned char pattern)
{
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < sizeof *p; i++) {
        if (b[i] != pattern)
            return 0;
    }
    return 1;
}

static uint64_t cells_at(const fdt32_t *c, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 32 | fdt32_to_cpu(c[i]);
    return v;
}

static void check_reg(const void *fdt, int node, const struct dt_reg *r)
{
    int parent = fdt_parent_offset(fdt, node), len;
    int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    assert_non_null(reg);
    assert_true(len >= (ac + sc) * 4);
    assert_int_equal(r->base, cells_at(reg, ac));
    assert_int_equal(r->size, cells_at(reg + ac, sc));
}

static int is_enabled(const void *fdt, int node)
{
    const char *s = fdt_getprop(fdt, node, "status", NULL);
    return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}

static uint64_t prop_u64(const void *fdt, int node, const char *name, uint64_t dflt)
{
    int len;
    const fdt32_t *v = fdt_getprop(fdt, node, name, &len);
    if (!v)
        return dflt;
    assert_true(len == 4 || len == 8);
    return cells_at(v, len / 4);
}

static uint32_t irq_of(const void *fdt, int node)
{
    const fdt32_t *v = fdt_getprop(fdt, node, "interrupts", NULL);
    if (v)
        return fdt32_to_cpu(v[0]);
    v = fdt_getprop(fdt, node, "interrupts-extended", NULL);
    return v ? fdt32_to_cpu(v[1]) : 0;
}

static const char *dev_type(const void *fdt, int node)
{
    const char *t = fdt_getprop(fdt, node, "device_type", NULL);
    return t ? t : "";
}

/* Sstc by the ISA string's rules, written independently of the reader: lower-case, split at '_'. */
static int ref_sstc(const void *fdt, int cpu)
{
    const char *isa = fdt_getprop(fdt, cpu, "riscv,isa", NULL);
    if (fdt_stringlist_search(fdt, cpu, "riscv,isa-extensions", "sstc") >= 0)
        return 1;
    if (!isa)
        return 0;
    char buf[1024];
    size_t n = strlen(isa);
    assert_true(n < sizeof buf);
    for (size_t i = 0; i <= n; i++)
        buf[i] = (char)((isa[i] >= 'A' && isa[i] <= 'Z') ? isa[i] - 'A' + 'a' : isa[i]);
    char *save = NULL, *tok = strtok_r(buf, "_", &save);
    while ((tok = strtok_r(NULL, "_", &save)) != NULL) {
        if (!strcmp(tok, "sstc"))
            return 1;
    }
    return 0;
}

static int first_compatible(const void *fdt, const char *const *compat, int n)
{
    for (int node = fdt_next_node(fdt, -1, NULL); node >= 0;
         node = fdt_next_node(fdt, node, NULL)) {
        for (int i = 0; i < n; i++) {
            if (fdt_node_check_compatible(fdt, node, compat[i]) == 0 && is_enabled(fdt, node))
                return node;
        }
    }
    return -1;
}

static void check_harts(const void *fdt, const struct dt_platform *p)
{
    int cpus = fdt_path_offset(fdt, "/cpus"), node, n = 0;
    uint64_t timebase = prop_u64(fdt, cpus, "timebase-frequency", 0);
    fdt_for_each_subnode(node, fdt, cpus)
    {
        if (strcmp(dev_type(fdt, node), "cpu") != 0)
            continue;
        if (timebase == 0)
            timebase = prop_u64(fdt, node, "timebase-frequency", 0);
        if (n < DT_MAX_HARTS) {
            const struct dt_hart *h = &p->harts[n];
            const fdt32_t *reg = fdt_getprop(fdt, node, "reg", NULL);
            assert_non_null(reg);
            assert_int_equal(h->hartid, cells_at(reg, fdt_address_cells(fdt, cpus)));
            assert_int_equal(h->okay, is_enabled(fdt, node));
            const char *isa = fdt_getprop(fdt, node, "riscv,isa", NULL);
            if (!isa)
                isa = fdt_getprop(fdt, node, "riscv,isa-base", NULL);
            if (!isa)
                isa = "";
            assert_int_equal(strnlen(h->isa, sizeof h->isa), strnlen(isa, sizeof h->isa - 1));
            assert_memory_equal(h->isa, isa, strlen(h->isa));
            assert_int_equal(h->has_sstc, ref_sstc(fdt, node));
        }
        n++;
    }
    assert_int_equal(p->timebase_hz, timebase);
    assert_int_equal(p->nharts, n < DT_MAX_HARTS ? n : DT_MAX_HARTS);
    assert_int_equal(p->harts_ignored, n < DT_MAX_HARTS ? 0 : n - DT_MAX_HARTS);
}

static void check_memory(const void *fdt, const struct dt_platform *p)
{
    int node;
    fdt_for_each_subnode(node, fdt, 0)
    {
        if (strcmp(dev_type(fdt, node), "memory") == 0) {
            check_reg(fdt, node, &p->memory);
            return;
        }
    }
    assert_int_equal(p->memory.size, 0);
}

static void check_uart(const void *fdt, const struct dt_platform *p)
{
    static const char *const compat[] = {"ns16550a", "ns16550", "snps,dw-apb-uart"};
    int node = first_compatible(fdt, compat, 3);
    assert_int_equal(p->uart.present, node >= 0);
    if (node < 0)
        return;
    check_reg(fdt, node, &p->uart.reg);
    assert_int_equal(p->uart.irq, irq_of(fdt, node));
    assert_int_equal(p->uart.clock_hz, prop_u64(fdt, node, "clock-frequency", 0));
    assert_int_equal(p->uart.reg_shift, prop_u64(fdt, node, "reg-shift", 0));
    assert_int_equal(p->uart.reg_io_width, prop_u64(fdt, node, "reg-io-width", 1));
}

/* Each (phandle, irq) pair is a context: follow the phandle to the intc, its parent to the hart. */
static void check_plic(const void *fdt, const struct dt_platform *p)
{
    static const char *const compat[] = {"riscv,plic0", "sifive,plic-1.0.0"};
    int node = first_compatible(fdt, compat, 2), len = 0;
    int32_t want[DT_MAX_HARTS];
    for (int h = 0; h < DT_MAX_HARTS; h++)
        want[h] = -1;
    assert_int_equal(p->plic.present, node >= 0);
    if (node >= 0) {
        check_reg(fdt, node, &p->plic.reg);
        assert_int_equal(p->plic.ndev, prop_u64(fdt, node, "riscv,ndev", 0));
        const fdt32_t *ctx = fdt_getprop(fdt, node, "interrupts-extended", &len);
        for (int k = 0; ctx && k < len / 8; k++) {
            int intc = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(ctx[2 * k]));
            assert_true(intc >= 0);
            int cpu = fdt_parent_offset(fdt, intc);
            const fdt32_t *reg = fdt_getprop(fdt, cpu, "reg", NULL);
            assert_non_null(reg);
            uint32_t hart = fdt32_to_cpu(reg[0]);
            if (fdt32_to_cpu(ctx[2 * k + 1]) == 9 && hart < DT_MAX_HARTS && want[hart] < 0)
                want[hart] = k;
        }
    }
    for (int h = 0; h < DT_MAX_HARTS; h++)
        assert_int_equal(p->plic.s_context[h], want[h]);
}

static void check_virtio(const void *fdt, const struct dt_platform *p)
{
    int n = 0;
    for (int node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
         node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
        if (!is_enabled(fdt, node))
            continue;
        if (n < DT_MAX_VIRTIO) {
            check_reg(fdt, node, &p->virtio[n].reg);
            assert_int_equal(p->virtio[n].irq, irq_of(fdt, node));
        }
        n++;
    }
    assert_int_equal(p->nvirtio, n < DT_MAX_VIRTIO ? n : DT_MAX_VIRTIO);
    assert_int_equal(p->virtio_ignored, n < DT_MAX_VIRTIO ? 0 : n - DT_MAX_VIRTIO);
}

void ref_check(const void *blob, const struct dt_platform *p)
{
    assert_int_equal(fdt_check_full(blob, fdt_totalsize(blob)), 0);
    check_harts(blob, p);
    check_memory(blob, p);
    check_uart(blob, p);
    check_plic(blob, p);
    check_virtio(blob, p);
}
