/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The block test kernel: what its boot code (main.c) gives the test cases (cases.c). */
#ifndef BLKTEST_H
#define BLKTEST_H

#include <stdint.h>

#include "aexec/aexec.h"
#include "virtio_blk.h"

#define BLKTEST_TIMEBASE_HZ 10000000u /* QEMU virt */

extern aexec_executor blktest_ex;
extern struct virtio_blk blktest_dev;

/* (Re)initializes the disk with a queue of `queue_size` and `refuse` features withheld. */
int blktest_setup(uint16_t queue_size, uint64_t refuse);

/* Masks (0) or unmasks (1) the disk's interrupt at the PLIC, for the polled runs. */
void blktest_irq_enable(int on);

/* Ticks the hart has spent in the executor's idle hook (wfi) since boot. */
uint64_t blktest_idle_ticks(void);

/* The suite task, spawned at boot: runs every case and prints "N passed, M failed". */
void blktest_spawn_suite(void);

#endif /* BLKTEST_H */
