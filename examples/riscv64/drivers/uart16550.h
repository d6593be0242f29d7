/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * An interrupt-driven 16550 UART driver (ns16550a, and the Synopsys
 * DesignWare APB UART of the JH7110) with async futures on libaexec.
 *
 * Contract:
 *   - The kernel gives the register base, the stride (reg-shift: register i
 *     is at base + (i << shift)) and the access width (reg-io-width, 1 or 4
 *     bytes), all from the device tree, plus a critical section and ring
 *     storage. The driver needs nothing else: no PLIC, no trap vector, no
 *     heap.
 *   - uart16550_on_irq() is the one interrupt function; the kernel calls it
 *     from its own handler (a PLIC dispatch, or its own external-interrupt
 *     code). It only moves bytes between the FIFOs and the rings, records
 *     line errors, masks a source it cannot serve, and wakes.
 *   - Receive: data-ready and character-timeout interrupts fill the receive
 *     ring. When the ring is full the ISR masks the receive interrupts
 *     (IER.ERBFI and ELSI) and leaves the bytes in the FIFO, so the FIFO
 *     fills and the line applies back-pressure (QEMU stops reading its
 *     chardev; a real line overruns, which is then counted and reported);
 *     the reader unmasks once it has consumed half the ring.
 *   - Line errors (overrun, parity, framing, break) are counted in the
 *     stats and put in the receive ring as a marker, in stream order; the
 *     read that reaches a marker completes with UART16550_ELINE and the
 *     error bits, after the bytes that came before it. Nothing is silent.
 *   - Transmit: a write copies bytes into the transmit ring and enables the
 *     THR-empty interrupt, whose handler feeds the FIFO; no busy-wait.
 *   - Futures: read (1..n bytes), read exact (n bytes), read line (up to a
 *     delimiter), write (the bytes are in the ring), flush (the transmitter
 *     is empty). Bytes move into the caller's buffer only during a poll, so
 *     a cancel never takes a byte out of the ring: what the cancelled
 *     operation did not deliver is there for the next read. Every cancel
 *     returns 1 when the operation had completed (its result is valid), 0
 *     otherwise, and `done` says how much a partial operation delivered.
 *   - Concurrency: one reader at a time (one receive waker slot); any number
 *     of writers and flushers (a wait queue), each write of at most the ring
 *     size entering the ring whole, so lines from different tasks never mix.
 *     Tasks may run on any hart and the ISR on another: the rings and the
 *     IER shadow are guarded by the critical section given at init (an SMP
 *     kernel passes a spinlock that also masks its hart's interrupts). A
 *     lock-free single-producer ring would not do: masking and unmasking
 *     IER is a decision on the ring's fill level that the ISR and the reader
 *     must take atomically with it, and writers are many.
 */
#ifndef UART16550_H
#define UART16550_H

#include <stddef.h>
#include <stdint.h>

#include "aexec/aexec.h"

/* Line error bits, as in the LSR (op->errors, markers). */
#define UART16550_ERR_OVERRUN 0x02u
#define UART16550_ERR_PARITY 0x04u
#define UART16550_ERR_FRAMING 0x08u
#define UART16550_ERR_BREAK 0x10u

/* Driver results beside AEXEC_E*: a line error here (op->errors says which). */
#define UART16550_ELINE (-64)
/* read line: the buffer filled before the delimiter (the rest of the line stays unread). */
#define UART16550_ETOOLONG (-65)

struct uart16550_config {
    uintptr_t base;
    uint32_t reg_shift;    /* device tree reg-shift (0 on QEMU, 2 on the JH7110) */
    uint32_t reg_io_width; /* device tree reg-io-width: 1 or 4 */
    uint32_t clock_hz;     /* clock-frequency; 0 keeps the divisor the firmware set */
    uint32_t baud;         /* used with clock_hz */
    uint32_t fifo_depth;   /* transmit FIFO bytes; 0 means 16 */
    const aexec_cs *cs;    /* excludes the ISR and every task using the UART */
    uint16_t *rx_ring;     /* receive ring: bytes and error markers */
    uint32_t rx_size;      /* entries, a power of two >= 2 */
    uint8_t *tx_ring;      /* transmit ring */
    uint32_t tx_size;      /* bytes, a power of two >= 2 */
};

struct uart16550_stats {
    uint32_t overrun, parity, framing, brk; /* line errors seen */
    uint32_t rx_masked;                     /* times a full ring masked receive */
    uint32_t rx_held;                       /* 1 while receive is masked now */
    uint32_t irqs;                          /* calls of uart16550_on_irq */
    uint64_t rx_bytes, tx_bytes;            /* bytes through the rings */
};

struct uart16550 {
    uintptr_t base;
    uint32_t shift, width, fifo_depth;
    aexec_cs cs;
    uint16_t *rx;
    uint32_t rx_mask, rx_head, rx_tail; /* free-running indices */
    uint8_t *tx;
    uint32_t tx_mask, tx_head, tx_tail;
    uint32_t ier;        /* the IER as last written */
    uint32_t oe_pending; /* an overrun seen whose marker found no room yet */
    uint32_t lsr_errors; /* error bits an LSR read reported, not yet marked */
    aexec_task *reader;  /* the task whose read is registered, or NULL */
    aexec_waker_slot rx_slot;
    aexec_wait_queue tx_waiters;
    struct uart16550_stats stats;
};

/*
 * Programs the UART (8N1, FIFOs on, receive interrupts on) and takes the
 * rings. Bytes already received are kept (read into the ring); the FIFOs
 * are not cleared, so the firmware's last output still goes out. Boot context, before the UART's
 * interrupt is enabled at the interrupt controller. Returns 0, or AEXEC_EINVAL (NULL pointer, base
 * 0, width not 1 or 4, shift above 4, a ring size not a power of two >= 2).
 */
int uart16550_init(struct uart16550 *u, const struct uart16550_config *cfg);

/*
 * The interrupt function: drains the receive FIFO into the ring (masking
 * receive when the ring is full), refills the transmit FIFO from the ring,
 * records line errors, then wakes the reader and the writers. ISR context,
 * or any context that excludes itself from other calls of it.
 */
void uart16550_on_irq(struct uart16550 *u);

/* A snapshot of the counters. Any context. */
void uart16550_get_stats(struct uart16550 *u, struct uart16550_stats *out);

/* ---- receive ------------------------------------------------------------ */

struct uart16550_read {
    struct uart16550 *u;
    uint8_t *buf;
    size_t len;
    size_t done;     /* bytes delivered into buf so far */
    int32_t result;  /* once complete: bytes delivered, or UART16550_E* */
    uint32_t errors; /* with UART16550_ELINE: the UART16550_ERR_* bits */
    aexec_task *task;
    uint8_t mode, delim, complete;
};

/* A read of at least one and at most `len` bytes (len >= 1). Any context. */
void uart16550_read_init(struct uart16550_read *op, struct uart16550 *u, void *buf, size_t len);

/* A read of exactly `len` bytes (len >= 1). Any context. */
void uart16550_read_exact_init(struct uart16550_read *op, struct uart16550 *u, void *buf,
                               size_t len);

/*
 * A read up to and including `delim`, at most `len` bytes; when the buffer
 * fills first the read completes with UART16550_ETOOLONG and `len` bytes.
 * Any context.
 */
void uart16550_read_line_init(struct uart16550_read *op, struct uart16550 *u, void *buf, size_t len,
                              uint8_t delim);

/*
 * AEXEC_READY once the read is complete: op->result is the byte count, or
 * UART16550_ELINE (op->errors has the bits; op->done bytes before the
 * error are in buf), or UART16550_ETOOLONG (read line). A line error is
 * reported by the read that reaches it: a read of 1..n bytes that has
 * already delivered bytes stops before the marker, and the next read gets
 * the error. Task context. One reader of a UART at a time: a second task
 * polling a read while another's waits trips an assert.
 */
aexec_poll uart16550_read_poll(struct uart16550_read *op, aexec_cx *cx);

/*
 * Withdraws the read's registration. Returns 1 if the read had completed
 * (op->result is valid), 0 if not; either way op->done bytes are in buf and
 * every byte not delivered is still in the ring. Safe in every state,
 * zeroed included. Task context.
 */
int uart16550_read_cancel(struct uart16550_read *op);

/* ---- transmit ----------------------------------------------------------- */

struct uart16550_write {
    struct uart16550 *u;
    const uint8_t *buf;
    size_t len;
    size_t done; /* bytes copied into the ring so far */
    aexec_wait wait;
    uint8_t complete;
};

/* A write of `len` bytes from `buf` (valid until the write completes). Any context. */
void uart16550_write_init(struct uart16550_write *op, struct uart16550 *u, const void *buf,
                          size_t len);

/*
 * AEXEC_READY once every byte is in the transmit ring (not yet on the
 * line: flush waits for that). A write of at most the ring's size enters it
 * in one piece. Task context; any number of writers.
 */
aexec_poll uart16550_write_poll(struct uart16550_write *op, aexec_cx *cx);

/*
 * Withdraws the write. Returns 1 if it had completed, 0 if not (op->done
 * bytes are in the ring and will be sent). Safe in every state. Task context.
 */
int uart16550_write_cancel(struct uart16550_write *op);

struct uart16550_flush {
    struct uart16550 *u;
    aexec_wait wait;
    aexec_sleep settle;
    uint8_t complete, settling;
};

/* A wait for the transmitter to be empty. Any context. */
void uart16550_flush_init(struct uart16550_flush *op, struct uart16550 *u);

/*
 * AEXEC_READY once the transmit ring is empty and the UART reports its
 * shift register empty (LSR.TEMT). The 16550 raises no interrupt for TEMT:
 * after the last THR-empty interrupt the flush re-checks on a 100 us timer
 * (about one character at 115200 baud), never in a loop. Task context.
 */
aexec_poll uart16550_flush_poll(struct uart16550_flush *op, aexec_cx *cx);

/* Withdraws the flush. Returns 1 if it had completed. Safe in every state. Task context. */
int uart16550_flush_cancel(struct uart16550_flush *op);

#ifdef UART16550_REG_HOOKS
/* A simulated device (host tests): the driver's register accesses go here. */
uint32_t uart16550_reg_read(const struct uart16550 *u, uint32_t reg);
void uart16550_reg_write(const struct uart16550 *u, uint32_t reg, uint32_t value);
#endif

#endif /* UART16550_H */
