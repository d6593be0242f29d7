/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "alarm_mux.h"

#include "aexec/arch/riscv64.h"
#include "kboot.h"

void alarm_mux_init(struct alarm_mux *m)
{
    for (unsigned i = 0; i < ALARM_MUX_MAX; i++)
        m->at[i] = AEXEC_ALARM_NONE;
}

static void program(const struct alarm_mux *m)
{
    uint64_t first = AEXEC_ALARM_NONE;
    for (unsigned i = 0; i < ALARM_MUX_MAX; i++)
        if (m->at[i] < first)
            first = m->at[i];
    aexec_riscv_set_timer(first);
}

void alarm_mux_set(struct alarm_mux *m, unsigned src, uint64_t at)
{
    /* The timer interrupt reads and rewrites the table: keep it out meanwhile. */
    unsigned long old;
    __asm__ __volatile__("csrrc %0, sstatus, %1" : "=r"(old) : "r"(SSTATUS_SIE) : "memory");
    m->at[src] = at;
    program(m);
    if (old & SSTATUS_SIE)
        __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
}

uint32_t alarm_mux_fire(struct alarm_mux *m, uint64_t now)
{
    uint32_t due = 0;
    for (unsigned i = 0; i < ALARM_MUX_MAX; i++) {
        if (m->at[i] <= now) {
            m->at[i] = AEXEC_ALARM_NONE;
            due |= 1u << i;
        }
    }
    program(m);
    return due;
}
