/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Text output for tasks: a line is formatted into a buffer, then awaited
 * as one write on the console UART (so lines from different tasks never
 * mix). No printf: a kernel has none.
 */
#ifndef DEMO_CONSOLE_H
#define DEMO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "uart16550.h"

#define CONSOLE_LINE 256

struct console_out {
    char buf[CONSOLE_LINE];
    size_t len;
    struct uart16550_write wr;
    uint8_t sending;
};

void out_reset(struct console_out *o);
void out_str(struct console_out *o, const char *s);
void out_bytes(struct console_out *o, const void *p, size_t n);
/* `s`, then spaces up to `width` characters. */
void out_padded(struct console_out *o, const char *s, size_t width);
void out_u64(struct console_out *o, uint64_t v);
/* `num / den` with `decimals` digits after the point, rounded down. */
void out_fixed(struct console_out *o, uint64_t num, uint64_t den, unsigned decimals);
/* "\r\n": terminals want both. */
void out_nl(struct console_out *o);

/* Writes what was formatted, then empties the buffer. Task context. */
aexec_poll out_send_poll(struct console_out *o, aexec_cx *cx);
/* Withdraws the write. Returns 1 if it had completed. Task context. */
int out_send_cancel(struct console_out *o);

#endif /* DEMO_CONSOLE_H */
