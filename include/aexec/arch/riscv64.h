/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The RISC-V S-mode backend, for a kernel running under SBI (OpenSBI):
 *   now()        the `time` CSR (rdtime), at the board's timebase
 *   set_alarm()  a direct `stimecmp` write where the hart has Sstc and the
 *                firmware enabled it, else SBI TIME set_timer, else the
 *                legacy set_timer (EID 0)
 *   idle()       wfi with sstatus.SIE cleared around the check, so a pend
 *                between "nothing to do" and wfi is not lost (two variants
 *                for cores where that does not hold: aexec_riscv_set_idle)
 *   cs           sstatus.SIE cleared and restored (one hart); sync objects
 *                shared between harts take aexec_riscv_smp_cs (SIE and a
 *                spinlock), which is also the port's section in an
 *                AEXEC_CONFIG_RUNQUEUE_CS build on a core with atomics
 *   pend()       a flag, and an IPI to the executor's hart (SBI IPI, else
 *                the legacy send_ipi, EID 4), so a wake from another hart
 *                ends its wfi
 * The kernel owns the trap vector: it enables STIE and SSIE (and SEIE for
 * devices), calls aexec_riscv_on_timer_irq() from its supervisor timer
 * handler and aexec_riscv_on_soft_irq() from its software interrupt handler.
 * No libc: everything here is freestanding. docs/porting.md has the measured
 * costs and the three places a kernel can run the executor.
 */
#ifndef AEXEC_ARCH_RISCV64_H
#define AEXEC_ARCH_RISCV64_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/sync.h"

/* ---- probing the platform ------------------------------------------------ */

/* aexec_riscv_init() flags. */
#define AEXEC_RISCV_LEGACY_SBI                              \
    0x1u /* use the v0.1 calls (EID 0, 4, 8) even where the \
            extensions exist: how the fallbacks are tested */
#define AEXEC_RISCV_NO_SSTC                                     \
    0x2u /* never write stimecmp: the device tree does not list \
            Sstc for every hart, or to test the SBI alarm */

/* aexec_riscv_platform.features: what the backend found and uses. */
#define AEXEC_RISCV_HAS_BASE 0x01u /* the BASE extension (SBI v0.2 or later) */
#define AEXEC_RISCV_HAS_TIME 0x02u /* set_timer through TIME */
#define AEXEC_RISCV_HAS_IPI 0x04u  /* send_ipi through sPI */
#define AEXEC_RISCV_HAS_SRST 0x08u /* shutdown through SRST */
#define AEXEC_RISCV_HAS_HSM 0x10u  /* secondary harts can be started (HSM) */
#define AEXEC_RISCV_HAS_SSTC 0x20u /* the alarm is a direct stimecmp write */

/* What the SBI probe found (aexec_riscv_platform_info()). */
typedef struct aexec_riscv_platform {
    uint32_t features;          /* AEXEC_RISCV_HAS_*, after the flags are applied */
    uint32_t spec_major;        /* SBI specification version; 0.1 without BASE */
    uint32_t spec_minor;        /* its minor version */
    unsigned long impl_id;      /* 1 is OpenSBI; 0 without BASE */
    unsigned long impl_version; /* OpenSBI: major << 16 | minor */
} aexec_riscv_platform;

/*
 * Probes the SBI implementation (BASE: spec version, implementation,
 * probe_extension for TIME, sPI, SRST and HSM) and whether this hart can
 * write stimecmp (read under a trap of the backend's own: true only if the
 * hart has Sstc and the firmware set menvcfg.STCE). Harts are assumed alike:
 * a kernel whose device tree lists Sstc on some harts only passes
 * AEXEC_RISCV_NO_SSTC. Boot hart, once, before any other call of this
 * header; it briefly replaces stvec with sstatus.SIE cleared. A kernel that
 * never calls it gets aexec_riscv_init(0) from the first call that needs the
 * probe. Returns 0.
 */
int aexec_riscv_init(uint32_t flags);

/* What aexec_riscv_init() found. Any context, after it. */
const aexec_riscv_platform *aexec_riscv_platform_info(void);

/* ---- the executor --------------------------------------------------------- */

/* How idle() sleeps (aexec_riscv_set_idle). */
typedef enum aexec_riscv_idle {
    /*
     * The default: clear sstatus.SIE, check the pend flag, wfi, set SIE.
     * Assumes that an interrupt pending while SIE is clear still ends wfi
     * (the privileged spec requires it) and that the firmware leaves
     * mstatus.TW clear (OpenSBI does), so wfi does not trap.
     */
    AEXEC_RISCV_IDLE_WFI_MASKED = 0,
    /*
     * For a core or hypervisor whose wfi waits only for an enabled
     * interrupt: SIE set, check, wfi. An interrupt taken between the check
     * and wfi would be slept through, so the kernel's trap handler must call
     * aexec_riscv_idle_rollback() on every interrupt: it moves the return
     * address past the wfi.
     */
    AEXEC_RISCV_IDLE_WFI_ROLLBACK = 1,
    /* For firmware that sets mstatus.TW: SIE set, spin on the pend flag. Burns the hart. */
    AEXEC_RISCV_IDLE_SPIN = 2,
} aexec_riscv_idle;

/* The RISC-V backend's state behind one executor's port hooks. */
typedef struct aexec_riscv {
    /* private: the library's state; use the functions below. */
    _Atomic uint32_t pended;
    unsigned long hartid;  /* the hart that runs this executor */
    aexec_riscv_idle idle; /* AEXEC_RISCV_IDLE_WFI_MASKED unless set */
} aexec_riscv;

/*
 * Initializes `ex` for hart `hartid` (the one that will call aexec_run) with
 * the board's timebase `tick_hz` (the device tree's timebase-frequency:
 * 10 MHz on QEMU virt, 4 MHz on a VisionFive 2). Returns 0 or AEXEC_EINVAL.
 * Boot context, before interrupts.
 */
int aexec_riscv_executor_init(aexec_executor *ex, aexec_riscv *hart, unsigned long hartid,
                              uint64_t tick_hz);

/* As aexec_executor_init(): the call checks the caller's layout first (AEXEC__LAYOUT). */
#define aexec_riscv_executor_init(ex, hart, hartid, tick_hz) \
    (aexec__layout_check(AEXEC__LAYOUT) != 0                 \
         ? AEXEC_EINVAL                                      \
         : (aexec_riscv_executor_init)((ex), (hart), (hartid), (tick_hz)))

/* Chooses how `hart`'s idle() sleeps. Before aexec_run(), from the executor's thread. */
void aexec_riscv_set_idle(aexec_riscv *hart, aexec_riscv_idle how);

/*
 * Call from the supervisor timer interrupt: disarms this hart's timer (which
 * clears STIP) and pends the executor. ISR context.
 */
void aexec_riscv_on_timer_irq(aexec_riscv *hart);

/*
 * Call from the supervisor software interrupt (an IPI from pend()): clears
 * sip.SSIP. The interrupt itself has ended wfi. ISR context.
 */
void aexec_riscv_on_soft_irq(void);

/*
 * With AEXEC_RISCV_IDLE_WFI_ROLLBACK: call from the trap handler on every
 * interrupt, before it returns. If the interrupt was taken inside idle()'s
 * window between the pend check and wfi, it points sepc past the wfi, so
 * idle() returns instead of sleeping. Cheap (two compares) elsewhere. ISR
 * context, with the trap's sepc still in the CSR.
 */
void aexec_riscv_idle_rollback(void);

/* How many times aexec_riscv_idle_rollback() moved sepc (for tests). Any context. */
uint32_t aexec_riscv_idle_rollbacks(void);

/* ---- the SMP critical section ------------------------------------------------ */

/*
 * A critical section that excludes every context on every hart: it clears
 * this hart's sstatus.SIE, then takes one spinlock shared by all harts (and
 * all objects: `ctx` is ignored). Give it to each sync object that more than
 * one hart touches (aexec_channel_init(&ch, &aexec_riscv_smp_cs, ...)), and
 * to drivers whose state an ISR on one hart and a task on another share.
 *
 * It works with AEXEC_CONFIG_RUNQUEUE_CS off and on. Off, the run queue and
 * task states are atomic and only sync objects use it. On, the port's own
 * section also guards them, and other harts touch them when they wake a
 * task there, so aexec_riscv_executor_init() installs this pair as the
 * port's cs_enter/cs_exit: one lock then guards both, which is safe because
 * the library never nests sections (port.h).
 *
 * Calling contexts: task, ISR, any hart, with interrupts on or off; an ISR
 * that takes it on a hart where a task holds it cannot happen, because the
 * section masks this hart's interrupts before it spins.
 * Nesting: the interrupt state nests (cs_exit restores the SIE that its
 * cs_enter found, so an inner exit leaves interrupts off), the lock does
 * not: entering again on a hart that holds it spins forever. S-mode has no
 * CSR that names the hart, so an owner cannot be recorded cheaply; the
 * library never needs it, and a kernel's own nested use must not either.
 * Assumes the A extension (amoswap.w; defined only where the compiler
 * targets it, __riscv_atomic) and coherent memory between the harts, and
 * that sections are short: other harts spin, with their interrupts masked,
 * for as long as one is held.
 */
aexec_cs_state aexec_riscv_smp_cs_enter(void *ctx);
/* Leaves the section entered by aexec_riscv_smp_cs_enter(), which returned `saved`. */
void aexec_riscv_smp_cs_exit(void *ctx, aexec_cs_state saved);
/* The pair as a sync object's section (ctx NULL). Any context. */
extern const aexec_cs aexec_riscv_smp_cs;

/* ---- the hardware, for the kernel's own use ------------------------------- */

/* The `time` CSR. Any context. */
uint64_t aexec_riscv_rdtime(void);

/*
 * Programs this hart's timer interrupt for `at` (AEXEC_ALARM_NONE disarms
 * and clears STIP): stimecmp where usable, else SBI. Any context, this hart.
 */
void aexec_riscv_set_timer(uint64_t at);

/* Sets this hart's sip.SSIP: a software interrupt to itself, no ecall. Any context. */
void aexec_riscv_self_ipi(void);

/* SBI calls, each through the extension the probe found, else the legacy call. */
void aexec_riscv_sbi_set_timer(uint64_t at);
/* A supervisor software interrupt on `hartid`. Returns 0 or an SBI error (< 0). */
long aexec_riscv_sbi_send_ipi(unsigned long hartid);
/* The legacy console_putchar (EID 1), which every OpenSBI still offers. */
void aexec_riscv_sbi_putchar(int c);
/*
 * SBI HSM hart_start: starts `hartid` at `start` (S-mode, MMU off) with
 * a0 = hartid, a1 = opaque. Returns 0 or an SBI error: -2 (not supported)
 * without HSM, where every hart entered the kernel at boot instead (start.S
 * parks the ones that lose its boot lottery). Before the ecall the request
 * is recorded in aexec_riscv_hart_requests[hartid] (for hart ids below
 * AEXEC_RISCV_MAX_HARTS), because a success does not prove the hart will
 * arrive at `start`: OpenSBI 1.1 marks the hart START_PENDING before it
 * writes `start` into the hart's scratch, and a hart that looks in between
 * leaves with the cold boot's entry (the kernel's `_start`) and device
 * tree; start.S then takes the recorded request and goes where the kernel
 * asked (docs/porting.md, boot notes). Any context, once per start of that
 * hart.
 */
long aexec_riscv_sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque);

/* Hart ids that aexec_riscv_sbi_hart_start() records a request for. */
#define AEXEC_RISCV_MAX_HARTS 8u

/*
 * A start the kernel asked for and the hart has not taken yet: `entry` is 0
 * when there is none. The boot entry swaps `entry` to 0 (amoswap, so one
 * arrival takes it once) and, if it was set, jumps there with a0 = hart id,
 * a1 = `opaque`. Layout fixed for assembly: entry at 0, opaque at 8, 16
 * bytes per hart.
 */
struct aexec_riscv_hart_request {
    volatile unsigned long entry;  /* where the hart was asked to start, or 0 */
    volatile unsigned long opaque; /* its a1 there (a secondary's stack top) */
};

/* The requests by hart id: written by aexec_riscv_sbi_hart_start(), read by the boot entry. */
extern struct aexec_riscv_hart_request aexec_riscv_hart_requests[AEXEC_RISCV_MAX_HARTS];
/* Powers the machine off (SRST, else the legacy shutdown, EID 8); if both fail, wfi forever. */
_Noreturn void aexec_riscv_sbi_shutdown(void);

#endif /* AEXEC_ARCH_RISCV64_H */
