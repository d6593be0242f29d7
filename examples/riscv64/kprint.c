/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "kprint.h"

#include "aexec/arch/riscv64.h"

void kputs(const char *s)
{
    while (*s)
        aexec_riscv_sbi_putchar(*s++);
}

void kputu(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    kputs(&buf[i]);
}

void kputx(uint64_t v)
{
    char buf[19];
    int i = 18;
    buf[i] = '\0';
    do {
        buf[--i] = "0123456789abcdef"[v & 15u];
        v >>= 4;
    } while (v != 0);
    buf[--i] = 'x';
    buf[--i] = '0';
    kputs(&buf[i]);
}

void kputsu(const char *s, uint64_t v)
{
    kputs(s);
    kputu(v);
}

void kputsi(const char *s, int64_t v)
{
    kputs(s);
    if (v < 0) {
        kputs("-");
        kputu((uint64_t)0 - (uint64_t)v);
    } else {
        kputu((uint64_t)v);
    }
}
