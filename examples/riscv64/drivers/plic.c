/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The PLIC driver. Register layout (the RISC-V PLIC specification, which
 * QEMU virt and the JH7110 follow):
 *   0x000000 + 4*irq                  priority of source irq
 *   0x001000                          pending bits
 *   0x002000 + 0x80*ctx + 4*(irq/32)  enable bits of context ctx
 *   0x200000 + 0x1000*ctx             threshold of context ctx
 *   0x200004 + 0x1000*ctx             claim (read) / complete (write)
 */
#include "plic.h"

#include "aexec/error.h"

#define PLIC_PRIORITY 0x0u
#define PLIC_ENABLE 0x2000u
#define PLIC_ENABLE_STRIDE 0x80u
#define PLIC_CONTEXT 0x200000u
#define PLIC_CONTEXT_STRIDE 0x1000u
#define PLIC_THRESHOLD 0x0u
#define PLIC_CLAIM 0x4u
/* The specification's limit; no hart table holds more. */
#define PLIC_MAX_CONTEXTS 15872u

static volatile uint32_t *reg(const struct plic *p, uintptr_t off)
{
    return (volatile uint32_t *)(p->base + off);
}

static volatile uint32_t *context_reg(const struct plic *p, uint32_t context, uint32_t off)
{
    return reg(p, PLIC_CONTEXT + (uintptr_t)context * PLIC_CONTEXT_STRIDE + off);
}

static int irq_ok(const struct plic *p, uint32_t irq)
{
    return irq >= 1 && irq <= p->nsources;
}

int plic_init(struct plic *p, uintptr_t base, uint32_t nsources, struct plic_handler *table,
              const int32_t *contexts, size_t ncontexts)
{
    if (p == NULL || base == 0 || table == NULL || nsources == 0 || nsources > PLIC_MAX_SOURCES ||
        (contexts == NULL && ncontexts != 0) || ncontexts > PLIC_MAX_HARTS)
        return AEXEC_EINVAL;
    for (size_t h = 0; h < ncontexts; h++)
        if (contexts[h] >= (int32_t)PLIC_MAX_CONTEXTS)
            return AEXEC_EINVAL;
    p->base = base;
    p->nsources = nsources;
    p->handlers = table;
    p->spurious = 0;
    for (uint32_t h = 0; h < PLIC_MAX_HARTS; h++)
        p->context[h] = h < ncontexts ? contexts[h] : -1;
    for (uint32_t irq = 0; irq <= nsources; irq++) {
        table[irq].fn = NULL;
        table[irq].ctx = NULL;
        if (irq != 0)
            *reg(p, PLIC_PRIORITY + 4u * irq) = 0;
    }
    for (uint32_t h = 0; h < PLIC_MAX_HARTS; h++) {
        if (p->context[h] < 0)
            continue;
        uint32_t c = (uint32_t)p->context[h];
        for (uint32_t w = 0; w <= nsources / 32u; w++)
            *reg(p, PLIC_ENABLE + (uintptr_t)c * PLIC_ENABLE_STRIDE + 4u * w) = 0;
        *context_reg(p, c, PLIC_THRESHOLD) = 0;
    }
    return 0;
}

int plic_set_priority(struct plic *p, uint32_t irq, uint32_t priority)
{
    if (!irq_ok(p, irq))
        return AEXEC_EINVAL;
    *reg(p, PLIC_PRIORITY + 4u * irq) = priority;
    return 0;
}

int plic_register(struct plic *p, uint32_t irq, uint32_t priority, plic_handler_fn fn, void *ctx)
{
    if (!irq_ok(p, irq) || fn == NULL)
        return AEXEC_EINVAL;
    p->handlers[irq].ctx = ctx;
    p->handlers[irq].fn = fn;
    return plic_set_priority(p, irq, priority);
}

int plic_enable(struct plic *p, uint32_t context, uint32_t irq, int on)
{
    if (!irq_ok(p, irq) || context >= PLIC_MAX_CONTEXTS)
        return AEXEC_EINVAL;
    volatile uint32_t *w =
        reg(p, PLIC_ENABLE + (uintptr_t)context * PLIC_ENABLE_STRIDE + 4u * (irq / 32u));
    uint32_t bit = 1u << (irq % 32u);
    *w = on ? *w | bit : *w & ~bit;
    return 0;
}

int32_t plic_context_of(const struct plic *p, uint32_t hartid)
{
    return hartid < PLIC_MAX_HARTS ? p->context[hartid] : -1;
}

int plic_route(struct plic *p, uint32_t irq, uint32_t hartid)
{
    int32_t to = plic_context_of(p, hartid);
    if (!irq_ok(p, irq) || to < 0)
        return AEXEC_EINVAL;
    for (uint32_t h = 0; h < PLIC_MAX_HARTS; h++)
        if (p->context[h] >= 0 && h != hartid)
            (void)plic_enable(p, (uint32_t)p->context[h], irq, 0);
    return plic_enable(p, (uint32_t)to, irq, 1);
}

int plic_set_threshold(struct plic *p, uint32_t context, uint32_t threshold)
{
    if (context >= PLIC_MAX_CONTEXTS)
        return AEXEC_EINVAL;
    *context_reg(p, context, PLIC_THRESHOLD) = threshold;
    return 0;
}

uint32_t plic_claim(struct plic *p, uint32_t context)
{
    return *context_reg(p, context, PLIC_CLAIM);
}

void plic_complete(struct plic *p, uint32_t context, uint32_t irq)
{
    *context_reg(p, context, PLIC_CLAIM) = irq;
}

uint32_t plic_on_irq(struct plic *p, uint32_t context)
{
    uint32_t handled = 0;
    uint32_t irq;
    /* A source raised again while its handler ran is claimed on the next
     * turn; a level-triggered device still asserting after the complete is
     * pending again at once, so nothing is left behind when this returns. */
    while ((irq = plic_claim(p, context)) != 0) {
        const struct plic_handler *h = irq <= p->nsources ? &p->handlers[irq] : NULL;
        if (h != NULL && h->fn != NULL)
            h->fn(h->ctx);
        else
            p->spurious++;
        plic_complete(p, context, irq);
        handled++;
    }
    return handled;
}
