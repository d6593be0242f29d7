/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "kconsole.h"

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"

static uint32_t passed, failed;

void kc_puts(const char *s)
{
    while (*s)
        aexec_riscv_sbi_putchar(*s++);
}

void kc_putu(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    kc_puts(&buf[i]);
}

void kc_putc2(uint64_t hundredths)
{
    kc_putu(hundredths / 100u);
    kc_puts(".");
    kc_putu(hundredths / 10u % 10u);
    kc_putu(hundredths % 10u);
}

static void kernel_panic(const char *msg, const char *file, int line)
{
    kc_puts("panic: ");
    kc_puts(msg);
    kc_puts(" (");
    kc_puts(file);
    kc_puts(":");
    kc_putu((uint64_t)line);
    kc_puts(")\n");
    aexec_riscv_sbi_shutdown();
}

void kc_init(void)
{
    aexec_set_panic_handler(kernel_panic);
}

void kc_check(int ok, const char *what)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    kc_puts("FAIL: ");
    kc_puts(what);
    kc_puts("\n");
}

_Noreturn void kc_finish(void)
{
    kc_putu(passed);
    kc_puts(" passed, ");
    kc_putu(failed);
    kc_puts(" failed\n");
    aexec_riscv_sbi_shutdown();
}

void kc_enable_traps(void)
{
    __asm__ __volatile__("csrw stvec, %0" ::"r"(trap_entry));
    __asm__ __volatile__("csrs sie, %0" ::"r"((1ul << KC_IRQ_S_TIMER) | (1ul << KC_IRQ_S_SOFT)));
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(KC_SSTATUS_SIE));
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
