/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The two libc functions a C compiler may call on its own (struct
 * initializers and copies), as every kernel linked with bare ld carries
 * them. The library and the drivers never need them; the demo's boot code
 * does.
 */
#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

void *memset(void *dst, int c, size_t n)
{
    volatile unsigned char *d = dst; /* volatile: not turned back into a memset call */
    while (n-- > 0)
        *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    volatile unsigned char *d = dst;
    const unsigned char *s = src;
    while (n-- > 0)
        *d++ = *s++;
    return dst;
}
