/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Shared by the device-tree reader's tests: blobs loaded into buffers of
 * exactly their size (so ASan sees any read past the end), and libfdt as the
 * reference the reader's results are checked against.
 */
#ifndef FDT_REF_H
#define FDT_REF_H

#include <stddef.h>

#include "fdt.h"

/* Reads tests/fdt/blobs/NAME (or the dtc-built copy) into a malloc'd buffer of exactly its size. */
void *ref_load(const char *name, size_t *size);

/* The checked-in copy of a blob dtc builds (tests/fdt/blobs/NAME), or NULL if dtc built none. */
void *ref_load_checked_in(const char *name, size_t *size);

/* Fills *p with a byte pattern, so "left as it was" and determinism can be checked with memcmp. */
void ref_fill(struct dt_platform *p, unsigned char pattern);

/* Whether *p still holds ref_fill's pattern. */
int ref_untouched(const struct dt_platform *p, unsigned char pattern);

/*
 * Asserts that everything dt_parse reported in *p is what libfdt finds in the
 * same blob: timebase, memory, every hart, the first UART and PLIC and each
 * hart's S-mode context (found by following the PLIC's phandles to the cpus),
 * every virtio node.
 */
void ref_check(const void *blob, const struct dt_platform *p);

#endif
