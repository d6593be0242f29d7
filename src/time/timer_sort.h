/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Sorting a wheel slot's timers by (deadline, seq) (internal): a bottom-up
 * merge sort on the `sibling` links, fed one node at a time, so the caller
 * can hand nodes over while it walks a slot's lanes side by side.
 *
 * Why sort a slot instead of inserting its timers into the near heap one by
 * one: a pairing heap that received m timers in arbitrary order pays for the
 * order again on every pop (about log m melds, each rewriting three links).
 * A sorted run becomes a heap shaped as a path (timer_queue.c's refill),
 * from which every pop is O(1). The sort costs about log2 m comparisons per
 * timer on nodes the walk just brought into the cache, and no allocation:
 * run k holds AEXEC__SORT_SMALL * 2^k timers, so 32 runs cover any count.
 */
#ifndef AEXEC_SRC_TIMER_SORT_H
#define AEXEC_SRC_TIMER_SORT_H

#include <stddef.h>

#include "pairing_heap.h"

#define AEXEC__SORT_RUNS 32

/*
 * The first timers are only collected, and every AEXEC__SORT_SMALL of them
 * enter the runs as one, sorted by rank (aexec__sort_small): most slots
 * hold a handful of timers, and for them a sort whose only branches are
 * its loops costs less than an insertion, whose every scan ends on a
 * comparison the CPU cannot predict (docs/benchmarks-history.md, B4).
 * Optimizing for size, the runs alone.
 */
#if defined(__OPTIMIZE_SIZE__)
#define AEXEC__SORT_SMALL 1
#else
#define AEXEC__SORT_SMALL 8
#endif

typedef struct {
#if AEXEC__SORT_SMALL > 1
    aexec_timer *small[AEXEC__SORT_SMALL];      /* collected, not yet sorted */
    uint64_t small_deadline[AEXEC__SORT_SMALL]; /* their keys, copied as they come */
    uint64_t small_seq[AEXEC__SORT_SMALL];
    unsigned small_count;
#endif
    aexec_timer *run[AEXEC__SORT_RUNS]; /* run[k]: NULL or SMALL * 2^k sorted timers */
    unsigned used;                      /* runs at or above this are NULL */
} aexec__timer_sort;

/* 1 if `a` fires before `b`, as aexec__timer_before(), without a branch. */
static inline unsigned aexec__sort_before(uint64_t ad, uint64_t as, uint64_t bd, uint64_t bs)
{
    return (unsigned)(ad < bd) | ((unsigned)(ad == bd) & (unsigned)(as < bs));
}

#if AEXEC__SORT_SMALL > 1
/*
 * Links the first n timers collected in `s` into one sorted list; returns
 * it (NULL for n = 0). Each timer's place is the number of timers before
 * it, counted over all n * n pairs, so no comparison decides a branch; the
 * keys were copied as the timers came, while each node was in cache. No
 * two timers may compare equal, or two would take one place: the queue
 * gives every arming the next seq, so none do.
 */
static inline aexec_timer *aexec__sort_small(aexec__timer_sort *s, unsigned n)
{
    aexec_timer *out[AEXEC__SORT_SMALL + 1];
    const uint64_t *d = s->small_deadline, *q = s->small_seq;
    for (unsigned i = 0; i < n; i++) {
        unsigned r = 0;
        for (unsigned j = 0; j < n; j++)
            r += aexec__sort_before(d[j], q[j], d[i], q[i]);
        out[r] = s->small[i];
    }
    out[n] = NULL;
    for (unsigned i = 0; i < n; i++)
        out[i]->sibling = out[i + 1];
    return out[0];
}
#endif

/*
 * Merges two sorted lists into one. Branch-free in the loop: which list
 * gives the next node is a coin toss for timers of one slot, and a
 * mispredicted branch per comparison would cost more than the comparison.
 */
static inline aexec_timer *aexec__sort_merge(aexec_timer *a, aexec_timer *b)
{
    /* cppcheck-suppress unassignedVariable ; set through tail, at the latest after the loop */
    aexec_timer *head, **tail = &head;
    while (a != NULL && b != NULL) {
        unsigned b_first = aexec__sort_before(b->deadline, b->seq, a->deadline, a->seq);
        aexec_timer *next_a = a->sibling, *next_b = b->sibling;
        aexec_timer *t = b_first ? b : a;
        *tail = t;
        tail = &t->sibling;
        a = b_first ? a : next_a;
        b = b_first ? next_b : b;
    }
    *tail = a != NULL ? a : b;
    return head;
}

static inline void aexec__sort_init(aexec__timer_sort *s)
{
#if AEXEC__SORT_SMALL > 1
    s->small_count = 0;
#endif
    s->used = 0;
}

/* Adds `t`: merges it up through the runs like a binary counter's carry. */
static inline void aexec__sort_add(aexec__timer_sort *s, aexec_timer *t)
{
#if AEXEC__SORT_SMALL > 1
    s->small_deadline[s->small_count] = t->deadline;
    s->small_seq[s->small_count] = t->seq;
    s->small[s->small_count++] = t;
    if (s->small_count < AEXEC__SORT_SMALL)
        return;
    t = aexec__sort_small(s, AEXEC__SORT_SMALL); /* full: it enters the runs as one */
    s->small_count = 0;
#else
    t->sibling = NULL;
#endif
    unsigned k = 0;
    for (; k < s->used && s->run[k] != NULL; k++) {
        t = aexec__sort_merge(s->run[k], t);
        s->run[k] = NULL;
    }
    if (k == s->used)
        s->used++;
    s->run[k] = t;
}

/* The whole sorted list (earliest first), or NULL if nothing was added. */
static inline aexec_timer *aexec__sort_finish(aexec__timer_sort *s)
{
#if AEXEC__SORT_SMALL > 1
    aexec_timer *list = aexec__sort_small(s, s->small_count);
#else
    aexec_timer *list = NULL;
#endif
    for (unsigned k = 0; k < s->used; k++)
        if (s->run[k] != NULL)
            list = list == NULL ? s->run[k] : aexec__sort_merge(s->run[k], list);
    return list;
}

#endif /* AEXEC_SRC_TIMER_SORT_H */
