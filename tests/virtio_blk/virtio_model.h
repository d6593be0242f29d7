/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A virtio-mmio block device in memory, on a thread: the device the real
 * driver (examples/riscv64/drivers/virtio_blk.c, built with
 * VIRTIO_MMIO_MODEL) talks to on a host. Its registers follow the virtio 1.x
 * MMIO layout, legacy or modern; its thread takes chains off the avail ring,
 * completes each batch in a shuffled order (so completions come back out of
 * order), writes the used ring, sets InterruptStatus and then calls the
 * "interrupt" function, as a device on another bus master would.
 *
 * The register base the driver is given is the model's address.
 */
#ifndef VIRTIO_MODEL_H
#define VIRTIO_MODEL_H

#include <pthread.h>
#include <stdint.h>

struct vmodel_config {
    uint32_t version;   /* 1 legacy, 2 modern */
    uint32_t device_id; /* 2; 0 is an empty slot */
    uint64_t sectors;
    int readonly; /* offer RO, fail writes with IOERR */
    uint32_t queue_num_max;
    uint32_t jitter_us; /* up to this much delay before each completion */
    unsigned seed;
};

#define VMODEL_LOG 256

struct vmodel {
    struct vmodel_config cfg;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    void (*irq)(void *ctx);
    void *irq_ctx;
    unsigned char *disk;
    /* registers */
    uint32_t status, dev_sel, drv_sel, page_size, queue_num, queue_align, queue_ready;
    uint64_t driver_features, desc_addr, avail_addr, used_addr;
    uint32_t interrupt_status;
    /* the device's side of the queue */
    uint16_t last_avail, used_idx;
    int stop, held;
    uint32_t pending[1024], npending;
    /* what the tests look at (under mu) */
    uint32_t arrived, requests, out_of_order, max_pending, protocol_errors, notifies;
    uint64_t log_sector[VMODEL_LOG]; /* sector of each chain, in the order it was taken */
    uint32_t log_type[VMODEL_LOG];
};

/* Starts the device thread. `irq` is called from it after every completion batch. */
int vmodel_start(struct vmodel *m, const struct vmodel_config *cfg, void (*irq)(void *), void *ctx);
/* Stops and joins the thread, frees the disk. */
void vmodel_stop(struct vmodel *m);
/* While held, the device takes chains off the ring but completes none (it owns them). */
void vmodel_hold(struct vmodel *m, int held);
/* How many chains the device has taken and not completed. */
uint32_t vmodel_pending(struct vmodel *m);
/* The register base to give the driver. */
uintptr_t vmodel_base(struct vmodel *m);

#endif /* VIRTIO_MODEL_H */
