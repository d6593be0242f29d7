/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Sstc: the supervisor's own timer compare register.
 *
 * With Sstc, STIP follows `time >= stimecmp` in hardware, so the alarm is one
 * CSR write instead of an ecall into the firmware. S-mode may touch stimecmp
 * only if the hart implements Sstc and the firmware set menvcfg.STCE; both
 * show as the same thing, a csrr that does not trap. The device tree's ISA
 * string can only say the first, so the backend asks the hart.
 */
#include "riscv64_internal.h"

#define CSR_STIMECMP 0x14d

int aexec__riscv_stimecmp_usable(void)
{
    unsigned long ok, saved_stvec, saved_sstatus, tmp;
    /*
     * A trap vector of our own for one instruction: if the csrr traps, the
     * handler clears `ok` and resumes after it. SIE is cleared around it, so
     * only this exception can arrive while stvec points here; the trap saves
     * SIE (0) in SPIE and sret restores it. csrr is a 4-byte instruction
     * even with the C extension.
     */
    __asm__ __volatile__(
        "csrrc %[ss], sstatus, %[sie]\n\t"
        "la %[tmp], 1f\n\t"
        "csrrw %[sv], stvec, %[tmp]\n\t"
        "li %[ok], 1\n\t"
        "csrr %[tmp], %[stimecmp]\n\t"
        "j 2f\n\t"
        ".balign 4\n"
        "1:\n\t"
        "li %[ok], 0\n\t"
        "csrr %[tmp], sepc\n\t"
        "addi %[tmp], %[tmp], 4\n\t"
        "csrw sepc, %[tmp]\n\t"
        "sret\n"
        "2:\n\t"
        "csrw stvec, %[sv]\n\t"
        "csrw sstatus, %[ss]"
        : [ok] "=&r"(ok), [sv] "=&r"(saved_stvec), [ss] "=&r"(saved_sstatus), [tmp] "=&r"(tmp)
        : [sie] "r"(AEXEC__SSTATUS_SIE), [stimecmp] "i"(CSR_STIMECMP)
        : "memory");
    return (int)ok;
}

void aexec__riscv_write_stimecmp(uint64_t at)
{
    /* All ones is never reached: that is how AEXEC_ALARM_NONE disarms. */
    __asm__ __volatile__("csrw %0, %1" ::"i"(CSR_STIMECMP), "r"(at) : "memory");
}
