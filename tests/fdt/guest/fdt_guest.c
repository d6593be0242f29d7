/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The device-tree reader in a guest, on the blob OpenSBI hands over in a1
 * (QEMU's, after OpenSBI's fixups: its own memory reserved, M-mode PLIC
 * contexts blanked). The kernel prints what it read, which the ctest test
 * compares with the machine QEMU was asked for, and checks in place that the
 * same blob cut by one byte is rejected and that two parses agree.
 */
#include <stdint.h>

#include "aexec/error.h"
#include "aexec/arch/riscv64.h"
#include "fdt.h"
#include "kboot.h"
#include "kpanic.h"
#include "kprint.h"

/* A bound, not a size: the reader touches only the header's totalsize, which must fit in it. */
#define DTB_MAX (64u * 1024u)

static struct dt_platform plat, again;
static unsigned passed, failed;

static void check(int ok, const char *what)
{
    kputs(ok ? "ok: " : "FAILED: ");
    kputs(what);
    kputs("\n");
    if (ok)
        passed++;
    else
        failed++;
}

static int same(const struct dt_platform *a, const struct dt_platform *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (unsigned long i = 0; i < sizeof *a; i++) {
        if (x[i] != y[i])
            return 0;
    }
    return 1;
}

static void report(void)
{
    kputs("timebase ");
    kputu(plat.timebase_hz);
    kputs(" Hz, memory ");
    kputx(plat.memory.base);
    kputs(" size ");
    kputx(plat.memory.size);
    kputs("\nharts");
    for (uint32_t i = 0; i < plat.nharts; i++) {
        kputs(" ");
        kputu(plat.harts[i].hartid);
        kputs(plat.harts[i].okay ? "" : "(off)");
        kputs(plat.harts[i].has_sstc ? "+sstc" : "");
    }
    kputs("\nuart ");
    kputx(plat.uart.reg.base);
    kputs(" irq ");
    kputu(plat.uart.irq);
    kputs(" clock ");
    kputu(plat.uart.clock_hz);
    kputs(" shift ");
    kputu(plat.uart.reg_shift);
    kputs(" width ");
    kputu(plat.uart.reg_io_width);
    kputs("\nplic ");
    kputx(plat.plic.reg.base);
    kputs(" ndev ");
    kputu(plat.plic.ndev);
    kputs(" s-contexts");
    for (uint32_t h = 0; h < DT_MAX_HARTS; h++) {
        if (plat.plic.s_context[h] >= 0) {
            kputs(" ");
            kputu(h);
            kputs(":");
            kputu((uint64_t)plat.plic.s_context[h]);
        }
    }
    kputs("\nvirtio ");
    kputu(plat.nvirtio);
    for (uint32_t i = 0; i < plat.nvirtio; i++) {
        kputs(" ");
        kputx(plat.virtio[i].reg.base);
        kputs("/");
        kputu(plat.virtio[i].irq);
    }
    kputs("\n");
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    const unsigned char *blob = (const unsigned char *)dtb;
    (void)hartid;
    aexec_set_panic_handler(kpanic_assert);
    int rc = dt_parse(blob, DTB_MAX, &plat);
    kputs("dt_parse: ");
    kputs(dt_strerror(rc));
    kputs("\n");
    check(rc == 0, "the firmware's blob parses");
    if (rc == 0) {
        uint32_t total =
            (uint32_t)blob[4] << 24 | (uint32_t)blob[5] << 16 | (uint32_t)blob[6] << 8 | blob[7];
        kputs("totalsize ");
        kputu(total);
        kputs("\n");
        report();
        check(dt_parse(blob, total - 1, &again) == DT_ETRUNCATED,
              "the same blob one byte short is rejected");
        check(dt_parse(blob, total, &again) == 0 && same(&plat, &again),
              "a second parse reads the same");
    }
    kputu(passed);
    kputs(" passed, ");
    kputu(failed);
    kputs(" failed\n");
    aexec_riscv_sbi_shutdown();
}

/* No interrupt is enabled: any trap is a bug. (start.S parks other harts.) */
void trap_handler(unsigned long scause)
{
    kpanic_trap(scause, -1);
}
