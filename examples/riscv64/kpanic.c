/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "kpanic.h"

#include "aexec/arch/riscv64.h"
#include "kprint.h"

void kpanic(const char *msg)
{
    kputs("panic: ");
    kputs(msg);
    kputs("\n");
    aexec_riscv_sbi_shutdown();
}

void kpanic_assert(const char *msg, const char *file, int line)
{
    kputs("panic: ");
    kputs(msg);
    kputs(" (");
    kputs(file);
    kputsi(":", line);
    kputs(")\n");
    aexec_riscv_sbi_shutdown();
}

void kpanic_trap(unsigned long scause, long hart)
{
    unsigned long sepc, stval;
    __asm__ __volatile__("csrr %0, sepc" : "=r"(sepc));
    __asm__ __volatile__("csrr %0, stval" : "=r"(stval));
    kputs("panic: unexpected trap");
    if (hart >= 0)
        kputsu(" on hart ", (uint64_t)hart);
    kputs(": scause ");
    kputx(scause);
    kputs(" sepc ");
    kputx(sepc);
    kputs(" stval ");
    kputx(stval);
    kputs("\n");
    aexec_riscv_sbi_shutdown();
}
