/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * tick_math.c once more, as 32-bit targets build it (no 64-bit divide, the
 * 128-bit product from 32-bit halves), under its own name, so that one fuzz
 * target checks both against the same reference.
 */
#define AEXEC_CONFIG_PORTABLE_MULDIV 1
#define aexec_muldiv aexec_fuzz_portable_muldiv
#include "time/tick_math.c"
