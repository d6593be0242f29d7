/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The timer queue: a hierarchical timing wheel in front of two pairing heaps
 * (see timer_queue.h for the invariants, docs/time.md for the argument).
 *
 * Why this shape: a heap alone touches O(log n) nodes per expiry, and at
 * 100,000 timers each touch is a cache miss (the nodes live in task structs
 * spread over megabytes). Here a timer is touched when it is armed, once per
 * level it cascades through (at most LEVELS, usually one or two), once when
 * its slot drains into the near heap, and then only inside the near heap,
 * which holds one slot's worth of timers and stays in cache.
 */
#include "aexec/timer_queue.h"

#if AEXEC_CONFIG_TIMER_WHEEL_LEVELS > 0 /* else timer_heap.c */

#include <stddef.h>

#include "../core/inline.h"
#include "aexec/trace.h"
#include "pairing_heap.h"
#include "timer_queue.h"
#include "timer_sort.h"

#define LEVELS AEXEC_CONFIG_TIMER_WHEEL_LEVELS
#ifndef AEXEC_CONFIG_TIMER_SLOT_HZ
#define AEXEC_CONFIG_TIMER_SLOT_HZ 262144u
#endif
#define SLOT_BITS AEXEC_CONFIG_TIMER_WHEEL_BITS
#define SLOTS AEXEC_TIMER_WHEEL_SLOTS
#define SLOT_MASK (SLOTS - 1u)
#define WORDS AEXEC_TIMER_WHEEL_WORDS
#define LANES AEXEC_CONFIG_TIMER_LANES

_Static_assert(SLOT_BITS >= 4 && SLOT_BITS <= 8,
               "AEXEC_CONFIG_TIMER_WHEEL_BITS must be between 4 and 8");
_Static_assert(LANES == 1 || LANES == 2 || LANES == 4 || LANES == 8,
               "AEXEC_CONFIG_TIMER_LANES must be 1, 2, 4 or 8");
_Static_assert(LEVELS >= 1 && LEVELS * SLOT_BITS < 64,
               "AEXEC_CONFIG_TIMER_WHEEL_LEVELS * AEXEC_CONFIG_TIMER_WHEEL_BITS must be below 64");

/*
 * 64-bit shifts by a variable count n < 64. A 32-bit target has no such
 * instruction, and gcc at -Os calls libgcc's __ashldi3/__lshrdi3 for them,
 * which a kernel linked with bare ld lacks; this is the sequence -O2 inlines.
 */
static inline uint64_t shl(uint64_t x, unsigned n)
{
#if UINTPTR_MAX > 0xffffffffu
    return x << n;
#else
    uint32_t lo = (uint32_t)x, hi = (uint32_t)(x >> 32);
    if (n >= 32)
        return (uint64_t)(lo << (n - 32u)) << 32;
    if (n == 0)
        return x;
    return (uint64_t)(hi << n | lo >> (32u - n)) << 32 | (uint32_t)(lo << n);
#endif
}

static inline uint64_t shr(uint64_t x, unsigned n)
{
#if UINTPTR_MAX > 0xffffffffu
    return x >> n;
#else
    uint32_t lo = (uint32_t)x, hi = (uint32_t)(x >> 32);
    if (n >= 32)
        return hi >> (n - 32u);
    if (n == 0)
        return x;
    return (uint64_t)(hi >> n) << 32 | (uint32_t)(lo >> n | hi << (32u - n));
#endif
}

/* Index of the lowest set bit of a nonzero x; no libgcc call on any target. */
static inline unsigned lowest_bit(uint64_t x)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__aarch64__))
    return (unsigned)__builtin_ctzll(x);
#else
    static const uint8_t debruijn[32] = {0,  1,  28, 2,  29, 14, 24, 3,  30, 22, 20,
                                         15, 25, 17, 4,  8,  31, 27, 13, 23, 21, 19,
                                         16, 7,  26, 12, 18, 6,  11, 5,  10, 9};
    uint32_t lo = (uint32_t)x;
    unsigned base = 0;
    if (lo == 0) {
        lo = (uint32_t)(x >> 32);
        base = 32;
    }
    return base + debruijn[((lo & (0u - lo)) * 0x077cb531u) >> 27];
#endif
}

static inline void mark(aexec_timer_queue *q, unsigned k, unsigned s)
{
    q->occupied[k][s / 64u] |= shl(1u, s % 64u);
}

static inline void unmark(aexec_timer_queue *q, unsigned k, unsigned s)
{
    q->occupied[k][s / 64u] &= ~shl(1u, s % 64u);
}

/* The lowest nonempty slot of level k (by Q2 the earliest), or SLOTS. */
static inline unsigned first_slot(const aexec_timer_queue *q, unsigned k)
{
    for (unsigned w = 0; w < WORDS; w++)
        if (q->occupied[k][w] != 0)
            return w * 64u + lowest_bit(q->occupied[k][w]);
    return SLOTS;
}

/* The level whose group holds the highest set bit of x (0 for x < SLOTS). */
static inline unsigned level_of(uint64_t x)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__aarch64__))
    /* No branch: which level a new timer lands on varies from one to the
     * next, and a mispredicted loop exit costs more than the count. */
    return (unsigned)(63 - __builtin_clzll(x | SLOT_MASK)) / SLOT_BITS;
#else
    unsigned k = 0;
    while (x > SLOT_MASK) {
        x >>= SLOT_BITS;
        k++;
    }
    return k;
#endif
}

void aexec__tq_init(aexec_timer_queue *q, uint64_t tick_hz)
{
    uint32_t shift = 0;
    while (shift < 63 && shr(tick_hz, shift + 1) >= AEXEC_CONFIG_TIMER_SLOT_HZ)
        shift++;
    q->near = NULL;
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    q->pending = NULL;
#endif
    q->far = NULL;
    q->pos = 0;
    q->near_last = shl(1u, shift) - 1u; /* slot 0 is the near heap's */
    q->seq = 0;
    q->count = 0;
    q->shift = shift;
    q->wheel_min = UINT64_MAX;
    q->wheel_min_known = 0;
    for (unsigned k = 0; k < LEVELS; k++) {
        for (unsigned w = 0; w < WORDS; w++)
            q->occupied[k][w] = 0;
        for (unsigned s = 0; s < SLOTS; s++)
            for (unsigned l = 0; l < LANES; l++)
                q->slot[k][s][l] = NULL;
    }
    for (unsigned s = 0; s < SLOTS; s++)
        q->level1_count[s] = 0;
}

static int slot_empty(const aexec_timer_queue *q, unsigned k, unsigned s)
{
    for (unsigned l = 0; l < LANES; l++)
        if (q->slot[k][s][l] != NULL)
            return 0;
    return 1;
}

/* Links `t` at the head of its lane in slot s of level k, and marks the slot. */
static inline void link_slot(aexec_timer_queue *q, unsigned k, unsigned s, aexec_timer *t)
{
    /* cppcheck-suppress moduloofone ; LANES is 1 only in the default geometry */
    aexec_timer **lane = &q->slot[k][s][t->seq % LANES];
    aexec_timer *head = *lane;
    t->place = (uint16_t)(k << SLOT_BITS | s);
    t->child = NULL;
    t->prev = NULL;
    t->sibling = head;
    /* The back link as a choice of address, not a branch: whether a lane
     * is empty is a coin toss when slots hold a few timers each. clang
     * keeps it a select; gcc makes it a branch again (a mask that it keeps
     * cost more at N = 100,000, where lanes are never empty). */
    aexec_timer *no_head;
    *(head != NULL ? &head->prev : &no_head) = t;
    *lane = t;
    mark(q, k, s);
}

/* Puts `t` (deadline > near_last) in its wheel slot or, beyond the wheel, the far heap. */
static void place(aexec_timer_queue *q, aexec_timer *t)
{
    uint64_t d = shr(t->deadline, q->shift);
    unsigned k = level_of(d ^ q->pos);
    if (k >= LEVELS) {
        t->place = AEXEC__TIMER_IN_FAR;
        aexec__heap_insert(&q->far, t);
        return;
    }
    unsigned s = (unsigned)shr(d, SLOT_BITS * k) & SLOT_MASK;
    link_slot(q, k, s, t);
    if (k == 1)
        q->level1_count[s]++;
}

static void put_near(aexec_timer_queue *q, aexec_timer *t)
{
    t->place = AEXEC__TIMER_IN_NEAR;
    aexec__heap_insert(&q->near, t);
}

/* Puts `t`, whose deadline and seq are set, where Q1-Q3 say. */
static inline void enqueue(aexec_timer_queue *q, aexec_timer *t)
{
    if (t->deadline <= q->near_last) {
        put_near(q, t);
    } else {
        place(q, t);
        if (t->deadline < q->wheel_min)
            q->wheel_min = t->deadline; /* the wheel's earliest now (Q3: far ones are later) */
    }
}

void aexec__tq_insert(aexec_timer_queue *q, aexec_timer *t)
{
    t->seq = q->seq++;
    q->count++;
    enqueue(q, t);
}

void aexec__tq_remove(aexec_timer_queue *q, aexec_timer *t)
{
    q->count--;
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    if (t->place == AEXEC__TIMER_PENDING) {
        aexec__tq_pending_unlink(q, t);
        return;
    }
#endif
    if (t->place == AEXEC__TIMER_IN_NEAR) {
        aexec__heap_remove(&q->near, t);
    } else if (t->place == AEXEC__TIMER_IN_FAR) {
        aexec__heap_remove(&q->far, t);
    } else {
        unsigned k = t->place >> SLOT_BITS, s = t->place & SLOT_MASK;
        if (t->deadline == q->wheel_min)
            q->wheel_min_known = 0; /* perhaps the earliest: found again by the next refill */
        if (k == 1)
            q->level1_count[s]--;
        if (t->prev != NULL)
            t->prev->sibling = t->sibling;
        /* cppcheck-suppress moduloofone ; LANES is 1 only in the default geometry */
        else if ((q->slot[k][s][t->seq % LANES] = t->sibling) == NULL && slot_empty(q, k, s))
            unmark(q, k, s);
        if (t->sibling != NULL)
            t->sibling->prev = t->prev;
        t->sibling = NULL;
        t->prev = NULL;
    }
}

/* Moves the wheel to slot `pos` > 0 (nothing is left before it). */
static void move_to(aexec_timer_queue *q, uint64_t pos)
{
    q->pos = pos;
    uint64_t before = shl(pos, q->shift) - 1u;
    if (before > q->near_last)
        q->near_last = before; /* Q4; the near heap is empty, so Q1 holds */
}

/*
 * A walk over the lanes of one slot, side by side: each step takes the next
 * lane's node, whose address is already known, so the walk does not wait for
 * one node's load before it issues the next, and with nodes out of cache
 * LANES misses are in flight (see AEXEC_CONFIG_TIMER_LANES). Only the lanes
 * not yet walked to their end take turns (list[0, live)): most slots hold
 * fewer timers than there are lanes, and stepping over the empty ones cost
 * more than the walk itself.
 */
typedef struct {
    aexec_timer *list[LANES];
    unsigned lane, live;
} lanes_walk;

static inline void lanes_open(lanes_walk *w, const aexec_timer_queue *q, unsigned k, unsigned s)
{
    unsigned live = 0;
    for (unsigned l = 0; l < LANES; l++) {
        aexec_timer *t = q->slot[k][s][l];
        w->list[live] = t;
        live += t != NULL;
    }
    w->live = live;
    w->lane = 0;
}

#if LANES > 1 /* one lane has nothing to overlap */
/*
 * Asks for a node the walk reaches LANES steps later. Without it the CPU
 * issues that load only once the walk gets there, and a cascade through
 * place() (a call, and some 40 instructions a node) fills the reorder
 * window before the other lanes' loads start, so fewer misses overlap than
 * there are lanes. Both lines: a timer embedded at an arbitrary offset
 * usually straddles two, and a walk reads both (deadline, seq; sibling).
 */
static inline void prefetch_node(const aexec_timer *t)
{
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
    __builtin_prefetch(&t->deadline);
    __builtin_prefetch(&t->place);
#else
    (void)t;
#endif
}
#endif

/* The next node, or NULL once every lane is walked. The node's sibling is
 * read first, so the caller may relink the node. */
static inline aexec_timer *lanes_next(lanes_walk *w)
{
#if LANES == 1
    aexec_timer *t = w->list[0];
    if (t != NULL)
        w->list[0] = t->sibling;
    return t;
#else
    if (w->live == 0)
        return NULL;
    unsigned l = w->lane;
    aexec_timer *t = w->list[l];
    aexec_timer *next = t->sibling;
    if (next != NULL) {
        w->list[l] = next;
        prefetch_node(next);
        l++;
    } else {
        w->list[l] = w->list[--w->live]; /* the last lane takes this one's turn */
    }
    w->lane = l < w->live ? l : 0;
    return t;
#endif
}

/*
 * A level-1 slot falls to level 0 when the wheel has moved to its start:
 * every timer in it then differs from pos only in the lowest group (Q2), so
 * its level-0 slot is its own lowest digit, and nothing else of place()
 * (the level, the far heap, the level-1 count) needs working out.
 */
static void cascade_to_level0(aexec_timer_queue *q, aexec_timer *t)
{
    link_slot(q, 0, (unsigned)shr(t->deadline, q->shift) & SLOT_MASK, t);
}

/* Empties slot s of level k > 0 into the levels below (the wheel has moved to its start). */
static void cascade(aexec_timer_queue *q, unsigned k, unsigned s)
{
    lanes_walk w;
    lanes_open(&w, q, k, s);
    for (unsigned l = 0; l < LANES; l++)
        q->slot[k][s][l] = NULL;
    unmark(q, k, s);
    if (k == 1) {
        q->level1_count[s] = 0;
        for (aexec_timer *t; (t = lanes_next(&w)) != NULL;)
            cascade_to_level0(q, t);
    } else {
        for (aexec_timer *t; (t = lanes_next(&w)) != NULL;)
            place(q, t);
    }
}

/*
 * The near heap a refill builds: one path (each node's only child the
 * next), from which each pop is O(1). Slots hold disjoint deadline ranges,
 * so the sorted run of each slot drained joins the path at its end.
 */
typedef struct {
    aexec_timer *first, *last;
} near_path;

static void path_append(near_path *p, aexec_timer *list)
{
    if (list == NULL)
        return;
    if (p->last == NULL)
        p->first = list;
    else
        p->last->child = list;
    list->prev = p->last;
    aexec_timer *t = list;
    for (aexec_timer *next; (next = t->sibling) != NULL; t = next) {
        t->sibling = NULL;
        t->child = next;
        next->prev = t;
    }
    t->child = NULL;
    p->last = t;
}

/*
 * Empties slot s of level k, sorted, onto the end of `path`; returns how
 * many it sorted. Beyond AEXEC_CONFIG_TIMER_SORT_MAX (a burst on one
 * deadline) the slot's rest go onto *rest, for the heap to take one by one.
 * Inline in refill(): a refill drains a run of level-0 slots of two or three
 * timers each, and a call per slot cost as much as the timers' own work.
 */
static AEXEC__ALWAYS_INLINE uint32_t drain_slot(aexec_timer_queue *q, unsigned k, unsigned s,
                                                near_path *path, aexec_timer **rest)
{
    lanes_walk w;
    lanes_open(&w, q, k, s);
    for (unsigned l = 0; l < LANES; l++)
        q->slot[k][s][l] = NULL;
    unmark(q, k, s);
    if (k == 1)
        q->level1_count[s] = 0;
    aexec__timer_sort sorted;
    aexec__sort_init(&sorted);
    uint32_t sorting = 0;
    for (aexec_timer *t; (t = lanes_next(&w)) != NULL;) {
        t->place = AEXEC__TIMER_IN_NEAR;
        if (sorting < AEXEC_CONFIG_TIMER_SORT_MAX) {
            sorting++;
            aexec__sort_add(&sorted, t);
        } else {
            t->sibling = *rest;
            *rest = t;
        }
    }
    path_append(path, aexec__sort_finish(&sorted));
    return sorting;
}

/* The earliest deadline in slot s of level k, which is not empty. */
static uint64_t slot_min(const aexec_timer_queue *q, unsigned k, unsigned s)
{
    lanes_walk w;
    lanes_open(&w, q, k, s);
    uint64_t min = UINT64_MAX;
    for (const aexec_timer *t; (t = lanes_next(&w)) != NULL;)
        min = t->deadline < min ? t->deadline : min;
    return min;
}

/*
 * With the near heap empty, fills it from the earliest nonempty wheel slot
 * (a level-0 slot, with every later level-0 slot the clock has reached, or
 * a level-1 slot of at most AEXEC_CONFIG_TIMER_SORT_MAX timers), cascading
 * larger and higher slots down first; with the wheel
 * empty too, lets the far heap's timers into the wheel once the earliest of
 * them is due. Returns 0 if nothing is due at `now` (the near heap stays
 * empty, and aexec__tq_next() has the exact next deadline).
 *
 * The wheel moves only into a slot that has begun (Q5): moving it ahead of
 * the clock would send every timer armed meanwhile for an earlier deadline
 * to the near heap, where a lone timeout an hour away would turn a burst of
 * short sleeps into heap operations. A slot not begun is walked once for
 * its earliest deadline instead (wheel_min, kept exact until that timer is
 * removed).
 */
/* One loop keeps the hand-over between wheel and far heap in one place. */
// NOLINTNEXTLINE(readability-function-cognitive-complexity): see above
static int refill(aexec_timer_queue *q, uint64_t now)
{
    if (q->wheel_min_known && q->wheel_min > now)
        return 0;
    for (;;) {
        unsigned k = 0, s = SLOTS; /* gcc cannot see that the loop sets s before any read */
        /* cppcheck-suppress redundantInitialization ; see above */
        while (k < LEVELS && (s = first_slot(q, k)) == SLOTS)
            k++;
        if (k == LEVELS) {
            /* The wheel is empty: the far heap's root is the next deadline. */
            if (q->far == NULL || q->far->deadline > now)
                return 0;
            move_to(q, shr(q->far->deadline, q->shift));
            while (q->far != NULL &&
                   shr(shr(q->far->deadline, q->shift) ^ q->pos, SLOT_BITS * LEVELS) == 0)
                place(q, aexec__heap_pop(&q->far));
            continue;
        }
        unsigned above = SLOT_BITS * (k + 1);
        uint64_t start = shl(shr(q->pos, above), above) | shl(s, SLOT_BITS * k);
        if (shl(start, q->shift) > now) {
            q->wheel_min = slot_min(q, k, s);
            q->wheel_min_known = 1;
            if (q->wheel_min > now)
                return 0;
        }
        q->wheel_min_known = 0;
        int sort = k == 0 || (k == 1 && q->level1_count[s] <= AEXEC_CONFIG_TIMER_SORT_MAX);
        if (sort) {
            /* Sort the slot in the near heap (empty: refill's precondition,
             * and a cascade never puts a timer there); the wheel moves to the
             * last level-0 slot taken. Level 0 is empty up to there, so that
             * keeps Q2, and as every slot taken has begun, the wheel ends
             * less than one level-1 slot ahead of the clock (Q5). */
            uint64_t d = k == 0 ? start : start | SLOT_MASK;
            near_path path = {NULL, NULL};
            aexec_timer *rest = NULL;
            uint32_t sorted = drain_slot(q, k, s, &path, &rest);
            /* Every other level-0 slot the clock has reached joins the same
             * path, up to SORT_MAX timers: one refill, one sort per slot,
             * and one run of O(1) pops, where a refill per slot would take
             * the slow path each time a slot of a few timers ran out. */
            while (k == 0 && sorted < AEXEC_CONFIG_TIMER_SORT_MAX &&
                   (s = first_slot(q, 0)) != SLOTS) {
                uint64_t next = (start & ~(uint64_t)SLOT_MASK) | s;
                if (shl(next, q->shift) > now)
                    break;
                d = next;
                sorted += drain_slot(q, 0, s, &path, &rest);
            }
            q->pos = d;
            q->near_last = shl(d, q->shift) | (shl(1u, q->shift) - 1u);
            q->near = path.first;
            while (rest != NULL) {
                aexec_timer *t = rest;
                rest = t->sibling;
                put_near(q, t);
            }
            /* Not NULL (the slot was marked), but the analyzer cannot know. */
            return q->near != NULL;
        }
        /* Cascade: move to the slot's start; its timers fall to lower levels. */
        move_to(q, start);
        cascade(q, k, s);
    }
}

aexec_timer *aexec__tq_pop_due_slow(aexec_timer_queue *q, uint64_t now)
{
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    if (q->pending != NULL)
        aexec__tq_pending_stamp(q, now, enqueue);
#endif
    if (q->near == NULL && (q->count == 0 || !refill(q, now)))
        return NULL;
    aexec_timer *t = q->near;
    if (t->deadline > now)
        return NULL;
    q->count--;
    return aexec__heap_pop(&q->near);
}

uint64_t aexec__tq_next(const aexec_timer_queue *q)
{
    if (q->near != NULL)
        return q->near->deadline;
    if (q->wheel_min_known)
        return q->wheel_min; /* the wheel's earliest, before anything far (Q3) */
    return q->far != NULL ? q->far->deadline : UINT64_MAX;
}

#else
typedef int aexec__timer_wheel_unused; /* ISO C: no empty translation unit */
#endif
