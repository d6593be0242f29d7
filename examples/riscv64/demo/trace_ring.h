/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The demo kernel's trace recorder: libaexec's trace hooks (aexec/trace.h)
 * written into one fixed ring per hart, for the `trace` command to dump
 * over the UART (cmd_trace.c; docs/tracing.md, "On QEMU").
 *
 * An event goes into the ring of the hart that records it, whatever its
 * context: a task, an interrupt handler, or a wake aimed at the other
 * hart's executor. No lock is taken: a slot is reserved with one atomic
 * add on that hart's head, so a handler that interrupts a recording task
 * takes the next slot, and no other hart ever writes this ring. A full
 * ring overwrites its oldest events and counts them (`dropped`).
 *
 * Only the dump reads the rings, and it first pauses recording: it clears
 * `on` and waits until no hart is inside a hook (each hook announces itself
 * in `writers` before it looks at `on`, so one of the two always sees the
 * other). Events while paused are counted (`skipped`), not recorded.
 *
 * In a kernel whose libaexec is built without AEXEC_TRACE (the plain demo
 * kernel) there are no rings: these functions exist only with the option.
 */
#ifndef DEMO_TRACE_RING_H
#define DEMO_TRACE_RING_H

#include <stdint.h>

#include "demo.h"

/* Events kept per hart; a power of two. 32 bytes each: 128 KiB a hart (none
 * in a kernel without the hooks). */
#define TRACE_RING_EVENTS 4096u

enum trace_kind {
    TRACE_SPAWN,
    TRACE_WAKE,
    TRACE_POLL_BEGIN,
    TRACE_POLL_END,
    TRACE_IDLE_ENTER,
    TRACE_IDLE_EXIT,
    TRACE_TIMER_ARM,
    TRACE_TIMER_CANCEL,
    TRACE_TIMER_EXPIRE,
    TRACE_TASK_END,
};

/* Where a wake ran, as the recording hart saw it (wakes only). */
#define TRACE_CTX_TASK 0       /* task context on the target executor's own hart */
#define TRACE_CTX_IRQ 1        /* an interrupt handler */
#define TRACE_CTX_OTHER_HART 2 /* task context on another hart than the target's */

struct trace_event {
    uint64_t ticks; /* the time CSR (rdtime), in timebase ticks */
    uintptr_t obj;  /* the task, or the timer; 0 for idle */
    uint64_t arg;   /* wake: AEXEC_TRACE_FROM_*; poll end: the result; arm: the deadline;
                       end: the task's result (sign-extended) */
    uint8_t kind;   /* enum trace_kind */
    uint8_t ctx;    /* wake: TRACE_CTX_* */
};

/*
 * Stops recording and waits until no hook is still writing. Returns 0, or
 * -1 if a hook was still inside after a second (recording stays paused
 * either way; call trace_ring_resume). Task context, one caller at a time.
 */
int trace_ring_pause(void);
/* Starts recording again. */
void trace_ring_resume(void);
/* Forgets every event and the dropped count of each ring. Paused only. */
void trace_ring_clear(void);

/* While paused: events kept in hart h's ring, oldest first (index < count). */
uint32_t trace_ring_count(unsigned h);
const struct trace_event *trace_ring_event(unsigned h, uint32_t i);
/* While paused: events hart h overwrote since the last clear. */
uint32_t trace_ring_dropped(unsigned h);
/* While paused: events that came while recording was paused (or from a
 * hart the recorder does not know, before its trap setup), since the last
 * call; the count restarts at 0. */
uint32_t trace_ring_take_skipped(void);

#endif /* DEMO_TRACE_RING_H */
