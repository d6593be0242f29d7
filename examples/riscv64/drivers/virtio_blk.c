/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * virtio-blk over virtio-mmio. Invariants, all under dev->cs:
 *   - a descriptor is either on the free list (nfree counts them) or in the
 *     chain of exactly one request the device owns (owner[head] names it);
 *   - a request is in exactly one state (virtio_blk.h); WAITING requests are
 *     in the FIFO, DEVICE and DETACHED ones in owner[];
 *   - only the interrupt function (or virtio_blk_reap) takes chains off the
 *     used ring, and a chain returns to the free list only there.
 * Memory shared with the device is published by the release store of
 * avail->idx and taken by the acquire load of used->idx (virtio_mmio.h).
 */
#include "virtio_blk.h"

#define VIRTIO_ID_BLOCK 2u

#define CFG_CAPACITY 0x00
#define CFG_SEG_MAX 0x0c
#define CFG_BLK_SIZE 0x14

static const uint64_t wanted = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_RO) |
                               (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_FLUSH) |
                               (1ull << VIRTIO_F_VERSION_1);

static uint32_t rd(const struct virtio_blk *dev, uint32_t off)
{
    return virtio_mmio_read(dev->base, off);
}

static void wr(const struct virtio_blk *dev, uint32_t off, uint32_t v)
{
    virtio_mmio_write(dev->base, off, v);
}

static uint64_t phys(const struct virtio_blk *dev, const void *p)
{
    return dev->dma_addr ? dev->dma_addr(p) : (uint64_t)(uintptr_t)p;
}

static int has(const struct virtio_blk *dev, int bit)
{
    return (dev->features >> bit) & 1u;
}

const char *virtio_blk_strerror(int err)
{
    switch (err) {
    case 0: return "ok";
    case AEXEC_EINVAL: return "invalid argument";
    case AEXEC_EBUSY: return "busy (no free descriptors, or the device owns the request)";
    case AEXEC_ENOTSUP: return "not supported by the device";
    case AEXEC_ETIMEDOUT: return "timed out";
    case VIRTIO_BLK_ENODEV: return "no virtio-blk device";
    case VIRTIO_BLK_EDEVICE: return "the device refused the setup";
    case VIRTIO_BLK_ERANGE: return "beyond the end of the disk";
    case VIRTIO_BLK_EROFS: return "read-only disk";
    case VIRTIO_BLK_EIO: return "device I/O error";
    case VIRTIO_BLK_EUNSUPP: return "request not supported by the device";
    default: return "unknown error";
    }
}

/* ---- bring-up --------------------------------------------------------------- */

int virtio_blk_probe(uintptr_t base)
{
    if (virtio_mmio_read(base, VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE)
        return VIRTIO_BLK_ENODEV;
    uint32_t version = virtio_mmio_read(base, VIRTIO_MMIO_VERSION);
    if (version != 1u && version != 2u)
        return VIRTIO_BLK_ENODEV;
    if (virtio_mmio_read(base, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
        return VIRTIO_BLK_ENODEV;
    return (int)version;
}

static uint64_t device_features(const struct virtio_blk *dev)
{
    wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    uint64_t f = rd(dev, VIRTIO_MMIO_DEVICE_FEATURES);
    if (dev->version >= 2u) {
        wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
        f |= (uint64_t)rd(dev, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
    }
    return f;
}

static void set_driver_features(const struct virtio_blk *dev, uint64_t f)
{
    wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
    if (dev->version >= 2u) {
        wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
        wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
    }
}

/* The modern layout's config may change under a read: retry on a new generation. */
static void read_config(struct virtio_blk *dev)
{
    uint32_t gen;
    do {
        gen = dev->version >= 2u ? rd(dev, VIRTIO_MMIO_CONFIG_GENERATION) : 0u;
        dev->capacity = (uint64_t)rd(dev, VIRTIO_MMIO_CONFIG + CFG_CAPACITY) |
                        (uint64_t)rd(dev, VIRTIO_MMIO_CONFIG + CFG_CAPACITY + 4) << 32;
        dev->seg_max =
            has(dev, VIRTIO_BLK_F_SEG_MAX) ? rd(dev, VIRTIO_MMIO_CONFIG + CFG_SEG_MAX) : 0u;
        dev->blk_size = has(dev, VIRTIO_BLK_F_BLK_SIZE) ? rd(dev, VIRTIO_MMIO_CONFIG + CFG_BLK_SIZE)
                                                        : VIRTIO_BLK_SECTOR;
    } while (dev->version >= 2u && gen != rd(dev, VIRTIO_MMIO_CONFIG_GENERATION));
}

/* Volatile stores: a zeroing loop the compiler cannot turn into a call of memset (no libc). */
static void zero(void *p, size_t n)
{
    volatile unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = 0;
}

static void setup_rings(struct virtio_blk *dev, unsigned char *ring, uint16_t n)
{
    zero(ring, VIRTIO_BLK_RING_BYTES(n));
    dev->desc = (struct virtq_desc *)ring;
    dev->avail = (struct virtq_avail *)(ring + 16u * (size_t)n);
    dev->used = (struct virtq_used *)(ring + VIRTQ_USED_OFFSET(n));
    dev->queue_size = n;
    for (uint16_t i = 0; i < n; i++) {
        dev->desc[i].next = (uint16_t)(i + 1u);
        dev->owner[i] = 0;
    }
    dev->free_head = 0;
    dev->nfree = n;
    dev->avail_idx = 0;
    dev->used_seen = 0;
}

static int fail(struct virtio_blk *dev, int err)
{
    wr(dev, VIRTIO_MMIO_STATUS, 0);
    return err;
}

int virtio_blk_init(struct virtio_blk *dev, const struct virtio_blk_config *cfg)
{
    if (dev == 0 || cfg == 0 || cfg->ring == 0 || cfg->cs == 0)
        return AEXEC_EINVAL;
    uint16_t n = cfg->queue_size;
    if (n < 2u || n > VIRTIO_BLK_QUEUE_MAX || (n & (n - 1u)) != 0 ||
        ((uintptr_t)cfg->ring & (VIRTIO_BLK_RING_ALIGN - 1u)) != 0 ||
        cfg->ring_bytes < VIRTIO_BLK_RING_BYTES(n))
        return AEXEC_EINVAL;
    int version = virtio_blk_probe(cfg->base);
    if (version < 0)
        return version;
    uint64_t ring_at = cfg->dma_addr ? cfg->dma_addr(cfg->ring) : (uint64_t)(uintptr_t)cfg->ring;
    if (version == 1 && ring_at / VIRTQ_ALIGN > UINT32_MAX)
        return AEXEC_EINVAL; /* beyond the legacy layout's 32-bit page frame number */

    /* Nothing is written to *dev before the device is known to be there. */
    zero(dev, sizeof *dev);
    dev->base = cfg->base;
    dev->version = (uint32_t)version;
    dev->cs = *cfg->cs;
    dev->dma_addr = cfg->dma_addr;

    /* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues, DRIVER_OK. */
    wr(dev, VIRTIO_MMIO_STATUS, 0);
    wr(dev, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    wr(dev, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    dev->offered = device_features(dev);
    dev->features = dev->offered & wanted & ~cfg->refuse_features;
    if (dev->version >= 2u && !has(dev, VIRTIO_F_VERSION_1))
        return fail(dev, VIRTIO_BLK_EDEVICE); /* a modern device must offer it */
    set_driver_features(dev, dev->features);
    uint32_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
    if (dev->version >= 2u) {
        /* Legacy devices have no FEATURES_OK step. */
        status |= VIRTIO_STATUS_FEATURES_OK;
        wr(dev, VIRTIO_MMIO_STATUS, status);
        if ((rd(dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) == 0)
            return fail(dev, VIRTIO_BLK_EDEVICE);
    }
    read_config(dev);

    wr(dev, VIRTIO_MMIO_QUEUE_SEL, 0);
    /* 4.2.3.2 / 4.2.4: the queue must exist and not be in use already. */
    uint32_t max = rd(dev, VIRTIO_MMIO_QUEUE_NUM_MAX);
    uint32_t in_use = rd(dev, dev->version == 1u ? VIRTIO_MMIO_QUEUE_PFN : VIRTIO_MMIO_QUEUE_READY);
    if (max == 0u || in_use != 0u)
        return fail(dev, VIRTIO_BLK_EDEVICE);
    while (n > max) /* stays a power of two */
        n = (uint16_t)(n / 2u);
    setup_rings(dev, cfg->ring, n);
    wr(dev, VIRTIO_MMIO_QUEUE_NUM, n);
    if (dev->version == 1u) {
        /* Legacy: one page frame number, the used ring at the next QueueAlign boundary. */
        wr(dev, VIRTIO_MMIO_GUEST_PAGE_SIZE, VIRTQ_ALIGN);
        wr(dev, VIRTIO_MMIO_QUEUE_ALIGN, VIRTQ_ALIGN);
        wr(dev, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(phys(dev, dev->desc) / VIRTQ_ALIGN));
    } else {
        uint64_t d = phys(dev, dev->desc), a = phys(dev, dev->avail), u = phys(dev, dev->used);
        wr(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)d);
        wr(dev, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(d >> 32));
        wr(dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)a);
        wr(dev, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(a >> 32));
        wr(dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)u);
        wr(dev, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(u >> 32));
        wr(dev, VIRTIO_MMIO_QUEUE_READY, 1);
    }
    wr(dev, VIRTIO_MMIO_STATUS, status | VIRTIO_STATUS_DRIVER_OK);
    return 0;
}

/* ---- submission (under the cs) --------------------------------------------- */

static uint16_t take_desc(struct virtio_blk *dev)
{
    uint16_t i = dev->free_head;
    dev->free_head = dev->desc[i].next;
    dev->nfree--;
    return i;
}

static void set_desc(struct virtio_blk *dev, uint16_t i, const void *p, uint32_t len,
                     uint16_t flags)
{
    dev->desc[i].addr = phys(dev, p);
    dev->desc[i].len = len;
    dev->desc[i].flags = flags;
}

/* Builds the chain header -> [data ->] status and makes it available. */
static void push(struct virtio_blk *dev, struct virtio_blk_req *req)
{
    uint16_t head = take_desc(dev), last = head;
    set_desc(dev, head, &req->hdr, sizeof req->hdr, VIRTQ_DESC_F_NEXT);
    if (req->ndesc == 3u) {
        uint16_t data = take_desc(dev);
        dev->desc[last].next = data;
        set_desc(dev, data, req->buf, req->len,
                 (uint16_t)(VIRTQ_DESC_F_NEXT | (req->device_writes ? VIRTQ_DESC_F_WRITE : 0u)));
        last = data;
    }
    uint16_t st = take_desc(dev);
    dev->desc[last].next = st;
    set_desc(dev, st, &req->status, 1, VIRTQ_DESC_F_WRITE);
    req->status = 0xffu; /* a value the device never writes: a missing status shows */
    req->head = head;
    req->state = VIRTIO_BLK__DEVICE;
    dev->owner[head] = req;
    dev->in_flight++;
    dev->avail->ring[dev->avail_idx & (dev->queue_size - 1u)] = head;
    dev->avail_idx++;
    virtq_store_release(&dev->avail->idx, dev->avail_idx);
}

static void notify(struct virtio_blk *dev)
{
    wr(dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* its fence orders the idx store before it */
}

/* Moves waiting requests into free descriptors, in FIFO order. Returns how many. */
static uint32_t drain_waiters(struct virtio_blk *dev)
{
    uint32_t n = 0;
    struct virtio_blk_req *r;
    while ((r = dev->wait_head) != 0 && dev->nfree >= r->ndesc) {
        dev->wait_head = r->next;
        if (dev->wait_head == 0)
            dev->wait_tail = 0;
        r->next = 0;
        dev->waiting--;
        push(dev, r);
        n++;
    }
    return n;
}

static void enqueue_waiter(struct virtio_blk *dev, struct virtio_blk_req *req)
{
    req->next = 0;
    req->state = VIRTIO_BLK__WAITING;
    if (dev->wait_tail)
        dev->wait_tail->next = req;
    else
        dev->wait_head = req;
    dev->wait_tail = req;
    dev->waiting++;
}

static void remove_waiter(struct virtio_blk *dev, struct virtio_blk_req *req)
{
    struct virtio_blk_req **p = &dev->wait_head, *prev = 0;
    while (*p != req) {
        prev = *p;
        p = &(*p)->next;
    }
    *p = req->next;
    if (dev->wait_tail == req)
        dev->wait_tail = prev;
    req->next = 0;
    dev->waiting--;
}

/* ---- completion ------------------------------------------------------------- */

static int status_result(uint8_t s)
{
    if (s == VIRTIO_BLK_S_OK)
        return 0;
    return s == VIRTIO_BLK_S_UNSUPP ? VIRTIO_BLK_EUNSUPP : VIRTIO_BLK_EIO;
}

static void free_chain(struct virtio_blk *dev, uint16_t head)
{
    uint16_t i = head, n = 1;
    while (dev->desc[i].flags & VIRTQ_DESC_F_NEXT) {
        i = dev->desc[i].next;
        n++;
    }
    dev->desc[i].next = dev->free_head;
    dev->free_head = head;
    dev->nfree = (uint16_t)(dev->nfree + n);
}

/*
 * Wakes happen after the cs is left, a batch at a time, as in the library's
 * own primitives: the cs may be the executor's, which a wake takes again in
 * builds without compare-and-swap. A wake that lands after the task has moved
 * on is a spurious poll, never a lost one.
 */
#define WAKE_BATCH 16u

uint32_t virtio_blk_reap(struct virtio_blk *dev)
{
    uint32_t total = 0;
    for (;;) {
        aexec_task *wake[WAKE_BATCH];
        uint32_t n = 0, nwake = 0;
        aexec_cs_state s = dev->cs.enter(dev->cs.ctx);
        uint16_t used = virtq_load_acquire(&dev->used->idx);
        while (dev->used_seen != used && n < WAKE_BATCH) {
            uint32_t id = dev->used->ring[dev->used_seen & (dev->queue_size - 1u)].id;
            dev->used_seen++;
            AEXEC_ASSERT(id < dev->queue_size && dev->owner[id] != 0,
                         "virtio_blk: the device returned a chain the driver did not submit");
            struct virtio_blk_req *r = dev->owner[id];
            dev->owner[id] = 0;
            free_chain(dev, (uint16_t)id);
            dev->in_flight--;
            dev->completed++;
            n++;
            r->result = status_result(r->status);
            /* A detached request's buffer is the caller's again; its result is not delivered. */
            r->state = r->state == VIRTIO_BLK__DETACHED ? VIRTIO_BLK__IDLE : VIRTIO_BLK__DONE;
            if (r->waker)
                wake[nwake++] = r->waker;
            r->waker = 0;
        }
        int more = dev->used_seen != used;
        int pushed = drain_waiters(dev) != 0;
        dev->cs.exit(dev->cs.ctx, s);
        if (pushed)
            notify(dev);
        for (uint32_t i = 0; i < nwake; i++)
            aexec_wake(wake[i]);
        total += n;
        if (!more)
            return total;
    }
}

uint32_t virtio_blk_on_irq(struct virtio_blk *dev)
{
    /* Acknowledge before looking at the ring: a chain used after the look raises a new interrupt.
     */
    uint32_t why = rd(dev, VIRTIO_MMIO_INTERRUPT_STATUS);
    if (why == 0u)
        return 0; /* a shared or spurious interrupt */
    wr(dev, VIRTIO_MMIO_INTERRUPT_ACK, why);
    if (why & VIRTIO_MMIO_INT_CONFIG) {
        aexec_cs_state s = dev->cs.enter(dev->cs.ctx);
        dev->config_changes++;
        dev->cs.exit(dev->cs.ctx, s);
    }
    uint32_t n = virtio_blk_reap(dev);
    if (n != 0u) {
        aexec_cs_state s = dev->cs.enter(dev->cs.ctx);
        dev->irqs++;
        dev->cs.exit(dev->cs.ctx, s);
    }
    return n;
}

void virtio_blk_stats(struct virtio_blk *dev, struct virtio_blk_stats *out)
{
    aexec_cs_state s = dev->cs.enter(dev->cs.ctx);
    out->in_flight = dev->in_flight;
    out->waiting = dev->waiting;
    out->completed = dev->completed;
    out->irqs = dev->irqs;
    out->config_changes = dev->config_changes;
    out->free_desc = dev->nfree;
    dev->cs.exit(dev->cs.ctx, s);
}

/* ---- requests ---------------------------------------------------------------- */

static int prepare(struct virtio_blk_req *req, struct virtio_blk *dev, uint32_t type,
                   uint64_t sector, void *buf, uint32_t len, int device_writes)
{
    /* The device the request last went to is the one whose interrupt function may touch it. */
    struct virtio_blk *last = req->dev != 0 ? req->dev : dev;
    aexec_cs_state s = last->cs.enter(last->cs.ctx);
    int busy = req->state == VIRTIO_BLK__WAITING || req->state == VIRTIO_BLK__DEVICE ||
               req->state == VIRTIO_BLK__DETACHED;
    if (!busy) {
        req->hdr.type = type;
        req->hdr.ioprio = 0;
        req->hdr.sector = sector;
        req->status = 0xffu;
        req->device_writes = device_writes ? 1u : 0u;
        req->ndesc = len != 0u ? 3u : 2u;
        req->result = 0;
        req->dev = dev;
        req->buf = buf;
        req->len = len;
        req->waker = 0;
        req->next = 0;
        req->state = VIRTIO_BLK__READY;
    }
    last->cs.exit(last->cs.ctx, s);
    return busy ? AEXEC_EBUSY : 0;
}

static int check_range(const struct virtio_blk *dev, uint64_t lba, uint32_t nsectors)
{
    if (nsectors == 0u || nsectors > UINT32_MAX / VIRTIO_BLK_SECTOR)
        return AEXEC_EINVAL;
    if (lba >= dev->capacity || nsectors > dev->capacity - lba)
        return VIRTIO_BLK_ERANGE;
    return 0;
}

int virtio_blk_read_init(struct virtio_blk_req *req, struct virtio_blk *dev, uint64_t lba,
                         void *buf, uint32_t nsectors)
{
    if (req == 0 || dev == 0 || buf == 0)
        return AEXEC_EINVAL;
    int err = check_range(dev, lba, nsectors);
    if (err)
        return err;
    return prepare(req, dev, VIRTIO_BLK_T_IN, lba, buf, nsectors * VIRTIO_BLK_SECTOR, 1);
}

int virtio_blk_write_init(struct virtio_blk_req *req, struct virtio_blk *dev, uint64_t lba,
                          const void *buf, uint32_t nsectors)
{
    if (req == 0 || dev == 0 || buf == 0)
        return AEXEC_EINVAL;
    int err = check_range(dev, lba, nsectors);
    if (err)
        return err;
    if (has(dev, VIRTIO_BLK_F_RO))
        return VIRTIO_BLK_EROFS;
    /* The device only reads the buffer; the descriptor says so. */
    return prepare(req, dev, VIRTIO_BLK_T_OUT, lba, (void *)(uintptr_t)buf,
                   nsectors * VIRTIO_BLK_SECTOR, 0);
}

int virtio_blk_flush_init(struct virtio_blk_req *req, struct virtio_blk *dev)
{
    if (req == 0 || dev == 0)
        return AEXEC_EINVAL;
    if (!has(dev, VIRTIO_BLK_F_FLUSH))
        return AEXEC_ENOTSUP;
    return prepare(req, dev, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
}

int virtio_blk_cmd_init(struct virtio_blk_req *req, struct virtio_blk *dev, uint32_t type,
                        uint64_t sector, void *buf, uint32_t len, int device_writes)
{
    if (req == 0 || dev == 0 || (len != 0u && buf == 0))
        return AEXEC_EINVAL;
    return prepare(req, dev, type, sector, buf, len, device_writes);
}

int virtio_blk_req_submit(struct virtio_blk_req *req)
{
    if (req == 0 || req->dev == 0)
        return AEXEC_EINVAL;
    struct virtio_blk *dev = req->dev;
    int err = 0;
    aexec_cs_state s = dev->cs.enter(dev->cs.ctx);
    if (req->state != VIRTIO_BLK__READY)
        err = AEXEC_EINVAL;
    else if (dev->wait_head != 0 || dev->nfree < req->ndesc)
        err = AEXEC_EBUSY; /* no overtaking the requests that wait */
    else
        push(dev, req);
    dev->cs.exit(dev->cs.ctx, s);
    if (err == 0)
        notify(dev);
    return err;
}

aexec_poll virtio_blk_req_poll(struct virtio_blk_req *req, aexec_cx *cx, int *result)
{
    AEXEC_ASSERT(req != 0 && req->dev != 0,
                 "virtio_blk_req_poll: the request was never initialized");
    struct virtio_blk *dev = req->dev;
    aexec_poll p = AEXEC_PENDING;
    int pushed = 0;
    aexec_cs_state s = dev->cs.enter(dev->cs.ctx);
    switch (req->state) {
    case VIRTIO_BLK__READY:
        if (dev->wait_head == 0 && dev->nfree >= req->ndesc) {
            push(dev, req);
            pushed = 1;
        } else {
            enqueue_waiter(dev, req);
        }
        req->waker = aexec_cx_waker(cx);
        break;
    case VIRTIO_BLK__WAITING:
    case VIRTIO_BLK__DEVICE: req->waker = aexec_cx_waker(cx); break;
    case VIRTIO_BLK__DONE:
        if (result)
            *result = req->result;
        req->state = VIRTIO_BLK__IDLE;
        p = AEXEC_READY;
        break;
    default:
        AEXEC_ASSERT(0,
                     "virtio_blk_req_poll: the request is idle or cancelled (initialize it first)");
    }
    dev->cs.exit(dev->cs.ctx, s);
    if (pushed)
        notify(dev);
    return p;
}

int virtio_blk_req_cancel(struct virtio_blk_req *req, int *result)
{
    if (req == 0 || req->dev == 0)
        return 0; /* zeroed: never initialized */
    struct virtio_blk *dev = req->dev;
    int completed = 0;
    aexec_cs_state s = dev->cs.enter(dev->cs.ctx);
    switch (req->state) {
    case VIRTIO_BLK__READY: req->state = VIRTIO_BLK__IDLE; break;
    case VIRTIO_BLK__WAITING:
        remove_waiter(dev, req);
        req->state = VIRTIO_BLK__IDLE;
        break;
    case VIRTIO_BLK__DEVICE:
        req->state = VIRTIO_BLK__DETACHED; /* the interrupt function reclaims it */
        break;
    case VIRTIO_BLK__DONE:
        if (result)
            *result = req->result;
        req->state = VIRTIO_BLK__IDLE;
        completed = 1;
        break;
    default: /* IDLE, DETACHED: nothing more to do */ break;
    }
    req->waker = 0;
    dev->cs.exit(dev->cs.ctx, s);
    return completed;
}

int virtio_blk_req_try_take(struct virtio_blk_req *req, int *result)
{
    if (req == 0 || req->dev == 0)
        return 0;
    struct virtio_blk *dev = req->dev;
    int done = 0;
    aexec_cs_state s = dev->cs.enter(dev->cs.ctx);
    if (req->state == VIRTIO_BLK__DONE) {
        if (result)
            *result = req->result;
        req->state = VIRTIO_BLK__IDLE;
        done = 1;
    }
    dev->cs.exit(dev->cs.ctx, s);
    return done;
}

int virtio_blk_req_busy(const struct virtio_blk_req *req)
{
    if (req == 0 || req->dev == 0)
        return 0;
    struct virtio_blk *dev = req->dev;
    aexec_cs_state s = dev->cs.enter(dev->cs.ctx);
    int busy = req->state == VIRTIO_BLK__DEVICE || req->state == VIRTIO_BLK__DETACHED;
    dev->cs.exit(dev->cs.ctx, s);
    return busy;
}

aexec_poll virtio_blk_req_release_poll(struct virtio_blk_req *req, aexec_cx *cx)
{
    if (req == 0 || req->dev == 0)
        return AEXEC_READY;
    struct virtio_blk *dev = req->dev;
    aexec_poll p = AEXEC_READY;
    aexec_cs_state s = dev->cs.enter(dev->cs.ctx);
    if (req->state == VIRTIO_BLK__DEVICE || req->state == VIRTIO_BLK__DETACHED) {
        req->waker = aexec_cx_waker(cx);
        p = AEXEC_PENDING;
    }
    dev->cs.exit(dev->cs.ctx, s);
    return p;
}
