/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A test kernel's console: SBI putchar, decimal and hex numbers (shared by the guest kernels). */
#ifndef KPRINT_H
#define KPRINT_H

#include <stdint.h>

void kputs(const char *s);
void kputu(uint64_t v);
void kputx(uint64_t v);
/* "<text><number>" pairs are the common case: one call each. */
void kputsu(const char *s, uint64_t v);
void kputsi(const char *s, int64_t v);

#endif /* KPRINT_H */
