/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A simulated 16550 for host tests of the uart16550 driver: the driver is
 * built with UART16550_REG_HOOKS and its register accesses land here.
 *
 * The model keeps what the driver relies on: a 16-byte receive FIFO that
 * the "line" fills only while it has room (back-pressure, as QEMU's chardev
 * does), per-character parity/framing/break flags revealed in the LSR when
 * the character is on top of the FIFO, a sticky overrun bit, a 16-byte
 * transmit FIFO drained one byte per step, THR-empty raised when IER.ETBEI
 * is set with the FIFO empty, and IIR priorities. A device thread plays the
 * line and the interrupt: whenever the modelled interrupt line is high it
 * calls uart16550_on_irq() under the "interrupt" lock, the one context that
 * takes this device's interrupts, as one hart would.
 */
#ifndef UART_SIM_H
#define UART_SIM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "uart16550.h"

/* Per input byte (uart_sim_start's `flags`): how the line delivers it. */
#define SIM_PARITY 0x04u  /* arrives with a parity error */
#define SIM_FRAMING 0x08u /* arrives with a framing error */
#define SIM_BREAK 0x10u   /* a break instead of the byte (a NUL with BI) */
#define SIM_OVERRUN 0x02u /* lost to an overrun (sets LSR.OE) */

struct uart_sim {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_mutex_t irq; /* the "interrupt" lock: one ISR at a time */
    pthread_t thread;
    struct uart16550 *u;
    /* registers */
    uint32_t ier, lcr, mcr, fcr, dll, dlm;
    uint8_t rx_byte[16], rx_flags[16];
    unsigned rx_head, rx_count;
    uint32_t oe;
    uint8_t tx_fifo[16];
    unsigned tx_head, tx_count;
    uint32_t thr_ipending;
    uint32_t tx_overflow; /* THR writes into a full FIFO: a driver bug */
    /* the line */
    const uint8_t *in;
    const uint8_t *in_flags;
    size_t in_len, in_pos;
    unsigned max_gap_us; /* random pause of 0..max_gap_us before each byte */
    uint64_t next_at_ns;
    uint32_t rng;
    uint8_t *out;
    size_t out_len, out_cap;
    uint32_t irq_calls;
    int stop;
};

/*
 * Starts the device thread for `u` (already initialized with
 * uart16550_init against this sim), delivering `in` (with per-byte
 * `flags`, or NULL) and collecting up to `out_cap` transmitted bytes in
 * `out`. One sim at a time.
 */
void uart_sim_init(struct uart_sim *sim);
void uart_sim_start(struct uart_sim *sim, struct uart16550 *u, const uint8_t *in,
                    const uint8_t *flags, size_t in_len, unsigned max_gap_us, uint8_t *out,
                    size_t out_cap, uint32_t seed);
/* Stops and joins the device thread. */
void uart_sim_stop(struct uart_sim *sim);
/* Bytes delivered into the FIFO so far and bytes transmitted. Any thread. */
size_t uart_sim_delivered(struct uart_sim *sim);
size_t uart_sim_transmitted(struct uart_sim *sim);

#endif /* UART_SIM_H */
