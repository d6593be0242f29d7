/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "kconsole.h"

#include "kprint.h"

#include "aexec/arch/riscv64.h"

static uint32_t passed, failed;

void kc_putc2(uint64_t hundredths)
{
    kputu(hundredths / 100u);
    kputs(".");
    kputu(hundredths / 10u % 10u);
    kputu(hundredths % 10u);
}

void kc_check(int ok, const char *what)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    kputs("FAIL: ");
    kputs(what);
    kputs("\n");
}

_Noreturn void kc_finish(void)
{
    kputu(passed);
    kputs(" passed, ");
    kputu(failed);
    kputs(" failed\n");
    aexec_riscv_sbi_shutdown();
}

void kc_enable_traps(void)
{
    __asm__ __volatile__("csrw stvec, %0" ::"r"(trap_entry));
    __asm__ __volatile__("csrs sie, %0" ::"r"((1ul << IRQ_S_TIMER) | (1ul << IRQ_S_SOFT)));
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
}

uint64_t kc_median(uint64_t *v, uint32_t n, uint64_t *max)
{
    for (uint32_t i = 1; i < n; i++) { /* insertion sort: n is at most a few thousand */
        uint64_t x = v[i];
        uint32_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    *max = v[n - 1];
    return v[n / 2];
}
