/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A block job: one future that keeps up to BLK_JOB_DEPTH requests of
 * BLK_JOB_CHUNK sectors in flight over a range of a virtio-blk disk, each
 * request with its own buffer, writing a pattern, reading it back and
 * checking it, or only reading (a benchmark). Used by the block test kernel,
 * the demo's self-test and `bench`, and the host tests.
 *
 * The pattern is a function of (seed, lba, word) that the host script
 * examples/riscv64/blktest/run_blktest.py recomputes, so a disk image can be
 * checked from outside the guest.
 */
#ifndef BLK_JOB_H
#define BLK_JOB_H

#include <stdint.h>

#include "aexec/aexec.h"
#include "virtio_blk.h"

#define BLK_JOB_DEPTH 8u
#define BLK_JOB_CHUNK 8u /* sectors per request: 4 KiB */

enum blk_job_mode {
    BLK_JOB_WRITE,  /* write the pattern */
    BLK_JOB_VERIFY, /* read and compare with the pattern */
    BLK_JOB_READ    /* read only */
};

struct blk_job {
    struct virtio_blk *dev;
    enum blk_job_mode mode;
    uint32_t seed;
    uint32_t depth;
    uint64_t next, end; /* the next LBA to issue, one past the last */
    uint32_t outstanding;
    /* Results. */
    uint32_t requests; /* completed */
    uint32_t errors;   /* completed with an error */
    int first_error;
    uint32_t mismatches; /* sectors whose data differ from the pattern */
    uint64_t first_mismatch;
    uint32_t max_in_flight; /* the device's in-flight count, highest seen */
    struct virtio_blk_req req[BLK_JOB_DEPTH];
    uint64_t at[BLK_JOB_DEPTH];
    uint32_t count[BLK_JOB_DEPTH];
    uint32_t buf[BLK_JOB_DEPTH][BLK_JOB_CHUNK * VIRTIO_BLK_SECTOR / 4u];
};

/* The pattern's 32-bit word `k` of sector `lba` (stored little-endian). */
static inline uint32_t blk_pattern(uint32_t seed, uint64_t lba, uint32_t k)
{
    uint32_t x = seed * 0x9e3779b1u + (uint32_t)lba * 0x85ebca77u +
                 (uint32_t)(lba >> 32) * 0x27d4eb2fu + k * 0xc2b2ae3du;
    x ^= x >> 15;
    x *= 0x2c1b3c6du;
    x ^= x >> 12;
    return x;
}

/* Prepares a job over [lba, lba + nsectors) with `depth` (1..BLK_JOB_DEPTH) requests in flight. */
void blk_job_init(struct blk_job *job, struct virtio_blk *dev, enum blk_job_mode mode,
                  uint32_t seed, uint64_t lba, uint64_t nsectors, uint32_t depth);

/* The future: READY when every request has completed. Task context. */
aexec_poll blk_job_poll(struct blk_job *job, aexec_cx *cx);

/*
 * Cancels every request (virtio_blk_req_cancel). Returns how many the device
 * still owns: their buffers stay the device's until blk_job_release_poll()
 * is ready. Task context.
 */
uint32_t blk_job_cancel(struct blk_job *job);

/* READY once the device owns none of the job's buffers. Task context. */
aexec_poll blk_job_release_poll(struct blk_job *job, aexec_cx *cx);

/*
 * The same work without an executor: submit, then spin on the used ring
 * (virtio_blk_reap), as a kernel without interrupts would. Keep the device's
 * interrupt masked meanwhile. Returns when the job is done.
 */
void blk_job_run_polled(struct blk_job *job);

#endif /* BLK_JOB_H */
