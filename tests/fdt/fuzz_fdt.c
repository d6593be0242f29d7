/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * libFuzzer target for dt_parse. Each input is parsed from a heap copy of
 * exactly its size, so ASan reports any read outside [blob, blob + max_size);
 * the same input is parsed again to a second result (parsing is
 * deterministic), and once more with a limit below the input's size from a
 * buffer of that size. Beyond not crashing it checks: a rejection leaves the
 * result untouched and names a known error; an accepted blob satisfies the
 * reader's limits and is well formed to libfdt as well.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>

#include "fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PATTERN 0x5a

static void require(int ok)
{
    if (!ok)
        abort();
}

static int untouched(const struct dt_platform *p)
{
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < sizeof *p; i++) {
        if (b[i] != PATTERN)
            return 0;
    }
    return 1;
}

static int parse(const uint8_t *data, size_t n, struct dt_platform *p)
{
    uint8_t *copy = malloc(n ? n : 1);
    require(copy != NULL);
    memcpy(copy, data, n);
    memset(p, PATTERN, sizeof *p);
    int rc = dt_parse(copy, n, p);
    if (rc == 0)
        require(fdt_check_full(copy, n) == 0);
    free(copy);
    return rc;
}

static void check(int rc, const struct dt_platform *p)
{
    if (rc != 0) {
        require(rc < 0 && strcmp(dt_strerror(rc), "unknown error") != 0);
        require(untouched(p));
        return;
    }
    require(p->timebase_hz != 0);
    require(p->nharts <= DT_MAX_HARTS && p->nvirtio <= DT_MAX_VIRTIO);
    for (uint32_t i = 0; i < p->nharts; i++)
        require(memchr(p->harts[i].isa, 0, sizeof p->harts[i].isa) != NULL);
    for (uint32_t h = 0; h < DT_MAX_HARTS; h++)
        require(p->plic.s_context[h] >= -1 && (p->plic.present || p->plic.s_context[h] == -1));
    if (p->uart.present)
        require(
            p->uart.reg_shift <= 31 &&
            (p->uart.reg_io_width == 1 || p->uart.reg_io_width == 2 || p->uart.reg_io_width == 4));
    require(p->plic.ndev <= 1023);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dt_platform a, b, c;
    int ra = parse(data, size, &a);
    int rb = parse(data, size, &b);
    require(ra == rb && memcmp(&a, &b, sizeof a) == 0);
    check(ra, &a);
    int rc = parse(data, size / 2, &c);
    check(rc, &c);
    return 0;
}
