/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A RISC-V PLIC (platform-level interrupt controller) driver for S-mode
 * kernels: sources, priorities, per-context enables and thresholds,
 * claim/complete, and a table of handlers the external interrupt dispatches
 * to.
 *
 * Contract:
 *   - The kernel gives the PLIC's base address, its number of sources, and
 *     for each hart id the index of that hart's S-mode context (the device
 *     tree's interrupts-extended: on QEMU virt hart h has M context 2h and S
 *     context 2h+1; on a VisionFive 2 hart 0, the S7 monitor core, has no S
 *     context at all). Nothing here assumes a layout.
 *   - plic_on_irq() is the one interrupt function: the kernel calls it from
 *     its own supervisor external interrupt (scause 9) with the context of
 *     the hart it runs on. It claims, calls the registered handler, and
 *     completes, until nothing is pending for that context.
 *   - Handlers run in ISR context with the hart's interrupts masked. They
 *     only move data and wake (see uart16550.h).
 *   - Configuration (register, priority, route, threshold) is boot-time work
 *     or the caller's to serialize: enable words are read-modify-written.
 * No heap, no libc; the handler table is the caller's storage.
 */
#ifndef PLIC_H
#define PLIC_H

#include <stddef.h>
#include <stdint.h>

/* The most harts whose contexts a struct plic records. */
#define PLIC_MAX_HARTS 8
/* Sources are 1..1023; source 0 means "nothing claimed". */
#define PLIC_MAX_SOURCES 1023u

typedef void (*plic_handler_fn)(void *ctx);

struct plic_handler {
    plic_handler_fn fn;
    void *ctx;
};

struct plic {
    uintptr_t base;
    uint32_t nsources;               /* highest valid source number */
    struct plic_handler *handlers;   /* handlers[irq], nsources + 1 entries */
    int32_t context[PLIC_MAX_HARTS]; /* S-mode context per hart id, -1 if none */
    uint32_t spurious;               /* claims that found no handler */
};

/*
 * Sets up `p` for the PLIC at `base` with sources 1..nsources, handlers in
 * `table` (nsources + 1 entries, zeroed here), and S-mode contexts per hart
 * id (`contexts[h]`, `ncontexts` entries, -1 for a hart without one). Every
 * source starts at priority 0 (never delivered) and disabled in every
 * listed context; every listed context's threshold is 0. Boot context.
 * Returns 0, or AEXEC_EINVAL (NULL pointer, base 0, nsources 0 or above
 * PLIC_MAX_SOURCES, more than PLIC_MAX_HARTS contexts).
 */
int plic_init(struct plic *p, uintptr_t base, uint32_t nsources, struct plic_handler *table,
              const int32_t *contexts, size_t ncontexts);

/*
 * Registers `fn(ctx)` for source `irq` (replacing an earlier one) and sets
 * its priority (1..7 on QEMU; 0 would mask it). Boot context, or with the
 * source disabled. Returns 0 or AEXEC_EINVAL (irq out of range, fn NULL).
 */
int plic_register(struct plic *p, uint32_t irq, uint32_t priority, plic_handler_fn fn, void *ctx);

/* Sets the priority of `irq`. Any context. Returns 0 or AEXEC_EINVAL. */
int plic_set_priority(struct plic *p, uint32_t irq, uint32_t priority);

/*
 * Enables (on != 0) or disables `irq` in context `context` (an index, as
 * in struct plic's table). Returns 0 or AEXEC_EINVAL. Boot context or
 * serialized by the caller (a read-modify-write of a shared word).
 */
int plic_enable(struct plic *p, uint32_t context, uint32_t irq, int on);

/*
 * Routes `irq` to hart `hartid` alone: enabled in its S context, disabled
 * in every other hart's. Returns 0, or AEXEC_EINVAL (irq out of range, the
 * hart has no S context). Same contexts as plic_enable().
 */
int plic_route(struct plic *p, uint32_t irq, uint32_t hartid);

/*
 * Interrupts of priority <= `threshold` are not delivered to `context`.
 * Any context. Returns 0 or AEXEC_EINVAL.
 */
int plic_set_threshold(struct plic *p, uint32_t context, uint32_t threshold);

/* The S-mode context of `hartid`, or -1. Any context. */
int32_t plic_context_of(const struct plic *p, uint32_t hartid);

/* Claims the highest-priority pending source of `context` (0: none). ISR context. */
uint32_t plic_claim(struct plic *p, uint32_t context);

/* Ends the handling of `irq` claimed from `context`. ISR context. */
void plic_complete(struct plic *p, uint32_t context, uint32_t irq);

/*
 * The supervisor external interrupt for `context`: claims, dispatches to
 * the registered handler, completes, until nothing is pending. A claim with
 * no handler is counted in p->spurious and completed. ISR context, on the
 * hart that owns `context`. Returns how many sources it handled.
 */
uint32_t plic_on_irq(struct plic *p, uint32_t context);

#endif /* PLIC_H */
