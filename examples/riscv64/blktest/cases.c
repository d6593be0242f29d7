/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The block test suite, one task run at boot against the disk QEMU gives.
 * The disk image (made by blkimage.py) is 8192 sectors:
 *   0..2047     the guest writes GUEST_SEED's pattern here (1 MiB); the host
 *               checks it in the image after QEMU exits
 *   2048..4095  the host wrote HOST_SEED's pattern here; the guest checks it
 *   4096..8190  scratch: benchmarks, the self-test
 *   8191        the run's mode: "aexec-blktest throttled" selects the
 *               cancel and timeout cases, against a disk QEMU throttles
 * A disk offered read-only (readonly=on: feature RO) runs the read-only
 * cases instead of the writing ones. Each case prints "ok <name>" or
 * "FAIL <name> ..."; the last line is "N passed, M failed".
 */
#include "aexec/arch/riscv64.h"
#include "blk_job.h"
#include "blktest.h"
#include "kprint.h"

#define GUEST_SEED 0x6a09e667u
#define HOST_SEED 0xbb67ae85u
#define GUEST_LBA 0u
#define HOST_LBA 2048u
#define SCRATCH_LBA 4096u
#define REGION 2048u /* sectors: 1 MiB */
#define QUEUE 32u    /* descriptors: room for BLK_JOB_DEPTH chains of 3 */

#define CANCEL_ROUNDS 32u
#define RACE_ROUNDS 64u
#define BENCH_REQS 256u
#define BENCH_REPS 5u

struct suite {
    aexec_task task;
    aexec_co co;
    uint32_t passed, failed;
    int ro;
    struct blk_job job;
    struct virtio_blk_req req, req2, req3;
    int result, result2, result3, err, late, busy, throttled;
    aexec_poll p;
    struct virtio_blk_stats st;
    uint32_t i, owned, written_after, completed, timed_out, late_wins, corrupt, rep;
    aexec_timeout to;
    uint64_t t0, idle0, samples[3][BENCH_REPS], idle[3], total[3];
    uint32_t sector[VIRTIO_BLK_SECTOR / 4u];
    uint32_t victim[BLK_JOB_CHUNK * VIRTIO_BLK_SECTOR / 4u]; /* the buffer cancels leave behind */
    char id[20];
};

static struct suite suite;

static void check(struct suite *s, int ok, const char *name)
{
    if (ok) {
        s->passed++;
        kputs("ok ");
    } else {
        s->failed++;
        kputs("FAIL ");
    }
    kputs(name);
    kputs("\n");
}

static void check_err(struct suite *s, int got, int want, const char *name)
{
    check(s, got == want, name);
    if (got != want) {
        kputsi("  got ", got);
        kputs(" (");
        kputs(virtio_blk_strerror(got));
        kputsi("), want ", want);
        kputs("\n");
    }
}

static void check_job(struct suite *s, const char *name)
{
    int ok = s->job.errors == 0u && s->job.mismatches == 0u;
    check(s, ok, name);
    if (!ok) {
        kputsu("  errors ", s->job.errors);
        kputsi(" (first ", s->job.first_error);
        kputsu("), mismatching sectors ", s->job.mismatches);
        kputsu(" (first lba ", s->job.first_mismatch);
        kputs(")\n");
    }
}

static void fill_words(uint32_t *w, uint32_t n, uint32_t v)
{
    for (uint32_t i = 0; i < n; i++)
        w[i] = v;
}

static int all_words(const uint32_t *w, uint32_t n, uint32_t v)
{
    for (uint32_t i = 0; i < n; i++)
        if (w[i] != v)
            return 0;
    return 1;
}

/* The victim buffer holds sectors lba.. of the host region's pattern. */
static int holds_host_pattern(const uint32_t *w, uint64_t lba, uint32_t nsectors)
{
    for (uint32_t s = 0; s < nsectors; s++)
        for (uint32_t k = 0; k < VIRTIO_BLK_SECTOR / 4u; k++)
            if (w[s * (VIRTIO_BLK_SECTOR / 4u) + k] != blk_pattern(HOST_SEED, lba + s, k))
                return 0;
    return 1;
}

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

#define CANARY 0x5a5a5a5au
#define VICTIM_WORDS (BLK_JOB_CHUNK * VIRTIO_BLK_SECTOR / 4u)

static uint64_t median(uint64_t *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n / 2u];
}

static void print_info(void)
{
    struct virtio_blk *d = &blktest_dev;
    kputsu("blk: capacity ", d->capacity);
    kputsu(" sectors, block size ", d->blk_size);
    kputsu(", seg_max ", d->seg_max);
    kputsu(", queue ", d->queue_size);
    kputs(", features offered ");
    kputx(d->offered);
    kputs(" accepted ");
    kputx(d->features);
    kputs("\n");
}

static void print_rate(const char *what, uint64_t *ticks, uint64_t idle, uint64_t total)
{
    uint64_t t = median(ticks, BENCH_REPS);
    kputs("bench: ");
    kputs(what);
    kputsu(": median ", t * 1000000u / BLKTEST_TIMEBASE_HZ);
    kputsu(" us for ", BENCH_REQS);
    kputsu(" reads of 4 KiB = ", t ? (uint64_t)BENCH_REQS * BLKTEST_TIMEBASE_HZ / t : 0u);
    kputsu(" req/s, idle ", total ? idle * 1000u / total : 0u);
    kputs(" per mille\n");
}

static void print_share(const char *what, uint64_t busy_ticks, uint64_t idle_ticks)
{
    kputs("selftest: ");
    kputs(what);
    kputsu(": ", busy_ticks * 1000000u / BLKTEST_TIMEBASE_HZ);
    kputsu(" us, idle ", busy_ticks ? idle_ticks * 1000u / busy_ticks : 0u);
    kputs(" per mille\n");
}

static aexec_poll suite_poll(aexec_task *t, aexec_cx *cx)
{
    struct suite *s = AEXEC_CONTAINER_OF(t, struct suite, task);
    struct virtio_blk *d = &blktest_dev;
    AEXEC_CO_BEGIN(&s->co, cx);
    check_err(s, blktest_setup(QUEUE, 0), 0, "init");
    print_info();
    s->ro = (d->features >> VIRTIO_BLK_F_RO) & 1u;
    /* The host names the run's mode in the last sector. */
    check_err(s, virtio_blk_read_init(&s->req, d, d->capacity - 1u, s->sector, 1), 0, "mode init");
    AEXEC_AWAIT(virtio_blk_req_poll(&s->req, cx, &s->result));
    check_err(s, s->result, 0, "read the mode sector");
    s->throttled = starts_with((const char *)s->sector, "aexec-blktest throttled");
    if (s->throttled)
        kputs("blk: a throttled disk: the cancel and timeout cases only\n");
    check(s, d->capacity == 8192u, "capacity is the image's 8192 sectors");

    /* (b) The pattern the host wrote into the image reads back here (not worth 2.5 s throttled). */
    if (!s->throttled) {
        blk_job_init(&s->job, d, BLK_JOB_VERIFY, HOST_SEED, HOST_LBA, REGION, BLK_JOB_DEPTH);
        AEXEC_AWAIT(blk_job_poll(&s->job, cx));
        check_job(s, "host pattern read back (1 MiB, 8 in flight)");
    }

    if (s->ro) {
        /* (d) A read-only disk: the driver refuses a write before submitting it ... */
        check_err(s, virtio_blk_write_init(&s->req, d, GUEST_LBA, s->sector, 1), VIRTIO_BLK_EROFS,
                  "write to a read-only disk: EROFS before submission");
        /* ... and a driver that withholds RO gets the device's own IOERR. */
        check_err(s, blktest_setup(QUEUE, 1ull << VIRTIO_BLK_F_RO), 0, "init without RO");
        check_err(s, virtio_blk_write_init(&s->req, d, GUEST_LBA, s->sector, 1), 0, "write init");
        AEXEC_AWAIT(virtio_blk_req_poll(&s->req, cx, &s->result));
        check_err(s, s->result, VIRTIO_BLK_EIO, "write to a read-only disk: the device says IOERR");
        check_err(s, virtio_blk_read_init(&s->req, d, HOST_LBA, s->sector, 1), 0, "read init");
        AEXEC_AWAIT(virtio_blk_req_poll(&s->req, cx, &s->result));
        check(s, s->result == 0 && holds_host_pattern(s->sector, HOST_LBA, 1),
              "the next request succeeds");
        AEXEC_CO_RETURN();
    }

    if (!s->throttled) {
        /* (a) 1 MiB written with 8 requests in flight; the host checks the image. */
        /*
         * QEMU often completes a 4 KiB request before the next one is submitted,
         * so the job's first poll runs with the interrupt held: it submits all 8,
         * and all 8 chains are the device's at once, whatever QEMU's timing.
         */
        blk_job_init(&s->job, d, BLK_JOB_WRITE, GUEST_SEED, GUEST_LBA, REGION, BLK_JOB_DEPTH);
        blktest_irq_enable(0);
        s->p = blk_job_poll(&s->job, cx);
        virtio_blk_stats(d, &s->st);
        blktest_irq_enable(1);
        check(s, s->st.in_flight == BLK_JOB_DEPTH, "8 requests in flight at once");
        if (s->p == AEXEC_PENDING)
            AEXEC_AWAIT(blk_job_poll(&s->job, cx));
        check_job(s, "1 MiB written");
        kputsu("blk: 1 MiB written, at most ", s->job.max_in_flight);
        kputs(" requests in flight\n");
        check_err(s, virtio_blk_flush_init(&s->req, d), 0, "flush init");
        AEXEC_AWAIT(virtio_blk_req_poll(&s->req, cx, &s->result));
        check_err(s, s->result, 0, "flush");
        blk_job_init(&s->job, d, BLK_JOB_VERIFY, GUEST_SEED, GUEST_LBA, REGION, BLK_JOB_DEPTH);
        AEXEC_AWAIT(blk_job_poll(&s->job, cx));
        check_job(s, "1 MiB read back");

        /* (c) Out of range: refused before submission, the request left as it was. */
        check_err(s, virtio_blk_read_init(&s->req, d, d->capacity, s->sector, 1), VIRTIO_BLK_ERANGE,
                  "read at the capacity: ERANGE");
        check_err(s, virtio_blk_read_init(&s->req, d, d->capacity - 1u, s->sector, 2),
                  VIRTIO_BLK_ERANGE, "read across the end: ERANGE");
        check_err(s, virtio_blk_read_init(&s->req, d, UINT64_MAX, s->sector, 2), VIRTIO_BLK_ERANGE,
                  "read at lba 2^64-1 (no wrap): ERANGE");
        check(s, s->req.state == VIRTIO_BLK__IDLE, "a refused request is left idle");
        /* The device's own check, past the driver's: IOERR, and the queue goes on. */
        check_err(s,
                  virtio_blk_cmd_init(&s->req, d, VIRTIO_BLK_T_IN, d->capacity, s->sector, 512, 1),
                  0, "raw read init");
        AEXEC_AWAIT(virtio_blk_req_poll(&s->req, cx, &s->result));
        check_err(s, s->result, VIRTIO_BLK_EIO,
                  "read beyond the end, sent anyway: the device says IOERR");
        check_err(s, virtio_blk_read_init(&s->req, d, HOST_LBA + REGION - 1u, s->sector, 1), 0,
                  "read init");
        AEXEC_AWAIT(virtio_blk_req_poll(&s->req, cx, &s->result));
        check(s, s->result == 0 && holds_host_pattern(s->sector, HOST_LBA + REGION - 1u, 1),
              "the next request succeeds");

        /* UNSUPP: a request type the device does not know; GET_ID it does. */
        check_err(s, virtio_blk_cmd_init(&s->req, d, 0x55u, 0, 0, 0, 0), 0, "unknown type init");
        AEXEC_AWAIT(virtio_blk_req_poll(&s->req, cx, &s->result));
        check_err(s, s->result, VIRTIO_BLK_EUNSUPP, "unknown request type: UNSUPP");
        check_err(s,
                  virtio_blk_cmd_init(&s->req, d, VIRTIO_BLK_T_GET_ID, 0, s->id, sizeof s->id, 1),
                  0, "get id init");
        AEXEC_AWAIT(virtio_blk_req_poll(&s->req, cx, &s->result));
        check_err(s, s->result, 0, "GET_ID");
        s->id[sizeof s->id - 1u] = '\0';
        kputs("blk: serial \"");
        kputs(s->id);
        kputs("\"\n");

        /* No free descriptors: a queue of 8 holds two chains of 3. The interrupt
         * stays masked meanwhile, so no chain comes back before the third submit. */
        check_err(s, blktest_setup(8, 0), 0, "init with a queue of 8");
        blktest_irq_enable(0);
        check_err(s, virtio_blk_read_init(&s->req, d, HOST_LBA, s->sector, 1), 0, "init 1");
        check_err(s, virtio_blk_req_submit(&s->req), 0, "submit 1");
        check_err(s, virtio_blk_read_init(&s->req2, d, HOST_LBA + 1u, s->victim, 1), 0, "init 2");
        check_err(s, virtio_blk_req_submit(&s->req2), 0, "submit 2");
        check_err(s, virtio_blk_read_init(&s->req3, d, HOST_LBA + 2u, s->victim + 128, 1), 0,
                  "init 3");
        check_err(s, virtio_blk_req_submit(&s->req3), AEXEC_EBUSY,
                  "a non-waiting submit with no free descriptors: EBUSY");
        check(s, s->req3.state == VIRTIO_BLK__READY, "the refused request is unchanged");
        /* Its first poll queues it (the poll of an awaited request, by hand). */
        check(s, virtio_blk_req_poll(&s->req3, cx, &s->result3) == AEXEC_PENDING,
              "third poll pending");
        virtio_blk_stats(d, &s->st);
        check(s, s->st.waiting == 1u && s->st.free_desc == 2u,
              "the awaited third request queues for descriptors");
        blktest_irq_enable(1);
        AEXEC_AWAIT_JOIN3(s->i, virtio_blk_req_poll(&s->req, cx, &s->result),
                          virtio_blk_req_poll(&s->req2, cx, &s->result2),
                          virtio_blk_req_poll(&s->req3, cx, &s->result3));
        check(s,
              s->result == 0 && s->result2 == 0 && s->result3 == 0 &&
                  holds_host_pattern(s->sector, HOST_LBA, 1) &&
                  holds_host_pattern(s->victim, HOST_LBA + 1u, 2),
              "the third request waited for descriptors and completed");
        blk_job_init(&s->job, d, BLK_JOB_VERIFY, HOST_SEED, HOST_LBA, REGION, BLK_JOB_DEPTH);
        AEXEC_AWAIT(blk_job_poll(&s->job, cx));
        check_job(s, "8 requests on a queue of 2 chains: 1 MiB read back");
        check_err(s, blktest_setup(QUEUE, 0), 0, "init with a queue of 32");
    }

    /*
     * (f) Cancel while the device owns the request: its buffer stays the
     * device's. In even rounds the interrupt is masked from submit to cancel,
     * so the chain cannot have come back: the cancel must find it owned. In
     * odd rounds the cancel races the device as it comes.
     */
    s->completed = s->owned = s->written_after = s->corrupt = 0;
    for (s->i = 0; s->i < CANCEL_ROUNDS; s->i++) {
        fill_words(s->victim, VICTIM_WORDS, 0);
        virtio_blk_read_init(&s->req, d, HOST_LBA + 8u * s->i, s->victim, BLK_JOB_CHUNK);
        if (s->i % 2u == 0u)
            blktest_irq_enable(0);
        virtio_blk_req_submit(&s->req);
        s->late = virtio_blk_req_cancel(&s->req, &s->result);
        s->busy = virtio_blk_req_busy(&s->req);
        s->err = s->busy ? virtio_blk_read_init(&s->req, d, 0, s->sector, 1) : AEXEC_EBUSY;
        blktest_irq_enable(1);
        if (s->late) {
            s->completed++; /* completed already: the result is valid */
            if (s->i % 2u == 0u || s->result != 0 ||
                !holds_host_pattern(s->victim, HOST_LBA + 8u * s->i, BLK_JOB_CHUNK))
                s->corrupt++;
            continue;
        }
        if (s->busy)
            s->owned++;
        if (s->err != AEXEC_EBUSY || (s->i % 2u == 0u && !s->busy))
            s->corrupt++; /* a busy request must refuse a new use */
        AEXEC_AWAIT(virtio_blk_req_release_poll(&s->req, cx));
        /* QEMU finishes every request it took: the device wrote the buffer after all. */
        if (holds_host_pattern(s->victim, HOST_LBA + 8u * s->i, BLK_JOB_CHUNK))
            s->written_after++;
    }
    kputsu("cancel: ", CANCEL_ROUNDS);
    kputsu(" cancelled reads: ", s->owned);
    kputsu(" owned by the device (data landed anyway in ", s->written_after);
    kputsu("), ", s->completed);
    kputs(" already complete\n");
    check(s, s->corrupt == 0u, "cancel: a masked-interrupt cancel finds the buffer owned and busy");
    check(s, s->owned >= CANCEL_ROUNDS / 2u, "cancel: owned requests refuse reuse until released");
    if (s->throttled)
        check(s, s->written_after > 0u,
              "cancel: the device wrote a cancelled buffer before release");
    /* The buffer is the caller's once released: later traffic never writes into it. */
    fill_words(s->victim, VICTIM_WORDS, CANARY);
    blk_job_init(&s->job, d, BLK_JOB_VERIFY, HOST_SEED, HOST_LBA, s->throttled ? 256u : REGION,
                 BLK_JOB_DEPTH);
    AEXEC_AWAIT(blk_job_poll(&s->job, cx));
    check_job(s, "reads after the cancels");
    check(s, all_words(s->victim, VICTIM_WORDS, CANARY),
          "a released buffer is never written again");

    /* A request raced against a timeout, from "already expired" to "plenty". */
    s->completed = s->timed_out = s->late_wins = s->corrupt = 0;
    for (s->i = 0; s->i < RACE_ROUNDS; s->i++) {
        fill_words(s->victim, VICTIM_WORDS, 0);
        virtio_blk_read_init(&s->req, d, HOST_LBA + 8u * s->i, s->victim, BLK_JOB_CHUNK);
        aexec_timeout_for_init(&s->to, (aexec_duration)s->i * s->i * 300u); /* 0 .. 120 ms */
        s->late = 0;
        AEXEC_AWAIT_WITH_TIMEOUT(&s->to, virtio_blk_req_poll(&s->req, cx, &s->result),
                                 s->late = virtio_blk_req_cancel(&s->req, &s->result));
        if (!aexec_timeout_expired(&s->to)) {
            /* Completed (in the poll, or just before the cancel): the data is there. */
            if (s->late)
                s->late_wins++;
            s->completed++;
            if (s->result != 0 ||
                !holds_host_pattern(s->victim, HOST_LBA + 8u * s->i, BLK_JOB_CHUNK))
                s->corrupt++;
        } else {
            s->timed_out++;
            AEXEC_AWAIT(virtio_blk_req_release_poll(&s->req, cx));
        }
    }
    kputsu("race: ", RACE_ROUNDS);
    kputsu(" reads against a timeout: ", s->completed);
    kputsu(" completed (", s->late_wins);
    kputsu(" found complete by the cancel), ", s->timed_out);
    kputs(" timed out\n");
    check(s, s->corrupt == 0u, "race: every completed read holds its data");
    check(s, s->completed + s->timed_out == RACE_ROUNDS, "race: every round ended once");
    if (s->throttled) {
        /* A throttled disk takes about 50 ms per request: short timeouts win, long ones lose. */
        check(s, s->completed > 0u && s->timed_out > 0u, "race: both outcomes occurred");
        AEXEC_CO_RETURN();
    }

    /* Figures: 4 KiB reads at depth 1 and 8, and 8 polled (guest time, rdtime), medians of 5. */
    s->corrupt = 0;
    for (s->rep = 0; s->rep < BENCH_REPS; s->rep++) {
        for (s->i = 0; s->i < 3u; s->i++) {
            s->t0 = aexec_riscv_rdtime();
            s->idle0 = blktest_idle_ticks();
            blk_job_init(&s->job, d, BLK_JOB_READ, 0, SCRATCH_LBA, BENCH_REQS * BLK_JOB_CHUNK,
                         s->i == 0u ? 1u : BLK_JOB_DEPTH);
            if (s->i < 2u) {
                AEXEC_AWAIT(blk_job_poll(&s->job, cx));
            } else {
                blktest_irq_enable(0);
                blk_job_run_polled(&s->job);
                blktest_irq_enable(1);
            }
            s->samples[s->i][s->rep] = aexec_riscv_rdtime() - s->t0;
            s->idle[s->i] += blktest_idle_ticks() - s->idle0;
            s->total[s->i] += s->samples[s->i][s->rep];
            if (s->job.errors != 0u)
                s->corrupt++;
        }
    }
    check(s, s->corrupt == 0u, "bench: every read succeeded");
    print_rate("depth 1, interrupts", s->samples[0], s->idle[0], s->total[0]);
    print_rate("depth 8, interrupts", s->samples[1], s->idle[1], s->total[1]);
    print_rate("depth 8, polled", s->samples[2], s->idle[2], s->total[2]);

    /* The self-test's write + verify with 8 in flight: interrupts and wfi, then polled. */
    s->t0 = aexec_riscv_rdtime();
    s->idle0 = blktest_idle_ticks();
    blk_job_init(&s->job, d, BLK_JOB_WRITE, GUEST_SEED ^ 1u, SCRATCH_LBA, REGION, BLK_JOB_DEPTH);
    AEXEC_AWAIT(blk_job_poll(&s->job, cx));
    check_job(s, "self-test write, interrupt-driven");
    blk_job_init(&s->job, d, BLK_JOB_VERIFY, GUEST_SEED ^ 1u, SCRATCH_LBA, REGION, BLK_JOB_DEPTH);
    AEXEC_AWAIT(blk_job_poll(&s->job, cx));
    check_job(s, "self-test verify, interrupt-driven");
    print_share("1 MiB write + verify, 8 in flight, interrupt-driven", aexec_riscv_rdtime() - s->t0,
                blktest_idle_ticks() - s->idle0);
    blktest_irq_enable(0);
    s->t0 = aexec_riscv_rdtime();
    s->idle0 = blktest_idle_ticks();
    blk_job_init(&s->job, d, BLK_JOB_WRITE, GUEST_SEED ^ 2u, SCRATCH_LBA, REGION, BLK_JOB_DEPTH);
    blk_job_run_polled(&s->job);
    check_job(s, "self-test write, polled");
    blk_job_init(&s->job, d, BLK_JOB_VERIFY, GUEST_SEED ^ 2u, SCRATCH_LBA, REGION, BLK_JOB_DEPTH);
    blk_job_run_polled(&s->job);
    check_job(s, "self-test verify, polled");
    print_share("1 MiB write + verify, 8 in flight, polled", aexec_riscv_rdtime() - s->t0,
                blktest_idle_ticks() - s->idle0);
    blktest_irq_enable(1);

    AEXEC_CO_FINALLY;
    virtio_blk_req_cancel(&s->req, 0);
    kputsu("", s->passed);
    kputsu(" passed, ", s->failed);
    kputs(" failed\n");
    AEXEC_CO_END;
}

void blktest_spawn_suite(void)
{
    aexec_spawn(&blktest_ex, &suite.task, suite_poll);
}
