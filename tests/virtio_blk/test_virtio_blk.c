/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The real virtio-blk driver against a simulated virtio-mmio disk on a
 * thread (virtio_model.c), on the host executor: bring-up in both layouts,
 * many requests in flight completed out of order, each waking exactly its
 * task, the error paths, descriptor exhaustion, and cancellation, raced
 * against the device and against timeouts (the tsan flavour runs all of it).
 */
#define _GNU_SOURCE /* MAP_FIXED_NOREPLACE */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"
#include "blk_job.h"
#include "virtio_blk.h"
#include "virtio_model.h"

#define SECTORS 4096u

static aexec_executor ex;
static aexec_host host;
static aexec_cs cs;
static struct vmodel model;
static struct virtio_blk dev;
/*
 * The legacy layout gives the device a 32-bit page frame number: the ring must
 * lie below 16 TiB, which a host's static data (at 0x55... on x86-64 Linux)
 * does not. The ring is mapped low instead.
 */
#define RING_AT ((void *)0x40000000ul)
#define RING_BYTES VIRTIO_BLK_RING_BYTES(VIRTIO_BLK_QUEUE_MAX)
static unsigned char *ring;

static int map_ring(void **state)
{
    (void)state;
    void *p = mmap(RING_AT, RING_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    ring = p;
    return 0;
}

static int unmap_ring(void **state)
{
    (void)state;
    return munmap(ring, RING_BYTES);
}

static void on_irq(void *ctx)
{
    virtio_blk_on_irq(ctx); /* from the device's thread, as an interrupt on another hart */
}

static void start(uint32_t version, int readonly, uint32_t jitter_us, uint16_t queue_size)
{
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    struct vmodel_config mc = {.version = version,
                               .device_id = 2,
                               .sectors = SECTORS,
                               .readonly = readonly,
                               .queue_num_max = 32,
                               .jitter_us = jitter_us,
                               .seed = 12345u};
    assert_int_equal(vmodel_start(&model, &mc, on_irq, &dev), 0);
    struct virtio_blk_config cfg = {.base = vmodel_base(&model),
                                    .ring = ring,
                                    .ring_bytes = RING_BYTES,
                                    .queue_size = queue_size,
                                    .cs = &cs};
    assert_int_equal(virtio_blk_init(&dev, &cfg), 0);
}

static void stop(void)
{
    vmodel_stop(&model);
    assert_int_equal(model.protocol_errors, 0);
    aexec_host_destroy(&host);
}

/* ---- bring-up ---------------------------------------------------------------- */

static void check_bringup(uint32_t version)
{
    start(version, 0, 0, 64);
    assert_int_equal(dev.version, version);
    assert_int_equal(dev.capacity, SECTORS);
    assert_int_equal(dev.queue_size, 32); /* capped by the device's QueueNumMax */
    uint64_t want = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
                    (1ull << VIRTIO_BLK_F_FLUSH);
    if (version == 2u)
        want |= 1ull << VIRTIO_F_VERSION_1;
    assert_true(dev.features == want); /* INDIRECT_DESC was offered, not taken */
    assert_int_equal(dev.seg_max, 126);
    assert_int_equal(dev.blk_size, 512);
    assert_true(model.status & VIRTIO_STATUS_DRIVER_OK);
    assert_int_equal(model.queue_ready, 1);
    assert_true(model.desc_addr == (uint64_t)(uintptr_t)ring);
    assert_true(model.used_addr == (uint64_t)(uintptr_t)(ring + VIRTQ_USED_OFFSET(32)));
    stop();
}

static void bringup_legacy(void **state)
{
    (void)state;
    check_bringup(1);
}

static void bringup_modern(void **state)
{
    (void)state;
    check_bringup(2);
}

static void probe_rejects_an_empty_slot_and_bad_rings(void **state)
{
    (void)state;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    struct vmodel_config mc = {.version = 2, .device_id = 0, .sectors = 8, .queue_num_max = 8};
    assert_int_equal(vmodel_start(&model, &mc, on_irq, &dev), 0);
    assert_int_equal(virtio_blk_probe(vmodel_base(&model)), VIRTIO_BLK_ENODEV);
    struct virtio_blk_config cfg = {.base = vmodel_base(&model),
                                    .ring = ring,
                                    .ring_bytes = RING_BYTES,
                                    .queue_size = 8,
                                    .cs = &cs};
    assert_int_equal(virtio_blk_init(&dev, &cfg), VIRTIO_BLK_ENODEV);
    model.cfg.device_id = 2; /* the thread does not read it */
    cfg.queue_size = 12;     /* not a power of two */
    assert_int_equal(virtio_blk_init(&dev, &cfg), AEXEC_EINVAL);
    cfg.queue_size = 8;
    cfg.ring = ring + 8; /* misaligned */
    assert_int_equal(virtio_blk_init(&dev, &cfg), AEXEC_EINVAL);
    cfg.ring = ring;
    cfg.ring_bytes = VIRTIO_BLK_RING_BYTES(8) - 1u;
    assert_int_equal(virtio_blk_init(&dev, &cfg), AEXEC_EINVAL);
    assert_int_equal(model.status, 0); /* none of them touched the device */
    stop();
}

/* ---- eight tasks, eight requests in flight, out of order ------------------------ */

struct worker {
    aexec_task task;
    aexec_co co;
    struct virtio_blk_req req;
    uint64_t lba;
    uint32_t polls;
    int result;
    uint32_t out[1024], in[1024]; /* 4 KiB each */
};

static struct worker workers[8];

static aexec_poll worker_poll(aexec_task *t, aexec_cx *cx)
{
    struct worker *w = AEXEC_CONTAINER_OF(t, struct worker, task);
    w->polls++;
    AEXEC_CO_BEGIN(&w->co, cx);
    for (uint32_t k = 0; k < 1024u; k++)
        w->out[k] = blk_pattern(7u, w->lba, k);
    assert_int_equal(virtio_blk_write_init(&w->req, &dev, w->lba, w->out, 8), 0);
    AEXEC_AWAIT(virtio_blk_req_poll(&w->req, cx, &w->result));
    assert_int_equal(w->result, 0);
    assert_int_equal(virtio_blk_read_init(&w->req, &dev, w->lba, w->in, 8), 0);
    AEXEC_AWAIT(virtio_blk_req_poll(&w->req, cx, &w->result));
    assert_int_equal(w->result, 0);
    assert_memory_equal(w->in, w->out, sizeof w->in);
    AEXEC_CO_END;
}

static void eight_tasks_each_woken_only_by_its_request(void **state)
{
    (void)state;
    start(2, 0, 0, 32);
    vmodel_hold(&model, 1); /* the first batch of 8 then completes in a shuffled order */
    memset(workers, 0, sizeof workers);
    for (uint32_t i = 0; i < 8u; i++) {
        workers[i].lba = 64u * i;
        assert_int_equal(aexec_spawn(&ex, &workers[i].task, worker_poll), 0);
    }
    /* One batch submits all eight writes; then the device may go. */
    assert_int_equal(aexec_executor_poll(&ex), 8);
    assert_int_equal(vmodel_pending(&model), 8);
    struct virtio_blk_stats st;
    virtio_blk_stats(&dev, &st);
    assert_int_equal(st.in_flight, 8);
    vmodel_hold(&model, 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    for (uint32_t i = 0; i < 8u; i++)
        assert_int_equal(workers[i].polls, 3); /* spawn, write done, read done: no other wake */
    assert_true(model.out_of_order > 0u);
    assert_true(model.max_pending >= 8u);
    stop();
}

/* ---- a job: 1 MiB, 8 in flight, with a jittery device ------------------------- */

struct job_task {
    aexec_task task;
    aexec_co co;
    struct blk_job job;
    int phase_errors, mismatches;
};

static struct job_task jt;

static aexec_poll job_task_poll(aexec_task *t, aexec_cx *cx)
{
    struct job_task *j = AEXEC_CONTAINER_OF(t, struct job_task, task);
    AEXEC_CO_BEGIN(&j->co, cx);
    blk_job_init(&j->job, &dev, BLK_JOB_WRITE, 99u, 0, 2048u, BLK_JOB_DEPTH);
    AEXEC_AWAIT(blk_job_poll(&j->job, cx));
    j->phase_errors += (int)j->job.errors;
    blk_job_init(&j->job, &dev, BLK_JOB_VERIFY, 99u, 0, 2048u, BLK_JOB_DEPTH);
    AEXEC_AWAIT(blk_job_poll(&j->job, cx));
    j->phase_errors += (int)j->job.errors;
    j->mismatches = (int)j->job.mismatches;
    AEXEC_CO_END;
}

static void check_job(uint32_t version)
{
    start(version, 0, 20, 32);
    memset(&jt, 0, sizeof jt);
    assert_int_equal(aexec_spawn(&ex, &jt.task, job_task_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(jt.phase_errors, 0);
    assert_int_equal(jt.mismatches, 0);
    assert_int_equal(jt.job.requests, 256);
    /* The disk, from outside the driver: every word the pattern's. */
    pthread_mutex_lock(&model.mu);
    uint32_t bad = 0;
    for (uint32_t s = 0; s < 2048u; s++)
        for (uint32_t k = 0; k < 128u; k++) {
            uint32_t w;
            memcpy(&w, model.disk + s * 512u + 4u * k, 4);
            bad += w != blk_pattern(99u, s, k);
        }
    pthread_mutex_unlock(&model.mu);
    assert_int_equal(bad, 0);
    stop();
}

static void one_mib_with_8_in_flight_legacy(void **state)
{
    (void)state;
    check_job(1);
}

static void one_mib_with_8_in_flight_modern(void **state)
{
    (void)state;
    check_job(2);
}

/* ---- errors -------------------------------------------------------------------- */

struct errs {
    aexec_task task;
    aexec_co co;
    struct virtio_blk_req req;
    int result;
    uint32_t buf[128];
    char id[20];
};

static struct errs et;

static aexec_poll errors_poll(aexec_task *t, aexec_cx *cx)
{
    struct errs *e = AEXEC_CONTAINER_OF(t, struct errs, task);
    AEXEC_CO_BEGIN(&e->co, cx);
    /* Refused before submission, the request left as it was. */
    assert_int_equal(virtio_blk_read_init(&e->req, &dev, SECTORS, e->buf, 1), VIRTIO_BLK_ERANGE);
    assert_int_equal(virtio_blk_read_init(&e->req, &dev, SECTORS - 1u, e->buf, 2),
                     VIRTIO_BLK_ERANGE);
    assert_int_equal(virtio_blk_read_init(&e->req, &dev, UINT64_MAX, e->buf, 2), VIRTIO_BLK_ERANGE);
    assert_int_equal(virtio_blk_read_init(&e->req, &dev, 0, e->buf, 0), AEXEC_EINVAL);
    assert_int_equal(virtio_blk_read_init(&e->req, &dev, 0, 0, 1), AEXEC_EINVAL);
    assert_int_equal(e->req.state, VIRTIO_BLK__IDLE);
    assert_int_equal(model.requests, 0);
    /* The device's IOERR (a range the driver did not check) and UNSUPP; the queue goes on. */
    assert_int_equal(virtio_blk_cmd_init(&e->req, &dev, VIRTIO_BLK_T_IN, SECTORS, e->buf, 512, 1),
                     0);
    AEXEC_AWAIT(virtio_blk_req_poll(&e->req, cx, &e->result));
    assert_int_equal(e->result, VIRTIO_BLK_EIO);
    assert_int_equal(virtio_blk_cmd_init(&e->req, &dev, 0x55u, 0, 0, 0, 0), 0);
    AEXEC_AWAIT(virtio_blk_req_poll(&e->req, cx, &e->result));
    assert_int_equal(e->result, VIRTIO_BLK_EUNSUPP);
    assert_int_equal(virtio_blk_flush_init(&e->req, &dev), 0);
    AEXEC_AWAIT(virtio_blk_req_poll(&e->req, cx, &e->result));
    assert_int_equal(e->result, 0);
    assert_int_equal(virtio_blk_read_init(&e->req, &dev, SECTORS - 1u, e->buf, 1), 0);
    AEXEC_AWAIT(virtio_blk_req_poll(&e->req, cx, &e->result));
    assert_int_equal(e->result, 0);
    AEXEC_CO_END;
}

static void errors_come_back_and_the_queue_goes_on(void **state)
{
    (void)state;
    start(1, 0, 0, 32);
    memset(&et, 0, sizeof et);
    assert_int_equal(aexec_spawn(&ex, &et.task, errors_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(model.requests, 4);
    stop();
}

/* A helper, not the body: a local initialized in a body would be jumped over on resume. */
static int init_refusing_ro(void)
{
    struct virtio_blk_config cfg = {.base = vmodel_base(&model),
                                    .ring = ring,
                                    .ring_bytes = RING_BYTES,
                                    .queue_size = 16,
                                    .refuse_features = 1ull << VIRTIO_BLK_F_RO,
                                    .cs = &cs};
    return virtio_blk_init(&dev, &cfg);
}

static aexec_poll readonly_poll(aexec_task *t, aexec_cx *cx)
{
    struct errs *e = AEXEC_CONTAINER_OF(t, struct errs, task);
    AEXEC_CO_BEGIN(&e->co, cx);
    assert_int_equal(virtio_blk_write_init(&e->req, &dev, 0, e->buf, 1), VIRTIO_BLK_EROFS);
    assert_int_equal(model.requests, 0);
    /* Withholding RO: the write reaches the device, which refuses it. */
    assert_int_equal(init_refusing_ro(), 0);
    assert_int_equal(virtio_blk_write_init(&e->req, &dev, 0, e->buf, 1), 0);
    AEXEC_AWAIT(virtio_blk_req_poll(&e->req, cx, &e->result));
    assert_int_equal(e->result, VIRTIO_BLK_EIO);
    assert_int_equal(virtio_blk_read_init(&e->req, &dev, 0, e->buf, 1), 0);
    AEXEC_AWAIT(virtio_blk_req_poll(&e->req, cx, &e->result));
    assert_int_equal(e->result, 0);
    AEXEC_CO_END;
}

static void a_readonly_disk_refuses_writes(void **state)
{
    (void)state;
    start(2, 1, 0, 32);
    assert_true(dev.features & (1ull << VIRTIO_BLK_F_RO));
    memset(&et, 0, sizeof et);
    assert_int_equal(aexec_spawn(&ex, &et.task, readonly_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    stop();
}

/* ---- no free descriptors ---------------------------------------------------------- */

static void waiting_requests_are_served_in_order(void **state)
{
    (void)state;
    start(2, 0, 0, 8); /* two chains of 3 */
    vmodel_hold(&model, 1);
    memset(workers, 0, sizeof workers);
    for (uint32_t i = 0; i < 6u; i++) {
        workers[i].lba = 100u + 8u * i;
        assert_int_equal(aexec_spawn(&ex, &workers[i].task, worker_poll), 0);
    }
    assert_int_equal(aexec_executor_poll(&ex), 6);
    struct virtio_blk_stats st;
    virtio_blk_stats(&dev, &st);
    assert_int_equal(st.in_flight, 2);
    assert_int_equal(st.waiting, 4);
    /* A non-waiting submit does not overtake them. */
    static struct virtio_blk_req extra;
    static uint32_t buf[128];
    assert_int_equal(virtio_blk_read_init(&extra, &dev, 0, buf, 1), 0);
    assert_int_equal(virtio_blk_req_submit(&extra), AEXEC_EBUSY);
    assert_int_equal(extra.state, VIRTIO_BLK__READY);
    assert_int_equal(virtio_blk_req_cancel(&extra, 0), 0);
    vmodel_hold(&model, 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    /* The six writes reached the device in the order their tasks first asked. */
    uint32_t seen = 0;
    for (uint32_t r = 0; r < model.arrived && r < VMODEL_LOG; r++)
        if (model.log_type[r] == VIRTIO_BLK_T_OUT && seen < 6u)
            assert_int_equal(model.log_sector[r], 100u + 8u * seen++);
    assert_int_equal(seen, 6);
    stop();
}

/* ---- cancellation --------------------------------------------------------------- */

struct canceller {
    aexec_task task;
    aexec_co co;
    struct virtio_blk_req req;
    int result, late;
    uint32_t buf[1024];
    uint32_t spare[128];
};

static struct canceller ct;

static aexec_poll cancel_owned_poll(aexec_task *t, aexec_cx *cx)
{
    struct canceller *c = AEXEC_CONTAINER_OF(t, struct canceller, task);
    AEXEC_CO_BEGIN(&c->co, cx);
    /* Cancel before submission: nothing reaches the device. */
    assert_int_equal(virtio_blk_read_init(&c->req, &dev, 0, c->buf, 8), 0);
    assert_int_equal(virtio_blk_req_cancel(&c->req, &c->result), 0);
    assert_int_equal(virtio_blk_req_busy(&c->req), 0);
    assert_int_equal(model.requests, 0);
    /* Cancel while the device owns it (held): the buffer stays the device's. */
    vmodel_hold(&model, 1);
    memset(c->buf, 0, sizeof c->buf);
    assert_int_equal(virtio_blk_read_init(&c->req, &dev, 0, c->buf, 8), 0);
    assert_int_equal(virtio_blk_req_submit(&c->req), 0);
    assert_int_equal(vmodel_pending(&model), 1);
    assert_int_equal(virtio_blk_req_cancel(&c->req, &c->result), 0);
    assert_int_equal(virtio_blk_req_busy(&c->req), 1);
    assert_int_equal(virtio_blk_read_init(&c->req, &dev, 8, c->spare, 1), AEXEC_EBUSY);
    assert_int_equal(virtio_blk_req_cancel(&c->req, &c->result), 0); /* again: harmless */
    assert_int_equal(virtio_blk_req_release_poll(&c->req, cx), AEXEC_PENDING);
    vmodel_hold(&model, 0);
    AEXEC_AWAIT(virtio_blk_req_release_poll(&c->req, cx));
    assert_int_equal(virtio_blk_req_busy(&c->req), 0);
    for (uint32_t k = 0; k < 1024u; k++)
        assert_true(c->buf[k] == blk_pattern(5u, k / 128u, k % 128u)); /* the device wrote it */
    /* Released: the buffer is the caller's; later traffic never touches it. */
    memset(c->buf, 0x5a, sizeof c->buf);
    assert_int_equal(virtio_blk_read_init(&c->req, &dev, 8, c->spare, 1), 0);
    AEXEC_AWAIT(virtio_blk_req_poll(&c->req, cx, &c->result));
    assert_int_equal(c->result, 0);
    for (uint32_t k = 0; k < 1024u; k++)
        assert_true(c->buf[k] == 0x5a5a5a5au);
    /* Cancel after completion reports it: the result is valid. */
    vmodel_hold(&model, 1);
    assert_int_equal(virtio_blk_read_init(&c->req, &dev, 0, c->buf, 8), 0);
    assert_int_equal(virtio_blk_req_submit(&c->req), 0);
    vmodel_hold(&model, 0);
    while (virtio_blk_req_busy(&c->req)) {
    }
    c->result = 1;
    assert_int_equal(virtio_blk_req_cancel(&c->req, &c->result), 1);
    assert_int_equal(c->result, 0);
    assert_true(c->buf[0] == blk_pattern(5u, 0, 0));
    AEXEC_CO_END;
}

static void fill_disk(uint32_t seed)
{
    pthread_mutex_lock(&model.mu);
    for (uint32_t s = 0; s < SECTORS; s++)
        for (uint32_t k = 0; k < 128u; k++) {
            uint32_t w = blk_pattern(seed, s, k);
            memcpy(model.disk + s * 512u + 4u * k, &w, 4);
        }
    pthread_mutex_unlock(&model.mu);
}

static void a_cancelled_request_keeps_its_buffer_until_released(void **state)
{
    (void)state;
    start(1, 0, 0, 32);
    fill_disk(5u);
    memset(&ct, 0, sizeof ct);
    assert_int_equal(aexec_spawn(&ex, &ct.task, cancel_owned_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    stop();
}

/*
 * The race a cancel must win for the caller: the poll of the request says
 * pending, then the device completes (the interrupt runs), then the timeout,
 * expired in that same poll, cancels. The cancel finds the request complete,
 * reports 1, and the read's data and result are the caller's.
 */
struct late {
    aexec_task task;
    aexec_co co;
    struct virtio_blk_req req;
    aexec_timeout to;
    int result, err, late;
    uint32_t polls;
    uint32_t buf[1024];
};

static struct late lt;

/* The request's poll, with the device let go and its interrupt awaited right after a pending. */
static aexec_poll poll_then_complete(struct late *l, aexec_cx *cx)
{
    aexec_poll p = virtio_blk_req_poll(&l->req, cx, &l->result);
    if (p == AEXEC_PENDING && ++l->polls == 2u) {
        vmodel_hold(&model, 0);
        while (virtio_blk_req_busy(&l->req)) {
        }
    }
    return p;
}

static aexec_poll late_poll(aexec_task *t, aexec_cx *cx)
{
    struct late *l = AEXEC_CONTAINER_OF(t, struct late, task);
    AEXEC_CO_BEGIN(&l->co, cx);
    vmodel_hold(&model, 1);
    assert_int_equal(virtio_blk_read_init(&l->req, &dev, 16, l->buf, 8), 0);
    aexec_timeout_until_init(&l->to, aexec_now(cx->executor)); /* due at the next poll */
    AEXEC_AWAIT_WITH_TIMEOUT(&l->to, poll_then_complete(l, cx),
                             l->late = virtio_blk_req_cancel(&l->req, &l->result));
    assert_int_equal(l->late, 1); /* the select saw the timer first, the cancel the read done, */
    assert_int_equal(aexec_timeout_expired(&l->to), 0); /* so the read wins, not the timeout */
    assert_int_equal(l->result, 0);
    for (uint32_t k = 0; k < 1024u; k++)
        assert_true(l->buf[k] == blk_pattern(5u, 16u + k / 128u, k % 128u));
    assert_int_equal(virtio_blk_req_busy(&l->req), 0);
    AEXEC_CO_END;
}

static void a_completion_between_poll_and_cancel_is_reported(void **state)
{
    (void)state;
    start(2, 0, 0, 32);
    fill_disk(5u);
    memset(&lt, 0, sizeof lt);
    assert_int_equal(aexec_spawn(&ex, &lt.task, late_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(lt.polls, 2);
    stop();
}

/* Many reads, each raced against a timeout of 0 to ~2 ms, on a jittery device. */
#define RACES 400u

struct racer {
    aexec_task task;
    aexec_co co;
    struct virtio_blk_req req;
    aexec_timeout to;
    int result, err, late;
    uint32_t i, completed, timed_out, late_wins;
    uint32_t buf[1024];
};

static struct racer rt;

static aexec_poll racer_poll(aexec_task *t, aexec_cx *cx)
{
    struct racer *r = AEXEC_CONTAINER_OF(t, struct racer, task);
    AEXEC_CO_BEGIN(&r->co, cx);
    for (r->i = 0; r->i < RACES; r->i++) {
        memset(r->buf, 0, sizeof r->buf);
        assert_int_equal(virtio_blk_read_init(&r->req, &dev, 8u * (r->i % 256u), r->buf, 8), 0);
        aexec_timeout_for_init(&r->to,
                               (aexec_duration)(r->i % 40u) * (r->i % 40u) * 1250u); /* 0..1.9 ms */
        r->late = 0;
        AEXEC_AWAIT_WITH_TIMEOUT(&r->to, virtio_blk_req_poll(&r->req, cx, &r->result),
                                 r->late = virtio_blk_req_cancel(&r->req, &r->result));
        if (!aexec_timeout_expired(&r->to)) {
            r->completed++;
            r->late_wins += (uint32_t)r->late;
            assert_int_equal(r->result, 0);
            for (uint32_t k = 0; k < 1024u; k++)
                assert_true(r->buf[k] == blk_pattern(5u, 8u * (r->i % 256u) + k / 128u, k % 128u));
        } else {
            r->timed_out++;
            AEXEC_AWAIT(virtio_blk_req_release_poll(&r->req, cx));
            /* Released: the buffer is ours again, and a canary written now must survive. */
            memset(r->buf, 0x77, sizeof r->buf);
            assert_int_equal(virtio_blk_req_busy(&r->req), 0);
        }
    }
    AEXEC_CO_END;
}

static void requests_raced_against_timeouts_lose_nothing(void **state)
{
    (void)state;
    start(2, 0, 60, 32);
    fill_disk(5u);
    memset(&rt, 0, sizeof rt);
    assert_int_equal(aexec_spawn(&ex, &rt.task, racer_poll), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    assert_int_equal(rt.completed + rt.timed_out, RACES);
    print_message("races: %u completed (%u found complete by the cancel), %u timed out\n",
                  rt.completed, rt.late_wins, rt.timed_out);
    /* A zero timeout always expires first, and the device always finishes eventually. */
    assert_true(rt.timed_out > 0u);
    assert_true(rt.completed > 0u);
    struct virtio_blk_stats st;
    virtio_blk_stats(&dev, &st);
    assert_int_equal(st.in_flight, 0);
    assert_int_equal(st.free_desc, dev.queue_size); /* every chain came back */
    stop();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bringup_legacy),
        cmocka_unit_test(bringup_modern),
        cmocka_unit_test(probe_rejects_an_empty_slot_and_bad_rings),
        cmocka_unit_test(eight_tasks_each_woken_only_by_its_request),
        cmocka_unit_test(one_mib_with_8_in_flight_legacy),
        cmocka_unit_test(one_mib_with_8_in_flight_modern),
        cmocka_unit_test(errors_come_back_and_the_queue_goes_on),
        cmocka_unit_test(a_readonly_disk_refuses_writes),
        cmocka_unit_test(waiting_requests_are_served_in_order),
        cmocka_unit_test(a_cancelled_request_keeps_its_buffer_until_released),
        cmocka_unit_test(a_completion_between_poll_and_cancel_is_reported),
        cmocka_unit_test(requests_raced_against_timeouts_lose_nothing),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]); /* ctest runs one test per entry */
    return cmocka_run_group_tests(tests, map_ring, unmap_ring);
}
