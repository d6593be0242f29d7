/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The 16550 driver. Invariants (all under u->cs):
 *   - rx_head - rx_tail entries are in the receive ring, at most rx_mask + 1;
 *     the ISR only adds (head), readers only take (tail).
 *   - Receive interrupts are masked (ERBFI clear in u->ier) only while the
 *     ring has been found full and not yet half drained: the reader that
 *     drains it to half unmasks, and the unmask raises the interrupt again
 *     if the FIFO holds data (the 16550 re-evaluates IIR on an IER write).
 *   - ETBEI is set in u->ier exactly while the transmit ring holds bytes or
 *     the FIFO is being fed: a writer that puts bytes into an idle ring
 *     enables it (which raises THR-empty at once), the ISR clears it when
 *     it finds the ring empty.
 * Wakes happen after the section is left, so a waker never runs a wake
 * under the driver's lock.
 */
#include "uart16550.h"

/* Registers (index before the shift). */
#define REG_RBR 0u /* read: receive buffer */
#define REG_THR 0u /* write: transmit holding */
#define REG_DLL 0u /* with LCR.DLAB */
#define REG_IER 1u
#define REG_DLM 1u
#define REG_IIR 2u /* read */
#define REG_FCR 2u /* write */
#define REG_LCR 3u
#define REG_MCR 4u
#define REG_LSR 5u
#define REG_USR 31u /* DesignWare only: reading it clears a busy-detect interrupt */

#define IER_ERBFI 0x01u /* received data available (and character timeout) */
#define IER_ETBEI 0x02u /* THR empty */
#define IER_ELSI 0x04u  /* receiver line status */
#define IER_RX (IER_ERBFI | IER_ELSI)

#define IIR_ID 0x0fu
#define IIR_BUSY 0x07u /* DesignWare: LCR written while busy */

#define FCR_ENABLE 0x01u
#define FCR_TRIGGER_8 0x80u

#define LCR_8N1 0x03u
#define LCR_DLAB 0x80u
#define MCR_DTR_RTS_OUT2 0x0bu

#define LSR_DR 0x01u
#define LSR_ERRORS 0x1eu /* OE, PE, FE, BI */
#define LSR_THRE 0x20u
#define LSR_TEMT 0x40u

/* A receive ring entry is a byte (0..255) or a marker: MARKER | error bits. */
#define MARKER 0x100u

enum { MODE_SOME, MODE_EXACT, MODE_LINE };

static uint32_t rd(const struct uart16550 *u, uint32_t r)
{
#ifdef UART16550_REG_HOOKS
    return uart16550_reg_read(u, r);
#else
    uintptr_t a = u->base + ((uintptr_t)r << u->shift);
    return u->width == 4 ? *(volatile uint32_t *)a : *(volatile uint8_t *)a;
#endif
}

static void wr(const struct uart16550 *u, uint32_t r, uint32_t v)
{
#ifdef UART16550_REG_HOOKS
    uart16550_reg_write(u, r, v);
#else
    uintptr_t a = u->base + ((uintptr_t)r << u->shift);
    if (u->width == 4)
        *(volatile uint32_t *)a = v;
    else
        *(volatile uint8_t *)a = (uint8_t)v;
#endif
}

static aexec_cs_state lock(struct uart16550 *u)
{
    return u->cs.enter(u->cs.ctx);
}

static void unlock(struct uart16550 *u, aexec_cs_state s)
{
    u->cs.exit(u->cs.ctx, s);
}

static int pow2(uint32_t n)
{
    return n >= 2 && (n & (n - 1u)) == 0;
}

static int rx_drain(struct uart16550 *u);

/* Zeroes the counters field by field: a struct literal may become a memset call. */
static void stats_clear(struct uart16550_stats *st)
{
    st->overrun = st->parity = st->framing = st->brk = 0;
    st->rx_masked = st->rx_held = st->irqs = 0;
    st->rx_bytes = st->tx_bytes = 0;
}

int uart16550_init(struct uart16550 *u, const struct uart16550_config *cfg)
{
    if (u == NULL || cfg == NULL || cfg->base == 0 || cfg->cs == NULL || cfg->cs->enter == NULL ||
        cfg->cs->exit == NULL || (cfg->reg_io_width != 1 && cfg->reg_io_width != 4) ||
        cfg->reg_shift > 4 || cfg->rx_ring == NULL || cfg->tx_ring == NULL || !pow2(cfg->rx_size) ||
        !pow2(cfg->tx_size))
        return AEXEC_EINVAL;
    u->base = cfg->base;
    u->shift = cfg->reg_shift;
    u->width = cfg->reg_io_width;
    u->fifo_depth = cfg->fifo_depth != 0 ? cfg->fifo_depth : 16u;
    u->cs = *cfg->cs;
    u->rx = cfg->rx_ring;
    u->rx_mask = cfg->rx_size - 1u;
    u->rx_head = u->rx_tail = 0;
    u->tx = cfg->tx_ring;
    u->tx_mask = cfg->tx_size - 1u;
    u->tx_head = u->tx_tail = 0;
    u->oe_pending = 0;
    u->reader = NULL;
    u->lsr_errors = 0;
    stats_clear(&u->stats);
    aexec_waker_slot_init(&u->rx_slot, &u->cs);
    aexec_wait_queue_init(&u->tx_waiters, &u->cs);

    wr(u, REG_IER, 0);
    if (cfg->clock_hz != 0 && cfg->baud != 0) {
        uint32_t div = cfg->clock_hz / 16u / cfg->baud;
        div = div == 0 ? 1 : div > 0xffffu ? 0xffffu : div;
        wr(u, REG_LCR, LCR_DLAB);
        wr(u, REG_DLL, div & 0xffu);
        wr(u, REG_DLM, (div >> 8) & 0xffu);
    }
    wr(u, REG_LCR, LCR_8N1);
    /* Bytes that arrived before us are input too: take them before the
     * FIFO is (re)enabled, which on a 16550 whose FIFO was off clears it.
     * The FIFOs are not cleared on purpose, so the firmware's last output
     * still goes out. */
    u->ier = IER_RX;
    (void)rx_drain(u);
    wr(u, REG_FCR, FCR_ENABLE | FCR_TRIGGER_8);
    wr(u, REG_MCR, MCR_DTR_RTS_OUT2);
    wr(u, REG_IER, u->ier);
    return 0;
}

/* ---- the interrupt ------------------------------------------------------ */

/*
 * Every LSR read goes through here: reading it clears the error bits it
 * reports, so a read made to look at THRE or TEMT keeps them for the
 * receive path, which marks them in front of the byte they belong to (the
 * one on top of the FIFO) when it reads that byte.
 */
static uint32_t read_lsr(struct uart16550 *u)
{
    uint32_t lsr = rd(u, REG_LSR);
    u->lsr_errors |= lsr & LSR_ERRORS;
    return lsr;
}

static uint32_t rx_free(const struct uart16550 *u)
{
    return u->rx_mask + 1u - (u->rx_head - u->rx_tail);
}

static void rx_push(struct uart16550 *u, uint16_t e)
{
    u->rx[u->rx_head & u->rx_mask] = e;
    u->rx_head++;
}

static void count_errors(struct uart16550 *u, uint32_t bits)
{
    u->stats.overrun += (bits & UART16550_ERR_OVERRUN) != 0;
    u->stats.parity += (bits & UART16550_ERR_PARITY) != 0;
    u->stats.framing += (bits & UART16550_ERR_FRAMING) != 0;
    u->stats.brk += (bits & UART16550_ERR_BREAK) != 0;
}

/* Places an overrun seen earlier once there is room. Returns 1 if it did. */
static int rx_flush_overrun(struct uart16550 *u)
{
    if (!u->oe_pending || rx_free(u) == 0)
        return 0;
    rx_push(u, (uint16_t)(MARKER | UART16550_ERR_OVERRUN));
    u->oe_pending = 0;
    return 1;
}

/*
 * Moves what the receive FIFO holds into the ring. Returns 1 if it added
 * anything. Room for a byte and its marker is checked before the LSR is
 * read, because reading the LSR clears the errors it reports.
 */
static int rx_drain(struct uart16550 *u)
{
    int added = 0;
    if (!(u->ier & IER_ERBFI))
        return 0;
    for (;;) {
        if (rx_free(u) < 2u) {
            /* Full: leave the bytes in the FIFO and stop listening until
             * the reader has made room; the FIFO fills behind us. */
            u->ier &= ~IER_RX;
            wr(u, REG_IER, u->ier);
            u->stats.rx_masked++;
            break;
        }
        uint32_t lsr = read_lsr(u) & ~LSR_ERRORS;
        lsr |= u->lsr_errors;
        u->lsr_errors = 0;
        if (lsr & UART16550_ERR_OVERRUN) {
            /* The lost characters came after everything now in the FIFO:
             * their marker goes behind those, when the FIFO runs dry (or
             * later, if the line keeps it from running dry). */
            count_errors(u, UART16550_ERR_OVERRUN);
            u->oe_pending = 1;
        }
        if (!(lsr & LSR_DR)) {
            added |= rx_flush_overrun(u);
            break;
        }
        uint32_t errs = lsr & (UART16550_ERR_PARITY | UART16550_ERR_FRAMING | UART16550_ERR_BREAK);
        uint32_t byte = rd(u, REG_RBR);
        if (errs) {
            count_errors(u, errs);
            rx_push(u, (uint16_t)(MARKER | errs));
        }
        /* A break arrives as a NUL character: the marker stands for it. */
        if (!(errs & UART16550_ERR_BREAK)) {
            rx_push(u, (uint16_t)(byte & 0xffu));
            u->stats.rx_bytes++;
        }
        added = 1;
    }
    return added;
}

/* Feeds the transmit FIFO. Returns 1 if ring space was freed or the ring ran empty. */
static int tx_feed(struct uart16550 *u)
{
    if (!(u->ier & IER_ETBEI) || !(read_lsr(u) & LSR_THRE))
        return 0;
    /* THRE with the FIFO on means the whole FIFO is empty. */
    uint32_t n = 0;
    while (n < u->fifo_depth && u->tx_tail != u->tx_head) {
        wr(u, REG_THR, u->tx[u->tx_tail & u->tx_mask]);
        u->tx_tail++;
        n++;
    }
    u->stats.tx_bytes += n;
    if (u->tx_tail == u->tx_head) {
        u->ier &= ~IER_ETBEI;
        wr(u, REG_IER, u->ier);
    }
    return 1;
}

void uart16550_on_irq(struct uart16550 *u)
{
    aexec_cs_state s = lock(u);
    u->stats.irqs++;
    int rx = rx_drain(u);
    int tx = tx_feed(u);
    if ((rd(u, REG_IIR) & IIR_ID) == IIR_BUSY)
        (void)rd(u, REG_USR);
    unlock(u, s);
    if (rx)
        aexec_waker_slot_wake(&u->rx_slot);
    if (tx)
        aexec_wait_queue_wake_all(&u->tx_waiters);
}

void uart16550_get_stats(struct uart16550 *u, struct uart16550_stats *out)
{
    aexec_cs_state s = lock(u);
    *out = u->stats;
    out->rx_held = !(u->ier & IER_ERBFI);
    unlock(u, s);
}

/* ---- receive ------------------------------------------------------------ */

static void read_init(struct uart16550_read *op, struct uart16550 *u, void *buf, size_t len,
                      uint8_t mode, uint8_t delim)
{
    op->u = u;
    op->buf = buf;
    op->len = len;
    op->done = 0;
    op->result = 0;
    op->errors = 0;
    op->task = NULL;
    op->mode = mode;
    op->delim = delim;
    op->complete = 0;
}

void uart16550_read_init(struct uart16550_read *op, struct uart16550 *u, void *buf, size_t len)
{
    read_init(op, u, buf, len, MODE_SOME, 0);
}

void uart16550_read_exact_init(struct uart16550_read *op, struct uart16550 *u, void *buf,
                               size_t len)
{
    read_init(op, u, buf, len, MODE_EXACT, 0);
}

void uart16550_read_line_init(struct uart16550_read *op, struct uart16550 *u, void *buf, size_t len,
                              uint8_t delim)
{
    read_init(op, u, buf, len, MODE_LINE, delim);
}

static void finish(struct uart16550_read *op, int32_t result)
{
    op->result = result;
    op->complete = 1;
}

/* Takes what the ring holds for `op`. Returns 1 when the read is complete. */
static int read_take(struct uart16550_read *op)
{
    struct uart16550 *u = op->u;
    aexec_cs_state s = lock(u);
    while (!op->complete && u->rx_tail != u->rx_head) {
        uint16_t e = u->rx[u->rx_tail & u->rx_mask];
        if (e & MARKER) {
            if (op->mode == MODE_SOME && op->done > 0) {
                finish(op, (int32_t)op->done); /* the next read reports it */
                break;
            }
            u->rx_tail++;
            op->errors = e & 0xffu;
            finish(op, UART16550_ELINE);
            break;
        }
        u->rx_tail++;
        op->buf[op->done++] = (uint8_t)e;
        if (op->mode == MODE_LINE && (uint8_t)e == op->delim)
            finish(op, (int32_t)op->done);
        else if (op->done == op->len)
            finish(op, op->mode == MODE_LINE ? UART16550_ETOOLONG : (int32_t)op->done);
    }
    if (!op->complete && op->mode == MODE_SOME && op->done > 0)
        finish(op, (int32_t)op->done);
    (void)rx_flush_overrun(u);
    if (!(u->ier & IER_ERBFI) && rx_free(u) > (u->rx_mask + 1u) / 2u) {
        /* Half drained: listen again. If the FIFO holds data the UART
         * raises its interrupt at once. */
        u->ier |= IER_RX;
        wr(u, REG_IER, u->ier);
    }
    unlock(u, s);
    return op->complete;
}

/* Drops the read's waker registration and its claim on the UART. */
static void read_unregister(struct uart16550_read *op)
{
    if (op->task == NULL)
        return;
    aexec_waker_slot_cancel(&op->u->rx_slot, op->task);
    aexec_cs_state s = lock(op->u);
    if (op->u->reader == op->task)
        op->u->reader = NULL;
    unlock(op->u, s);
    op->task = NULL;
}

aexec_poll uart16550_read_poll(struct uart16550_read *op, aexec_cx *cx)
{
    AEXEC_ASSERT(op->u != NULL, "uart16550_read_poll: the read was not initialized");
    if (op->complete)
        return AEXEC_READY;
    AEXEC_ASSERT(op->len > 0, "uart16550_read_poll: a read needs room for one byte");
    if (read_take(op)) {
        read_unregister(op);
        return AEXEC_READY;
    }
    /* One reader at a time: a second one would take the waker slot and
     * leave the first asleep for ever. */
    aexec_cs_state s = lock(op->u);
    aexec_task *reader = op->u->reader;
    if (reader == NULL)
        op->u->reader = cx->task;
    unlock(op->u, s);
    AEXEC_ASSERT(reader == NULL || reader == cx->task,
                 "uart16550_read_poll: a second task reads while another task's read waits "
                 "(one reader per UART)");
    /* Register, then look again: a byte that arrived in between has woken
     * the slot (or is seen now). */
    op->task = cx->task;
    (void)aexec_waker_slot_register(&op->u->rx_slot, cx);
    if (read_take(op)) {
        read_unregister(op);
        return AEXEC_READY;
    }
    return AEXEC_PENDING;
}

int uart16550_read_cancel(struct uart16550_read *op)
{
    if (op->u == NULL)
        return 0;
    read_unregister(op);
    return op->complete;
}

/* ---- transmit ----------------------------------------------------------- */

void uart16550_write_init(struct uart16550_write *op, struct uart16550 *u, const void *buf,
                          size_t len)
{
    op->u = u;
    op->buf = buf;
    op->len = len;
    op->done = 0;
    op->complete = len == 0;
    aexec_wait_init(&op->wait, &u->tx_waiters);
}

/* Copies what fits. A rest that fits the ring whole waits until it fits whole. */
static int write_put(struct uart16550_write *op)
{
    struct uart16550 *u = op->u;
    aexec_cs_state s = lock(u);
    uint32_t cap = u->tx_mask + 1u;
    uint32_t space = cap - (u->tx_head - u->tx_tail);
    size_t rest = op->len - op->done;
    if (rest > cap || rest <= space) {
        size_t n = rest < space ? rest : space;
        for (size_t i = 0; i < n; i++)
            u->tx[(u->tx_head + (uint32_t)i) & u->tx_mask] = op->buf[op->done + i];
        u->tx_head += (uint32_t)n;
        op->done += n;
        if (n > 0 && !(u->ier & IER_ETBEI)) {
            /* An idle transmitter: enabling THR-empty raises it at once. */
            u->ier |= IER_ETBEI;
            wr(u, REG_IER, u->ier);
        }
    }
    op->complete = op->done == op->len;
    unlock(u, s);
    return op->complete;
}

aexec_poll uart16550_write_poll(struct uart16550_write *op, aexec_cx *cx)
{
    AEXEC_ASSERT(op->u != NULL, "uart16550_write_poll: the write was not initialized");
    if (op->complete || write_put(op)) {
        /* A wake from elsewhere (a timer, a notification) can find the rest
         * fitting while the wait is still queued: leave the queue before
         * the future is done, or its next init finds it linked. */
        (void)aexec_wait_cancel(&op->wait);
        return AEXEC_READY;
    }
    aexec_wait_arm(&op->wait, cx);
    if (write_put(op)) {
        (void)aexec_wait_cancel(&op->wait);
        return AEXEC_READY;
    }
    return AEXEC_PENDING;
}

int uart16550_write_cancel(struct uart16550_write *op)
{
    if (op->u == NULL)
        return 0;
    (void)aexec_wait_cancel(&op->wait);
    return op->complete;
}

void uart16550_flush_init(struct uart16550_flush *op, struct uart16550 *u)
{
    op->u = u;
    op->complete = 0;
    op->settling = 0;
    aexec_wait_init(&op->wait, &u->tx_waiters);
    aexec_sleep_for_init(&op->settle, 0);
}

/* 0: bytes still queued; 1: the FIFO is being emptied; 2: the transmitter is empty. */
static int tx_state(struct uart16550 *u)
{
    aexec_cs_state s = lock(u);
    int st = 0;
    if (u->tx_tail == u->tx_head && !(u->ier & IER_ETBEI))
        st = read_lsr(u) & LSR_TEMT ? 2 : 1;
    unlock(u, s);
    return st;
}

aexec_poll uart16550_flush_poll(struct uart16550_flush *op, aexec_cx *cx)
{
    AEXEC_ASSERT(op->u != NULL, "uart16550_flush_poll: the flush was not initialized");
    for (;;) {
        if (op->complete) {
            (void)aexec_wait_cancel(&op->wait); /* as in uart16550_write_poll */
            return AEXEC_READY;
        }
        if (op->settling) {
            if (aexec_sleep_poll(&op->settle, cx) == AEXEC_PENDING)
                return AEXEC_PENDING;
            op->settling = 0;
        }
        int st = tx_state(op->u);
        if (st == 0) {
            aexec_wait_arm(&op->wait, cx);
            if (tx_state(op->u) == 0)
                return AEXEC_PENDING;
            (void)aexec_wait_cancel(&op->wait);
            continue;
        }
        if (st == 2) {
            op->complete = 1;
            continue;
        }
        /* The last bytes are in the shift register: no interrupt says when
         * they are out, so look again after about one character. */
        aexec_sleep_for_init(&op->settle, aexec_ticks_from_us(cx->executor->tick_hz, 100));
        op->settling = 1;
    }
}

int uart16550_flush_cancel(struct uart16550_flush *op)
{
    if (op->u == NULL)
        return 0;
    (void)aexec_wait_cancel(&op->wait);
    aexec_sleep_cancel(&op->settle);
    op->settling = 0;
    return op->complete;
}
