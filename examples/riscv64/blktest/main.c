/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The block test kernel's boot: finds the virtio-blk disk, routes its
 * interrupt through the PLIC to hart 0's S-mode context, wraps the backend's
 * idle hook to measure the time spent in wfi, and runs the suite (cases.c).
 *
 * Discovery scans the eight virtio-mmio slots of QEMU virt (0x10001000, step
 * 0x1000, PLIC sources 1-8): the documented fallback until the device-tree
 * reader (drivers/fdt.h) gives them. The PLIC setup here is the minimum a
 * kernel with its own trap vector writes; the shared PLIC driver replaces it
 * in the demo.
 */
#include <stdint.h>

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"
#include "blktest.h"
#include "kprint.h"

#define VIRTIO_SLOT0 0x10001000ul
#define VIRTIO_SLOT_STEP 0x1000ul
#define VIRTIO_SLOTS 8u

#define PLIC_BASE 0x0c000000ul
#define PLIC_PRIORITY(src) (PLIC_BASE + 4ul * (src))
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000ul + 0x80ul * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000ul + 0x1000ul * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4ul)
#define PLIC_CTX_HART0_S 1u /* QEMU virt: context 2 * hart + 1 */

#define SCAUSE_INTERRUPT (1ul << 63)
#define IRQ_S_SOFT 1u
#define IRQ_S_TIMER 5u
#define IRQ_S_EXT 9u

aexec_executor blktest_ex;
struct virtio_blk blktest_dev;
static aexec_riscv hart;
static uintptr_t dev_base;
static uint32_t dev_irq;
static aexec_cs cs;
static _Alignas(
    VIRTIO_BLK_RING_ALIGN) unsigned char ring[VIRTIO_BLK_RING_BYTES(VIRTIO_BLK_QUEUE_MAX)];

void trap_handler(unsigned long scause);
void trap_entry(void);
void kmain(unsigned long hartid, unsigned long dtb);
void kmain_secondary(unsigned long hartid);

/* start.S's entry for harts started through SBI HSM: this kernel starts none. */
void kmain_secondary(unsigned long hartid)
{
    (void)hartid;
    for (;;)
        __asm__ __volatile__("wfi");
}

static volatile uint32_t *reg(unsigned long addr)
{
    return (volatile uint32_t *)addr;
}

static void kernel_panic(const char *msg, const char *file, int line)
{
    kputs("panic: ");
    kputs(msg);
    kputs(" (");
    kputs(file);
    kputsu(":", (uint64_t)line);
    kputs(")\n");
    aexec_riscv_sbi_shutdown();
}

void trap_handler(unsigned long scause)
{
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        aexec_riscv_on_timer_irq(&hart);
        return;
    }
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        aexec_riscv_on_soft_irq();
        return;
    }
    if (scause == (SCAUSE_INTERRUPT | IRQ_S_EXT)) {
        uint32_t src = *reg(PLIC_CLAIM(PLIC_CTX_HART0_S));
        if (src == dev_irq)
            virtio_blk_on_irq(&blktest_dev); /* moves results, wakes their tasks */
        if (src != 0u)
            *reg(PLIC_CLAIM(PLIC_CTX_HART0_S)) = src;
        /* The wakes pend the executor, whose wfi this interrupt has ended already. */
        return;
    }
    kputs("panic: unexpected trap, scause ");
    kputx(scause);
    kputs("\n");
    aexec_riscv_sbi_shutdown();
}

/*
 * Masks through the source's priority (0: never delivered) rather than the
 * context's enable bit: QEMU 7.2's PLIC re-evaluates its output on a
 * priority write but not on an enable write, so a source that became pending
 * while disabled would stay silent after the enable.
 */
void blktest_irq_enable(int on)
{
    *reg(PLIC_PRIORITY(dev_irq)) = on ? 1u : 0u;
}

int blktest_setup(uint16_t queue_size, uint64_t refuse)
{
    struct virtio_blk_config cfg = {
        .base = dev_base,
        .ring = ring,
        .ring_bytes = sizeof ring,
        .queue_size = queue_size,
        .refuse_features = refuse,
        .cs = &cs,
    };
    return virtio_blk_init(&blktest_dev, &cfg);
}

/* ---- the idle share: the backend's idle hook, timed --------------------- */

static aexec_port measured_port;
static void (*backend_idle)(void *ctx);
static uint64_t idle_ticks;

static void measured_idle(void *ctx)
{
    uint64_t t0 = aexec_riscv_rdtime();
    backend_idle(ctx);
    idle_ticks += aexec_riscv_rdtime() - t0; /* includes the interrupt that ended wfi */
}

uint64_t blktest_idle_ticks(void)
{
    return idle_ticks;
}

static int find_disk(void)
{
    for (uint32_t i = 0; i < VIRTIO_SLOTS; i++) {
        uintptr_t base = VIRTIO_SLOT0 + VIRTIO_SLOT_STEP * i;
        int v = virtio_blk_probe(base);
        if (v > 0) {
            dev_base = base;
            dev_irq = i + 1u;
            kputs("blk: virtio-blk at ");
            kputx(base);
            kputsu(", PLIC source ", dev_irq);
            kputsu(", virtio-mmio version ", (uint64_t)v);
            kputs(v == 1 ? " (legacy)\n" : " (modern)\n");
            return 0;
        }
    }
    return VIRTIO_BLK_ENODEV;
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    (void)dtb;
    aexec_set_panic_handler(kernel_panic);
    __asm__ __volatile__("csrw stvec, %0" ::"r"(trap_entry));

    aexec_riscv_executor_init(&blktest_ex, &hart, hartid, BLKTEST_TIMEBASE_HZ);
    /* The same backend, with its idle hook timed (public API only: re-init with a copy). */
    measured_port = *blktest_ex.port;
    backend_idle = measured_port.idle;
    measured_port.idle = measured_idle;
    aexec_executor_init(&blktest_ex, &measured_port, &hart, BLKTEST_TIMEBASE_HZ);
    aexec_executor_cs(&blktest_ex, &cs); /* the disk's interrupt is taken on this hart */

    if (find_disk() != 0) {
        kputs("panic: no virtio-blk device in any virtio-mmio slot\n");
        aexec_riscv_sbi_shutdown();
    }
    *reg(PLIC_ENABLE(PLIC_CTX_HART0_S) + 4ul * (dev_irq / 32u)) |= 1u << (dev_irq % 32u);
    *reg(PLIC_THRESHOLD(PLIC_CTX_HART0_S)) = 0u;
    blktest_irq_enable(1);

    __asm__ __volatile__(
        "csrs sie, %0" ::"r"((1ul << IRQ_S_TIMER) | (1ul << IRQ_S_SOFT) | (1ul << IRQ_S_EXT)));
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(0x2ul));

    blktest_spawn_suite();
    aexec_run(&blktest_ex);
    aexec_riscv_sbi_shutdown();
}
