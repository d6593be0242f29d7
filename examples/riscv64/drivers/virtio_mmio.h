/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * virtio over MMIO: the register block, the split-virtqueue layout and the
 * barriers a driver needs around them (virtio 1.x, section 4.2 "Virtio Over
 * MMIO"; version 1 is the legacy layout QEMU 7.2 presents by default,
 * version 2 the modern one, `-global virtio-mmio.force-legacy=false`).
 *
 * Register access goes through virtio_mmio_read()/virtio_mmio_write(). On a
 * kernel they are volatile 32-bit loads and stores; a host build that defines
 * VIRTIO_MMIO_MODEL routes them to a device model instead (tests/virtio_blk/),
 * so the same driver code runs against a simulated device on a thread.
 */
#ifndef VIRTIO_MMIO_H
#define VIRTIO_MMIO_H

#include <stdatomic.h>
#include <stdint.h>

/* ---- registers (byte offsets from the slot's base) ----------------------- */
#define VIRTIO_MMIO_MAGIC 0x000 /* "virt", little-endian */
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008 /* 0: an empty slot */
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE 0x028 /* legacy only */
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_ALIGN 0x03c /* legacy only */
#define VIRTIO_MMIO_QUEUE_PFN 0x040   /* legacy only */
#define VIRTIO_MMIO_QUEUE_READY 0x044 /* modern only */
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080 /* modern only, as are the five below */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100 /* the device-specific configuration */

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976u

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

/* InterruptStatus bits. */
#define VIRTIO_MMIO_INT_VRING 1u  /* the device used a buffer */
#define VIRTIO_MMIO_INT_CONFIG 2u /* the configuration changed */

/* Device-independent feature bits. */
#define VIRTIO_F_VERSION_1 32

/* ---- split virtqueue layout (shared with the device) ---------------------- */
#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u /* the device writes this buffer */

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx; /* written by the driver with release order */
    uint16_t ring[];
};

struct virtq_used_elem {
    uint32_t id; /* the head of the returned chain */
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx; /* written by the device; read with acquire order */
    struct virtq_used_elem ring[];
};

/*
 * The legacy layout, which the modern one also accepts: the descriptor table
 * and the available ring in the first part, the used ring at the next
 * VIRTQ_ALIGN boundary. The driver writes VIRTQ_ALIGN as both GuestPageSize
 * and QueueAlign, so one constant fixes both.
 */
#define VIRTQ_ALIGN 4096u
#define VIRTQ_ALIGN_UP(x) (((x) + VIRTQ_ALIGN - 1u) & ~(size_t)(VIRTQ_ALIGN - 1u))
#define VIRTQ_USED_OFFSET(n) VIRTQ_ALIGN_UP(16u * (size_t)(n) + 6u + 2u * (size_t)(n))
#define VIRTQ_BYTES(n) (VIRTQ_USED_OFFSET(n) + VIRTQ_ALIGN_UP(6u + 8u * (size_t)(n)))

/* ---- register access and barriers ----------------------------------------- */
#ifdef VIRTIO_MMIO_MODEL
/* A host build's device model (every access is serialized inside it). */
uint32_t virtio_mmio_model_read(uintptr_t base, uint32_t off);
void virtio_mmio_model_write(uintptr_t base, uint32_t off, uint32_t value);

static inline uint32_t virtio_mmio_read(uintptr_t base, uint32_t off)
{
    return virtio_mmio_model_read(base, off);
}

static inline void virtio_mmio_write(uintptr_t base, uint32_t off, uint32_t value)
{
    virtio_mmio_model_write(base, off, value);
}
#else
/*
 * RISC-V orders memory and device I/O separately: `fence w,o` before an MMIO
 * store makes the ring writes before it visible to the device first (the
 * QueueNotify after an avail->idx update), and `fence i,r` after an MMIO load
 * keeps later memory reads behind it (the used ring after InterruptStatus).
 * These are the fences Linux puts in writel()/readl(). C11 fences order
 * memory only, so they would not be enough on a real SoC; QEMU happens to
 * execute accesses in program order.
 */
#if defined(__riscv)
#define VIRTIO_MMIO_FENCE_BEFORE_WRITE() __asm__ __volatile__("fence w,o" ::: "memory")
#define VIRTIO_MMIO_FENCE_AFTER_READ() __asm__ __volatile__("fence i,r" ::: "memory")
#else
#define VIRTIO_MMIO_FENCE_BEFORE_WRITE() atomic_thread_fence(memory_order_seq_cst)
#define VIRTIO_MMIO_FENCE_AFTER_READ() atomic_thread_fence(memory_order_seq_cst)
#endif

static inline uint32_t virtio_mmio_read(uintptr_t base, uint32_t off)
{
    uint32_t v = *(volatile uint32_t *)(base + off);
    VIRTIO_MMIO_FENCE_AFTER_READ();
    return v;
}

static inline void virtio_mmio_write(uintptr_t base, uint32_t off, uint32_t value)
{
    VIRTIO_MMIO_FENCE_BEFORE_WRITE();
    *(volatile uint32_t *)(base + off) = value;
}
#endif

/*
 * The ring indices are the hand-over points between the CPU and the device
 * (another bus master): the driver publishes descriptors and avail entries
 * with a release store of avail->idx (virtio 1.x 2.7.13: "a memory barrier
 * before updating idx"), and reads used entries, the status byte and read
 * data only after an acquire load of used->idx (2.7.14). On RISC-V these are
 * `fence rw,w` before a 16-bit store and `fence r,rw` after a 16-bit load,
 * plain instructions (no atomic read-modify-write, no libatomic). On a host
 * they are what ThreadSanitizer sees pairing with the device model's thread.
 */
static inline void virtq_store_release(uint16_t *idx, uint16_t v)
{
    __atomic_store_n(idx, v, __ATOMIC_RELEASE);
}

static inline uint16_t virtq_load_acquire(const uint16_t *idx)
{
    return __atomic_load_n(idx, __ATOMIC_ACQUIRE);
}

#endif /* VIRTIO_MMIO_H */
