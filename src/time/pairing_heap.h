/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * An intrusive pairing heap of timers ordered by (deadline, seq), so equal
 * deadlines come out in arming order (internal). The timer queue keeps two:
 * the near heap and the far heap.
 *
 * Costs: insert O(1); pop-min and remove O(log n) amortized; no allocation,
 * no recursion (the two-pass merge is iterative, so stack use is constant
 * whatever the heap's shape).
 *
 * Links: `child` is a node's first child, `sibling` its right sibling, and
 * `prev` its left sibling or, for a first child, its parent. The root's
 * prev and sibling are NULL.
 */
#ifndef AEXEC_SRC_PAIRING_HEAP_H
#define AEXEC_SRC_PAIRING_HEAP_H

#include "aexec/timer_queue.h"

/* True if `a` fires before `b`. */
static inline int aexec__timer_before(const aexec_timer *a, const aexec_timer *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

/* Adds `n` (its deadline and seq set) to the heap at *root. */
void aexec__heap_insert(aexec_timer **root, aexec_timer *n);

/* Removes and returns the earliest node, or NULL if the heap is empty. */
aexec_timer *aexec__heap_pop(aexec_timer **root);

/* Removes `n`, which must be in the heap at *root. */
void aexec__heap_remove(aexec_timer **root, aexec_timer *n);

#endif /* AEXEC_SRC_PAIRING_HEAP_H */
