/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The block device in the shell.
 *   read LBA             print the first 64 bytes of sector LBA
 *   write LBA TEXT...    write TEXT (zero-padded) into sector LBA
 *   blk                  capacity, features, requests in flight, counters
 *   blk bench [N]        N 4 KiB reads with 1 and with 8 in flight, then 8 in
 *                        flight polled (the disk's interrupt masked, a spin on
 *                        the used ring): requests/s and each hart's idle share
 *   blk selftest [R]     starts the self-test task (hart 1, beside the shell):
 *                        R rounds of 1 MiB written and read back with 8 in
 *                        flight; the shell stays responsive meanwhile
 * The disk's interrupt goes to hart 0; the shell, and so every request, runs
 * on hart 1: each completion wakes a task across harts.
 */
#include "cmd_blk.h"

#include "blk_job.h"
#include "shell.h"
#include "virtio_blk.h"

#define QUEUE VIRTIO_BLK_QUEUE_MAX
#define SCRATCH_LBA 4096u /* the bench and the self-test stay above the first 2 MiB */
#define SELFTEST_SECTORS 2048u

static struct virtio_blk disk;
static int have_disk;
static uint32_t disk_irq;
static _Alignas(VIRTIO_BLK_RING_ALIGN) unsigned char ring[VIRTIO_BLK_RING_BYTES(QUEUE)];

static void boot_puts(const char *s)
{
    while (*s)
        aexec_riscv_sbi_putchar(*s++);
}

static void on_disk_irq(void *ctx)
{
    virtio_blk_on_irq(ctx);
}

int demo_blk_init(const struct dt_platform *platform, const aexec_cs *cs, unsigned long irq_hartid)
{
    for (uint32_t i = 0; i < platform->nvirtio; i++) {
        struct virtio_blk_config cfg = {
            .base = (uintptr_t)platform->virtio[i].reg.base,
            .ring = ring,
            .ring_bytes = sizeof ring,
            .queue_size = QUEUE,
            .cs = cs,
        };
        if (virtio_blk_probe(cfg.base) < 0)
            continue;
        int rc = virtio_blk_init(&disk, &cfg);
        if (rc != 0) {
            boot_puts("boot: virtio-blk: ");
            boot_puts(virtio_blk_strerror(rc));
            boot_puts("\n");
            continue;
        }
        disk_irq = platform->virtio[i].irq;
        if (plic_register(&plic, disk_irq, 1, on_disk_irq, &disk) != 0 ||
            plic_route(&plic, disk_irq, (uint32_t)irq_hartid) != 0) {
            boot_puts("boot: virtio-blk: its interrupt is not a PLIC source\n");
            return VIRTIO_BLK_ENODEV;
        }
        have_disk = 1;
        boot_puts(disk.version == 1u ? "boot: virtio-blk disk (legacy virtio-mmio)\n"
                                     : "boot: virtio-blk disk (modern virtio-mmio)\n");
        return 0;
    }
    boot_puts("boot: no virtio-blk disk (the block commands will say so)\n");
    return VIRTIO_BLK_ENODEV;
}

static void out_err(struct console_out *o, const char *what, int err)
{
    out_str(o, what);
    out_str(o, ": ");
    out_str(o, virtio_blk_strerror(err));
    out_nl(o);
}

/* ---- read, write ------------------------------------------------------------- */

static struct {
    struct virtio_blk_req req;
    uint8_t sector[VIRTIO_BLK_SECTOR];
    uint64_t lba;
    int err, result;
    uint32_t row;
} rw;

static const char hex[] = "0123456789abcdef";

static aexec_poll read_poll(struct shell_call *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    SHELL_ARG(c, cx, 1, UINT64_MAX, 0, UINT64_MAX, rw.lba);
    rw.err = !have_disk    ? VIRTIO_BLK_ENODEV
             : c->argc < 2 ? AEXEC_EINVAL
                           : virtio_blk_read_init(&rw.req, &disk, rw.lba, rw.sector, 1);
    if (rw.err == 0) {
        AEXEC_AWAIT(virtio_blk_req_poll(&rw.req, cx, &rw.result));
        rw.err = rw.result;
    }
    if (rw.err != 0) {
        out_err(&c->out, "read", rw.err);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
        AEXEC_CO_RETURN();
    }
    for (rw.row = 0; rw.row < 4u; rw.row++) {
        out_str(&c->out, "  ");
        for (uint32_t i = 0; i < 16u; i++) {
            uint8_t b = rw.sector[16u * rw.row + i];
            char h[4] = {hex[b >> 4], hex[b & 15u], ' ', 0};
            out_str(&c->out, h);
        }
        out_str(&c->out, " ");
        for (uint32_t i = 0; i < 16u; i++) {
            uint8_t b = rw.sector[16u * rw.row + i];
            char ch[2] = {b >= 32u && b < 127u ? (char)b : '.', 0};
            out_str(&c->out, ch);
        }
        out_nl(&c->out);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
    }
    AEXEC_CO_FINALLY;
    /* A cancelled read leaves the sector buffer to the device until it is done:
     * the next read then reports "busy" instead of racing it. */
    (void)virtio_blk_req_cancel(&rw.req, 0);
    (void)out_send_cancel(&c->out);
    AEXEC_CO_END;
}

static aexec_poll write_poll(struct shell_call *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    SHELL_ARG(c, cx, 1, UINT64_MAX, 0, UINT64_MAX, rw.lba);
    rw.err = !have_disk ? VIRTIO_BLK_ENODEV : c->argc < 3 ? AEXEC_EINVAL : 0;
    if (rw.err == 0 && virtio_blk_req_busy(&rw.req))
        rw.err = AEXEC_EBUSY;
    if (rw.err == 0) {
        /* The words after the LBA, one space between them, zero-padded. */
        size_t n = 0;
        for (int a = 2; a < c->argc && n < sizeof rw.sector; a++) {
            if (a > 2)
                rw.sector[n++] = ' ';
            for (const char *w = c->argv[a]; *w != '\0' && n < sizeof rw.sector; w++)
                rw.sector[n++] = (uint8_t)*w;
        }
        for (; n < sizeof rw.sector; n++)
            rw.sector[n] = 0;
        rw.err = virtio_blk_write_init(&rw.req, &disk, rw.lba, rw.sector, 1);
    }
    if (rw.err == 0) {
        AEXEC_AWAIT(virtio_blk_req_poll(&rw.req, cx, &rw.result));
        rw.err = rw.result;
    }
    if (rw.err != 0) {
        out_err(&c->out, "write", rw.err);
    } else {
        out_str(&c->out, "wrote sector ");
        out_u64(&c->out, rw.lba);
        out_nl(&c->out);
    }
    AEXEC_AWAIT(out_send_poll(&c->out, cx));
    AEXEC_CO_FINALLY;
    (void)virtio_blk_req_cancel(&rw.req, 0);
    (void)out_send_cancel(&c->out);
    AEXEC_CO_END;
}

/* ---- the self-test task -------------------------------------------------------- */

static struct selftest {
    struct counted_task t;
    aexec_co co;
    struct blk_job job;
    struct console_out out;
    uint32_t rounds, round, errors, mismatches;
    uint64_t t0, idle0[DEMO_HARTS];
    int spawned, running;
} st;

static void out_idle(struct console_out *o, const uint64_t *idle0, uint64_t t0)
{
    uint64_t dt = demo_now() - t0;
    out_str(o, "; idle");
    for (unsigned h = 0; h < DEMO_HARTS; h++) {
        out_str(o, h == 0 ? ": hart " : ", hart ");
        out_u64(o, harts[h].hartid);
        out_str(o, " ");
        out_fixed(o, 100u * (demo_idle(h) - idle0[h]), dt ? dt : 1u, 1);
        out_str(o, "%");
    }
}

static aexec_poll selftest_poll(aexec_task *t, aexec_cx *cx)
{
    struct selftest *s = AEXEC_CONTAINER_OF(t, struct selftest, t.task);
    AEXEC_CO_BEGIN(&s->co, cx);
    for (;;) {
        AEXEC_AWAIT_NOTIFICATION(); /* `blk selftest` asks for a run */
        for (s->round = 1; s->round <= s->rounds; s->round++) {
            s->t0 = demo_now();
            for (unsigned h = 0; h < DEMO_HARTS; h++)
                s->idle0[h] = demo_idle(h);
            blk_job_init(&s->job, &disk, BLK_JOB_WRITE, 0x5e1f7e57u + s->round, SCRATCH_LBA,
                         SELFTEST_SECTORS, BLK_JOB_DEPTH);
            AEXEC_AWAIT(blk_job_poll(&s->job, cx));
            s->errors = s->job.errors;
            blk_job_init(&s->job, &disk, BLK_JOB_VERIFY, 0x5e1f7e57u + s->round, SCRATCH_LBA,
                         SELFTEST_SECTORS, BLK_JOB_DEPTH);
            AEXEC_AWAIT(blk_job_poll(&s->job, cx));
            s->errors += s->job.errors;
            s->mismatches = s->job.mismatches;
            out_reset(&s->out);
            out_str(&s->out, "[selftest] round ");
            out_u64(&s->out, s->round);
            out_str(&s->out, s->errors == 0u && s->mismatches == 0u ? ": ok" : ": FAILED");
            out_str(&s->out, ", 1 MiB written and read back, 8 in flight, in ");
            out_u64(&s->out, aexec_ticks_to_ms(timebase_hz, demo_now() - s->t0));
            out_str(&s->out, " ms, errors ");
            out_u64(&s->out, s->errors);
            out_str(&s->out, ", bad sectors ");
            out_u64(&s->out, s->mismatches);
            out_idle(&s->out, s->idle0, s->t0);
            out_nl(&s->out);
            AEXEC_AWAIT(out_send_poll(&s->out, cx));
        }
        s->running = 0;
    }
    AEXEC_CO_FINALLY;
    (void)blk_job_cancel(&s->job);
    (void)out_send_cancel(&s->out);
    AEXEC_CO_END;
}

/* ---- blk, blk bench, blk selftest --------------------------------------------------- */

static struct {
    struct blk_job job;
    struct virtio_blk_stats s;
    uint64_t n, rounds, t0, ticks[3], idle0[DEMO_HARTS];
    uint32_t pass;
} bb;

#define SELFTEST_MAX_ROUNDS 1000u

static void out_features(struct console_out *o, uint64_t f)
{
    static const struct {
        int bit;
        const char *name;
    } names[] = {{VIRTIO_BLK_F_SEG_MAX, " SEG_MAX"},
                 {VIRTIO_BLK_F_RO, " RO"},
                 {VIRTIO_BLK_F_BLK_SIZE, " BLK_SIZE"},
                 {VIRTIO_BLK_F_FLUSH, " FLUSH"},
                 {VIRTIO_F_VERSION_1, " VERSION_1"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((f >> names[i].bit) & 1u)
            out_str(o, names[i].name);
}

static void out_rate(struct console_out *o, const char *what, uint64_t ticks)
{
    out_str(o, "  ");
    out_str(o, what);
    out_str(o, ": ");
    out_u64(o, ticks ? aexec_muldiv(bb.n, timebase_hz, ticks, 0) : 0u);
    out_str(o, " req/s (");
    out_u64(o, aexec_ticks_to_us(timebase_hz, ticks));
    out_str(o, " us)");
}

static aexec_poll blk_poll(struct shell_call *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    if (!have_disk) {
        out_err(&c->out, "blk", VIRTIO_BLK_ENODEV);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
        AEXEC_CO_RETURN();
    }
    if (c->argc >= 2 && shell_word_is(c->argv[1], "selftest")) {
        SHELL_ARG(c, cx, 2, 1, 1, SELFTEST_MAX_ROUNDS, bb.rounds);
        if (st.running) {
            out_str(&c->out, "blk: the self-test is running");
        } else {
            st.rounds = (uint32_t)bb.rounds;
            st.running = 1;
            if (!st.spawned && demo_spawn(&st.t, 1, "selftest", selftest_poll) == 0)
                st.spawned = 1;
            aexec_cx_notify(cx, &st.t.task);
            out_str(&c->out, "blk: self-test started (");
            out_u64(&c->out, st.rounds);
            out_str(&c->out, " rounds); the shell stays yours");
        }
        out_nl(&c->out);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
        AEXEC_CO_RETURN();
    }
    if (c->argc >= 2 && shell_word_is(c->argv[1], "bench")) {
        /* As many 4 KiB reads as the disk holds above SCRATCH_LBA (none on a
         * disk smaller than that: every N is then out of range). */
        SHELL_ARG(c, cx, 2, 256, 1,
                  disk.capacity > SCRATCH_LBA ? (disk.capacity - SCRATCH_LBA) / BLK_JOB_CHUNK : 0u,
                  bb.n);
        /* A bench cancelled by Ctrl-C left its buffers to the device until
         * each of its requests came back: the job is not reused before. */
        AEXEC_AWAIT(blk_job_release_poll(&bb.job, cx));
        for (unsigned h = 0; h < DEMO_HARTS; h++)
            bb.idle0[h] = demo_idle(h);
        bb.t0 = demo_now();
        for (bb.pass = 0; bb.pass < 2u; bb.pass++) {
            bb.ticks[bb.pass] = demo_now();
            blk_job_init(&bb.job, &disk, BLK_JOB_READ, 0, SCRATCH_LBA, bb.n * BLK_JOB_CHUNK,
                         bb.pass == 0u ? 1u : BLK_JOB_DEPTH);
            AEXEC_AWAIT(blk_job_poll(&bb.job, cx));
            bb.ticks[bb.pass] = demo_now() - bb.ticks[bb.pass];
        }
        out_str(&c->out, "blk bench: 4 KiB reads");
        out_rate(&c->out, "1 in flight", bb.ticks[0]);
        out_rate(&c->out, "8 in flight", bb.ticks[1]);
        out_idle(&c->out, bb.idle0, bb.t0);
        out_nl(&c->out);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
        /* The polled peer: the interrupt masked, the hart spinning on the used ring. */
        for (unsigned h = 0; h < DEMO_HARTS; h++)
            bb.idle0[h] = demo_idle(h);
        bb.t0 = demo_now();
        (void)plic_set_priority(&plic, disk_irq, 0);
        blk_job_init(&bb.job, &disk, BLK_JOB_READ, 0, SCRATCH_LBA, bb.n * BLK_JOB_CHUNK,
                     BLK_JOB_DEPTH);
        blk_job_run_polled(&bb.job);
        (void)plic_set_priority(&plic, disk_irq, 1);
        bb.ticks[2] = demo_now() - bb.t0;
        out_str(&c->out, "blk bench: polled");
        out_rate(&c->out, "8 in flight", bb.ticks[2]);
        out_idle(&c->out, bb.idle0, bb.t0);
        out_nl(&c->out);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
        AEXEC_CO_RETURN();
    }
    if (c->argc >= 2) {
        out_str(&c->out, "usage: blk [bench [N] | selftest [ROUNDS]]");
        out_nl(&c->out);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
        AEXEC_CO_RETURN();
    }
    virtio_blk_stats(&disk, &bb.s);
    out_str(&c->out, "blk: ");
    out_u64(&c->out, disk.capacity);
    out_str(&c->out, " sectors (");
    out_u64(&c->out, disk.capacity / 2048u);
    out_str(&c->out, " MiB), block size ");
    out_u64(&c->out, disk.blk_size);
    out_str(&c->out, disk.version == 1u ? ", legacy" : ", modern");
    out_str(&c->out, " virtio-mmio, features");
    out_features(&c->out, disk.features);
    out_nl(&c->out);
    AEXEC_AWAIT(out_send_poll(&c->out, cx));
    virtio_blk_stats(&disk, &bb.s);
    out_str(&c->out, "blk: queue ");
    out_u64(&c->out, disk.queue_size);
    out_str(&c->out, ", in flight ");
    out_u64(&c->out, bb.s.in_flight);
    out_str(&c->out, ", waiting ");
    out_u64(&c->out, bb.s.waiting);
    out_str(&c->out, ", completed ");
    out_u64(&c->out, bb.s.completed);
    out_str(&c->out, ", interrupts ");
    out_u64(&c->out, bb.s.irqs);
    out_str(&c->out, st.running ? ", self-test running" : "");
    out_nl(&c->out);
    AEXEC_AWAIT(out_send_poll(&c->out, cx));
    AEXEC_CO_FINALLY;
    /* A cancelled bench leaves its buffers to the device until each request is done. */
    (void)blk_job_cancel(&bb.job);
    (void)out_send_cancel(&c->out);
    AEXEC_CO_END;
}

const struct shell_cmd cmd_read = {
    .name = "read", .help = "read LBA: the first 64 bytes of a sector", .poll = read_poll};
const struct shell_cmd cmd_write = {
    .name = "write", .help = "write LBA TEXT: TEXT into a sector", .poll = write_poll};
const struct shell_cmd cmd_blk = {
    .name = "blk", .help = "blk [bench [N] | selftest [ROUNDS]]: the disk", .poll = blk_poll};
