/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "guest.h"

#include "kpanic.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* ---- console: QEMU virt's 16550, polled --------------------------------- */

#define UART_BASE 0x10000000ul
#define UART_THR 0u
#define UART_LSR 5u
#define UART_LSR_THRE 0x20u

static int console_put(char c, FILE *f)
{
    (void)f;
    volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
    while ((uart[UART_LSR] & UART_LSR_THRE) == 0) {
    }
    uart[UART_THR] = (uint8_t)c;
    return (unsigned char)c;
}

static FILE console = FDEV_SETUP_STREAM(console_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &console;

/* ---- per-hart state ------------------------------------------------------ */

guest_hart guest_harts[GUEST_MAX_HARTS];

/*
 * picolibc keeps errno in thread-local storage, addressed from `tp`, which
 * its crt0 would set up; these kernels have their own boot code, so each
 * hart points tp at a zeroed block of its own (larger than the library's
 * .tdata + .tbss, which is errno alone).
 */
static uint64_t tls_blocks[GUEST_MAX_HARTS][8];

#define SIE_SSIE (1ul << 1)
#define SIE_STIE (1ul << 5)

static void hart_setup(unsigned index)
{
    __asm__ __volatile__("mv tp, %0" ::"r"(tls_blocks[index]));
    __asm__ __volatile__("csrw sscratch, %0" ::"r"(&guest_harts[index]));
    __asm__ __volatile__("csrw stvec, %0" ::"r"(trap_entry));
    __asm__ __volatile__("csrs sie, %0" ::"r"(SIE_SSIE | SIE_STIE));
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
}

void trap_handler(unsigned long scause)
{
    guest_hart *self;
    __asm__ __volatile__("csrr %0, sscratch" : "=r"(self));
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        aexec_riscv_on_timer_irq(&self->rv);
        return;
    }
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        aexec_riscv_on_soft_irq();
        return;
    }
    kpanic_trap(scause, (long)self->hartid);
}

void guest_init(unsigned long hartid)
{
    guest_harts[0].hartid = hartid;
    hart_setup(0);
    aexec_set_panic_handler(kpanic_assert);
    if (aexec_riscv_executor_init(&guest_harts[0].ex, &guest_harts[0].rv, hartid,
                                  GUEST_TIMEBASE_HZ) != 0)
        kpanic("boot hart: executor init failed");
}

/* ---- secondary harts ----------------------------------------------------- */

#define SECONDARY_STACK 16384u

static uint8_t secondary_stacks[GUEST_MAX_HARTS][SECONDARY_STACK] __attribute__((aligned(16)));
static void (*secondary_entry)(unsigned index);
static _Atomic unsigned secondaries_up;

void kmain_secondary(unsigned long hartid)
{
    unsigned index = 1;
    while (index < GUEST_MAX_HARTS && guest_harts[index].hartid != hartid)
        index++;
    if (index == GUEST_MAX_HARTS)
        kpanic("a hart started that nobody asked for");
    hart_setup(index);
    if (aexec_riscv_executor_init(&guest_harts[index].ex, &guest_harts[index].rv, hartid,
                                  GUEST_TIMEBASE_HZ) != 0)
        kpanic("secondary hart: executor init failed");
    atomic_fetch_add_explicit(&secondaries_up, 1u, memory_order_release);
    secondary_entry(index);
    for (;;)
        __asm__ __volatile__("wfi");
}

unsigned guest_start_harts(unsigned count, void (*entry)(unsigned index))
{
    unsigned started = 0;
    secondary_entry = entry;
    /* QEMU numbers harts from 0, and OpenSBI boots on any of them. */
    for (unsigned long id = 0; id < 8 && started < count && started + 1 < GUEST_MAX_HARTS; id++) {
        if (id == guest_harts[0].hartid)
            continue;
        unsigned index = started + 1;
        guest_harts[index].hartid = id;
        if (aexec_riscv_sbi_hart_start(
                id, (unsigned long)_start_secondary,
                (unsigned long)(secondary_stacks[index] + SECONDARY_STACK)) == 0)
            started++;
    }
    /* Every started hart has its executor before anyone wakes across. */
    while (atomic_load_explicit(&secondaries_up, memory_order_acquire) != started) {
    }
    return started;
}

/* ---- a big stack for the boot hart --------------------------------------- */

static uint8_t big_stack[256 * 1024] __attribute__((aligned(16)));

void guest_call_on_stack(void (*fn)(void), void *top);
__asm__(".text\n"
        ".globl guest_call_on_stack\n"
        "guest_call_on_stack:\n"
        "    addi a1, a1, -16\n"
        "    sd ra, 8(a1)\n"
        "    sd sp, 0(a1)\n"
        "    mv sp, a1\n"
        "    jalr a0\n"
        "    ld ra, 8(sp)\n"
        "    ld sp, 0(sp)\n"
        "    ret\n");

void guest_run_on_big_stack(void (*fn)(void))
{
    guest_call_on_stack(fn, big_stack + sizeof big_stack);
}

/* ---- reporting ----------------------------------------------------------- */

static unsigned passed, failed;

void guest_print_group(const char *group)
{
    const char *base = strrchr(group, '/');
    base = base ? base + 1 : group;
    const char *dot = strrchr(base, '.');
    printf("%.*s", dot ? (int)(dot - base) : (int)strlen(base), base);
}

void guest_report(const char *group, const char *name, int ok)
{
    printf(ok ? "ok   " : "FAIL ");
    guest_print_group(group);
    printf(".%s\n", name);
    if (ok)
        passed++;
    else
        failed++;
}

void guest_report_skip(const char *group, const char *name)
{
    printf("skip ");
    guest_print_group(group);
    printf(".%s\n", name);
}

_Noreturn void guest_finish(void)
{
    printf("%u passed, %u failed\n", passed, failed);
    aexec_riscv_sbi_shutdown();
}
