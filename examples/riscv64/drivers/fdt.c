/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The device-tree reader (contract in fdt.h). One walker over the structure
 * block runs twice: the first pass checks the whole blob and every value the
 * reader uses and writes nothing; the second, on a blob now known good, makes
 * the same decisions and writes *out. So a bad blob leaves *out as it was,
 * without a copy of the (1.4 KiB) result on the stack and without a memcpy.
 *
 * Bounds: the header check establishes structure block [s0, s1) and strings
 * block [t0, t0 + tlen) inside totalsize <= max_size. The walker keeps its
 * offset p <= s1 and reads a token only when 4 bytes remain; every name and
 * value is bounds-checked before it is looked at, so no read leaves the blob.
 *
 * Copy loops and constant fills are avoided on purpose (the isa copy stops at
 * a NUL, s_context is computed per hart): gcc and clang turn those into
 * memcpy/memset calls even in freestanding code, and a kernel linked with bare
 * ld has neither.
 */
#include "fdt.h"

#include "aexec/error.h"

#define FDT_MAGIC 0xd00dfeedu
#define HEADER_SIZE 40u /* version 17 */
#define TOK_BEGIN_NODE 1u
#define TOK_END_NODE 2u
#define TOK_PROP 3u
#define TOK_NOP 4u
#define TOK_END 9u

#define IRQ_S_EXT 9u /* the supervisor external interrupt, in interrupts-extended */
#define PLIC_MAX_DEV 1023u
#define CELLS_BAD 0xffu /* a #address-cells/#size-cells we could not read */

/* The properties the reader looks at, by name; their index is their bit in node.have. */
enum prop_id {
    P_COMPATIBLE,
    P_DEVICE_TYPE,
    P_STATUS,
    P_REG,
    P_ADDRESS_CELLS,
    P_SIZE_CELLS,
    P_INTERRUPTS,
    P_INTERRUPTS_EXT,
    P_CLOCK_FREQUENCY,
    P_REG_SHIFT,
    P_REG_IO_WIDTH,
    P_NDEV,
    P_PHANDLE,
    P_LINUX_PHANDLE,
    P_ISA,
    P_ISA_BASE,
    P_ISA_EXTENSIONS,
    P_TIMEBASE,
    P_COUNT
};

static const char *const prop_names[P_COUNT] = {
    [P_COMPATIBLE] = "compatible",
    [P_DEVICE_TYPE] = "device_type",
    [P_STATUS] = "status",
    [P_REG] = "reg",
    [P_ADDRESS_CELLS] = "#address-cells",
    [P_SIZE_CELLS] = "#size-cells",
    [P_INTERRUPTS] = "interrupts",
    [P_INTERRUPTS_EXT] = "interrupts-extended",
    [P_CLOCK_FREQUENCY] = "clock-frequency",
    [P_REG_SHIFT] = "reg-shift",
    [P_REG_IO_WIDTH] = "reg-io-width",
    [P_NDEV] = "riscv,ndev",
    [P_PHANDLE] = "phandle",
    [P_LINUX_PHANDLE] = "linux,phandle",
    [P_ISA] = "riscv,isa",
    [P_ISA_BASE] = "riscv,isa-base",
    [P_ISA_EXTENSIONS] = "riscv,isa-extensions",
    [P_TIMEBASE] = "timebase-frequency",
};

/* A property value: `len` bytes at blob offset `off`. */
struct ref {
    uint32_t off, len;
};

/* The properties of the node being read; only entries whose bit is in `have` are valid. */
struct node {
    uint32_t have;
    struct ref p[P_COUNT];
};

enum kind { K_OTHER, K_ROOT, K_CPUS, K_CPU };

/* One open node. Its properties are complete ("done") once its first child or its end comes. */
struct level {
    uint32_t name;  /* blob offset of the node's name */
    uint8_t ac, sc; /* #address-cells and #size-cells it gives its children */
    uint8_t kind;   /* enum kind */
    uint8_t done;   /* its properties were read; a property now is misplaced */
    int8_t hart;    /* K_CPU: its slot in harts[], -1 if beyond DT_MAX_HARTS */
};

struct walk {
    const uint8_t *b;
    uint32_t s0, s1;         /* structure block */
    uint32_t t0, tlen;       /* strings block */
    struct dt_platform *out; /* NULL in the checking pass */

    uint64_t timebase; /* 0 until /cpus or a cpu node gives it */
    int have_memory, have_uart, have_plic;
    struct ref plic_contexts; /* its interrupts-extended */
    uint32_t nharts, harts_ignored, nvirtio, virtio_ignored;
    uint32_t hartid[DT_MAX_HARTS];
    uint32_t intc_phandle[DT_MAX_HARTS];
    uint32_t intc_have; /* bit i: intc_phandle[i] is known */

    uint32_t depth; /* lv[depth] is the innermost open node; lv[0] stands above the root */
    struct level lv[DT_MAX_DEPTH + 1];
    struct node cur;
};

/* ---- bytes and strings (no libc) ------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether [s, s + n) equals the NUL-terminated lower-case `word`, ignoring case. */
static int word_eq(const char *s, uint32_t n, const char *word)
{
    uint32_t i = 0;
    for (; i < n && word[i]; i++) {
        if (lower(s[i]) != word[i])
            return 0;
    }
    return i == n && word[i] == 0;
}

/* The length of the string at blob offset `off`, if its NUL comes before `end`; else -1. */
static int64_t strnlen_to(const struct walk *w, uint32_t off, uint32_t end)
{
    for (uint32_t i = off; i < end; i++) {
        if (w->b[i] == 0)
            return (int64_t)(i - off);
    }
    return -1;
}

static const char *str_at(const struct walk *w, uint32_t off)
{
    return (const char *)(w->b + off);
}

/* ---- property values ------------------------------------------------------- */

static int have(const struct walk *w, enum prop_id id)
{
    return (w->cur.have >> id) & 1u;
}

static struct ref prop(const struct walk *w, enum prop_id id)
{
    return w->cur.p[id];
}

/* Whether string list `r` has an entry equal to `want` (an unterminated tail matches nothing). */
static int list_has(const struct walk *w, struct ref r, const char *want)
{
    uint32_t end = r.off + r.len;
    for (uint32_t s = r.off; s < end;) {
        int64_t n = strnlen_to(w, s, end);
        if (n < 0)
            return 0;
        if (streq(str_at(w, s), want))
            return 1;
        s += (uint32_t)n + 1;
    }
    return 0;
}

static int has_compatible(const struct walk *w, const char *want)
{
    return have(w, P_COMPATIBLE) && list_has(w, prop(w, P_COMPATIBLE), want);
}

/* A string property equal to `want` (exactly one string). */
static int str_is(const struct walk *w, enum prop_id id, const char *want)
{
    if (!have(w, id))
        return 0;
    struct ref r = prop(w, id);
    return r.len > 0 && strnlen_to(w, r.off, r.off + r.len) == (int64_t)r.len - 1 &&
           streq(str_at(w, r.off), want);
}

/* Enabled unless a status other than "okay" (or the older "ok") says otherwise. */
static int enabled(const struct walk *w)
{
    return !have(w, P_STATUS) || str_is(w, P_STATUS, "okay") || str_is(w, P_STATUS, "ok");
}

/* `n` (1 or 2) big-endian cells at blob offset `off`. */
static uint64_t cells(const struct walk *w, uint32_t off, uint32_t n)
{
    uint64_t v = be32(w->b + off);
    return n == 2 ? v << 32 | be32(w->b + off + 4) : v;
}

/* A property of exactly one cell. Absent: `dflt`. */
static int read_u32(const struct walk *w, enum prop_id id, uint32_t dflt, uint32_t *v)
{
    if (!have(w, id)) {
        *v = dflt;
        return 0;
    }
    struct ref r = prop(w, id);
    if (r.len != 4)
        return DT_EVALUE;
    *v = be32(w->b + r.off);
    return 0;
}

/* A property of one or two cells (a frequency may be either). */
static int read_u64(const struct walk *w, enum prop_id id, uint64_t *v)
{
    struct ref r = prop(w, id);
    if (r.len != 4 && r.len != 8)
        return DT_EVALUE;
    *v = cells(w, r.off, r.len / 4);
    return 0;
}

/* The first (address, size) entry of this node's reg, in its parent's cells. */
static int read_reg(const struct walk *w, struct dt_reg *reg)
{
    const struct level *up = &w->lv[w->depth - 1];
    uint32_t ac = up->ac, sc = up->sc;
    if (!have(w, P_REG) || ac < 1 || ac > 2 || sc > 2)
        return DT_EVALUE;
    struct ref r = prop(w, P_REG);
    if (r.len < (ac + sc) * 4)
        return DT_EVALUE;
    reg->base = cells(w, r.off, ac);
    reg->size = sc ? cells(w, r.off + ac * 4, sc) : 0;
    return 0;
}

/* The device's PLIC source: the first cell of interrupts, else the irq of the first pair of
 * interrupts-extended; 0 if it has neither. */
static int read_irq(const struct walk *w, uint32_t *irq)
{
    *irq = 0;
    if (have(w, P_INTERRUPTS)) {
        struct ref r = prop(w, P_INTERRUPTS);
        if (r.len < 4)
            return DT_EVALUE;
        *irq = be32(w->b + r.off);
    } else if (have(w, P_INTERRUPTS_EXT)) {
        struct ref r = prop(w, P_INTERRUPTS_EXT);
        if (r.len < 8)
            return DT_EVALUE;
        *irq = be32(w->b + r.off + 4);
    }
    return 0;
}

/* A #address-cells/#size-cells value, or CELLS_BAD if unreadable (an error only if used). */
static uint8_t read_cells_count(const struct walk *w, enum prop_id id, uint8_t dflt)
{
    uint32_t v;
    if (read_u32(w, id, dflt, &v) != 0 || v > 2)
        return CELLS_BAD;
    return (uint8_t)v;
}

/* ---- what the reader extracts ------------------------------------------------- */

/* Sstc in an ISA string: one of the underscore-separated extensions after the base. */
static int isa_has_sstc(const char *isa)
{
    const char *s = isa;
    while (*s && *s != '_')
        s++;
    while (*s == '_') {
        const char *e = ++s;
        while (*e && *e != '_')
            e++;
        if (word_eq(s, (uint32_t)(e - s), "sstc"))
            return 1;
        s = e;
    }
    return 0;
}

static void copy_isa(char *dst, const char *src)
{
    uint32_t i = 0;
    for (; i < DT_ISA_MAX - 1 && src[i]; i++)
        dst[i] = src[i];
    dst[i] = 0;
}

static int finish_cpu(struct walk *w, struct level *me)
{
    const struct level *up = &w->lv[w->depth - 1];
    int err;
    /* The hart id is the reg address; /cpus has #size-cells 0. */
    if (!have(w, P_REG) || up->ac < 1 || up->ac > 2 || prop(w, P_REG).len < up->ac * 4u)
        return DT_EVALUE;
    uint64_t id = cells(w, prop(w, P_REG).off, up->ac);
    if (id > UINT32_MAX)
        return DT_EVALUE;
    if (w->timebase == 0 && have(w, P_TIMEBASE)) { /* /cpus has none */
        if ((err = read_u64(w, P_TIMEBASE, &w->timebase)) != 0)
            return err;
        if (w->timebase == 0)
            return DT_EVALUE;
    }
    enum prop_id isa_id = have(w, P_ISA) ? P_ISA : P_ISA_BASE;
    const char *isa = "";
    if (have(w, isa_id)) {
        struct ref r = prop(w, isa_id);
        if (strnlen_to(w, r.off, r.off + r.len) < 0)
            return DT_EVALUE; /* unterminated: not a string */
        isa = str_at(w, r.off);
    }
    int sstc = isa_has_sstc(isa) ||
               (have(w, P_ISA_EXTENSIONS) && list_has(w, prop(w, P_ISA_EXTENSIONS), "sstc"));

    if (w->nharts == DT_MAX_HARTS) {
        w->harts_ignored++;
        me->hart = -1;
        return 0;
    }
    me->hart = (int8_t)w->nharts;
    w->hartid[w->nharts] = (uint32_t)id;
    if (w->out) {
        struct dt_hart *h = &w->out->harts[w->nharts];
        h->hartid = (uint32_t)id;
        h->okay = enabled(w);
        copy_isa(h->isa, isa);
        h->has_sstc = sstc;
    }
    w->nharts++;
    return 0;
}

/* A cpu's riscv,cpu-intc child: its phandle is how the PLIC names the hart. */
static int finish_cpu_intc(struct walk *w)
{
    int slot = w->lv[w->depth - 1].hart;
    enum prop_id id = have(w, P_PHANDLE) ? P_PHANDLE : P_LINUX_PHANDLE;
    uint32_t ph;
    if (!have(w, id))
        return 0; /* nothing refers to it */
    int err = read_u32(w, id, 0, &ph);
    if (err != 0)
        return err;
    if (slot >= 0 && !(w->intc_have >> slot & 1u)) {
        w->intc_phandle[slot] = ph;
        w->intc_have |= 1u << slot;
    }
    return 0;
}

/* Field by field: a struct initializer may become a memset call (clang -O0 makes one). */
static void set_uart(struct dt_uart *u, int present, uint64_t base, uint64_t size, uint32_t irq,
                     uint32_t clock_hz, uint32_t shift, uint32_t width)
{
    u->present = present;
    u->reg.base = base;
    u->reg.size = size;
    u->irq = irq;
    u->clock_hz = clock_hz;
    u->reg_shift = shift;
    u->reg_io_width = width;
}

static int finish_uart(struct walk *w)
{
    struct dt_reg reg;
    uint32_t irq, shift, width;
    uint64_t clock = 0;
    int err;
    if ((err = read_reg(w, &reg)) != 0 || (err = read_irq(w, &irq)) != 0 ||
        (err = read_u32(w, P_REG_SHIFT, 0, &shift)) != 0 ||
        (err = read_u32(w, P_REG_IO_WIDTH, 1, &width)) != 0)
        return err;
    if (have(w, P_CLOCK_FREQUENCY) && (err = read_u64(w, P_CLOCK_FREQUENCY, &clock)) != 0)
        return err;
    if (clock > UINT32_MAX || shift > 31 || (width != 1 && width != 2 && width != 4))
        return DT_EVALUE;
    w->have_uart = 1;
    if (w->out)
        set_uart(&w->out->uart, 1, reg.base, reg.size, irq, (uint32_t)clock, shift, width);
    return 0;
}

static int finish_plic(struct walk *w)
{
    struct dt_reg reg;
    uint32_t ndev;
    int err;
    if ((err = read_reg(w, &reg)) != 0)
        return err;
    if (!have(w, P_NDEV) || (err = read_u32(w, P_NDEV, 0, &ndev)) != 0 || ndev > PLIC_MAX_DEV)
        return DT_EVALUE;
    w->plic_contexts.off = w->plic_contexts.len = 0;
    if (have(w, P_INTERRUPTS_EXT)) {
        w->plic_contexts = prop(w, P_INTERRUPTS_EXT);
        if (w->plic_contexts.len % 8 != 0)
            return DT_EVALUE; /* (phandle, irq) pairs: cpu intcs have one interrupt cell */
    }
    w->have_plic = 1;
    if (w->out) {
        w->out->plic.present = 1;
        w->out->plic.reg.base = reg.base;
        w->out->plic.reg.size = reg.size;
        w->out->plic.ndev = ndev;
    }
    return 0;
}

static int finish_virtio(struct walk *w)
{
    struct dt_reg reg;
    uint32_t irq;
    int err;
    if ((err = read_reg(w, &reg)) != 0 || (err = read_irq(w, &irq)) != 0)
        return err;
    if (w->nvirtio == DT_MAX_VIRTIO) {
        w->virtio_ignored++;
        return 0;
    }
    if (w->out) {
        struct dt_virtio *v = &w->out->virtio[w->nvirtio];
        v->reg.base = reg.base;
        v->reg.size = reg.size;
        v->irq = irq;
    }
    w->nvirtio++;
    return 0;
}

/* A node's properties are all read (its first child or its end came): act on them. */
static int finish_node(struct walk *w)
{
    struct level *me = &w->lv[w->depth];
    const struct level *up = &w->lv[w->depth - 1];
    int err;
    me->done = 1;
    me->ac = read_cells_count(w, P_ADDRESS_CELLS, 2);
    me->sc = read_cells_count(w, P_SIZE_CELLS, 1);

    if (w->depth == 1) {
        me->kind = K_ROOT;
        return 0;
    }
    if (up->kind == K_ROOT && streq(str_at(w, me->name), "cpus")) {
        me->kind = K_CPUS;
        if (have(w, P_TIMEBASE)) {
            if ((err = read_u64(w, P_TIMEBASE, &w->timebase)) != 0)
                return err;
            if (w->timebase == 0)
                return DT_EVALUE;
        }
        return 0;
    }
    if (up->kind == K_CPUS && str_is(w, P_DEVICE_TYPE, "cpu")) {
        me->kind = K_CPU;
        return finish_cpu(w, me);
    }
    if (up->kind == K_CPU && has_compatible(w, "riscv,cpu-intc"))
        return finish_cpu_intc(w);
    if (up->kind == K_ROOT && str_is(w, P_DEVICE_TYPE, "memory") && !w->have_memory) {
        struct dt_reg reg;
        if ((err = read_reg(w, &reg)) != 0)
            return err;
        w->have_memory = 1;
        if (w->out) {
            w->out->memory.base = reg.base;
            w->out->memory.size = reg.size;
        }
        return 0;
    }
    if (!enabled(w))
        return 0;
    if (!w->have_uart && (has_compatible(w, "ns16550a") || has_compatible(w, "ns16550") ||
                          has_compatible(w, "snps,dw-apb-uart")))
        return finish_uart(w);
    if (!w->have_plic &&
        (has_compatible(w, "riscv,plic0") || has_compatible(w, "sifive,plic-1.0.0")))
        return finish_plic(w);
    if (has_compatible(w, "virtio,mmio"))
        return finish_virtio(w);
    return 0;
}

/* The PLIC context whose (phandle, irq) pair is hart `id`'s supervisor external interrupt. */
static int32_t s_context_of(const struct walk *w, uint32_t id)
{
    for (uint32_t i = 0; i < w->nharts; i++) {
        if (w->hartid[i] != id)
            continue;
        if (!(w->intc_have >> i & 1u))
            return -1;
        struct ref r = w->plic_contexts;
        for (uint32_t k = 0; k < r.len / 8; k++) {
            if (be32(w->b + r.off + 8 * k) == w->intc_phandle[i] &&
                be32(w->b + r.off + 8 * k + 4) == IRQ_S_EXT)
                return (int32_t)k;
        }
        return -1;
    }
    return -1;
}

/* ---- the structure block ------------------------------------------------------ */

/* p + n, but never past the structure block (what lies beyond is not read). */
static uint32_t advance(const struct walk *w, uint32_t p, uint32_t n)
{
    return n > w->s1 - p ? w->s1 : p + n;
}

static uint32_t align4(uint32_t n)
{
    return n > UINT32_MAX - 3 ? UINT32_MAX : (n + 3) & ~3u;
}

static void note_prop(struct walk *w, uint32_t name, uint32_t off, uint32_t len)
{
    for (uint32_t id = 0; id < P_COUNT; id++) {
        if (streq(str_at(w, name), prop_names[id])) {
            if (!have(w, (enum prop_id)id)) { /* the first wins, as with libfdt */
                w->cur.p[id].off = off;
                w->cur.p[id].len = len;
                w->cur.have |= 1u << id;
            }
            return;
        }
    }
}

static int begin_node(struct walk *w, uint32_t *p, int *root_seen)
{
    int err;
    if (w->depth > 0 && !w->lv[w->depth].done && (err = finish_node(w)) != 0)
        return err;
    int64_t n = strnlen_to(w, *p, w->s1);
    if (n < 0 || (w->depth == 0 && n != 0))
        return DT_ENAME; /* unterminated, or a root with a name (it has none: "/") */
    if (w->depth == DT_MAX_DEPTH)
        return DT_EDEPTH;
    *root_seen = 1;
    struct level *lv = &w->lv[++w->depth];
    lv->name = *p;
    lv->ac = 2;
    lv->sc = 1;
    lv->kind = K_OTHER;
    lv->done = 0;
    lv->hart = -1;
    w->cur.have = 0;
    *p = advance(w, *p, align4((uint32_t)n + 1));
    return 0;
}

static int property(struct walk *w, uint32_t *p)
{
    if (w->depth == 0 || w->lv[w->depth].done)
        return DT_ESTRUCT; /* outside the root, or after a subnode */
    if (w->s1 - *p < 8)
        return DT_EPROPLEN;
    uint32_t len = be32(w->b + *p), name = be32(w->b + *p + 4);
    uint32_t val = *p + 8;
    if (len > w->s1 - val)
        return DT_EPROPLEN;
    if (name >= w->tlen || strnlen_to(w, w->t0 + name, w->t0 + w->tlen) < 0)
        return DT_ENAME;
    note_prop(w, w->t0 + name, val, len);
    *p = advance(w, val, align4(len));
    return 0;
}

static int walk(struct walk *w, struct dt_platform *out)
{
    uint32_t p = w->s0;
    int root_seen = 0, err;
    w->out = out;
    w->timebase = 0;
    w->have_memory = w->have_uart = w->have_plic = 0;
    w->plic_contexts.off = w->plic_contexts.len = 0;
    w->nharts = w->harts_ignored = w->nvirtio = w->virtio_ignored = 0;
    w->intc_have = 0;
    w->depth = 0;
    w->lv[0].ac = 2;
    w->lv[0].sc = 1;
    w->lv[0].kind = K_OTHER;
    w->lv[0].done = 1;
    w->lv[0].hart = -1;
    w->cur.have = 0;

    for (;;) {
        if (w->s1 - p < 4)
            return DT_ESTRUCT; /* the block ends before FDT_END */
        uint32_t tok = be32(w->b + p);
        p += 4;
        if (root_seen && w->depth == 0 && tok != TOK_END)
            return DT_ESTRUCT; /* after the root closes, only FDT_END (as libfdt demands) */
        switch (tok) {
        case TOK_BEGIN_NODE: err = begin_node(w, &p, &root_seen); break;
        case TOK_END_NODE:
            if (w->depth == 0)
                return DT_ESTRUCT;
            err = w->lv[w->depth].done ? 0 : finish_node(w);
            w->depth--;
            break;
        case TOK_PROP: err = property(w, &p); break;
        case TOK_NOP: err = 0; break;
        case TOK_END:
            if (!root_seen || w->depth != 0)
                return DT_ESTRUCT;
            return w->timebase != 0 ? 0 : DT_ENOTIMEBASE;
        default: return DT_ETOKEN;
        }
        if (err != 0)
            return err;
    }
}

/* After the writing walk: what only the whole tree tells, and what it did not name. */
static void finish(const struct walk *w, struct dt_platform *out)
{
    out->timebase_hz = w->timebase;
    if (!w->have_memory)
        out->memory.base = out->memory.size = 0;
    out->nharts = w->nharts;
    out->harts_ignored = w->harts_ignored;
    if (!w->have_uart)
        set_uart(&out->uart, 0, 0, 0, 0, 0, 0, 0);
    if (!w->have_plic) {
        out->plic.present = 0;
        out->plic.reg.base = out->plic.reg.size = 0;
        out->plic.ndev = 0;
    }
    for (uint32_t id = 0; id < DT_MAX_HARTS; id++)
        out->plic.s_context[id] = s_context_of(w, id);
    out->nvirtio = w->nvirtio;
    out->virtio_ignored = w->virtio_ignored;
}

/* ---- the header ------------------------------------------------------------- */

static int check_header(struct walk *w, const void *blob, size_t max_size)
{
    const uint8_t *b = blob;
    if (b == NULL)
        return DT_EMAGIC;
    if (max_size < 4)
        return DT_ETRUNCATED;
    if (be32(b) != FDT_MAGIC)
        return DT_EMAGIC;
    if (max_size < HEADER_SIZE)
        return DT_ETRUNCATED;
    uint32_t total = be32(b + 4), s0 = be32(b + 8), t0 = be32(b + 12), rsv = be32(b + 16);
    uint32_t version = be32(b + 20), last_comp = be32(b + 24);
    uint32_t tlen = be32(b + 32), slen = be32(b + 36);
    if (version < 17 || last_comp > 17)
        return DT_EVERSION;
    if (total > max_size)
        return DT_ETRUNCATED;
    if (total < HEADER_SIZE || rsv < HEADER_SIZE || rsv > total || rsv % 8 != 0 ||
        s0 < HEADER_SIZE || s0 > total || slen > total - s0 || s0 % 4 != 0 || t0 < HEADER_SIZE ||
        t0 > total || tlen > total - t0)
        return DT_EHEADER;
    /* The memory reservation map: 16-byte (address, size) entries up to one of size 0. */
    for (uint32_t e = rsv;; e += 16) {
        if (total - e < 16)
            return DT_EHEADER;
        if ((be32(b + e + 8) | be32(b + e + 12)) == 0)
            break;
    }
    w->b = b;
    w->s0 = s0;
    w->s1 = s0 + slen;
    w->t0 = t0;
    w->tlen = tlen;
    return 0;
}

int dt_parse(const void *blob, size_t max_size, struct dt_platform *out)
{
    struct walk w;
    AEXEC_ASSERT(out != NULL, "dt_parse: out is NULL");
    int err = check_header(&w, blob, max_size);
    if (err == 0)
        err = walk(&w, NULL); /* checks everything, writes nothing */
    if (err == 0)
        err = walk(&w, out); /* the same walk on a good blob: it writes and cannot fail */
    if (err == 0)
        finish(&w, out);
    return err;
}

int dt_sstc_on_every_hart(const struct dt_platform *p)
{
    int enabled_harts = 0;
    for (uint32_t i = 0; i < p->nharts; i++) {
        if (!p->harts[i].okay)
            continue;
        if (!p->harts[i].has_sstc)
            return 0;
        enabled_harts++;
    }
    return enabled_harts > 0 && p->harts_ignored == 0;
}

const char *dt_strerror(int err)
{
    switch (err) {
    case 0: return "no error";
    case DT_EMAGIC: return "EMAGIC: not a flattened device tree (NULL or bad magic)";
    case DT_ETRUNCATED: return "ETRUNCATED: blob larger than the memory it was given";
    case DT_EVERSION: return "EVERSION: not a version 17 device tree";
    case DT_EHEADER:
        return "EHEADER: a header block out of bounds, or an unterminated reservation map";
    case DT_ETOKEN: return "ETOKEN: unknown token in the structure block";
    case DT_ESTRUCT: return "ESTRUCT: unbalanced nodes, misplaced property or no FDT_END";
    case DT_ENAME: return "ENAME: a name unterminated or out of bounds, or a named root";
    case DT_EPROPLEN: return "EPROPLEN: a property value runs past the structure block";
    case DT_EDEPTH: return "EDEPTH: nodes nested too deep";
    case DT_EVALUE: return "EVALUE: a property the reader uses has a malformed value";
    case DT_ENOTIMEBASE: return "ENOTIMEBASE: no timebase-frequency in /cpus or a cpu node";
    default: return "unknown error";
    }
}
