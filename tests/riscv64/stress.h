/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The 4-hart stress runs of the core test kernel. Each hart spawns its part
 * of every stress onto its own executor, all harts meet at a barrier, then
 * run their executors until their tasks finish; the boot hart checks the
 * counts and reports one line per check.
 */
#ifndef AEXEC_TESTS_RISCV64_STRESS_H
#define AEXEC_TESTS_RISCV64_STRESS_H

#include <stdint.h>

/* Every hart wakes a task on every other hart's executor: 1,000,000 wakes. */
void stress_wakes_spawn(unsigned hart);
uint64_t stress_wakes_progress(void);
void stress_wakes_report(void);

/* Timers armed, fired and cancelled on every hart's own timer queue. */
void stress_timers_spawn(unsigned hart);
uint64_t stress_timers_progress(void);
void stress_timers_report(void);

/* A channel fed by tasks on harts 1-3, drained by a task on hart 0. */
void stress_channel_spawn(unsigned hart);
uint64_t stress_channel_progress(void);
void stress_channel_report(void);

/* One plain counter incremented inside aexec_riscv_smp_cs by a task on every hart. */
void stress_cs_spawn(unsigned hart);
uint64_t stress_cs_progress(void);
void stress_cs_report(void);

#endif /* AEXEC_TESTS_RISCV64_STRESS_H */
