/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What the backend's test kernels and the placement examples share: a console
 * on the legacy SBI putchar, checks that count, and the closing line that
 * scripts/qemu-test reads ("N passed, N failed"), then power-off.
 */
#ifndef KCONSOLE_H
#define KCONSOLE_H

#include <stdint.h>

#include "kboot.h"  /* start.S's symbols, the trap bits */
#include "kpanic.h" /* kpanic, kpanic_assert, kpanic_trap: how a kernel stops */
#include "kprint.h" /* kputs, kputu: the shared console */

/* v / 100 with two decimals: "12.34". */
void kc_putc2(uint64_t hundredths);
/* Counts a check; prints "FAIL: what" if it does not hold. */
void kc_check(int ok, const char *what);
/* Prints "N passed, M failed" and powers off. */
_Noreturn void kc_finish(void);
/* Points stvec at trap_entry and enables the timer and software interrupts. */
void kc_enable_traps(void);
/* The median and the largest of n samples (sorts them in place). */
uint64_t kc_median(uint64_t *v, uint32_t n, uint64_t *max);

#endif /* KCONSOLE_H */
