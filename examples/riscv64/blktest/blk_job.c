/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The block job: a window of requests, refilled as each one completes. */
#include "blk_job.h"

void blk_job_init(struct blk_job *job, struct virtio_blk *dev, enum blk_job_mode mode,
                  uint32_t seed, uint64_t lba, uint64_t nsectors, uint32_t depth)
{
    job->dev = dev;
    job->mode = mode;
    job->seed = seed;
    job->depth = depth < 1u ? 1u : depth > BLK_JOB_DEPTH ? BLK_JOB_DEPTH : depth;
    job->next = lba;
    job->end = lba + nsectors;
    job->outstanding = 0;
    job->requests = 0;
    job->errors = 0;
    job->first_error = 0;
    job->mismatches = 0;
    job->first_mismatch = 0;
    job->max_in_flight = 0;
    for (uint32_t i = 0; i < BLK_JOB_DEPTH; i++)
        job->count[i] = 0;
}

static void fill(struct blk_job *job, uint32_t i)
{
    for (uint32_t s = 0; s < job->count[i]; s++)
        for (uint32_t k = 0; k < VIRTIO_BLK_SECTOR / 4u; k++)
            job->buf[i][s * (VIRTIO_BLK_SECTOR / 4u) + k] =
                blk_pattern(job->seed, job->at[i] + s, k);
}

static void check(struct blk_job *job, uint32_t i)
{
    for (uint32_t s = 0; s < job->count[i]; s++) {
        for (uint32_t k = 0; k < VIRTIO_BLK_SECTOR / 4u; k++) {
            if (job->buf[i][s * (VIRTIO_BLK_SECTOR / 4u) + k] !=
                blk_pattern(job->seed, job->at[i] + s, k)) {
                if (job->mismatches++ == 0)
                    job->first_mismatch = job->at[i] + s;
                break;
            }
        }
    }
}

/* Prepares slot `i` for the next chunk; returns 0 when the range is used up. */
static int issue(struct blk_job *job, uint32_t i)
{
    if (job->next >= job->end)
        return 0;
    uint64_t left = job->end - job->next;
    job->at[i] = job->next;
    job->count[i] = left < BLK_JOB_CHUNK ? (uint32_t)left : BLK_JOB_CHUNK;
    job->next += job->count[i];
    int err;
    if (job->mode == BLK_JOB_WRITE) {
        fill(job, i);
        err = virtio_blk_write_init(&job->req[i], job->dev, job->at[i], job->buf[i], job->count[i]);
    } else {
        err = virtio_blk_read_init(&job->req[i], job->dev, job->at[i], job->buf[i], job->count[i]);
    }
    if (err) {
        job->requests++;
        if (job->errors++ == 0)
            job->first_error = err;
        job->count[i] = 0;
        return 1; /* counted; the slot stays free for the next chunk */
    }
    job->outstanding |= 1u << i;
    return 1;
}

static void finish(struct blk_job *job, uint32_t i, int result)
{
    job->outstanding &= ~(1u << i);
    job->requests++;
    if (result != 0) {
        if (job->errors++ == 0)
            job->first_error = result;
    } else if (job->mode == BLK_JOB_VERIFY) {
        check(job, i);
    }
}

static void note_depth(struct blk_job *job)
{
    struct virtio_blk_stats st;
    virtio_blk_stats(job->dev, &st);
    if (st.in_flight > job->max_in_flight)
        job->max_in_flight = st.in_flight;
}

aexec_poll blk_job_poll(struct blk_job *job, aexec_cx *cx)
{
    for (uint32_t i = 0; i < job->depth; i++) {
        /* Refill a free slot, then poll it (which submits it on its first poll). */
        while ((job->outstanding & (1u << i)) == 0 && issue(job, i)) {
        }
        if ((job->outstanding & (1u << i)) == 0)
            continue;
        int result;
        while (virtio_blk_req_poll(&job->req[i], cx, &result) == AEXEC_READY) {
            finish(job, i, result);
            while ((job->outstanding & (1u << i)) == 0 && issue(job, i)) {
            }
            if ((job->outstanding & (1u << i)) == 0)
                break;
        }
        note_depth(job);
    }
    return job->outstanding == 0 && job->next >= job->end ? AEXEC_READY : AEXEC_PENDING;
}

uint32_t blk_job_cancel(struct blk_job *job)
{
    uint32_t owned = 0;
    for (uint32_t i = 0; i < BLK_JOB_DEPTH; i++) {
        if ((job->outstanding & (1u << i)) == 0)
            continue;
        int result;
        if (virtio_blk_req_cancel(&job->req[i], &result))
            finish(job, i, result);
        else
            job->outstanding &= ~(1u << i);
        owned += (uint32_t)virtio_blk_req_busy(&job->req[i]);
    }
    job->next = job->end;
    return owned;
}

aexec_poll blk_job_release_poll(struct blk_job *job, aexec_cx *cx)
{
    for (uint32_t i = 0; i < BLK_JOB_DEPTH; i++)
        if (virtio_blk_req_release_poll(&job->req[i], cx) == AEXEC_PENDING)
            return AEXEC_PENDING;
    return AEXEC_READY;
}

void blk_job_run_polled(struct blk_job *job)
{
    for (;;) {
        for (uint32_t i = 0; i < job->depth; i++) {
            int result;
            if ((job->outstanding & (1u << i)) != 0 &&
                virtio_blk_req_try_take(&job->req[i], &result))
                finish(job, i, result);
            while ((job->outstanding & (1u << i)) == 0 && issue(job, i)) {
                if ((job->outstanding & (1u << i)) == 0)
                    continue;
                while (virtio_blk_req_submit(&job->req[i]) == AEXEC_EBUSY)
                    virtio_blk_reap(job->dev); /* a window wider than the queue */
                break;
            }
        }
        note_depth(job);
        if (job->outstanding == 0 && job->next >= job->end)
            return;
        virtio_blk_reap(job->dev); /* the spin: no interrupt, no wfi */
    }
}
