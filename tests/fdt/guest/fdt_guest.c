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

void kmain(unsigned long hartid, unsigned long dtb);
void trap_handler(unsigned long scause);

/* A bound, not a size: the reader touches only the header's totalsize, which must fit in it. */
#define DTB_MAX (64u * 1024u)

static struct dt_platform plat, again;
static unsigned passed, failed;

static void puts_(const char *s)
{
    while (*s)
        aexec_riscv_sbi_putchar(*s++);
}

static void putu(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts_(&buf[i]);
}

static void putx(uint64_t v)
{
    char buf[19];
    int i = 18;
    buf[i] = 0;
    do {
        buf[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    buf[--i] = 'x';
    buf[--i] = '0';
    puts_(&buf[i]);
}

static void check(int ok, const char *what)
{
    puts_(ok ? "ok: " : "FAILED: ");
    puts_(what);
    puts_("\n");
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
    puts_("timebase ");
    putu(plat.timebase_hz);
    puts_(" Hz, memory ");
    putx(plat.memory.base);
    puts_(" size ");
    putx(plat.memory.size);
    puts_("\nharts");
    for (uint32_t i = 0; i < plat.nharts; i++) {
        puts_(" ");
        putu(plat.harts[i].hartid);
        puts_(plat.harts[i].okay ? "" : "(off)");
        puts_(plat.harts[i].has_sstc ? "+sstc" : "");
    }
    puts_("\nuart ");
    putx(plat.uart.reg.base);
    puts_(" irq ");
    putu(plat.uart.irq);
    puts_(" clock ");
    putu(plat.uart.clock_hz);
    puts_(" shift ");
    putu(plat.uart.reg_shift);
    puts_(" width ");
    putu(plat.uart.reg_io_width);
    puts_("\nplic ");
    putx(plat.plic.reg.base);
    puts_(" ndev ");
    putu(plat.plic.ndev);
    puts_(" s-contexts");
    for (uint32_t h = 0; h < DT_MAX_HARTS; h++) {
        if (plat.plic.s_context[h] >= 0) {
            puts_(" ");
            putu(h);
            puts_(":");
            putu((uint64_t)plat.plic.s_context[h]);
        }
    }
    puts_("\nvirtio ");
    putu(plat.nvirtio);
    for (uint32_t i = 0; i < plat.nvirtio; i++) {
        puts_(" ");
        putx(plat.virtio[i].reg.base);
        puts_("/");
        putu(plat.virtio[i].irq);
    }
    puts_("\n");
}

static void panic_handler(const char *msg, const char *file, int line)
{
    puts_("panic: ");
    puts_(msg);
    puts_(" (");
    puts_(file);
    puts_(":");
    putu((uint64_t)line);
    puts_(")\n");
    aexec_riscv_sbi_shutdown();
}

void kmain(unsigned long hartid, unsigned long dtb)
{
    const unsigned char *blob = (const unsigned char *)dtb;
    (void)hartid;
    aexec_set_panic_handler(panic_handler);
    int rc = dt_parse(blob, DTB_MAX, &plat);
    puts_("dt_parse: ");
    puts_(dt_strerror(rc));
    puts_("\n");
    check(rc == 0, "the firmware's blob parses");
    if (rc == 0) {
        uint32_t total =
            (uint32_t)blob[4] << 24 | (uint32_t)blob[5] << 16 | (uint32_t)blob[6] << 8 | blob[7];
        puts_("totalsize ");
        putu(total);
        puts_("\n");
        report();
        check(dt_parse(blob, total - 1, &again) == DT_ETRUNCATED,
              "the same blob one byte short is rejected");
        check(dt_parse(blob, total, &again) == 0 && same(&plat, &again),
              "a second parse reads the same");
    }
    putu(passed);
    puts_(" passed, ");
    putu(failed);
    puts_(" failed\n");
    aexec_riscv_sbi_shutdown();
}

/* No interrupt is enabled: any trap is a bug. (start.S parks other harts.) */
void trap_handler(unsigned long scause)
{
    puts_("panic: unexpected trap, scause ");
    putu(scause);
    puts_("\n");
    aexec_riscv_sbi_shutdown();
}
