/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The pairing heap against a reference model (an unsorted array scanned for
 * its minimum), over 200,000+ random inserts, cancels and pops with a fixed
 * seed; and the heap's structure checked as it goes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "time/timer_queue.h"

#define NODES 1024
#define OPS 250000

static aexec_timer nodes[NODES];
static int in_heap[NODES];
static uint64_t rng = 0x2545f4914f6cdd1du;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int earlier(const aexec_timer *a, const aexec_timer *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

/* The reference: the earliest node among those in the heap. */
static aexec_timer *model_min(void)
{
    aexec_timer *best = NULL;
    for (int i = 0; i < NODES; i++)
        if (in_heap[i] && (best == NULL || earlier(&nodes[i], best)))
            best = &nodes[i];
    return best;
}

/* Walks the heap without recursion; checks order and links; returns its size. */
static int check_heap(aexec_timer *root)
{
    static aexec_timer *stack[NODES];
    int top = 0, count = 0;
    if (root == NULL)
        return 0;
    assert_null(root->prev);
    assert_null(root->sibling);
    stack[top++] = root;
    while (top > 0) {
        aexec_timer *n = stack[--top];
        count++;
        aexec_timer *prev = n;
        for (aexec_timer *c = n->child; c != NULL; c = c->sibling) {
            assert_false(earlier(c, n)); /* heap order */
            assert_ptr_equal(c->prev, prev);
            prev = c;
            assert_true(top < NODES);
            stack[top++] = c;
        }
    }
    return count;
}

static void heap_matches_a_sorted_model_over_random_operations(void **state)
{
    (void)state;
    aexec_timer *root = NULL;
    uint64_t seq = 0;
    int size = 0, inserts = 0, cancels = 0, pops = 0;
    memset(in_heap, 0, sizeof in_heap);
    for (int op = 0; op < OPS; op++) {
        uint64_t r = next_random();
        int i = (int)(r % NODES);
        int kind = (int)((r >> 20) % 10);
        if (kind < 4 || size == 0) {
            /* insert a free node; small deadline range: many ties */
            if (in_heap[i])
                continue;
            nodes[i].deadline = (r >> 32) % 4096u;
            if ((r >> 44) % 16 == 0)
                nodes[i].deadline = UINT64_MAX - (r >> 50) % 2; /* the far end */
            nodes[i].seq = seq++;
            aexec__heap_insert(&root, &nodes[i]);
            in_heap[i] = 1;
            size++;
            inserts++;
        } else if (kind < 7) {
            /* cancel some node in the heap (any position: root, inner, leaf) */
            int j = i;
            while (!in_heap[j])
                j = (j + 1) % NODES;
            aexec__heap_remove(&root, &nodes[j]);
            in_heap[j] = 0;
            size--;
            cancels++;
        } else {
            aexec_timer *want = model_min();
            aexec_timer *got = aexec__heap_pop(&root);
            assert_ptr_equal(got, want);
            in_heap[got - nodes] = 0;
            size--;
            pops++;
        }
        if (op % 4096 == 0)
            assert_int_equal(check_heap(root), size);
    }
    /* drain: everything comes out in (deadline, seq) order */
    aexec_timer *last = NULL;
    while (size > 0) {
        aexec_timer *got = aexec__heap_pop(&root);
        assert_ptr_equal(got, model_min());
        if (last != NULL)
            assert_false(earlier(got, last));
        in_heap[got - nodes] = 0;
        last = got;
        size--;
        pops++;
    }
    assert_null(root);
    assert_null(aexec__heap_pop(&root));
    assert_true(inserts + cancels + pops >= 200000);
    printf("  %d inserts, %d cancels, %d pops checked against the model\n", inserts, cancels, pops);
}

static void equal_deadlines_come_out_in_insertion_order(void **state)
{
    (void)state;
    aexec_timer *root = NULL;
    for (int i = 0; i < 100; i++) {
        nodes[i].deadline = 42;
        nodes[i].seq = (uint64_t)i;
        aexec__heap_insert(&root, &nodes[i]);
    }
    for (int i = 0; i < 100; i++)
        assert_ptr_equal(aexec__heap_pop(&root), &nodes[i]);
}

static void removing_every_node_leaves_an_empty_heap(void **state)
{
    (void)state;
    aexec_timer *root = NULL;
    for (int i = 0; i < 300; i++) {
        nodes[i].deadline = (uint64_t)(i * 7919 % 300);
        nodes[i].seq = (uint64_t)i;
        aexec__heap_insert(&root, &nodes[i]);
    }
    aexec__heap_pop(&root); /* give it some shape */
    for (int i = 0; i < 300; i++) {
        if (nodes[i].deadline == 0)
            continue; /* the popped one */
        aexec__heap_remove(&root, &nodes[i]);
        assert_null(nodes[i].child);
        assert_null(nodes[i].prev);
        assert_null(nodes[i].sibling);
    }
    assert_null(root);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(heap_matches_a_sorted_model_over_random_operations),
        cmocka_unit_test(equal_deadlines_come_out_in_insertion_order),
        cmocka_unit_test(removing_every_node_leaves_an_empty_heap),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
