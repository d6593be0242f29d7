/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * An asynchronous virtio-blk driver over virtio-mmio (legacy version 1 and
 * modern version 2), on libaexec.
 *
 * Shape. One virtqueue in storage the kernel provides. Every request is its
 * own future in its own storage (struct virtio_blk_req): a 3-descriptor chain
 * (header, data, status byte), so as many requests are in flight at once as
 * the queue has room for. The interrupt function takes the returned chains
 * off the used ring, records each request's status and wakes exactly the task
 * that waits on that request; when descriptors are short, a request waits in
 * a FIFO and the interrupt function submits it as soon as chains come back.
 *
 * Taken alone. The driver needs a register base and one call of
 * virtio_blk_on_irq() from the kernel's handler for the slot's interrupt
 * (PLIC source 1-8 on QEMU virt); nothing else of the demo, the PLIC driver
 * or the device-tree reader.
 *
 * Contexts. Driver state is shared by tasks and the interrupt function under
 * the critical section given at init: the executor's (sstatus.SIE) when the
 * interrupt is taken on the hart that runs the tasks, a spinlock-plus-SIE
 * section when another hart takes it, the host backend's spinlock on a host.
 *
 * Memory. Addresses are handed to the device as they are (a kernel that runs
 * with the MMU off, or identity-mapped); config.dma_addr translates when not.
 * The ring, every request and every buffer must be memory the device reaches.
 *
 * Cancellation (C has no drop). A request's storage and its buffer belong to
 * the driver from submission until the device returns the chain. Cancel
 * detaches the waiting task and returns 1 if the request had completed (its
 * result is valid: read data is in the buffer) or 0 if no result will be
 * delivered. After a 0, virtio_blk_req_busy() says whether the device still
 * owns the buffer; while it does, the buffer must not be reused or freed and
 * the request cannot be initialized again (AEXEC_EBUSY). The interrupt
 * function reclaims the descriptors when the device returns them;
 * virtio_blk_req_release_poll() awaits that moment. A cancelled write may or
 * may not have reached the disk.
 */
#ifndef VIRTIO_BLK_H
#define VIRTIO_BLK_H

#include <stddef.h>
#include <stdint.h>

#include "aexec/aexec.h"

/* virtio-blk feature bits (virtio 1.x 5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

/* Request types (5.2.6). */
#define VIRTIO_BLK_T_IN 0u
#define VIRTIO_BLK_T_OUT 1u
#define VIRTIO_BLK_T_FLUSH 4u
#define VIRTIO_BLK_T_GET_ID 8u

/* Status byte values the device writes. */
#define VIRTIO_BLK_S_OK 0u
#define VIRTIO_BLK_S_IOERR 1u
#define VIRTIO_BLK_S_UNSUPP 2u

#define VIRTIO_BLK_SECTOR 512u
/* The most descriptors the driver tracks (a request takes 3, a flush 2). */
#define VIRTIO_BLK_QUEUE_MAX 64u
/* Bytes of ring storage for a queue of `n` descriptors (VIRTQ_ALIGN-aligned). */
#define VIRTIO_BLK_RING_BYTES(n) VIRTQ_BYTES(n)
#define VIRTIO_BLK_RING_ALIGN VIRTQ_ALIGN

/*
 * The driver's own error codes, beyond libaexec's AEXEC_E* (-1..-9), which it
 * also uses: AEXEC_EINVAL (a bad argument), AEXEC_EBUSY (no free descriptors
 * for a non-waiting submit; a request the device still owns), AEXEC_ENOTSUP
 * (flush on a device without FLUSH).
 */
#define VIRTIO_BLK_ENODEV (-64)  /* no virtio-blk device at that base */
#define VIRTIO_BLK_EDEVICE (-65) /* the device refused the setup (FEATURES_OK, queue) */
#define VIRTIO_BLK_ERANGE (-66)  /* the request reaches beyond the capacity */
#define VIRTIO_BLK_EROFS (-67)   /* a write to a read-only disk (feature RO) */
#define VIRTIO_BLK_EIO (-68)     /* the device reported VIRTIO_BLK_S_IOERR */
#define VIRTIO_BLK_EUNSUPP (-69) /* the device reported VIRTIO_BLK_S_UNSUPP */

#include "virtio_mmio.h"

struct virtio_blk_req;

struct virtio_blk_config {
    uintptr_t base; /* the slot's register block */
    void *ring;     /* VIRTIO_BLK_RING_BYTES(queue_size), VIRTIO_BLK_RING_ALIGN-aligned */
    size_t ring_bytes;
    uint16_t queue_size;      /* a power of two <= VIRTIO_BLK_QUEUE_MAX; the device may cap it */
    uint64_t refuse_features; /* features not to accept even if offered (tests) */
    const aexec_cs *cs;       /* guards the driver's state against its interrupt function */
    uint64_t (*dma_addr)(const void *p); /* NULL: addresses are physical */
};

struct virtio_blk {
    /* What the device and the negotiation gave; read-only for the caller. */
    uintptr_t base;
    uint32_t version;  /* 1 legacy, 2 modern */
    uint64_t offered;  /* the device's feature bits */
    uint64_t features; /* the accepted ones */
    uint64_t capacity; /* in 512-byte sectors */
    uint32_t blk_size; /* the device's logical block size (BLK_SIZE), else 512 */
    uint32_t seg_max;  /* SEG_MAX, else 0 (this driver uses 1 data segment) */
    uint16_t queue_size;
    /* Counters, under the cs (read them as a snapshot from a task). */
    uint32_t in_flight; /* chains the device owns */
    uint32_t waiting;   /* requests waiting for descriptors */
    uint32_t completed; /* chains returned since init */
    uint32_t irqs;      /* interrupt function calls that found work */
    uint32_t config_changes;
    /* The driver's. */
    aexec_cs cs;
    uint64_t (*dma_addr)(const void *p);
    struct virtq_desc *desc;
    struct virtq_avail *avail;
    struct virtq_used *used;
    uint16_t free_head, nfree; /* free descriptors: a list through desc[].next */
    uint16_t avail_idx, used_seen;
    struct virtio_blk_req *wait_head, *wait_tail;       /* FIFO waiting for descriptors */
    struct virtio_blk_req *owner[VIRTIO_BLK_QUEUE_MAX]; /* by head descriptor */
};

/* The request header the device reads (5.2.6). */
struct virtio_blk_outhdr {
    uint32_t type;
    uint32_t ioprio;
    uint64_t sector;
};

/* One request: a future. Zeroed storage is a valid idle request. */
struct virtio_blk_req {
    struct virtio_blk_outhdr hdr; /* read by the device */
    uint8_t status;               /* written by the device */
    uint8_t state;                /* VIRTIO_BLK__* below */
    uint8_t device_writes;        /* the data buffer is the device's to write */
    uint8_t ndesc;                /* 2 (flush) or 3 */
    uint16_t head;
    int32_t result;
    struct virtio_blk *dev;
    void *buf;
    uint32_t len;
    aexec_task *waker;           /* the task awaiting completion or release */
    struct virtio_blk_req *next; /* in the device's FIFO of waiting requests */
};

/* The request states, under the device's cs. */
#define VIRTIO_BLK__IDLE 0     /* zeroed, finished or cancelled: free to initialize */
#define VIRTIO_BLK__READY 1    /* initialized, not submitted */
#define VIRTIO_BLK__WAITING 2  /* in the FIFO, waiting for descriptors */
#define VIRTIO_BLK__DEVICE 3   /* the device owns the chain and the buffer */
#define VIRTIO_BLK__DETACHED 4 /* cancelled while the device owns it */
#define VIRTIO_BLK__DONE 5     /* the result is recorded, not yet taken */

/* ---- the device ------------------------------------------------------------ */

/*
 * Looks at the slot at `base`: returns its layout version (1 or 2) if a
 * virtio-blk device is there, VIRTIO_BLK_ENODEV if the magic, the version or
 * the device id (2) do not match (an empty slot has id 0). Reads only. Boot
 * context; every virtio,mmio slot of the device tree can be asked in turn.
 */
int virtio_blk_probe(uintptr_t base);

/*
 * Resets the device at cfg->base and brings it up: features (VERSION_1 where
 * modern, FLUSH, RO, BLK_SIZE, SEG_MAX when offered, nothing else), the
 * capacity, queue 0 in cfg->ring, DRIVER_OK. Returns 0; AEXEC_EINVAL (NULL,
 * a misaligned or short ring, a queue size that is not a power of two, a
 * ring at or above 16 TiB on a legacy device, whose QueuePFN has 32 bits);
 * VIRTIO_BLK_ENODEV; VIRTIO_BLK_EDEVICE (the device refused FEATURES_OK or
 * has no queue 0); on an error the device is left reset. Boot context, or
 * any time no request of this device is outstanding, with its interrupt
 * masked or not yet routed.
 */
int virtio_blk_init(struct virtio_blk *dev, const struct virtio_blk_config *cfg);

/*
 * The interrupt function: acknowledges InterruptStatus, then takes every
 * returned chain off the used ring (recording the status, waking the task
 * waiting on that request, reclaiming the chains of cancelled requests) and
 * submits waiting requests into the freed descriptors. Returns how many
 * chains it took. ISR context (also callable from a task: the polled mode
 * and tests use virtio_blk_reap() for the used ring alone).
 */
uint32_t virtio_blk_on_irq(struct virtio_blk *dev);

/*
 * The interrupt function's work without touching InterruptStatus: for a
 * driver that polls the used ring (a benchmark's busy-wait, a panic path).
 * Returns how many chains it took. Any context that may take the cs.
 */
uint32_t virtio_blk_reap(struct virtio_blk *dev);

/* A consistent snapshot of the counters. */
struct virtio_blk_stats {
    uint32_t in_flight, waiting, completed, irqs, config_changes, free_desc;
};

/* Copies the counters under the cs. Any context that may take the cs. */
void virtio_blk_stats(struct virtio_blk *dev, struct virtio_blk_stats *out);

/* A message for one of the driver's or libaexec's error codes. Any context. */
const char *virtio_blk_strerror(int err);

/* ---- requests ------------------------------------------------------------- */

/*
 * Prepares a request; nothing reaches the device until the first poll (or a
 * submit). `buf` holds `nsectors` 512-byte sectors starting at `lba`.
 * Returns 0, or, leaving the request as it was: AEXEC_EINVAL (NULL, zero
 * sectors, a length over 4 GiB); VIRTIO_BLK_ERANGE (beyond the capacity);
 * VIRTIO_BLK_EROFS (a write to a read-only disk); AEXEC_ENOTSUP (flush
 * without FLUSH); AEXEC_EBUSY (the request is still waiting or owned by the
 * device). Task context.
 */
int virtio_blk_read_init(struct virtio_blk_req *req, struct virtio_blk *dev, uint64_t lba,
                         void *buf, uint32_t nsectors);
int virtio_blk_write_init(struct virtio_blk_req *req, struct virtio_blk *dev, uint64_t lba,
                          const void *buf, uint32_t nsectors);
int virtio_blk_flush_init(struct virtio_blk_req *req, struct virtio_blk *dev);

/*
 * Any request type with one data buffer of `len` bytes (0 for none) that the
 * device reads, or writes when `device_writes`: GET_ID, or a type the device
 * does not know (it answers UNSUPP). No range or read-only check. Returns 0,
 * AEXEC_EINVAL or AEXEC_EBUSY as above. Task context.
 */
int virtio_blk_cmd_init(struct virtio_blk_req *req, struct virtio_blk *dev, uint32_t type,
                        uint64_t sector, void *buf, uint32_t len, int device_writes);

/*
 * Submits without waiting: returns 0 (the device owns the request now; poll
 * it for the result), AEXEC_EBUSY (no free descriptors, or requests already
 * waiting for them; the request is unchanged, try again after a completion),
 * or AEXEC_EINVAL (not initialized, or already submitted). Task context.
 */
int virtio_blk_req_submit(struct virtio_blk_req *req);

/*
 * The future. Submits on the first poll (waiting in FIFO order for
 * descriptors if there are none), then waits for the completion. READY with
 * *result = 0, VIRTIO_BLK_EIO or VIRTIO_BLK_EUNSUPP; the request is idle
 * again and may be initialized anew. Task context, one task per request.
 */
aexec_poll virtio_blk_req_poll(struct virtio_blk_req *req, aexec_cx *cx, int *result);

/*
 * Cancels: removes the request from the FIFO or, if the device owns it,
 * detaches it (the descriptors come back through the interrupt function).
 * Returns 1 if the request had completed (the result the poll would have
 * delivered is in *result if `result` is not NULL; read data is in the
 * buffer), 0 otherwise. Safe in every state, zeroed included. Task context.
 */
int virtio_blk_req_cancel(struct virtio_blk_req *req, int *result);

/*
 * Takes a completed request's result without a task: returns 1 and sets
 * *result (the request is idle again) if it has completed, 0 if not. For a
 * driver that polls (virtio_blk_reap, then this). Any context.
 */
int virtio_blk_req_try_take(struct virtio_blk_req *req, int *result);

/* 1 while the device owns the request's buffer (submitted, not yet returned). Any context. */
int virtio_blk_req_busy(const struct virtio_blk_req *req);

/*
 * Waits until the device no longer owns the request (at once if it never
 * did): after a cancel that returned 0, the moment the buffer may be reused.
 * Task context.
 */
aexec_poll virtio_blk_req_release_poll(struct virtio_blk_req *req, aexec_cx *cx);

#endif /* VIRTIO_BLK_H */
