/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The timer queue (internal): an intrusive pairing heap ordered by
 * (deadline, seq), so equal deadlines come out in insertion order.
 *
 * Costs: insert O(1); pop-min and remove O(log n) amortized; no allocation,
 * no recursion (the two-pass merge is iterative, so stack use is constant
 * whatever the heap's shape). Only the owning executor's thread touches it.
 *
 * Links: `child` is a node's first child, `sibling` its right sibling, and
 * `prev` its left sibling or, for a first child, its parent. The root's
 * prev and sibling are NULL.
 */
#ifndef AEXEC_SRC_TIMER_QUEUE_H
#define AEXEC_SRC_TIMER_QUEUE_H

#include "aexec/time.h"

/* Adds `n` (its deadline and seq set) to the heap at *root. */
void aexec__heap_insert(aexec_timer **root, aexec_timer *n);

/* Removes and returns the earliest node, or NULL if the heap is empty. */
aexec_timer *aexec__heap_pop(aexec_timer **root);

/* Removes `n`, which must be in the heap at *root. */
void aexec__heap_remove(aexec_timer **root, aexec_timer *n);

#endif /* AEXEC_SRC_TIMER_QUEUE_H */
