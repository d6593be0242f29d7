/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Cross-executor wakes between every pair of the four harts. Each pair of
 * harts plays a rally: a task on each, passing one notification back and
 * forth, so every wake is needed for the next one and a lost wake stops the
 * pair (the watchdog reports it). The six pairs share 500,000 rounds, two
 * wakes a round: 1,000,000 wakes, every one of them counted where it was
 * sent and where it was taken. A wake onto a sleeping hart pends it with an
 * IPI; onto a busy one it only pushes onto that executor's run queue.
 */
#include <stdatomic.h>
#include <stdio.h>

#include "guest.h"
#include "stress.h"

#define WAKES 1000000u
#define PAIRS 6u /* GUEST_MAX_HARTS choose 2 */

struct rally {
    aexec_task task;
    aexec_co co;
    aexec_task *peer; /* on the other hart's executor */
    uint32_t rounds;
    uint32_t n;
    int serves;
    _Atomic uint32_t sent;  /* notifications this task sent its peer */
    _Atomic uint32_t taken; /* notifications this task took */
};

/* rallies[a][b]: hart a's player against hart b. */
static struct rally rallies[GUEST_MAX_HARTS][GUEST_MAX_HARTS];

static void send(struct rally *r, aexec_cx *cx)
{
    atomic_store_explicit(&r->sent, atomic_load_explicit(&r->sent, memory_order_relaxed) + 1u,
                          memory_order_relaxed);
    aexec_cx_notify(cx, r->peer);
}

static aexec_poll rally_poll(aexec_task *t, aexec_cx *cx)
{
    struct rally *r = AEXEC_CONTAINER_OF(t, struct rally, task);
    AEXEC_CO_BEGIN(&r->co, cx);
    if (r->serves)
        send(r, cx);
    for (r->n = 0; r->n < r->rounds; r->n++) {
        AEXEC_AWAIT_NOTIFICATION();
        atomic_store_explicit(&r->taken, r->n + 1u, memory_order_relaxed);
        if (!r->serves || r->n + 1u < r->rounds)
            send(r, cx);
    }
    AEXEC_CO_END;
}

/* Pair number of {a, b}, a < b: 0..5. */
static unsigned pair_index(unsigned a, unsigned b)
{
    unsigned p = 0;
    for (unsigned i = 0; i < GUEST_MAX_HARTS; i++) {
        for (unsigned j = i + 1; j < GUEST_MAX_HARTS; j++, p++) {
            if (i == a && j == b)
                return p;
        }
    }
    return p;
}

/* Round trips of pair p: 500,000 shared out, the first pairs take the rest. */
static uint32_t pair_rounds(unsigned p)
{
    uint32_t trips = WAKES / 2u;
    return trips / PAIRS + (p < trips % PAIRS ? 1u : 0u);
}

void stress_wakes_spawn(unsigned hart)
{
    for (unsigned other = 0; other < GUEST_MAX_HARTS; other++) {
        if (other == hart)
            continue;
        struct rally *r = &rallies[hart][other];
        unsigned lo = hart < other ? hart : other, hi = hart < other ? other : hart;
        r->peer = &rallies[other][hart].task;
        r->rounds = pair_rounds(pair_index(lo, hi));
        r->serves = hart < other;
        if (aexec_spawn(&guest_harts[hart].ex, &r->task, rally_poll) != 0)
            aexec_panic("stress_wakes: spawn failed", __FILE__, __LINE__);
    }
}

uint64_t stress_wakes_progress(void)
{
    uint64_t sum = 0;
    for (unsigned a = 0; a < GUEST_MAX_HARTS; a++) {
        for (unsigned b = 0; b < GUEST_MAX_HARTS; b++)
            sum += atomic_load_explicit(&rallies[a][b].taken, memory_order_relaxed);
    }
    return sum;
}

void stress_wakes_report(void)
{
    uint64_t sent = 0, taken = 0;
    int each_exact = 1;
    for (unsigned a = 0; a < GUEST_MAX_HARTS; a++) {
        for (unsigned b = 0; b < GUEST_MAX_HARTS; b++) {
            if (a == b)
                continue;
            struct rally *r = &rallies[a][b];
            uint32_t s = atomic_load(&r->sent), k = atomic_load(&r->taken);
            sent += s;
            taken += k;
            if (s != r->rounds || k != r->rounds || aexec_task_is_alive(&r->task)) {
                printf("  rally hart %u -> hart %u: sent %u, took %u of %u\n", a, b, (unsigned)s,
                       (unsigned)k, (unsigned)r->rounds);
                each_exact = 0;
            }
        }
    }
    printf("  wakes: %llu sent, %llu taken across 6 pairs of harts\n", (unsigned long long)sent,
           (unsigned long long)taken);
    guest_report("stress", "every_rally_took_exactly_its_rounds", each_exact);
    guest_report("stress", "one_million_cross_hart_wakes_each_taken_once",
                 sent == WAKES && taken == WAKES);
}
