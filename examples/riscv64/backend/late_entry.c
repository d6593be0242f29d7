/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A hart the kernel started through HSM but the firmware entered at the boot
 * entry `_start` (a0 = hart id, a1 = the device tree), as OpenSBI 1.1 can do
 * for a hart that had not reached its HSM wait. The firmware's half is
 * played here: the kernel's request is recorded exactly as
 * aexec_riscv_sbi_hart_start() records it, then the raw HSM call sends the
 * hart to `_start` with the device tree. start.S must see the request, send
 * the hart to kmain_secondary on the requested stack, take the request once,
 * and never run kmain a second time.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"
#include "kconsole.h"

#define SBI_EXT_HSM 0x48534dul
#define WAIT_TICKS 50000000u /* 5 s at QEMU virt's 10 MHz timebase */

void _start(void);

static uint8_t hart1_stack[4096] __attribute__((aligned(16)));
static _Atomic uint32_t kmain_entries;
static _Atomic uint32_t secondary_entries;
static _Atomic unsigned long secondary_hartid = ~0ul;
static _Atomic uintptr_t secondary_sp;

/* No interrupt is enabled: any trap is a bug. */
void trap_handler(unsigned long scause)
{
    kpanic_trap(scause, -1);
}

void kmain_secondary(unsigned long hartid)
{
    uintptr_t sp;
    __asm__ __volatile__("mv %0, sp" : "=r"(sp));
    atomic_store_explicit(&secondary_sp, sp, memory_order_relaxed);
    atomic_store_explicit(&secondary_hartid, hartid, memory_order_relaxed);
    atomic_fetch_add_explicit(&secondary_entries, 1, memory_order_release);
    for (;;)
        __asm__ __volatile__("wfi");
}

/* HSM hart_start with nothing recorded: the firmware's view of the call. */
static long raw_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque)
{
    register unsigned long a0 __asm__("a0") = hartid;
    register unsigned long a1 __asm__("a1") = start;
    register unsigned long a2 __asm__("a2") = opaque;
    register unsigned long a6 __asm__("a6") = 0;
    register unsigned long a7 __asm__("a7") = SBI_EXT_HSM;
    __asm__ __volatile__("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
    return (long)a0;
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    aexec_set_panic_handler(kpanic_assert);
    kc_check(atomic_fetch_add(&kmain_entries, 1) == 0, "kmain: entered once");
    aexec_riscv_init(0);
    kc_check((aexec_riscv_platform_info()->features & AEXEC_RISCV_HAS_HSM) != 0, "probe: HSM");

    unsigned long other = hartid ^ 1u;
    uintptr_t top = (uintptr_t)(hart1_stack + sizeof hart1_stack);
    struct aexec_riscv_hart_request *req = &aexec_riscv_hart_requests[other];
    req->opaque = top;
    req->entry = (unsigned long)_start_secondary;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    kc_check(raw_hart_start(other, (unsigned long)_start, dtb) == 0,
             "HSM: the other hart sent to _start");

    uint64_t until = aexec_riscv_rdtime() + WAIT_TICKS;
    while (atomic_load_explicit(&secondary_entries, memory_order_acquire) == 0 &&
           aexec_riscv_rdtime() < until) {
    }
    kc_check(atomic_load(&secondary_entries) == 1,
             "late entry: the hart reached kmain_secondary, once");
    kc_check(atomic_load(&secondary_hartid) == other, "late entry: a0 is its hart id");
    uintptr_t sp = atomic_load(&secondary_sp);
    kc_check(sp > (uintptr_t)hart1_stack && sp <= top,
             "late entry: it runs on the requested stack");
    kc_check(req->entry == 0, "late entry: the request was taken");
    kc_check(atomic_load(&kmain_entries) == 1, "late entry: kmain did not run again");
    kc_finish();
}
