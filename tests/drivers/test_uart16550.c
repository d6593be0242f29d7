/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The uart16550 driver on the host, against a simulated 16550 whose device
 * thread raises the "interrupts" (uart_sim.h). The driver code is the one
 * the RISC-V kernels run; only its register accesses are redirected. Every
 * test checks the bytes that came out against the bytes that went in; a
 * lost wake hangs the run and ctest's timeout fails it. Run under TSan by
 * the tsan flavour.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"
#include "uart16550.h"
#include "uart_sim.h"

static aexec_executor ex;
static aexec_host host;
static aexec_cs cs;
static struct uart16550 uart;
static struct uart_sim sim;
static uint16_t rx_ring[4096];
static uint8_t tx_ring[4096];

static uint32_t rng = 0x9e3779b9u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* A host executor and a UART with rings of rx_size / tx_size entries. */
static void setup_uart(uint32_t rx_size, uint32_t tx_size)
{
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    aexec_executor_set_spin(&ex, 0);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    uart_sim_init(&sim);
    struct uart16550_config cfg = {
        .base = 0x10000000u,
        .reg_shift = 0,
        .reg_io_width = 1,
        .cs = &cs,
        .rx_ring = rx_ring,
        .rx_size = rx_size,
        .tx_ring = tx_ring,
        .tx_size = tx_size,
    };
    assert_int_equal(uart16550_init(&uart, &cfg), 0);
}

static void teardown_uart(void)
{
    uart_sim_stop(&sim);
    aexec_host_destroy(&host);
}

/* ---- readers ---------------------------------------------------------------- */

/* What a reader saw: bytes, and line errors as tokens 0x100 | bits, in order. */
static uint16_t seen[70000];
static size_t nseen;
static size_t nbytes; /* the data bytes among them */

struct reader {
    aexec_task task;
    aexec_co co;
    struct uart16550_read rd;
    aexec_sleep pause;
    aexec_sleep to;
    uint8_t buf[64];
    size_t want; /* data bytes to collect (markers come on top) */
    size_t n;    /* this read's length */
    uint64_t pause_ns;
    int timed;      /* read exact / read under random timeouts */
    int until_full; /* read only while the driver holds receive masked */
    size_t input_len;
    uint32_t timeouts, partial;
};

static void take(const struct uart16550_read *rd, const uint8_t *buf)
{
    for (size_t i = 0; i < rd->done; i++)
        seen[nseen++] = buf[i];
    nbytes += rd->done;
    if (rd->complete && rd->result == UART16550_ELINE)
        seen[nseen++] = (uint16_t)(0x100u | rd->errors);
}

/* Whether the driver holds receive masked now (its ring was found full). */
static int rx_held(void)
{
    struct uart16550_stats st;
    uart16550_get_stats(&uart, &st);
    return st.rx_held != 0;
}

static aexec_poll reader_poll(aexec_task *t, aexec_cx *cx)
{
    struct reader *r = AEXEC_CONTAINER_OF(t, struct reader, task);
    AEXEC_CO_BEGIN(&r->co, cx);
    while (nbytes < r->want) {
        /* A reader that lets the ring fill before each read: the driver
         * must mask receive and the line must hold back, every time, until
         * the line has delivered everything. */
        while (r->until_full && uart_sim_delivered(&sim) < r->input_len && !rx_held()) {
            aexec_sleep_for_init(&r->pause, 20000);
            AEXEC_AWAIT(aexec_sleep_poll(&r->pause, cx));
        }
        if (!r->timed) {
            uart16550_read_init(&r->rd, &uart, r->buf, 1u + rnd() % sizeof r->buf);
            AEXEC_AWAIT(uart16550_read_poll(&r->rd, cx));
            take(&r->rd, r->buf);
        } else {
            r->n = 1u + rnd() % 48u;
            if (r->n > r->want - nbytes)
                r->n = r->want - nbytes;
            if (rnd() & 1u)
                uart16550_read_exact_init(&r->rd, &uart, r->buf, r->n);
            else
                uart16550_read_init(&r->rd, &uart, r->buf, r->n);
            /* The read raced against a deadline, as AEXEC_AWAIT_WITH_TIMEOUT
             * does it (spelled out so the test does not depend on that
             * macro's form): the read is polled first, so it wins a tie. */
            aexec_sleep_for_init(&r->to, (20u + rnd() % 400u) * 1000u);
            AEXEC_WAIT_UNTIL(uart16550_read_poll(&r->rd, cx) == AEXEC_READY ||
                             aexec_sleep_poll(&r->to, cx) == AEXEC_READY);
            if (uart16550_read_cancel(&r->rd) == 0) {
                /* The deadline won: the read says what it had delivered
                 * (a read exact may have part); the rest is still in the ring. */
                r->timeouts++;
                r->partial += r->rd.done > 0;
            }
            (void)aexec_sleep_cancel(&r->to);
            take(&r->rd, r->buf);
        }
        if (r->pause_ns != 0) {
            aexec_sleep_for_init(&r->pause, r->pause_ns);
            AEXEC_AWAIT(aexec_sleep_poll(&r->pause, cx));
        }
    }
    AEXEC_CO_FINALLY;
    (void)uart16550_read_cancel(&r->rd);
    AEXEC_CO_END;
}

static uint8_t input[65536];
static uint8_t flags[65536];
static uint8_t output[65536];

static void fill_random(size_t n)
{
    for (size_t i = 0; i < n; i++)
        input[i] = (uint8_t)rnd();
}

static void assert_seen_is_input(size_t n)
{
    assert_int_equal(nseen, n);
    for (size_t i = 0; i < n; i++)
        if (seen[i] != input[i])
            fail_msg("byte %zu: got 0x%x, sent 0x%x", i, seen[i], input[i]);
}

/* A slow reader and a small ring: the ring fills, receive is masked, the
 * FIFO fills behind it, the line waits; every byte arrives once, in order. */
static void test_backpressure_loses_nothing(void **state)
{
    (void)state;
    const size_t n = 8192;
    setup_uart(64, 64);
    fill_random(n);
    nseen = nbytes = 0;
    static struct reader r;
    r = (struct reader){.want = n, .until_full = 1, .input_len = n};
    uart_sim_start(&sim, &uart, input, NULL, n, 0, NULL, 0, 1);
    assert_int_equal(aexec_spawn(&ex, &r.task, reader_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    teardown_uart();
    assert_seen_is_input(n);
    /* The ring filled again and again (n / 64 times, give or take the FIFO). */
    assert_true(uart.stats.rx_masked >= n / 128);
    assert_int_equal(uart.stats.overrun + uart.stats.parity + uart.stats.framing + uart.stats.brk,
                     0);
    assert_int_equal(uart.stats.rx_bytes, n);
}

/* Line errors come out as markers where they happened, and are counted. */
static void test_error_markers_in_order(void **state)
{
    (void)state;
    const size_t n = 2000;
    setup_uart(4096, 64);
    fill_random(n);
    memset(flags, 0, n);
    flags[100] = SIM_PARITY;
    flags[200] = SIM_FRAMING;
    flags[300] = SIM_BREAK;
    flags[400] = SIM_OVERRUN;
    flags[401] = SIM_PARITY;
    flags[1999] = SIM_FRAMING;
    /* The stream the reader must see: a marker before a damaged byte, a
     * marker instead of a break or of a byte lost to an overrun. */
    static uint16_t expect[2100];
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        if (flags[i])
            expect[ne++] = (uint16_t)(0x100u | flags[i]);
        if (!(flags[i] & (SIM_BREAK | SIM_OVERRUN)))
            expect[ne++] = input[i];
    }
    nseen = nbytes = 0;
    static struct reader r;
    r = (struct reader){.want = n - 2}; /* all but the break and the overrun */
    /* Gaps between bytes, so the interrupt handler drains each byte before
     * the next arrives: an overrun's marker then has one right place. */
    uart_sim_start(&sim, &uart, input, flags, n, 20, NULL, 0, 2);
    assert_int_equal(aexec_spawn(&ex, &r.task, reader_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    teardown_uart();
    assert_int_equal(nseen, ne);
    for (size_t i = 0; i < ne; i++)
        if (seen[i] != expect[i])
            fail_msg("token %zu: got 0x%x, expected 0x%x", i, seen[i], expect[i]);
    assert_int_equal(uart.stats.parity, 2);
    assert_int_equal(uart.stats.framing, 2);
    assert_int_equal(uart.stats.brk, 1);
    assert_int_equal(uart.stats.overrun, 1);
}

/* A writer task of `len` bytes and its poll function (below). */
static aexec_poll writer_poll(aexec_task *t, aexec_cx *cx);
static aexec_task *writer_task_for(const uint8_t *data, size_t len);

/* While the ring is full the damaged bytes wait in the FIFO, and transmit
 * interrupts read the LSR (which clears the errors it shows): the errors
 * must still come out in front of their bytes. */
static void test_error_markers_survive_full_ring_and_transmit(void **state)
{
    (void)state;
    const size_t n = 4096;
    setup_uart(64, 64);
    fill_random(n);
    /* Damaged bytes everywhere, so that many times a full ring stops
     * with one of them on top of the FIFO while transmit runs. */
    uint32_t npe = 0, nfe = 0, nbi = 0;
    for (size_t i = 0; i < n; i++) {
        flags[i] = i % 7 == 3     ? SIM_PARITY
                   : i % 11 == 5  ? SIM_FRAMING
                   : i % 401 == 9 ? SIM_BREAK
                                  : 0;
        npe += flags[i] == SIM_PARITY;
        nfe += flags[i] == SIM_FRAMING;
        nbi += flags[i] == SIM_BREAK;
    }
    static uint16_t expect[9000];
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        if (flags[i])
            expect[ne++] = (uint16_t)(0x100u | flags[i]);
        if (!(flags[i] & SIM_BREAK))
            expect[ne++] = input[i];
    }
    nseen = nbytes = 0;
    static struct reader r;
    r = (struct reader){.want = n - nbi, .until_full = 1, .input_len = n};
    /* More to send than the reader's whole run takes. */
    static uint8_t text[65536];
    memset(text, 'x', sizeof text);
    uart_sim_start(&sim, &uart, input, flags, n, 0, output, sizeof output, 7);
    assert_int_equal(aexec_spawn(&ex, &r.task, reader_poll), 0);
    assert_int_equal(aexec_spawn(&ex, writer_task_for(text, sizeof text), writer_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    teardown_uart();
    assert_true(uart.stats.rx_masked > 0);
    assert_int_equal(nseen, ne);
    for (size_t i = 0; i < ne; i++)
        if (seen[i] != expect[i])
            fail_msg("token %zu: got 0x%x, expected 0x%x", i, seen[i], expect[i]);
    assert_int_equal(uart.stats.parity, npe);
    assert_int_equal(uart.stats.framing, nfe);
    assert_int_equal(uart.stats.brk, nbi);
}

/* Reads (some exact) raced against random timeouts while bytes trickle in:
 * a timeout cancels the read, and nothing it had not delivered is lost. */
static void test_read_with_timeout_loses_nothing(void **state)
{
    (void)state;
    const size_t n = 8192;
    setup_uart(256, 64);
    fill_random(n);
    nseen = nbytes = 0;
    static struct reader r;
    r = (struct reader){.want = n, .timed = 1};
    uart_sim_start(&sim, &uart, input, NULL, n, 150, NULL, 0, 3);
    assert_int_equal(aexec_spawn(&ex, &r.task, reader_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    teardown_uart();
    assert_seen_is_input(n);
    printf("# %u reads timed out (%u of them after a partial read exact)\n", r.timeouts, r.partial);
}

/* ---- writers ---------------------------------------------------------------- */

struct writer {
    aexec_task task;
    aexec_co co;
    struct uart16550_write wr;
    struct uart16550_flush fl;
    const uint8_t *data;
    size_t len, pos, chunk;
    size_t line; /* 0: random chunks; else fixed-size writes */
};

static aexec_poll writer_poll(aexec_task *t, aexec_cx *cx)
{
    struct writer *w = AEXEC_CONTAINER_OF(t, struct writer, task);
    AEXEC_CO_BEGIN(&w->co, cx);
    while (w->pos < w->len) {
        w->chunk = w->line != 0 ? w->line : 1u + rnd() % 300u;
        if (w->chunk > w->len - w->pos)
            w->chunk = w->len - w->pos;
        uart16550_write_init(&w->wr, &uart, w->data + w->pos, w->chunk);
        AEXEC_AWAIT(uart16550_write_poll(&w->wr, cx));
        w->pos += w->chunk;
    }
    uart16550_flush_init(&w->fl, &uart);
    AEXEC_AWAIT(uart16550_flush_poll(&w->fl, cx));
    AEXEC_CO_FINALLY;
    (void)uart16550_write_cancel(&w->wr);
    (void)uart16550_flush_cancel(&w->fl);
    AEXEC_CO_END;
}

static aexec_task *writer_task_for(const uint8_t *data, size_t len)
{
    static struct writer w;
    w = (struct writer){.data = data, .len = len};
    return &w.task;
}

/* Writes larger and smaller than the ring, then a flush: when the flush
 * completes, every byte has left the transmitter, in order. */
static void test_write_then_flush_sends_everything(void **state)
{
    (void)state;
    const size_t n = 20000;
    setup_uart(64, 128);
    fill_random(n);
    static struct writer w;
    w = (struct writer){.data = input, .len = n};
    uart_sim_start(&sim, &uart, NULL, NULL, 0, 0, output, sizeof output, 4);
    assert_int_equal(aexec_spawn(&ex, &w.task, writer_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    /* Flushed: out before the device thread is stopped. */
    assert_int_equal(uart_sim_transmitted(&sim), n);
    teardown_uart();
    assert_memory_equal(output, input, n);
    assert_int_equal(sim.tx_overflow, 0);
    assert_int_equal(uart.stats.tx_bytes, n);
}

/* Two tasks writing whole lines: each line reaches the line in one piece. */
static void test_writers_lines_stay_whole(void **state)
{
    (void)state;
    enum { LINE = 40, LINES = 200 };
    static uint8_t a[LINE * LINES], b[LINE * LINES];
    memset(a, 'a', sizeof a);
    memset(b, 'b', sizeof b);
    for (size_t i = LINE - 1; i < sizeof a; i += LINE)
        a[i] = b[i] = '\n';
    setup_uart(64, 128);
    static struct writer wa, wb;
    wa = (struct writer){.data = a, .len = sizeof a, .line = LINE};
    wb = (struct writer){.data = b, .len = sizeof b, .line = LINE};
    uart_sim_start(&sim, &uart, NULL, NULL, 0, 0, output, sizeof output, 5);
    assert_int_equal(aexec_spawn(&ex, &wa.task, writer_poll), 0);
    assert_int_equal(aexec_spawn(&ex, &wb.task, writer_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(uart_sim_transmitted(&sim), 2 * sizeof a);
    teardown_uart();
    for (size_t i = 0; i < 2 * sizeof a; i += LINE) {
        for (size_t j = 0; j < LINE - 1; j++)
            if (output[i + j] != output[i])
                fail_msg("line at %zu mixes writers", i);
        assert_int_equal(output[i + LINE - 1], '\n');
    }
}

/* ---- read line ---------------------------------------------------------------- */

struct liner {
    aexec_task task;
    aexec_co co;
    struct uart16550_read rd;
    uint8_t buf[16];
    int n;
    int32_t results[8];
    char lines[8][17];
};

static aexec_poll liner_poll(aexec_task *t, aexec_cx *cx)
{
    struct liner *l = AEXEC_CONTAINER_OF(t, struct liner, task);
    AEXEC_CO_BEGIN(&l->co, cx);
    for (l->n = 0; l->n < 5; l->n++) {
        uart16550_read_line_init(&l->rd, &uart, l->buf, sizeof l->buf, '\n');
        AEXEC_AWAIT(uart16550_read_poll(&l->rd, cx));
        l->results[l->n] = l->rd.result;
        memcpy(l->lines[l->n], l->buf, l->rd.done);
        l->lines[l->n][l->rd.done] = '\0';
    }
    AEXEC_CO_END;
}

static void test_read_line_reports_too_long(void **state)
{
    (void)state;
    static const char text[] = "hello\nthis line is too long\nok\n";
    setup_uart(64, 64);
    static struct liner l;
    l = (struct liner){0};
    uart_sim_start(&sim, &uart, (const uint8_t *)text, NULL, sizeof text - 1, 0, NULL, 0, 6);
    assert_int_equal(aexec_spawn(&ex, &l.task, liner_poll), 0);
    /* Four reads complete; the fifth waits for input that never comes. */
    while (l.n < 4)
        aexec_executor_poll(&ex);
    assert_int_equal(l.results[0], 6);
    assert_string_equal(l.lines[0], "hello\n");
    assert_int_equal(l.results[1], UART16550_ETOOLONG);
    assert_string_equal(l.lines[1], "this line is too");
    assert_int_equal(l.results[2], 6);
    assert_string_equal(l.lines[2], " long\n");
    assert_int_equal(l.results[3], 3);
    assert_string_equal(l.lines[3], "ok\n");
    aexec_task_cancel(aexec_task_handle(&l.task));
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    /* The cancelled read had not completed and leaves no registration. */
    assert_int_equal(uart16550_read_cancel(&l.rd), 0);
    teardown_uart();
}

/* ---- contracts ---------------------------------------------------------------- */

static void test_init_rejects_bad_config(void **state)
{
    (void)state;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    struct uart16550_config good = {.base = 0x10000000u,
                                    .reg_io_width = 1,
                                    .cs = &cs,
                                    .rx_ring = rx_ring,
                                    .rx_size = 64,
                                    .tx_ring = tx_ring,
                                    .tx_size = 64};
    struct uart16550_config c = good;
    c.reg_io_width = 2;
    assert_int_equal(uart16550_init(&uart, &c), AEXEC_EINVAL);
    c = good;
    c.rx_size = 48;
    assert_int_equal(uart16550_init(&uart, &c), AEXEC_EINVAL);
    c = good;
    c.tx_size = 1;
    assert_int_equal(uart16550_init(&uart, &c), AEXEC_EINVAL);
    c = good;
    c.base = 0;
    assert_int_equal(uart16550_init(&uart, &c), AEXEC_EINVAL);
    c = good;
    c.cs = NULL;
    assert_int_equal(uart16550_init(&uart, &c), AEXEC_EINVAL);
    assert_int_equal(uart16550_init(NULL, &good), AEXEC_EINVAL);
    aexec_host_destroy(&host);
}

static void test_cancel_of_zeroed_futures_is_harmless(void **state)
{
    (void)state;
    struct uart16550_read rd = {0};
    struct uart16550_write wr = {0};
    struct uart16550_flush fl = {0};
    assert_int_equal(uart16550_read_cancel(&rd), 0);
    assert_int_equal(uart16550_write_cancel(&wr), 0);
    assert_int_equal(uart16550_flush_cancel(&fl), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backpressure_loses_nothing),
        cmocka_unit_test(test_error_markers_in_order),
        cmocka_unit_test(test_error_markers_survive_full_ring_and_transmit),
        cmocka_unit_test(test_read_with_timeout_loses_nothing),
        cmocka_unit_test(test_write_then_flush_sends_everything),
        cmocka_unit_test(test_writers_lines_stay_whole),
        cmocka_unit_test(test_read_line_reports_too_long),
        cmocka_unit_test(test_init_rejects_bad_config),
        cmocka_unit_test(test_cancel_of_zeroed_futures_is_harmless),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
