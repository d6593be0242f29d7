/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The libaexec demo kernel for QEMU virt (2 harts, S-mode under OpenSBI).
 *
 * Boot (the hart OpenSBI starts, "hart 0" below whatever its id): reads
 * the device tree from a1, programs the PLIC and the console UART from it,
 * starts an executor at the tree's timebase and a ticker task, then starts
 * the other hart. The UART's interrupt is routed to hart 0 alone; its
 * handler only moves bytes and wakes.
 * Hart 1: an executor of its own running the shell, whose reads are woken
 * across harts by the interrupt on hart 0.
 *
 * Device addresses come from the tree. Only when a1 is 0 (no tree at all)
 * does the kernel fall back to QEMU virt's layout; a tree that is present
 * but malformed is rejected and the kernel powers off.
 */
#include "demo.h"

#include "cmd_blk.h"
#include "fdt.h"
#include "kboot.h"
#include "kpanic.h"
#include "kprint.h"
#include "shell.h"

/* QEMU virt, for a boot without a device tree only. */
#define FALLBACK_TIMEBASE 10000000u
#define FALLBACK_UART 0x10000000u
#define FALLBACK_UART_IRQ 10u
#define FALLBACK_PLIC 0x0c000000u
#define FALLBACK_PLIC_NDEV 95u
/* A blob larger than this is not a QEMU or board tree: refuse to read that far. */
#define DT_MAX_BYTES (1u << 20)

struct hart harts[DEMO_HARTS];
uint64_t timebase_hz;
struct uart16550 console;
struct plic plic;
uint32_t console_irq;
aexec_mutex console_lock;
struct counted_task *demo_tasks[DEMO_MAX_TASKS];
unsigned demo_ntasks;

static struct plic_handler plic_table[PLIC_MAX_SOURCES + 1];
static uint16_t console_rx[1024];
static uint8_t console_tx[1024];
static struct dt_platform platform;
static uint8_t hart1_stack[16384] __attribute__((aligned(16)));

/* ---- boot failures (the SBI console: the UART driver may not run yet) ---- */

_Noreturn static void boot_fail(const char *what, const char *why)
{
    kputs("boot: ");
    kputs(what);
    kputs(": ");
    kputs(why);
    kputs("; powering off\n");
    aexec_riscv_sbi_shutdown();
}

/* ---- harts, idle accounting, counted tasks ------------------------------ */

uint64_t demo_now(void)
{
    return aexec_riscv_rdtime();
}

uint64_t demo_idle(unsigned h)
{
    const struct hart *t = &harts[h];
    for (;;) {
        uint32_t g = atomic_load(&t->idle_gen);
        uint64_t idle = atomic_load(&t->idle_ticks);
        uint64_t since = atomic_load(&t->wfi_start);
        uint64_t now = demo_now();
        if (atomic_load(&t->idle_gen) != g)
            continue; /* it went into or out of wfi meanwhile */
        return (g & 1u) && now > since ? idle + (now - since) : idle;
    }
}

/*
 * The backend's idle (riscv64.c) with the time in wfi counted: SIE off,
 * look at the pend flag, wfi, SIE on. The interrupt that ends wfi is taken
 * after the second rdtime, so handler time counts as busy.
 */
static void counting_idle(void *ctx)
{
    struct hart *h = ctx; /* ctx is &h->rv, the first member */
    __asm__ __volatile__("csrc sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
    if (!atomic_exchange_explicit(&h->rv.pended, 0u, memory_order_acquire)) {
        atomic_fetch_add_explicit(&h->wfis, 1u, memory_order_relaxed);
        uint64_t t0 = aexec_riscv_rdtime();
        atomic_store(&h->wfi_start, t0);
        atomic_fetch_add(&h->idle_gen, 1u); /* odd: in wfi */
        __asm__ __volatile__("wfi" ::: "memory");
        uint64_t t1 = aexec_riscv_rdtime();
        atomic_store(&h->idle_ticks, atomic_load(&h->idle_ticks) + (t1 - t0));
        atomic_fetch_add(&h->idle_gen, 1u); /* even: awake */
    }
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
}

static void hart_executor_init(struct hart *h)
{
    if (aexec_riscv_executor_init(&h->ex, &h->rv, h->hartid, timebase_hz) != 0)
        boot_fail("executor", "aexec_riscv_executor_init failed");
    h->port = *h->ex.port; /* the backend's hooks, with idle wrapped */
    h->port.idle = counting_idle;
    if (aexec_executor_init(&h->ex, &h->port, &h->rv, timebase_hz) != 0)
        boot_fail("executor", "aexec_executor_init failed");
    /* AEXEC_ENOTSUP in a library built without AEXEC_STATS: `tasks` says so. */
    (void)aexec_stats_init(&h->ex, h->stats, 8);
}

static aexec_poll counted_poll(aexec_task *t, aexec_cx *cx)
{
    struct counted_task *c = AEXEC_CONTAINER_OF(t, struct counted_task, task);
    atomic_fetch_add_explicit(&c->polls, 1u, memory_order_relaxed);
    return c->body(t, cx);
}

int demo_spawn(struct counted_task *t, unsigned h, const char *name, aexec_poll_fn body)
{
    unsigned i = 0;
    while (i < demo_ntasks && demo_tasks[i] != t)
        i++;
    if (i == DEMO_MAX_TASKS)
        return AEXEC_EFULL;
    if (aexec_task_is_alive(&t->task))
        return AEXEC_EBUSY;
    t->body = body;
    t->name = name;
    t->hart = h;
    if (i == demo_ntasks)
        demo_tasks[demo_ntasks++] = t;
    int r = aexec_spawn(&harts[h].ex, &t->task, counted_poll);
    /* Called on hart h (or at its boot, before its executor runs), as the
     * stats table wants. */
    if (r == 0)
        (void)aexec_stats_track(&harts[h].ex, &t->task, name);
    return r;
}

uint32_t demo_uart_reg_read(uint32_t reg)
{
    uintptr_t a = console.base + ((uintptr_t)reg << console.shift);
    return console.width == 4 ? *(volatile uint32_t *)a : *(volatile uint8_t *)a;
}

void demo_uart_reg_write(uint32_t reg, uint32_t value)
{
    uintptr_t a = console.base + ((uintptr_t)reg << console.shift);
    if (console.width == 4)
        *(volatile uint32_t *)a = value;
    else
        *(volatile uint8_t *)a = (uint8_t)value;
}

/* ---- traps ---------------------------------------------------------------- */

void trap_handler(unsigned long scause)
{
    struct hart *h;
    __asm__ __volatile__("csrr %0, sscratch" : "=r"(h));
    atomic_store_explicit(&h->in_trap, 1u, memory_order_relaxed); /* no nesting: SIE is off */
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        atomic_fetch_add_explicit(&h->traps[0], 1u, memory_order_relaxed);
        aexec_riscv_on_timer_irq(&h->rv);
    } else if (scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        atomic_fetch_add_explicit(&h->traps[1], 1u, memory_order_relaxed);
        aexec_riscv_on_soft_irq();
    } else if (scause == (SCAUSE_INTERRUPT | IRQ_S_EXT)) {
        atomic_fetch_add_explicit(&h->traps[2], 1u, memory_order_relaxed);
        (void)plic_on_irq(&plic, (uint32_t)h->plic_context);
    } else {
        kpanic_trap(scause, (long)h->hartid);
    }
    atomic_store_explicit(&h->in_trap, 0u, memory_order_relaxed);
}

static void trap_setup(struct hart *h, int external)
{
    unsigned long sie = (1ul << IRQ_S_TIMER) | (1ul << IRQ_S_SOFT);
    if (external)
        sie |= 1ul << IRQ_S_EXT;
    __asm__ __volatile__("csrw sscratch, %0" ::"r"(h));
    __asm__ __volatile__("csrw stvec, %0" ::"r"(trap_entry));
    __asm__ __volatile__("csrs sie, %0" ::"r"(sie));
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
}

static void uart_irq(void *ctx)
{
    uart16550_on_irq(ctx);
}

/* ---- the ticker (hart 0) ---------------------------------------------------- */

struct ticker_task {
    struct counted_task t;
    aexec_co co;
    aexec_ticker ticker;
    aexec_mutex_lock lk;
    struct console_out out;
    uint64_t n;
    int locked;
};

static aexec_poll ticker_poll(aexec_task *task, aexec_cx *cx)
{
    struct ticker_task *k = AEXEC_CONTAINER_OF(task, struct ticker_task, t.task);
    AEXEC_CO_BEGIN(&k->co, cx);
    (void)aexec_ticker_init(&k->ticker, 2, 1); /* every 2 s */
    for (;;) {
        /* Armed afresh before the wait for the tick: a lock op that was
         * granted keeps reporting that grant to its cancel, so a cancel
         * during this wait would otherwise unlock the console twice. */
        aexec_mutex_lock_init(&k->lk, &console_lock);
        AEXEC_AWAIT(aexec_ticker_poll(&k->ticker, cx));
        k->n++;
        AEXEC_AWAIT(aexec_mutex_lock_poll(&k->lk, cx));
        k->locked = 1;
        out_reset(&k->out);
        out_str(&k->out, "[ticker on hart ");
        out_u64(&k->out, harts[0].hartid);
        out_str(&k->out, "] uptime ");
        out_fixed(&k->out, demo_now(), timebase_hz, 3);
        out_str(&k->out, " s, tick ");
        out_u64(&k->out, k->n);
        out_nl(&k->out);
        AEXEC_AWAIT(out_send_poll(&k->out, cx));
        k->locked = 0;
        aexec_mutex_unlock(&console_lock);
    }
    AEXEC_CO_FINALLY;
    aexec_ticker_cancel(&k->ticker);
    (void)out_send_cancel(&k->out);
    if (k->locked || aexec_mutex_lock_cancel(&k->lk))
        aexec_mutex_unlock(&console_lock);
    AEXEC_CO_END;
}

static struct ticker_task ticker;
static struct shell shell;

/* ---- boot ------------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Fills `platform` from the tree at `dtb`, or from QEMU virt's layout when there is none. */
static void read_platform(unsigned long hartid, unsigned long dtb)
{
    if (dtb == 0) {
        kputs("boot: no device tree (a1 = 0): using QEMU virt's layout\n");
        platform.timebase_hz = FALLBACK_TIMEBASE;
        /* Field by field: a kernel linked with bare ld has no memset for a
         * compound literal to call. `platform` is static, so zero elsewhere. */
        platform.uart.present = 1;
        platform.uart.reg.base = FALLBACK_UART;
        platform.uart.reg.size = 0x100;
        platform.uart.irq = FALLBACK_UART_IRQ;
        platform.uart.reg_io_width = 1;
        platform.plic.present = 1;
        platform.plic.reg.base = FALLBACK_PLIC;
        platform.plic.ndev = FALLBACK_PLIC_NDEV;
        for (uint32_t h = 0; h < DT_MAX_HARTS; h++)
            platform.plic.s_context[h] = (int32_t)(2u * h + 1u);
        platform.nharts = DEMO_HARTS;
        platform.harts[0].hartid = (uint32_t)hartid;
        platform.harts[0].okay = 1;
        platform.harts[1].hartid = (uint32_t)hartid ^ 1u;
        platform.harts[1].okay = 1;
        return;
    }
    const uint8_t *blob = (const uint8_t *)dtb;
    /* The header says how long the blob is; read no further than that. */
    uint32_t size = be32(blob + 4);
    if (size > DT_MAX_BYTES)
        size = DT_MAX_BYTES;
    int rc = dt_parse(blob, size, &platform);
    if (rc != 0)
        boot_fail("device tree rejected", dt_strerror(rc));
    if (!platform.uart.present)
        boot_fail("device tree", "no ns16550a UART");
    if (!platform.plic.present)
        boot_fail("device tree", "no PLIC");
    if (platform.uart.irq == 0 || platform.uart.irq > platform.plic.ndev)
        boot_fail("device tree", "the UART names no PLIC source");
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    aexec_set_panic_handler(kpanic_assert);
    read_platform(hartid, dtb);
    timebase_hz = platform.timebase_hz;

    /* The other hart: the first okay one that is not us. */
    unsigned long other = hartid;
    for (uint32_t i = 0; i < platform.nharts; i++)
        if (platform.harts[i].okay && platform.harts[i].hartid != hartid) {
            other = platform.harts[i].hartid;
            break;
        }
    if (other == hartid)
        boot_fail("harts", "this demo needs 2 (run QEMU with -smp 2)");

    kputsu("boot: libaexec demo on hart ", hartid);
    kputsu(", timebase ", timebase_hz);
    kputs(" Hz, UART at ");
    kputx(platform.uart.reg.base);
    kputsu(" (irq ", platform.uart.irq);
    kputsu(", reg-shift ", platform.uart.reg_shift);
    kputsu(", reg-io-width ", platform.uart.reg_io_width);
    kputsu("), second hart ", other);
    kputs("\n");

    harts[0].hartid = hartid;
    harts[1].hartid = other;
    if (plic_init(&plic, (uintptr_t)platform.plic.reg.base, platform.plic.ndev, plic_table,
                  platform.plic.s_context, DT_MAX_HARTS) != 0)
        boot_fail("PLIC", "bad parameters in the device tree");
    for (unsigned h = 0; h < DEMO_HARTS; h++)
        harts[h].plic_context = plic_context_of(&plic, (uint32_t)harts[h].hartid);
    if (harts[0].plic_context < 0)
        boot_fail("PLIC", "the boot hart has no S-mode context");

    struct uart16550_config cfg = {
        .base = (uintptr_t)platform.uart.reg.base,
        .reg_shift = platform.uart.reg_shift,
        .reg_io_width = platform.uart.reg_io_width,
        .cs = &aexec_riscv_smp_cs,
        .rx_ring = console_rx,
        .rx_size = sizeof console_rx / sizeof console_rx[0],
        .tx_ring = console_tx,
        .tx_size = sizeof console_tx,
    };
    if (uart16550_init(&console, &cfg) != 0)
        boot_fail("UART", "bad parameters in the device tree");
    aexec_mutex_init(&console_lock, &aexec_riscv_smp_cs);
    console_irq = platform.uart.irq;
    (void)plic_register(&plic, console_irq, 1, uart_irq, &console);
    (void)plic_route(&plic, console_irq, (uint32_t)hartid); /* hart 0 takes it */
    (void)plic_set_threshold(&plic, (uint32_t)harts[0].plic_context, 0);
    (void)demo_blk_init(&platform, &aexec_riscv_smp_cs,
                        hartid); /* optional: the demo runs without a disk */

    hart_executor_init(&harts[0]);
    trap_setup(&harts[0], 1);
    (void)demo_spawn(&ticker.t, 0, "ticker", ticker_poll);
    if (aexec_riscv_sbi_hart_start(other, (unsigned long)_start_secondary,
                                   (unsigned long)(hart1_stack + sizeof hart1_stack)) != 0)
        boot_fail("harts", "SBI HSM could not start the second hart");

    int r = aexec_run(&harts[0].ex); /* the ticker never ends; poweroff comes from the shell */
    kputs(r == AEXEC_RUN_DONE ? "hart 0: every task finished\n" : "hart 0: stopped\n");
    aexec_riscv_sbi_shutdown();
}

void kmain_secondary(unsigned long hartid)
{
    (void)hartid;
    hart_executor_init(&harts[1]);
    trap_setup(&harts[1], 0); /* no external interrupts here: they go to hart 0 */
    (void)demo_spawn(&shell.t, 1, "shell", shell_poll);
    int r = aexec_run(&harts[1].ex);
    kputs(r == AEXEC_RUN_DONE ? "hart 1: every task finished\n" : "hart 1: stopped\n");
    aexec_riscv_sbi_shutdown();
}
