/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What the demo kernel's files share: the harts, the console UART, the
 * counted tasks and the idle accounting. main.c defines all of it.
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"
#include "plic.h"
#include "uart16550.h"

#define DEMO_HARTS 2

/* One hart: its backend state, its executor, its PLIC context, its idle time. */
struct hart {
    aexec_riscv rv; /* first: the trap handler finds it through sscratch */
    aexec_executor ex;
    aexec_port port; /* the backend's hooks, idle wrapped to count time in wfi */
    unsigned long hartid;
    int32_t plic_context;
    /* Time in wfi, in timebase ticks, for other harts to read while this
     * one sleeps: `idle_gen` is odd while in wfi (since `wfi_start`); a
     * reader retries when it changed under it, as a seqlock. */
    _Atomic uint64_t idle_ticks, wfi_start;
    _Atomic uint32_t idle_gen;
    _Atomic uint32_t traps[3]; /* interrupts taken: timer, software (IPI), external */
    _Atomic uint32_t wfis;     /* times idle() went into wfi */
    _Atomic uint32_t in_trap;  /* nonzero inside trap_handler: the tracer's "from an ISR" */
    /* The library's counters of this hart's tasks (aexec/stats.h), when it
     * is built with AEXEC_STATS; read only on this hart. */
    aexec_task_stats stats[8];
};

extern struct hart harts[DEMO_HARTS];
extern uint64_t timebase_hz;
extern struct uart16550 console;
extern struct plic plic;
extern uint32_t console_irq;
/* Held by whoever needs the console to itself (the ticker for a line, the
 * echo benchmarks for their whole run). */
extern aexec_mutex console_lock;

/*
 * A task whose polls are counted, for the shell's `tasks`: the demo's own
 * wrapper, the library keeps no statistics. Embed it first in a task.
 */
struct counted_task {
    aexec_task task;
    aexec_poll_fn body;
    const char *name;
    unsigned hart;
    _Atomic uint32_t polls;
};

#define DEMO_MAX_TASKS 8
extern struct counted_task *demo_tasks[DEMO_MAX_TASKS];
extern unsigned demo_ntasks;

/*
 * Spawns `t` on hart `h`'s executor under `name`, counting its polls; a
 * task spawned before (and finished) keeps its place in the table. Boot
 * context, or a task of hart h. Returns 0, AEXEC_EFULL (the table is
 * full) or AEXEC_EBUSY (`t` is still running).
 */
int demo_spawn(struct counted_task *t, unsigned h, const char *name, aexec_poll_fn body);

/* Time since boot in timebase ticks, and a hart's idle ticks. Any context. */
uint64_t demo_now(void);
uint64_t demo_idle(unsigned h);

/* The UART's registers, for the polled peer benchmark (which bypasses the driver). */
uint32_t demo_uart_reg_read(uint32_t reg);
void demo_uart_reg_write(uint32_t reg, uint32_t value);

#endif /* DEMO_H */
