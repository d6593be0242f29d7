/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The per-executor timer queue: a pairing heap (see timer_queue.h), and the
 * executor's expiry step.
 *
 * Why a pairing heap: insertion, the common operation (every sleep), is O(1)
 * and touches two nodes; pop and cancel are O(log n) amortized; it needs
 * three links per node and no array, so a timer lives entirely inside its
 * future. A binary heap needs an index in each node and an array sized for
 * the worst case; a hashed wheel needs a tick granularity and scans for the
 * exact next deadline. docs/time.md has the numbers.
 */
#include <stddef.h>

#include "../core/executor_internal.h"
#include "../core/task_state.h"
#include "aexec/error.h"
#include "timer_queue.h"

static inline int earlier(const aexec_timer *a, const aexec_timer *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

/* Links two roots; returns the new root, whose sibling and prev are NULL. */
static aexec_timer *meld(aexec_timer *a, aexec_timer *b)
{
    if (earlier(b, a)) {
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
    while (first != NULL) {
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
    }
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
    *root = merge_pairs(top->child);
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

uint64_t aexec__timers_expire(aexec_executor *ex)
{
    aexec_instant now = ex->port->now(ex->ctx);
    aexec_timer *t;
    while ((t = ex->timers) != NULL && t->deadline <= now) {
        aexec__heap_pop(&ex->timers);
        t->state = AEXEC_TIMER_FIRED;
        t->executor = NULL;
        aexec__wake_local(ex, t->waker, TS_RUN_QUEUED);
    }
    return t != NULL ? t->deadline : AEXEC_ALARM_NONE;
}

void aexec_timer_init(aexec_timer *timer)
{
    timer->deadline = 0;
    timer->seq = 0;
    timer->child = NULL;
    timer->sibling = NULL;
    timer->prev = NULL;
    timer->waker = NULL;
    timer->executor = NULL;
    timer->state = AEXEC_TIMER_IDLE;
}

void aexec_timer_arm(aexec_timer *timer, aexec_cx *cx, aexec_instant deadline)
{
    aexec_executor *ex = cx->executor;
    AEXEC_ASSERT(ex->port->now != NULL,
                 "aexec_timer_arm: the executor's port has no time driver (now/set_alarm)");
    if (timer->state == AEXEC_TIMER_ARMED) {
        AEXEC_ASSERT(timer->executor == ex,
                     "aexec_timer_arm: timer is armed on another executor (cancel it there first)");
        aexec__heap_remove(&ex->timers, timer);
    }
    timer->deadline = deadline;
    timer->seq = ex->timer_seq++;
    timer->waker = cx->task;
    timer->executor = ex;
    timer->state = AEXEC_TIMER_ARMED;
    aexec__heap_insert(&ex->timers, timer);
}

void aexec_timer_cancel(aexec_timer *timer)
{
    if (timer->state == AEXEC_TIMER_ARMED)
        aexec__heap_remove(&timer->executor->timers, timer);
    timer->executor = NULL;
    timer->state = AEXEC_TIMER_IDLE;
}

aexec_instant aexec_now(const aexec_executor *ex)
{
    AEXEC_ASSERT(ex->port->now != NULL, "aexec_now: the executor's port has no time driver");
    return ex->port->now(ex->ctx);
}
