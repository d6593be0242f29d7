/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#define _POSIX_C_SOURCE 200809L
#include "virtio_model.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "virtio_blk.h"

#define VIRTIO_ID_BLOCK 2u

static uint64_t offered(const struct vmodel *m)
{
    uint64_t f = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
                 (1ull << VIRTIO_BLK_F_FLUSH) |
                 (1ull << 28) /* INDIRECT_DESC: not for this driver */;
    if (m->cfg.readonly)
        f |= 1ull << VIRTIO_BLK_F_RO;
    if (m->cfg.version >= 2u)
        f |= 1ull << VIRTIO_F_VERSION_1;
    return f;
}

static void reset(struct vmodel *m)
{
    m->status = 0;
    m->driver_features = 0;
    m->queue_num = 0;
    m->queue_ready = 0;
    m->desc_addr = m->avail_addr = m->used_addr = 0;
    m->interrupt_status = 0;
    m->last_avail = 0;
    m->used_idx = 0;
    m->npending = 0;
}

uintptr_t vmodel_base(struct vmodel *m)
{
    return (uintptr_t)m;
}

uint32_t virtio_mmio_model_read(uintptr_t base, uint32_t off)
{
    struct vmodel *m = (struct vmodel *)base;
    uint32_t v = 0;
    pthread_mutex_lock(&m->mu);
    switch (off) {
    case VIRTIO_MMIO_MAGIC: v = VIRTIO_MMIO_MAGIC_VALUE; break;
    case VIRTIO_MMIO_VERSION: v = m->cfg.version; break;
    case VIRTIO_MMIO_DEVICE_ID: v = m->cfg.device_id; break;
    case VIRTIO_MMIO_VENDOR_ID: v = 0x554d4551u; break;
    case VIRTIO_MMIO_DEVICE_FEATURES:
        v = m->dev_sel == 0u                           ? (uint32_t)offered(m)
            : m->dev_sel == 1u && m->cfg.version >= 2u ? (uint32_t)(offered(m) >> 32)
                                                       : 0u;
        break;
    case VIRTIO_MMIO_QUEUE_NUM_MAX: v = m->cfg.queue_num_max; break;
    case VIRTIO_MMIO_QUEUE_READY:
        v = m->queue_ready;
        if (m->cfg.version == 1u)
            m->protocol_errors++; /* no such register in the legacy layout */
        break;
    case VIRTIO_MMIO_QUEUE_PFN:
        v = m->queue_ready ? (uint32_t)(m->desc_addr / (m->page_size ? m->page_size : 4096u)) : 0u;
        if (m->cfg.version != 1u)
            m->protocol_errors++; /* legacy only */
        break;
    case VIRTIO_MMIO_INTERRUPT_STATUS: v = m->interrupt_status; break;
    case VIRTIO_MMIO_STATUS: v = m->status; break;
    case VIRTIO_MMIO_CONFIG_GENERATION: v = 0; break;
    case VIRTIO_MMIO_CONFIG + 0x00: v = (uint32_t)m->cfg.sectors; break;
    case VIRTIO_MMIO_CONFIG + 0x04: v = (uint32_t)(m->cfg.sectors >> 32); break;
    case VIRTIO_MMIO_CONFIG + 0x0c:
        v = 126; /* seg_max */
        break;
    case VIRTIO_MMIO_CONFIG + 0x14:
        v = 512; /* blk_size */
        break;
    default: m->protocol_errors++;
    }
    pthread_mutex_unlock(&m->mu);
    return v;
}

static void set_status(struct vmodel *m, uint32_t v)
{
    if (v == 0u) {
        reset(m);
        return;
    }
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(m->status & VIRTIO_STATUS_FEATURES_OK)) {
        /* Accept only a subset of the offer, and VERSION_1 on a modern device. */
        if ((m->driver_features & ~offered(m)) != 0u ||
            (m->cfg.version >= 2u && !(m->driver_features & (1ull << VIRTIO_F_VERSION_1))))
            v &= ~VIRTIO_STATUS_FEATURES_OK;
    }
    m->status = v;
}

void virtio_mmio_model_write(uintptr_t base, uint32_t off, uint32_t v)
{
    struct vmodel *m = (struct vmodel *)base;
    pthread_mutex_lock(&m->mu);
    switch (off) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL: m->dev_sel = v; break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL: m->drv_sel = v; break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        if (m->drv_sel == 0u)
            m->driver_features = (m->driver_features & ~0xffffffffull) | v;
        else if (m->drv_sel == 1u)
            m->driver_features = (m->driver_features & 0xffffffffull) | (uint64_t)v << 32;
        break;
    case VIRTIO_MMIO_GUEST_PAGE_SIZE: m->page_size = v; break;
    case VIRTIO_MMIO_QUEUE_SEL:
        if (v != 0u)
            m->protocol_errors++;
        break;
    case VIRTIO_MMIO_QUEUE_NUM:
        if (v == 0u || v > m->cfg.queue_num_max || (v & (v - 1u)) != 0u)
            m->protocol_errors++;
        m->queue_num = v;
        break;
    case VIRTIO_MMIO_QUEUE_ALIGN: m->queue_align = v; break;
    case VIRTIO_MMIO_QUEUE_PFN: {
        /* The legacy layout: everything follows from one page frame. */
        uint64_t n = m->queue_num, a = m->queue_align ? m->queue_align : 4096u;
        m->desc_addr = (uint64_t)v * (m->page_size ? m->page_size : 4096u);
        m->avail_addr = m->desc_addr + 16u * n;
        m->used_addr = (m->avail_addr + 6u + 2u * n + a - 1u) & ~(a - 1u);
        m->queue_ready = v != 0u;
        break;
    }
    case VIRTIO_MMIO_QUEUE_READY: m->queue_ready = v; break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW: m->desc_addr = (m->desc_addr & ~0xffffffffull) | v; break;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        m->desc_addr = (m->desc_addr & 0xffffffffull) | (uint64_t)v << 32;
        break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW: m->avail_addr = (m->avail_addr & ~0xffffffffull) | v; break;
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        m->avail_addr = (m->avail_addr & 0xffffffffull) | (uint64_t)v << 32;
        break;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW: m->used_addr = (m->used_addr & ~0xffffffffull) | v; break;
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        m->used_addr = (m->used_addr & 0xffffffffull) | (uint64_t)v << 32;
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        if (!(m->status & VIRTIO_STATUS_DRIVER_OK) || !m->queue_ready)
            m->protocol_errors++;
        m->notifies++;
        pthread_cond_broadcast(&m->cv);
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK: m->interrupt_status &= ~v; break;
    case VIRTIO_MMIO_STATUS: set_status(m, v); break;
    default: m->protocol_errors++;
    }
    pthread_mutex_unlock(&m->mu);
}

/* ---- the device's thread ------------------------------------------------------ */

static struct virtq_desc *desc(struct vmodel *m, uint32_t i)
{
    return (struct virtq_desc *)(uintptr_t)m->desc_addr + i;
}

static void take_avail(struct vmodel *m)
{
    struct virtq_avail *avail = (struct virtq_avail *)(uintptr_t)m->avail_addr;
    uint16_t idx = virtq_load_acquire(&avail->idx); /* pairs with the driver's release */
    while (m->last_avail != idx) {
        uint16_t head = avail->ring[m->last_avail % m->queue_num];
        m->pending[m->npending++] = head;
        m->last_avail++;
        const struct virtio_blk_outhdr *hdr = (const void *)(uintptr_t)desc(m, head)->addr;
        if (m->arrived < VMODEL_LOG) {
            m->log_sector[m->arrived] = hdr->sector;
            m->log_type[m->arrived] = hdr->type;
        }
        m->arrived++;
    }
    if (m->npending > m->max_pending)
        m->max_pending = m->npending;
}

/* Runs the chain at `head` against the disk; returns the bytes written into the chain. */
static uint32_t execute(struct vmodel *m, uint32_t head)
{
    struct virtq_desc *d = desc(m, head);
    if (d->len != sizeof(struct virtio_blk_outhdr) || (d->flags & VIRTQ_DESC_F_WRITE) ||
        !(d->flags & VIRTQ_DESC_F_NEXT)) {
        m->protocol_errors++;
        return 0;
    }
    const struct virtio_blk_outhdr *hdr = (const void *)(uintptr_t)d->addr;
    struct virtq_desc *data = desc(m, d->next), *st = data;
    if (data->flags & VIRTQ_DESC_F_NEXT)
        st = desc(m, data->next);
    else
        data = 0;
    if (!(st->flags & VIRTQ_DESC_F_WRITE) || st->len < 1u || (st->flags & VIRTQ_DESC_F_NEXT)) {
        m->protocol_errors++;
        return 0;
    }
    uint8_t *status = (uint8_t *)(uintptr_t)st->addr;
    uint32_t written = 1;
    m->requests++;
    uint64_t len = data ? data->len : 0u;
    int in_range = len % 512u == 0u && hdr->sector <= m->cfg.sectors &&
                   len / 512u <= m->cfg.sectors - hdr->sector;
    unsigned char *buf = data ? (unsigned char *)(uintptr_t)data->addr : 0;
    switch (hdr->type) {
    case VIRTIO_BLK_T_IN:
        if (!data || !(data->flags & VIRTQ_DESC_F_WRITE) || !in_range) {
            *status = VIRTIO_BLK_S_IOERR;
            break;
        }
        memcpy(buf, m->disk + hdr->sector * 512u, len);
        written += (uint32_t)len;
        *status = VIRTIO_BLK_S_OK;
        break;
    case VIRTIO_BLK_T_OUT:
        if (!data || (data->flags & VIRTQ_DESC_F_WRITE) || !in_range || m->cfg.readonly) {
            *status = VIRTIO_BLK_S_IOERR;
            break;
        }
        memcpy(m->disk + hdr->sector * 512u, buf, len);
        *status = VIRTIO_BLK_S_OK;
        break;
    case VIRTIO_BLK_T_FLUSH: *status = VIRTIO_BLK_S_OK; break;
    default: *status = VIRTIO_BLK_S_UNSUPP;
    }
    return written;
}

static void jitter(struct vmodel *m)
{
    if (m->cfg.jitter_us == 0u)
        return;
    struct timespec ts = {0, (long)(rand_r(&m->cfg.seed) % m->cfg.jitter_us) * 1000L};
    nanosleep(&ts, 0);
}

static void *device_thread(void *arg)
{
    struct vmodel *m = arg;
    pthread_mutex_lock(&m->mu);
    for (;;) {
        if (m->stop)
            break;
        if ((m->status & VIRTIO_STATUS_DRIVER_OK) && m->queue_ready && m->queue_num)
            take_avail(m);
        if (m->npending == 0u || m->held) {
            pthread_cond_wait(&m->cv, &m->mu);
            continue;
        }
        /* Out of order: any chain of the batch may finish first. */
        uint32_t k = (uint32_t)rand_r(&m->cfg.seed) % m->npending;
        uint32_t head = m->pending[k];
        if (k != 0u)
            m->out_of_order++;
        for (uint32_t i = k; i + 1u < m->npending; i++)
            m->pending[i] = m->pending[i + 1u];
        m->npending--;
        uint32_t len = execute(m, head);
        struct virtq_used *used = (struct virtq_used *)(uintptr_t)m->used_addr;
        used->ring[m->used_idx % m->queue_num].id = head;
        used->ring[m->used_idx % m->queue_num].len = len;
        m->used_idx++;
        virtq_store_release(&used->idx, m->used_idx); /* the data and status go with it */
        m->interrupt_status |= VIRTIO_MMIO_INT_VRING;
        pthread_mutex_unlock(&m->mu);
        m->irq(m->irq_ctx); /* the "interrupt": the driver reads our registers again */
        jitter(m);
        pthread_mutex_lock(&m->mu);
    }
    pthread_mutex_unlock(&m->mu);
    return 0;
}

int vmodel_start(struct vmodel *m, const struct vmodel_config *cfg, void (*irq)(void *), void *ctx)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->irq = irq;
    m->irq_ctx = ctx;
    m->disk = calloc((size_t)cfg->sectors, 512u);
    if (!m->disk)
        return -1;
    pthread_mutex_init(&m->mu, 0);
    pthread_cond_init(&m->cv, 0);
    return pthread_create(&m->thread, 0, device_thread, m);
}

void vmodel_stop(struct vmodel *m)
{
    pthread_mutex_lock(&m->mu);
    m->stop = 1;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->thread, 0);
    pthread_cond_destroy(&m->cv);
    pthread_mutex_destroy(&m->mu);
    free(m->disk);
    m->disk = 0;
}

void vmodel_hold(struct vmodel *m, int held)
{
    pthread_mutex_lock(&m->mu);
    m->held = held;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
}

uint32_t vmodel_pending(struct vmodel *m)
{
    pthread_mutex_lock(&m->mu);
    /* Chains on the ring that the thread has not taken yet count too. */
    if ((m->status & VIRTIO_STATUS_DRIVER_OK) && m->queue_ready && m->queue_num)
        take_avail(m);
    uint32_t n = m->npending;
    pthread_mutex_unlock(&m->mu);
    return n;
}
