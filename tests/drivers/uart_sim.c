/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The simulated 16550 (uart_sim.h). Every register and line field is under sim->mu. */
#define _POSIX_C_SOURCE 200809L
#include "uart_sim.h"

#include <assert.h>
#include <time.h>

#include "aexec/arch/host.h"

#define IER_ERBFI 0x01u
#define IER_ETBEI 0x02u
#define IER_ELSI 0x04u
#define LSR_DR 0x01u
#define LSR_OE 0x02u
#define LSR_THRE 0x20u
#define LSR_TEMT 0x40u
#define ERR_CHAR (SIM_PARITY | SIM_FRAMING | SIM_BREAK)

static struct uart_sim *the_sim;

void uart_sim_init(struct uart_sim *sim)
{
    *sim = (struct uart_sim){0};
    pthread_mutex_init(&sim->mu, NULL);
    pthread_cond_init(&sim->cv, NULL);
    pthread_mutex_init(&sim->irq, NULL);
    sim->thr_ipending = 0;
    the_sim = sim;
}

static uint32_t lsr(const struct uart_sim *s)
{
    uint32_t v = 0;
    if (s->rx_count > 0)
        v |= LSR_DR | (s->rx_flags[s->rx_head] & ERR_CHAR);
    if (s->oe)
        v |= LSR_OE;
    if (s->tx_count == 0)
        v |= LSR_THRE | LSR_TEMT;
    return v;
}

/* The interrupt identification, highest priority first. */
static uint32_t iir(const struct uart_sim *s)
{
    uint32_t l = lsr(s);
    if ((s->ier & IER_ELSI) && (l & (LSR_OE | ERR_CHAR)))
        return 0x06;
    if ((s->ier & IER_ERBFI) && (l & LSR_DR))
        return 0x04;
    if ((s->ier & IER_ETBEI) && s->thr_ipending)
        return 0x02;
    return 0x01;
}

uint32_t uart16550_reg_read(const struct uart16550 *u, uint32_t reg)
{
    struct uart_sim *s = the_sim;
    (void)u;
    pthread_mutex_lock(&s->mu);
    uint32_t v = 0;
    int dlab = (s->lcr & 0x80u) != 0;
    switch (reg) {
    case 0:
        if (dlab) {
            v = s->dll;
        } else if (s->rx_count > 0) {
            v = s->rx_byte[s->rx_head];
            s->rx_head = (s->rx_head + 1u) % 16u;
            s->rx_count--;
        }
        break;
    case 1: v = dlab ? s->dlm : s->ier; break;
    case 2:
        v = iir(s);
        if (v == 0x02)
            s->thr_ipending = 0; /* reading IIR acknowledges THR empty */
        v |= 0xc0u;              /* FIFOs enabled */
        break;
    case 3: v = s->lcr; break;
    case 4: v = s->mcr; break;
    case 5:
        v = lsr(s);
        s->oe = 0; /* reading the LSR clears the errors it reports */
        if (s->rx_count > 0)
            s->rx_flags[s->rx_head] &= (uint8_t)~ERR_CHAR;
        break;
    default: break;
    }
    pthread_mutex_unlock(&s->mu);
    return v;
}

void uart16550_reg_write(const struct uart16550 *u, uint32_t reg, uint32_t value)
{
    struct uart_sim *s = the_sim;
    (void)u;
    pthread_mutex_lock(&s->mu);
    int dlab = (s->lcr & 0x80u) != 0;
    switch (reg) {
    case 0:
        if (dlab) {
            s->dll = value;
        } else if (s->tx_count == 16) {
            s->tx_overflow++;
        } else {
            s->tx_fifo[(s->tx_head + s->tx_count) % 16u] = (uint8_t)value;
            s->tx_count++;
            s->thr_ipending = 0;
        }
        break;
    case 1:
        if (dlab) {
            s->dlm = value;
        } else {
            if ((value & IER_ETBEI) && !(s->ier & IER_ETBEI) && s->tx_count == 0)
                s->thr_ipending = 1; /* enabling THRE with the FIFO empty raises it */
            s->ier = value & 0x0fu;
        }
        break;
    case 2:
        s->fcr = value;
        if (value & 0x02u)
            s->rx_count = 0;
        if (value & 0x04u)
            s->tx_count = 0;
        break;
    case 3: s->lcr = value; break;
    case 4: s->mcr = value; break;
    default: break;
    }
    pthread_cond_signal(&s->cv); /* the interrupt line may have changed */
    pthread_mutex_unlock(&s->mu);
}

static uint32_t next_rand(struct uart_sim *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 17;
    s->rng ^= s->rng << 5;
    return s->rng;
}

/* One step of the line. Returns 1 if anything changed. */
static int line_step(struct uart_sim *s, uint64_t now)
{
    int changed = 0;
    if (s->in_pos < s->in_len && s->rx_count < 16 && now >= s->next_at_ns) {
        uint8_t f = s->in_flags != NULL ? s->in_flags[s->in_pos] : 0;
        if (f & SIM_OVERRUN) {
            s->oe = 1; /* this byte never makes it into the FIFO */
        } else {
            unsigned at = (s->rx_head + s->rx_count) % 16u;
            s->rx_byte[at] = (f & SIM_BREAK) ? 0 : s->in[s->in_pos];
            s->rx_flags[at] = f;
            s->rx_count++;
        }
        s->in_pos++;
        if (s->max_gap_us != 0)
            s->next_at_ns = now + (next_rand(s) % (s->max_gap_us + 1u)) * 1000u;
        changed = 1;
    }
    if (s->tx_count > 0) {
        if (s->out_len < s->out_cap)
            s->out[s->out_len++] = s->tx_fifo[s->tx_head];
        s->tx_head = (s->tx_head + 1u) % 16u;
        s->tx_count--;
        if (s->tx_count == 0)
            s->thr_ipending = 1;
        changed = 1;
    }
    return changed;
}

static void *device_thread(void *arg)
{
    struct uart_sim *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        int changed = line_step(s, aexec_host_now_ns());
        if (iir(s) != 0x01) {
            pthread_mutex_unlock(&s->mu);
            pthread_mutex_lock(&s->irq);
            uart16550_on_irq(s->u);
            pthread_mutex_unlock(&s->irq);
            pthread_mutex_lock(&s->mu);
            s->irq_calls++;
            continue;
        }
        if (!changed) {
            /* Nothing to do until a register write or the next byte is due. */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 200 * 1000;
            if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&s->cv, &s->mu, &until);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

void uart_sim_start(struct uart_sim *sim, struct uart16550 *u, const uint8_t *in,
                    const uint8_t *flags, size_t in_len, unsigned max_gap_us, uint8_t *out,
                    size_t out_cap, uint32_t seed)
{
    pthread_mutex_lock(&sim->mu);
    sim->u = u;
    sim->in = in;
    sim->in_flags = flags;
    sim->in_len = in_len;
    sim->max_gap_us = max_gap_us;
    sim->rng = seed | 1u;
    sim->out = out;
    sim->out_cap = out_cap;
    pthread_mutex_unlock(&sim->mu);
    int rc = pthread_create(&sim->thread, NULL, device_thread, sim);
    assert(rc == 0);
    (void)rc;
}

void uart_sim_stop(struct uart_sim *sim)
{
    pthread_mutex_lock(&sim->mu);
    sim->stop = 1;
    pthread_cond_signal(&sim->cv);
    pthread_mutex_unlock(&sim->mu);
    pthread_join(sim->thread, NULL);
    pthread_mutex_destroy(&sim->mu);
    pthread_cond_destroy(&sim->cv);
    pthread_mutex_destroy(&sim->irq);
    the_sim = NULL;
}

size_t uart_sim_delivered(struct uart_sim *sim)
{
    pthread_mutex_lock(&sim->mu);
    size_t n = sim->in_pos;
    pthread_mutex_unlock(&sim->mu);
    return n;
}

size_t uart_sim_transmitted(struct uart_sim *sim)
{
    pthread_mutex_lock(&sim->mu);
    size_t n = sim->out_len;
    pthread_mutex_unlock(&sim->mu);
    return n;
}
