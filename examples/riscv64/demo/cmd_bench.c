/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * UART throughput.
 *   bench [BYTES]          BYTES out through the driver (a progress bar redrawn in place)
 *   loop [BYTES [PAUSE]]   echo BYTES raw bytes through the driver; with PAUSE, a
 *                          slow reader: before each read it sleeps in steps of
 *                          PAUSE us until the driver holds receive masked (its
 *                          ring full, the line held back), as long as more than a
 *                          ringful is still to come, so back-pressure is
 *                          exercised on every run, however fast the host sends
 *   ploop [BYTES]          the same echo as a kernel without an executor writes it:
 *                          a busy-wait on LSR, the UART's interrupt off at the PLIC
 * Each reports bytes per second of guest time (the timebase) and each hart's
 * share of that time spent in wfi. They hold the console lock throughout, so
 * no other task writes into the stream being measured.
 */
#include "shell.h"

#define BENCH_MAX_BYTES (16u << 20) /* 16 MiB: 20 s of output at 115200 baud's 800 KB/s on TCG */

#define LSR_DR 0x01u
#define LSR_ERRORS 0x1eu
#define LSR_THRE 0x20u
#define LSR_TEMT 0x40u

static struct {
    aexec_mutex_lock lk;
    struct uart16550_read rd;
    struct uart16550_write wr;
    struct uart16550_flush fl;
    aexec_sleep pause;
    uint8_t buf[256];
    uint64_t n, got, pause_us, errors, spins;
    uint64_t ring_bytes; /* ploop: bytes the driver's ring took meanwhile (0 expected) */
    uint64_t t0, t1, idle0[DEMO_HARTS], idle1[DEMO_HARTS];
    struct uart16550_stats s0, s1;
    int locked, started;
} b;

/* Whether the driver holds receive masked now. */
static int rx_held(void)
{
    struct uart16550_stats st;
    uart16550_get_stats(&console, &st);
    return st.rx_held != 0;
}

/* Gives the console lock back, or withdraws a lock still waiting for it. */
static void release_console(void)
{
    if (b.locked || aexec_mutex_lock_cancel(&b.lk))
        aexec_mutex_unlock(&console_lock);
    b.locked = 0;
}

static void mark_start(void)
{
    b.t0 = demo_now();
    for (unsigned h = 0; h < DEMO_HARTS; h++)
        b.idle0[h] = demo_idle(h);
    uart16550_get_stats(&console, &b.s0);
}

static void mark_end(void)
{
    b.t1 = demo_now();
    for (unsigned h = 0; h < DEMO_HARTS; h++)
        b.idle1[h] = demo_idle(h);
    uart16550_get_stats(&console, &b.s1);
}

/* "<what>: N bytes in T us: R bytes/s, idle: hart 0 (interrupts) X%, hart 1 (shell) Y%" */
static void out_result(struct console_out *o, const char *what)
{
    uint64_t dt = b.t1 - b.t0;
    out_str(o, what);
    out_str(o, ": ");
    out_u64(o, b.n);
    out_str(o, " bytes in ");
    out_u64(o, aexec_ticks_to_us(timebase_hz, dt));
    out_str(o, " us: ");
    out_u64(o, dt == 0 ? 0 : aexec_muldiv(b.n, timebase_hz, dt, 0));
    out_str(o, " bytes/s, idle:");
    for (unsigned h = 0; h < DEMO_HARTS; h++) {
        out_str(o, h == 0 ? " hart " : ", hart ");
        out_u64(o, harts[h].hartid);
        out_str(o, h == 0 ? " (interrupts) " : " (shell) ");
        out_fixed(o, 100u * (b.idle1[h] - b.idle0[h]), dt, 1);
        out_str(o, "%");
    }
}

static aexec_poll bench_poll(struct shell_call *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    SHELL_ARG(c, cx, 1, 16384, 0, BENCH_MAX_BYTES, b.n);
    aexec_mutex_lock_init(&b.lk, &console_lock);
    AEXEC_AWAIT(aexec_mutex_lock_poll(&b.lk, cx));
    b.locked = 1;
    mark_start();
    for (b.got = 0; b.got < b.n; b.got += c->out.len) {
        /* 64 bytes: a carriage return and a bar that grows to the total. */
        out_reset(&c->out);
        out_str(&c->out, "\rbench [");
        for (uint64_t i = 0; i < 48; i++)
            out_str(&c->out, i < (b.got + 64u) * 48u / b.n ? "#" : ".");
        out_str(&c->out, "]       ");
        if (c->out.len > b.n - b.got)
            c->out.len = (size_t)(b.n - b.got);
        uart16550_write_init(&b.wr, &console, c->out.buf, c->out.len);
        AEXEC_AWAIT(uart16550_write_poll(&b.wr, cx));
    }
    uart16550_flush_init(&b.fl, &console);
    AEXEC_AWAIT(uart16550_flush_poll(&b.fl, cx));
    mark_end();
    out_reset(&c->out);
    out_nl(&c->out);
    out_result(&c->out, "bench: wrote");
    out_str(&c->out, " (guest time)");
    out_nl(&c->out);
    AEXEC_AWAIT(out_send_poll(&c->out, cx));
    AEXEC_CO_FINALLY;
    (void)uart16550_write_cancel(&b.wr);
    (void)uart16550_flush_cancel(&b.fl);
    (void)out_send_cancel(&c->out);
    release_console();
    AEXEC_CO_END;
}

static void out_errors(struct console_out *o)
{
    out_str(o, "; line errors ");
    out_u64(o, b.errors);
    out_str(o, " (overrun ");
    out_u64(o, b.s1.overrun - b.s0.overrun);
    out_str(o, ", parity ");
    out_u64(o, b.s1.parity - b.s0.parity);
    out_str(o, ", framing ");
    out_u64(o, b.s1.framing - b.s0.framing);
    out_str(o, ", break ");
    out_u64(o, b.s1.brk - b.s0.brk);
    out_str(o, ")");
}

static aexec_poll loop_poll(struct shell_call *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    SHELL_ARG(c, cx, 1, 65536, 0, BENCH_MAX_BYTES, b.n);
    SHELL_ARG(c, cx, 2, 0, 0, 1000000u, b.pause_us);
    b.errors = 0;
    b.started = 0;
    aexec_mutex_lock_init(&b.lk, &console_lock);
    AEXEC_AWAIT(aexec_mutex_lock_poll(&b.lk, cx));
    b.locked = 1;
    out_str(&c->out, "loop: ready for ");
    out_u64(&c->out, b.n);
    out_str(&c->out, " bytes");
    out_nl(&c->out);
    AEXEC_AWAIT(out_send_poll(&c->out, cx));
    for (b.got = 0; b.got < b.n;) {
        while (b.pause_us != 0 && b.n - b.got > console.rx_mask + 1u && !rx_held()) {
            aexec_sleep_for_init(&b.pause, aexec_ticks_from_us(timebase_hz, b.pause_us));
            AEXEC_AWAIT(aexec_sleep_poll(&b.pause, cx));
        }
        uart16550_read_init(&b.rd, &console, b.buf,
                            b.n - b.got < sizeof b.buf ? (size_t)(b.n - b.got) : sizeof b.buf);
        AEXEC_AWAIT(uart16550_read_poll(&b.rd, cx));
        if (!b.started) {
            mark_start(); /* from the first byte: the host's start-up is not ours */
            b.started = 1;
        }
        if (b.rd.result < 0) {
            b.errors++;
            continue;
        }
        uart16550_write_init(&b.wr, &console, b.buf, (size_t)b.rd.result);
        AEXEC_AWAIT(uart16550_write_poll(&b.wr, cx));
        b.got += (uint64_t)b.rd.result;
    }
    uart16550_flush_init(&b.fl, &console);
    AEXEC_AWAIT(uart16550_flush_poll(&b.fl, cx));
    mark_end();
    out_nl(&c->out);
    out_result(&c->out, "loop: echoed");
    out_errors(&c->out);
    out_str(&c->out, "; receive masked ");
    out_u64(&c->out, b.s1.rx_masked - b.s0.rx_masked);
    out_str(&c->out, " times, ");
    out_u64(&c->out, b.s1.irqs - b.s0.irqs);
    out_str(&c->out, " interrupts");
    out_nl(&c->out);
    AEXEC_AWAIT(out_send_poll(&c->out, cx));
    AEXEC_CO_FINALLY;
    (void)uart16550_read_cancel(&b.rd);
    (void)uart16550_write_cancel(&b.wr);
    (void)uart16550_flush_cancel(&b.fl);
    aexec_sleep_cancel(&b.pause);
    (void)out_send_cancel(&c->out);
    release_console();
    AEXEC_CO_END;
}

/* The polled peer: no executor, no interrupt, a hart spinning on the LSR. */
static void polled_put(uint32_t byte)
{
    while (!(demo_uart_reg_read(5) & LSR_THRE))
        b.spins++;
    demo_uart_reg_write(0, byte);
}

/* What `o` holds, written by polling (the driver is not ours to use now). */
static void polled_send(struct console_out *o)
{
    for (size_t i = 0; i < o->len; i++)
        polled_put((uint8_t)o->buf[i]);
    out_reset(o);
}

static void polled_echo(void)
{
    uint32_t lsr;
    for (b.got = 0; b.got < b.n; b.got++) {
        while (!((lsr = demo_uart_reg_read(5)) & LSR_DR))
            b.spins++;
        if (b.got == 0)
            mark_start();
        if (lsr & LSR_ERRORS)
            b.errors++;
        polled_put(demo_uart_reg_read(0));
    }
    while (!(demo_uart_reg_read(5) & LSR_TEMT))
        b.spins++;
}

static aexec_poll ploop_poll(struct shell_call *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    SHELL_ARG(c, cx, 1, 65536, 0, BENCH_MAX_BYTES, b.n);
    b.errors = 0;
    aexec_mutex_lock_init(&b.lk, &console_lock);
    AEXEC_AWAIT(aexec_mutex_lock_poll(&b.lk, cx));
    b.locked = 1;
    uart16550_flush_init(&b.fl, &console);
    AEXEC_AWAIT(uart16550_flush_poll(&b.fl, cx));
    /*
     * The UART changes hands before the sender is told to start: once
     * "ready" is out, bytes arrive, and any the interrupt took between that
     * and the hand-over would sit in the driver's receive ring, where this
     * loop never looks (a ringful went missing that way on a loaded host).
     * So: the interrupt off at the PLIC, then one pass through the driver's
     * critical section so an interrupt already in its handler on the other
     * hart has left it, then "ready" written by polling like the echo.
     */
    (void)plic_enable(&plic, (uint32_t)harts[0].plic_context, console_irq, 0);
    console.cs.exit(console.cs.ctx, console.cs.enter(console.cs.ctx));
    uart16550_get_stats(&console, &b.s0);
    b.ring_bytes = b.s0.rx_bytes;
    out_str(&c->out, "ploop: ready for ");
    out_u64(&c->out, b.n);
    out_str(&c->out, " bytes");
    out_nl(&c->out);
    polled_send(&c->out);
    b.spins = 0; /* the echo's own */
    polled_echo();
    mark_end();
    (void)plic_enable(&plic, (uint32_t)harts[0].plic_context, console_irq, 1);
    b.ring_bytes = b.s1.rx_bytes - b.ring_bytes;
    out_nl(&c->out);
    out_result(&c->out, "ploop: echoed");
    out_str(&c->out, "; line errors ");
    out_u64(&c->out, b.errors);
    out_str(&c->out, "; ");
    out_u64(&c->out, b.ring_bytes);
    out_str(&c->out, " bytes to the driver; ");
    out_u64(&c->out, b.spins);
    out_str(&c->out, " spins on LSR");
    out_nl(&c->out);
    AEXEC_AWAIT(out_send_poll(&c->out, cx));
    AEXEC_CO_FINALLY;
    (void)uart16550_flush_cancel(&b.fl);
    (void)out_send_cancel(&c->out);
    release_console();
    AEXEC_CO_END;
}

const struct shell_cmd cmd_bench = {
    .name = "bench", .help = "bench [BYTES]: console output throughput", .poll = bench_poll};
/* The echoes read the console themselves: the shell leaves them every byte. */
const struct shell_cmd cmd_loop = {.name = "loop",
                                   .help = "loop [BYTES [PAUSE_US]]: echo raw bytes (driver)",
                                   .poll = loop_poll,
                                   .reads_console = 1};
const struct shell_cmd cmd_ploop = {.name = "ploop",
                                    .help = "ploop [BYTES]: the same echo, busy-waiting",
                                    .poll = ploop_poll,
                                    .reads_console = 1};
