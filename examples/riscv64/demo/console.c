/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "console.h"

#include "demo.h"

void out_reset(struct console_out *o)
{
    o->len = 0;
    o->sending = 0;
}

void out_bytes(struct console_out *o, const void *p, size_t n)
{
    const char *s = p;
    for (size_t i = 0; i < n && o->len < CONSOLE_LINE; i++)
        o->buf[o->len++] = s[i];
}

void out_str(struct console_out *o, const char *s)
{
    while (*s != '\0' && o->len < CONSOLE_LINE)
        o->buf[o->len++] = *s++;
}

void out_padded(struct console_out *o, const char *s, size_t width)
{
    size_t start = o->len;
    out_str(o, s);
    while (o->len - start < width && o->len < CONSOLE_LINE)
        o->buf[o->len++] = ' ';
}

void out_u64(struct console_out *o, uint64_t v)
{
    char tmp[20];
    int i = 0;
    do {
        tmp[i++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    while (i > 0 && o->len < CONSOLE_LINE)
        o->buf[o->len++] = tmp[--i];
}

void out_fixed(struct console_out *o, uint64_t num, uint64_t den, unsigned decimals)
{
    uint64_t scale = 1;
    for (unsigned i = 0; i < decimals; i++)
        scale *= 10u;
    uint64_t v = den == 0 ? 0 : aexec_muldiv(num, scale, den, 0);
    out_u64(o, v / scale);
    if (decimals == 0)
        return;
    out_str(o, ".");
    uint64_t frac = v % scale;
    for (uint64_t d = scale / 10u; d > 0; d /= 10u) {
        char c = (char)('0' + frac / d % 10u);
        out_bytes(o, &c, 1);
    }
}

void out_nl(struct console_out *o)
{
    out_str(o, "\r\n");
}

aexec_poll out_send_poll(struct console_out *o, aexec_cx *cx)
{
    if (!o->sending) {
        uart16550_write_init(&o->wr, &console, o->buf, o->len);
        o->sending = 1;
    }
    if (uart16550_write_poll(&o->wr, cx) == AEXEC_PENDING)
        return AEXEC_PENDING;
    out_reset(o);
    return AEXEC_READY;
}

int out_send_cancel(struct console_out *o)
{
    int done = o->sending ? uart16550_write_cancel(&o->wr) : 0;
    o->sending = 0;
    return done;
}
