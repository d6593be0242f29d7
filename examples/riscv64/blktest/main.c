/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The block test kernel's boot: reads the device tree OpenSBI passes in a1,
 * finds the virtio-blk disk among its virtio,mmio slots, routes the disk's
 * interrupt through the PLIC driver to this hart, wraps the backend's idle
 * hook to measure the time spent in wfi, and runs the suite (cases.c).
 */
#include <stdint.h>

#include "aexec/aexec.h"
#include "aexec/arch/riscv64.h"
#include "blktest.h"
#include "fdt.h"
#include "kboot.h"
#include "kpanic.h"
#include "kprint.h"
#include "plic.h"

#define DT_MAX_BYTES (1u << 20)

aexec_executor blktest_ex;
struct virtio_blk blktest_dev;
static aexec_riscv hart;
static uintptr_t dev_base;
static uint32_t dev_irq;
static struct dt_platform platform;
static struct plic plic;
static struct plic_handler plic_table[PLIC_MAX_SOURCES + 1];
static uint32_t plic_ctx;
static aexec_cs cs;
static _Alignas(
    VIRTIO_BLK_RING_ALIGN) unsigned char ring[VIRTIO_BLK_RING_BYTES(VIRTIO_BLK_QUEUE_MAX)];

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
        /* The handler moves results and wakes their tasks; the wakes pend the
         * executor, whose wfi this interrupt has ended already. */
        plic_on_irq(&plic, plic_ctx);
        return;
    }
    kpanic_trap(scause, -1);
}

/*
 * Masks through the source's priority (0: never delivered) rather than the
 * context's enable bit: QEMU 7.2's PLIC re-evaluates its output on a
 * priority write but not on an enable write, so a source that became pending
 * while disabled would stay silent after the enable.
 */
void blktest_irq_enable(int on)
{
    plic_set_priority(&plic, dev_irq, on ? 1u : 0u);
}

static void disk_irq(void *ctx)
{
    virtio_blk_on_irq(ctx);
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

/* The first virtio,mmio slot of the tree with a virtio-blk device behind it. */
static int find_disk(void)
{
    for (uint32_t i = 0; i < platform.nvirtio; i++) {
        uintptr_t base = (uintptr_t)platform.virtio[i].reg.base;
        int v = virtio_blk_probe(base);
        if (v > 0) {
            dev_base = base;
            dev_irq = platform.virtio[i].irq;
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

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    aexec_set_panic_handler(kpanic_assert);
    if (dtb == 0)
        kpanic("no device tree in a1");
    uint32_t size = be32((const uint8_t *)dtb + 4);
    int rc = dt_parse((const void *)dtb, size < DT_MAX_BYTES ? size : DT_MAX_BYTES, &platform);
    if (rc != 0)
        kpanic(dt_strerror(rc));
    if (!platform.plic.present)
        kpanic("no PLIC in the device tree");
    __asm__ __volatile__("csrw stvec, %0" ::"r"(trap_entry));

    aexec_riscv_executor_init(&blktest_ex, &hart, hartid, BLKTEST_TIMEBASE_HZ);
    /* The same backend, with its idle hook timed (public API only: re-init with a copy). */
    measured_port = *blktest_ex.port;
    backend_idle = measured_port.idle;
    measured_port.idle = measured_idle;
    aexec_executor_init(&blktest_ex, &measured_port, &hart, BLKTEST_TIMEBASE_HZ);
    aexec_executor_cs(&blktest_ex, &cs); /* the disk's interrupt is taken on this hart */

    if (find_disk() != 0)
        kpanic("no virtio-blk device behind any virtio,mmio node");
    if (plic_init(&plic, (uintptr_t)platform.plic.reg.base, platform.plic.ndev, plic_table,
                  platform.plic.s_context, DT_MAX_HARTS) != 0 ||
        plic_context_of(&plic, (uint32_t)hartid) < 0)
        kpanic("the PLIC of the device tree is unusable");
    plic_ctx = (uint32_t)plic_context_of(&plic, (uint32_t)hartid);
    plic_register(&plic, dev_irq, 1, disk_irq, &blktest_dev);
    plic_route(&plic, dev_irq, (uint32_t)hartid);

    __asm__ __volatile__(
        "csrs sie, %0" ::"r"((1ul << IRQ_S_TIMER) | (1ul << IRQ_S_SOFT) | (1ul << IRQ_S_EXT)));
    __asm__ __volatile__("csrs sstatus, %0" ::"r"(0x2ul));

    blktest_spawn_suite();
    aexec_run(&blktest_ex);
    aexec_riscv_sbi_shutdown();
}
