/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The demo's block device: brought up at boot, used by the commands of cmd_blk.c. */
#ifndef DEMO_CMD_BLK_H
#define DEMO_CMD_BLK_H

#include "aexec/aexec.h"
#include "fdt.h"

/*
 * Finds the first virtio-blk device among the tree's virtio,mmio slots,
 * brings it up with critical section `cs` (its interrupt is taken on hart
 * `irq_hartid`, its requests come from the other), registers and routes its
 * interrupt with the demo's PLIC. Prints one boot line. Returns 0, or
 * VIRTIO_BLK_ENODEV when there is no disk (the demo runs without one).
 * Boot context, after plic_init.
 */
int demo_blk_init(const struct dt_platform *platform, const aexec_cs *cs, unsigned long irq_hartid);

#endif /* DEMO_CMD_BLK_H */
