/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The pairing heap (see pairing_heap.h). Why a pairing heap for the near and
 * far timers: insertion, the common operation, is O(1) and touches two
 * nodes; pop and cancel are O(log n) amortized; it needs three links per
 * node and no array, so a timer lives entirely inside its future.
 */
#include <stddef.h>

#include "pairing_heap.h"

/* Links two roots; returns the new root, whose sibling and prev are NULL. */
static aexec_timer *meld(aexec_timer *a, aexec_timer *b)
{
    if (aexec__timer_before(b, a)) {
        aexec_timer *t = a;
        a = b;
        b = t;
    }
    b->prev = a;
    b->sibling = a->child;
    if (a->child != NULL)
        a->child->prev = b;
    a->child = b;
    a->sibling = NULL;
    a->prev = NULL;
    return a;
}

/* The two-pass merge of a sibling list into one heap, without recursion. */
static aexec_timer *merge_pairs(aexec_timer *first)
{
    if (first == NULL)
        return NULL;
    /* Pass 1, left to right: meld pairs, stacking the results (via sibling). */
    aexec_timer *stack = NULL;
    do { /* first != NULL: at least one pass, so the stack is not empty below */
        aexec_timer *a = first, *b = a->sibling, *m;
        if (b == NULL) {
            first = NULL;
            m = a;
            m->prev = NULL;
        } else {
            first = b->sibling;
            m = meld(a, b);
        }
        m->sibling = stack;
        stack = m;
    } while (first != NULL);
    /* Pass 2, right to left: meld each pair into the accumulated heap. */
    aexec_timer *root = stack;
    stack = stack->sibling;
    root->sibling = NULL;
    while (stack != NULL) {
        aexec_timer *next = stack->sibling;
        root = meld(root, stack);
        stack = next;
    }
    return root;
}

void aexec__heap_insert(aexec_timer **root, aexec_timer *n)
{
    n->child = NULL;
    n->sibling = NULL;
    n->prev = NULL;
    *root = *root == NULL ? n : meld(*root, n);
}

aexec_timer *aexec__heap_pop(aexec_timer **root)
{
    aexec_timer *top = *root;
    if (top == NULL)
        return NULL;
    aexec_timer *c = top->child;
#if defined(__OPTIMIZE_SIZE__)
    /* merge_pairs() makes one child the root too, with a few more steps. */
    c = merge_pairs(c);
#else
    if (c != NULL && c->sibling == NULL)
        c->prev = NULL; /* one child, as along a sorted slot's path: it is the new root */
    else
        c = merge_pairs(c);
#endif
    *root = c;
    top->child = NULL;
    return top;
}

void aexec__heap_remove(aexec_timer **root, aexec_timer *n)
{
    if (n == *root) {
        aexec__heap_pop(root);
        return;
    }
    /* Unlink n's subtree from its parent or left sibling. */
    if (n->prev->child == n)
        n->prev->child = n->sibling;
    else
        n->prev->sibling = n->sibling;
    if (n->sibling != NULL)
        n->sibling->prev = n->prev;
    /* Its children become one heap, melded back under the root. */
    aexec_timer *sub = merge_pairs(n->child);
    if (sub != NULL)
        *root = meld(*root, sub);
    n->child = NULL;
    n->sibling = NULL;
    n->prev = NULL;
}
