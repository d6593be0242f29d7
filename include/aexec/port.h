/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The port contract: everything the core needs from the platform.
 *
 * A kernel that does not use a shipped backend fills one aexec_port table and
 * hands it, with a context pointer, to aexec_executor_init(). The core never
 * calls a platform function by name; it reaches the platform only through
 * these hooks, so one image can run several executors with different penders.
 * Every hook receives the context pointer given at init. docs/porting.md
 * has worked ports (RISC-V S-mode, a kernel thread) and what a first port
 * runs into.
 */
#ifndef AEXEC_PORT_H
#define AEXEC_PORT_H

#include <stdint.h>

/* Whatever a critical section must save to be undone (an interrupt mask, a flag). */
typedef uintptr_t aexec_cs_state;

/* The value passed to set_alarm to mean "no alarm wanted". */
#define AEXEC_ALARM_NONE UINT64_MAX

/*
 * The hooks an executor calls to sleep, wake, mask and tell time: each
 * receives the executor's ctx. A backend fills one in (aexec/arch/host.h,
 * aexec/arch/riscv64.h); a kernel with its own may too (docs/porting.md).
 */
typedef struct aexec_port {
    /*
     * Makes the executor's idle() return, or makes its next idle() return at
     * once if it is not waiting yet. Called from any context (task, ISR, other
     * thread or hart): by a wake or a spawn that finds the executor asleep or
     * about to sleep, by aexec_executor_stop(), and from the executor's own
     * thread at the end of aexec_executor_poll() and of aexec_run() when
     * work arrived that the caller would otherwise sleep through. It is never
     * called for a wake that comes while the executor is busy polling (that
     * poll picks the wake up), so most wakes cost no pend and it may be slow
     * (an IPI, a condvar signal); it must not call back into the executor.
     * A pend that finds nobody asleep must still make the next idle() return.
     * Required.
     */
    void (*pend)(void *ctx);

    /*
     * Sleeps until pend() is called or the alarm set by set_alarm() fires.
     * Must not lose a pend that happened after the executor decided to sleep
     * but before it went to sleep (RISC-V: clear sstatus.SIE, re-check,
     * wfi; host: a flag under the condvar mutex). Returning early is harmless:
     * the executor re-checks its queue and its timers. Called only from the
     * thread running aexec_run(). Required for aexec_run(); unused by a
     * kernel that only calls aexec_executor_poll().
     */
    void (*idle)(void *ctx);

    /*
     * Enter and leave a critical section that excludes every context that
     * may touch the same sync object or, with AEXEC_CONFIG_RUNQUEUE_CS, the
     * same run queue: an interrupt mask on one hart, a spinlock with
     * interrupts masked on SMP. The library never nests sections: it leaves
     * one before it enters another, and it wakes tasks (which may call
     * pend()) only after it has left the section, so a plain non-recursive
     * spinlock is enough and pend() may take locks of its own. Sections are
     * short: a list splice, an item copy. Called from any context that uses
     * the object. Optional (NULL) unless the build uses
     * AEXEC_CONFIG_RUNQUEUE_CS or a sync object is given this port's section.
     */
    aexec_cs_state (*cs_enter)(void *ctx);
    void (*cs_exit)(void *ctx, aexec_cs_state saved);

    /*
     * The time driver. now() returns monotonic ticks at the executor's
     * tick_hz (it must not wrap in practice: 64 bits at 1 GHz last 584
     * years). set_alarm(at) asks for pend()-like wake-up of idle() once now()
     * >= at; AEXEC_ALARM_NONE cancels it. A later call replaces the earlier
     * alarm. An alarm that fires early or late is tolerated: the executor
     * re-reads now() and re-arms. Both are called only from the executor's
     * thread. If that thread moves between harts and the alarm is per hart
     * (RISC-V stimecmp or SBI set_timer), an alarm set before the move stays
     * armed on the old hart: it fires there as a spurious early wake, which
     * is harmless, and the next set_alarm() arms the new hart. Optional
     * (NULL) for an executor that never uses timers.
     */
    uint64_t (*now)(void *ctx);
    void (*set_alarm)(void *ctx, uint64_t at);
} aexec_port;

#endif /* AEXEC_PORT_H */
