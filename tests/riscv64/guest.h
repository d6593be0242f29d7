/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What the rv64 test kernels share: a console (QEMU virt's 16550 through
 * picolibc's printf), one line per check and the closing line the runner
 * (scripts/qemu-test) reads, harts started through SBI HSM with an executor
 * each, and the trap handler that feeds the backend its interrupts.
 * Objects shared between harts take the backend's aexec_riscv_smp_cs.
 */
#ifndef AEXEC_TESTS_RISCV64_GUEST_H
#define AEXEC_TESTS_RISCV64_GUEST_H

#include <stdint.h>

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"
#include "kboot.h"

#define GUEST_TIMEBASE_HZ 10000000u /* QEMU virt's timebase-frequency */
#define GUEST_MAX_HARTS 4u

/* One hart's executor and backend state; index 0 is the boot hart. */
typedef struct guest_hart {
    unsigned long hartid;
    aexec_riscv rv;
    aexec_executor ex;
} guest_hart;

extern guest_hart guest_harts[GUEST_MAX_HARTS];

/* Boot hart: console, trap vector, panic handler (a guest panic prints a
 * line starting "panic" and powers off). */
void guest_init(unsigned long hartid);

/*
 * Starts up to `count` more harts (logical indices 1..count); each enables
 * its interrupts, initializes guest_harts[i].ex and calls entry(i), then
 * parks. Returns how many started. Boot hart only.
 */
unsigned guest_start_harts(unsigned count, void (*entry)(unsigned index));

/* Calls fn() on a 256 KiB stack of its own (the boot stack is 16 KiB and
 * some host tests keep an executor on theirs). Boot hart only. */
void guest_run_on_big_stack(void (*fn)(void));

/* One line per check: "ok   group.name" or "FAIL group.name"; `group` may
 * be a source path, which prints as its base name. Boot hart only. */
void guest_report(const char *group, const char *name, int ok);
void guest_report_skip(const char *group, const char *name);
/* Prints `group` as guest_report() does ("tests/co/test_co.c" -> "test_co"). */
void guest_print_group(const char *group);

/* "N passed, N failed", then power off through SBI. */
_Noreturn void guest_finish(void);

/* The `time` CSR, in GUEST_TIMEBASE_HZ ticks. */
static inline uint64_t guest_now(void)
{
    return aexec_riscv_rdtime();
}

/* xorshift64: the stress tests' deterministic choices. */
static inline uint64_t guest_random(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

#endif /* AEXEC_TESTS_RISCV64_GUEST_H */
