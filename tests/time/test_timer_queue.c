/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The timer queue and its pairing heap against a reference model (an
 * unsorted array scanned for its minimum), over 200,000+ random operations
 * each with a fixed seed, with their structure checked as they go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "aexec/time.h"
#include "time/pairing_heap.h"
#include "time/timer_queue.h"
#include "time/timer_sort.h"

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
    return aexec__timer_before(a, b);
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

/* The first node at or after index i (wrapping) that is in the structure; one must be. */
static int member_from(int i)
{
    while (!in_heap[i])
        i = (i + 1) % NODES;
    return i;
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
            int j = member_from(i);
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

/* Every count from 0 to 300, many ties: the sort gives (deadline, seq) order, nothing lost. */
static void slot_sort_orders_every_count(void **state)
{
    (void)state;
    for (int m = 0; m <= 300; m++) {
        aexec__timer_sort sort;
        aexec__sort_init(&sort);
        for (int i = 0; i < m; i++) {
            nodes[i].deadline = next_random() % 16; /* ties */
            /* seq unique, as the queue's (the sort requires it), in random order */
            nodes[i].seq = (uint64_t)(next_random() % 1000) * NODES + (uint64_t)i;
            aexec__sort_add(&sort, &nodes[i]);
        }
        int n = 0;
        for (aexec_timer *t = aexec__sort_finish(&sort), *prev = NULL; t != NULL; t = t->sibling) {
            if (prev != NULL)
                assert_false(aexec__timer_before(t, prev));
            prev = t;
            n++;
        }
        assert_int_equal(n, m);
    }
}

/* A sorted run added to a heap that already has nodes: pops and removals keep order. */
/*
 * The near heap a refill leaves (timer_queue.c): one sorted run as a path,
 * each node's only child the next. Timers armed after it are melded in, and
 * cancels unlink nodes from the middle of the path; every pop must still
 * come out in (deadline, seq) order.
 */
static void a_sorted_path_takes_inserts_removes_and_pops_in_order(void **state)
{
    (void)state;
    memset(in_heap, 0, sizeof in_heap);
    aexec__timer_sort sort;
    aexec__sort_init(&sort);
    for (int i = 0; i < 300; i++) {
        nodes[i].deadline = next_random() % 500;
        nodes[i].seq = (uint64_t)i;
        aexec__sort_add(&sort, &nodes[i]);
        in_heap[i] = 1;
    }
    aexec_timer *root = aexec__sort_finish(&sort);
    root->prev = NULL;
    for (aexec_timer *t = root, *next; t != NULL; t = next) {
        next = t->sibling;
        t->sibling = NULL;
        t->child = next;
        if (next != NULL)
            next->prev = t;
    }
    assert_int_equal(check_heap(root), 300);
    for (int i = 300; i < 400; i++) { /* arms after the refill */
        nodes[i].deadline = next_random() % 500;
        nodes[i].seq = (uint64_t)i;
        aexec__heap_insert(&root, &nodes[i]);
        in_heap[i] = 1;
    }
    assert_int_equal(check_heap(root), 400);
    for (int i = 50; i < 400; i += 7) { /* cancels, on the path and off it */
        aexec__heap_remove(&root, &nodes[i]);
        in_heap[i] = 0;
    }
    for (aexec_timer *want; (want = model_min()) != NULL;) {
        assert_ptr_equal(aexec__heap_pop(&root), want);
        in_heap[want - nodes] = 0;
    }
    assert_null(root);
}

/* ---- the queue: wheel + near heap + far heap --------------------------- */
/* White-box checks of the wheel's invariants: a build without a wheel (the
 * default at -Os, or AEXEC_CONFIG_TIMER_WHEEL_LEVELS=0) has one heap, which
 * the tests above and every other timer test of the suite cover; there the
 * tests below skip. */
#if AEXEC_CONFIG_TIMER_WHEEL_LEVELS > 0

static aexec_timer_queue q;

/* Checks Q1-Q4 of timer_queue.h, wheel_min and the occupancy bits; returns the count. */
static uint32_t check_queue(void)
{
    uint32_t count = 0;
    uint64_t wheel_min = UINT64_MAX;
    for (unsigned k = 0; k < AEXEC_CONFIG_TIMER_WHEEL_LEVELS; k++) {
        for (unsigned s = 0; s < AEXEC_TIMER_WHEEL_SLOTS; s++) {
            uint32_t in_slot = 0;
            int occupied = 0;
            for (unsigned l = 0; l < AEXEC_CONFIG_TIMER_LANES; l++) {
                aexec_timer *prev = NULL;
                occupied |= q.slot[k][s][l] != NULL;
                for (aexec_timer *t = q.slot[k][s][l]; t != NULL; t = t->sibling) {
                    uint64_t d = t->deadline >> q.shift, x = d ^ q.pos;
                    unsigned level = 0;
                    while (x >= AEXEC_TIMER_WHEEL_SLOTS) {
                        x >>= AEXEC_CONFIG_TIMER_WHEEL_BITS;
                        level++;
                    }
                    assert_true(t->deadline > q.near_last); /* Q2 */
                    assert_true(d >= q.pos);                /* Q2 */
                    assert_int_equal(level, k);             /* Q2 */
                    assert_int_equal((d >> (AEXEC_CONFIG_TIMER_WHEEL_BITS * k)) &
                                         (AEXEC_TIMER_WHEEL_SLOTS - 1),
                                     s); /* Q2 */
                    assert_int_equal(t->seq % AEXEC_CONFIG_TIMER_LANES, l);
                    assert_int_equal(t->place, k * AEXEC_TIMER_WHEEL_SLOTS + s);
                    assert_ptr_equal(t->prev, prev);
                    prev = t;
                    count++;
                    in_slot++;
                    wheel_min = t->deadline < wheel_min ? t->deadline : wheel_min;
                }
            }
            assert_int_equal((q.occupied[k][s / 64] >> (s % 64)) & 1u, occupied);
            if (k == 1)
                assert_int_equal(q.level1_count[s], in_slot);
        }
    }
    if (q.wheel_min_known)
        assert_int_equal(q.wheel_min,
                         wheel_min); /* Q5's wheel_min: the wheel's earliest, exactly */
    count += (uint32_t)check_heap(q.near) + (uint32_t)check_heap(q.far);
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    for (aexec_timer *t = q.pending, *prev = NULL; t != NULL; prev = t, t = t->sibling) {
        assert_int_equal(t->place, AEXEC__TIMER_PENDING);
        assert_ptr_equal(t->prev, prev);
        count++;
    }
#endif
    assert_true(q.pos == 0 || q.near_last >= (q.pos << q.shift) - 1); /* Q4 */
    for (int i = 0; i < NODES; i++) {
        if (!in_heap[i])
            continue;
        if (nodes[i].place == AEXEC__TIMER_IN_NEAR)
            assert_true(nodes[i].deadline <= q.near_last); /* Q1 */
        else if (nodes[i].place != AEXEC__TIMER_PENDING)   /* no deadline yet */
            assert_true(nodes[i].deadline > q.near_last);  /* Q1 */
    }
    assert_int_equal(count, aexec__tq_count(&q));
    return count;
}

/* A deadline relative to `now`, from a mix that reaches every part of the queue. */
static uint64_t random_deadline(uint64_t r, uint64_t now)
{
    switch ((r >> 40) % 8) {
    case 0: return now > 5000 ? now - (r >> 48) % 5000 : 0; /* in the past */
    case 1: return now + (r >> 48) % 64;                    /* the same few ticks: ties */
    case 2:
    case 3: return now + (r >> 32) % (1u << 20); /* level 0 to 2 */
    case 4: return now + ((r >> 8) >> (r % 56)); /* log-uniform: every level, and beyond */
    case 5: return (r >> 44) % 2 ? AEXEC_INSTANT_MAX : AEXEC_INSTANT_MAX - (r >> 48) % 4096;
    default: return now + (r >> 40) % 4096;
    }
}

#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
/* Nodes armed with aexec__tq_insert_after() since the last pop, and their delays. */
static int pending[NODES];
static uint64_t pending_delay[NODES];
#endif

static void queue_matches_the_model_over_a_moving_clock(uint64_t tick_hz, const char *name)
{
    uint64_t now = 0;
    int size = 0, inserts = 0, cancels = 0, pops = 0, advances = 0;
    memset(in_heap, 0, sizeof in_heap);
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
    memset(pending, 0, sizeof pending);
#endif
    aexec__tq_init(&q, tick_hz);
    for (int op = 0; op < OPS; op++) {
        uint64_t r = next_random();
        int i = (int)(r % NODES);
        int kind = (int)((r >> 20) % 16);
        if (kind < 7 || size == 0) {
            if (in_heap[i])
                continue;
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
            if ((r >> 56) % 4 == 0) { /* relative to the next pop's clock */
                pending_delay[i] = random_deadline(next_random(), 0);
                pending[i] = 1;
                aexec__tq_insert_after(&q, &nodes[i], pending_delay[i]);
            } else
#endif
            {
                nodes[i].deadline = random_deadline(next_random(), now);
                aexec__tq_insert(&q, &nodes[i]);
            }
            in_heap[i] = 1;
            size++;
            inserts++;
        } else if (kind < 11) {
            int j = member_from(i);
            aexec__tq_remove(&q, &nodes[j]);
            in_heap[j] = 0;
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
            pending[j] = 0;
#endif
            size--;
            cancels++;
        } else {
            /* time passes: mostly a little, sometimes across levels or the far heap */
            uint64_t step = (r >> 32) % 8 == 0 ? (r >> 24) % (1ull << 38) : (r >> 32) % 3000;
            now = now > AEXEC_INSTANT_MAX - step ? AEXEC_INSTANT_MAX : now + step;
            advances++;
            aexec_timer *got;
            while ((got = aexec__tq_pop_due(&q, now)) != NULL) {
                assert_ptr_equal(got, model_min());
                assert_true(got->deadline <= now);
                in_heap[got - nodes] = 0;
                size--;
                pops++;
            }
#if AEXEC_CONFIG_TIMER_BATCH_CLOCK
            /* The first pop stamped every pending node with this clock, saturating. */
            for (int j = 0; j < NODES; j++) {
                if (!pending[j])
                    continue;
                pending[j] = 0;
                assert_int_equal(nodes[j].deadline, now > AEXEC_INSTANT_MAX - pending_delay[j]
                                                        ? AEXEC_INSTANT_MAX
                                                        : now + pending_delay[j]);
            }
#endif
            aexec_timer *want = model_min();
            assert_true(want == NULL || want->deadline > now);
            /* Q5: the near heap's reach stays within one level-1 slot of the clock */
            uint64_t reach = (uint64_t)AEXEC_TIMER_WHEEL_SLOTS * AEXEC_TIMER_WHEEL_SLOTS << q.shift;
            assert_true(q.near_last <= now || q.near_last - now <= reach);
            assert_int_equal(aexec__tq_next(&q), want == NULL ? UINT64_MAX : want->deadline);
        }
        if (op % 1024 == 0)
            assert_int_equal(check_queue(), (uint32_t)size);
    }
    aexec_timer *got, *last = NULL;
    while ((got = aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX)) != NULL) {
        assert_ptr_equal(got, model_min());
        if (last != NULL)
            assert_false(earlier(got, last));
        in_heap[got - nodes] = 0;
        last = got;
        size--;
        pops++;
    }
    assert_int_equal(size, 0);
    assert_int_equal(aexec__tq_count(&q), 0);
    assert_int_equal(aexec__tq_next(&q), UINT64_MAX);
    assert_true(inserts + cancels + pops >= 200000);
    printf("  %s: %d inserts, %d cancels, %d pops, %d clock steps checked against the model\n",
           name, inserts, cancels, pops, advances);
}

static void queue_matches_the_model_at_1_ghz(void **state)
{
    (void)state;
    queue_matches_the_model_over_a_moving_clock(1000000000u, "1 GHz (2048-tick slots)");
}

static void queue_matches_the_model_at_32768_hz(void **state)
{
    (void)state;
    queue_matches_the_model_over_a_moving_clock(32768u, "32768 Hz (1-tick slots)");
}

static void queue_fires_equal_deadlines_in_arming_order_from_every_part(void **state)
{
    (void)state;
    aexec__tq_init(&q, 1000000000u);
    /* the same deadlines armed from near (before the wheel moves) and far */
    for (int i = 0; i < 300; i++) {
        nodes[i].deadline = (uint64_t)(i % 3) * (1ull << 60) + 12345u;
        aexec__tq_insert(&q, &nodes[i]);
    }
    for (int round = 0; round < 3; round++)
        for (int i = round; i < 300; i += 3)
            assert_ptr_equal(aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX), &nodes[i]);
    assert_null(aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX));
}

/* More timers in one slot than a drain sorts: the rest join the heap, order holds, cancels too. */
static void a_slot_beyond_the_sort_limit_fires_in_order(void **state)
{
    (void)state;
    aexec__tq_init(&q, 1000000000u);
    memset(in_heap, 0, sizeof in_heap);
    /* one level-0 slot (2048 ticks) in a level-1 slot ahead, whatever the geometry */
    uint64_t base = (uint64_t)3 * AEXEC_TIMER_WHEEL_SLOTS << q.shift;
    for (int i = 0; i < NODES; i++) {
        nodes[i].deadline = base + next_random() % 2048; /* and many ties */
        aexec__tq_insert(&q, &nodes[i]);
        in_heap[i] = 1;
    }
    assert_int_equal(nodes[0].place >> AEXEC_CONFIG_TIMER_WHEEL_BITS, 1); /* level 1: one slot */
    aexec_timer *first = model_min();
    assert_ptr_equal(aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX), first);
    in_heap[first - nodes] = 0;
    assert_int_equal(check_queue(), NODES - 1); /* all in the near heap now */
    for (int i = 5; i < NODES; i += 9) {
        if (!in_heap[i])
            continue;
        aexec__tq_remove(&q, &nodes[i]);
        in_heap[i] = 0;
    }
    for (aexec_timer *want; (want = model_min()) != NULL;) {
        assert_ptr_equal(aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX), want);
        in_heap[want - nodes] = 0;
    }
    assert_null(aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX));
}

/* The near heap's length, checking that it is one path in (deadline, seq) order. */
static int near_path_length(void)
{
    int n = 0;
    for (const aexec_timer *t = q.near; t != NULL; t = t->child) {
        assert_null(t->sibling);
        if (t->child != NULL) {
            assert_ptr_equal(t->child->prev, t);
            assert_false(earlier(t->child, t));
        }
        n++;
    }
    return n;
}

/* Arms per_slot timers in each of level-0 slots 1..slots, at random points of each. */
static void fill_level0_slots(unsigned slots, unsigned per_slot)
{
    uint64_t width = 1ull << q.shift;
    memset(in_heap, 0, sizeof in_heap);
    for (unsigned s = 1, n = 0; s <= slots; s++) {
        for (unsigned i = 0; i < per_slot; i++, n++) {
            nodes[n].deadline = s * width + next_random() % width;
            aexec__tq_insert(&q, &nodes[n]);
            in_heap[n] = 1;
            assert_int_equal(nodes[n].place, s); /* level 0 (pos is 0), slot s */
        }
    }
}

/* Pops everything due at `now` against the model; returns how many. */
static int pop_all_due(uint64_t now)
{
    int popped = 0;
    for (aexec_timer *got; (got = aexec__tq_pop_due(&q, now)) != NULL; popped++) {
        assert_ptr_equal(got, model_min());
        assert_true(got->deadline <= now);
        in_heap[got - nodes] = 0;
    }
    aexec_timer *want = model_min();
    assert_int_equal(aexec__tq_next(&q), want == NULL ? UINT64_MAX : want->deadline);
    return popped;
}

/*
 * One refill takes every level-0 slot the clock has reached (up to
 * AEXEC_CONFIG_TIMER_SORT_MAX timers) into one sorted path, and no slot the
 * clock has not reached; the wheel ends at the last slot taken, so a timer
 * armed into it goes to the near heap and one armed after it to the wheel.
 */
static void a_refill_drains_every_reached_slot_into_one_path(void **state)
{
    (void)state;
    aexec__tq_init(&q, 1000000000u);
    const uint64_t width = 1ull << q.shift;
    const unsigned per_slot = 3, slots = 10, reached = 5; /* 30 timers, in 10 of >= 16 slots */
    if (AEXEC_CONFIG_TIMER_SORT_MAX < per_slot)
        skip(); /* a slot's rest would join the heap one by one: no path to count */
    fill_level0_slots(slots, per_slot);
    uint64_t now = reached * width + width / 2; /* inside slot `reached` */
    unsigned take = (AEXEC_CONFIG_TIMER_SORT_MAX + per_slot - 1) / per_slot;
    take = take < reached ? take : reached;
    aexec_timer *first = model_min();
    assert_ptr_equal(aexec__tq_pop_due(&q, now), first);
    in_heap[first - nodes] = 0;
    assert_int_equal(near_path_length(), (int)(take * per_slot) - 1);
    for (unsigned i = 0; i < slots * per_slot; i++) {
        if (!in_heap[i])
            continue;
        unsigned s = (unsigned)(nodes[i].deadline / width);
        assert_int_equal(nodes[i].place, s <= take ? AEXEC__TIMER_IN_NEAR : s);
    }
    assert_int_equal(check_queue(), slots * per_slot - 1);
    unsigned armed = slots * per_slot;
    nodes[armed].deadline = take * width + width - 1; /* the last slot taken */
    aexec__tq_insert(&q, &nodes[armed]);
    in_heap[armed] = 1;
    assert_int_equal(nodes[armed].place, AEXEC__TIMER_IN_NEAR);
    nodes[armed + 1].deadline = (take + 1) * width; /* the next one */
    aexec__tq_insert(&q, &nodes[armed + 1]);
    in_heap[armed + 1] = 1;
    assert_int_equal(nodes[armed + 1].place, take + 1);
    assert_int_equal(check_queue(), armed + 1);
    pop_all_due(now);
    pop_all_due(AEXEC_INSTANT_MAX);
    assert_null(model_min());
    assert_int_equal(aexec__tq_count(&q), 0);
}

/*
 * With more reached slots than one drain sorts, a refill stops after the
 * slot that brings it to AEXEC_CONFIG_TIMER_SORT_MAX timers (that slot whole),
 * and the next refill goes on from there.
 */
static void a_refill_stops_taking_slots_at_the_sort_limit(void **state)
{
    (void)state;
    aexec__tq_init(&q, 1000000000u);
    /* 7 a slot, so the limit falls inside a slot for the default of 256. */
    const unsigned per_slot = 7;
    if (AEXEC_CONFIG_TIMER_SORT_MAX < per_slot)
        skip(); /* a slot's rest would join the heap one by one: no path to count */
    unsigned slots = AEXEC_TIMER_WHEEL_SLOTS - 1;
    slots = slots < NODES / per_slot ? slots : NODES / per_slot;
    fill_level0_slots(slots, per_slot);
    unsigned take = (AEXEC_CONFIG_TIMER_SORT_MAX + per_slot - 1) / per_slot;
    unsigned left = slots;
    while (left > 0) {
        unsigned now_taken = take < left ? take : left;
        aexec_timer *want = model_min();
        assert_ptr_equal(aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX), want);
        in_heap[want - nodes] = 0;
        assert_int_equal(near_path_length(), (int)(now_taken * per_slot) - 1);
        assert_int_equal(check_queue(), left * per_slot - 1);
        for (unsigned i = 1; i < now_taken * per_slot; i++) { /* the path, in order */
            want = model_min();
            assert_ptr_equal(aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX), want);
            in_heap[want - nodes] = 0;
        }
        left -= now_taken;
    }
    assert_null(aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX));
    assert_int_equal(aexec__tq_count(&q), 0);
}

/*
 * A lone distant timer (on level 2, on the top levels, in the far heap) does
 * not move the wheel before it is due (Q5): the next deadline is exact, and a
 * short timer armed meanwhile lands in the wheel, not in the near heap.
 */
static void a_lone_distant_timer_does_not_move_the_wheel_before_it_is_due(void **state)
{
    (void)state;
    static const uint64_t distant[] = {10000000000ull,    /* 10 s */
                                       86400000000000ull, /* a day */
                                       AEXEC_INSTANT_MAX - 1u, AEXEC_INSTANT_MAX};
    for (size_t i = 0; i < sizeof distant / sizeof distant[0]; i++) {
        aexec__tq_init(&q, 1000000000u);
        nodes[0].deadline = distant[i];
        aexec__tq_insert(&q, &nodes[0]);
        assert_null(aexec__tq_pop_due(&q, 1000));
        assert_int_equal(aexec__tq_next(&q), distant[i]);
        nodes[1].deadline = 1000000; /* 1 ms */
        aexec__tq_insert(&q, &nodes[1]);
        assert_int_not_equal(nodes[1].place, AEXEC__TIMER_IN_NEAR);
        assert_int_not_equal(nodes[1].place, AEXEC__TIMER_IN_FAR);
        assert_null(aexec__tq_pop_due(&q, 1000));
        assert_int_equal(aexec__tq_next(&q), 1000000);
        assert_null(aexec__tq_pop_due(&q, 999999));
        assert_int_equal(aexec__tq_next(&q), 1000000);
        assert_ptr_equal(aexec__tq_pop_due(&q, 1000000), &nodes[1]);
        assert_null(aexec__tq_pop_due(&q, distant[i] - 1));
        assert_int_equal(aexec__tq_next(&q), distant[i]);
        assert_ptr_equal(aexec__tq_pop_due(&q, distant[i]), &nodes[0]);
        assert_int_equal(aexec__tq_count(&q), 0);
    }
}

static void removing_from_every_place_leaves_an_empty_queue(void **state)
{
    (void)state;
    aexec__tq_init(&q, 1000000000u);
    /* a third in one level-0 slot, a third across the wheel, a third far */
    for (int i = 0; i < 600; i++) {
        uint64_t u = (uint64_t)i;
        nodes[i].deadline = i % 3 == 0   ? 5000u + u
                            : i % 3 == 1 ? (1ull << 20) + u * 7919u % (1ull << 30)
                                         : (1ull << 60) + u * 104729u;
        aexec__tq_insert(&q, &nodes[i]);
    }
    /* popping the earliest drains its slot into the near heap */
    aexec_timer *first = aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX);
    assert_ptr_equal(first, &nodes[0]);
    int near = 0, far = 0, wheel = 0;
    for (int i = 1; i < 600; i++) {
        near += nodes[i].place == AEXEC__TIMER_IN_NEAR;
        far += nodes[i].place == AEXEC__TIMER_IN_FAR;
    }
    wheel = 599 - near - far;
    assert_int_equal(near, 199);
    assert_int_equal(far, 200);
    assert_int_equal(wheel, 200);
    memset(in_heap, 0, sizeof in_heap);
    for (int i = 1; i < 600; i++)
        in_heap[i] = 1;
    uint32_t left = 599;
    /* odd ones first, then the even ones: heads, middles and tails of slots */
    for (int parity = 1; parity >= 0; parity--) {
        for (int i = 1; i < 600; i++) {
            if (i % 2 != parity)
                continue;
            aexec__tq_remove(&q, &nodes[i]);
            in_heap[i] = 0;
            left--;
            assert_null(nodes[i].prev);
            assert_null(nodes[i].sibling);
        }
        assert_int_equal(check_queue(), left);
    }
    assert_int_equal(aexec__tq_count(&q), 0);
    for (unsigned k = 0; k < AEXEC_CONFIG_TIMER_WHEEL_LEVELS; k++)
        for (unsigned w = 0; w < AEXEC_TIMER_WHEEL_WORDS; w++)
            assert_int_equal(q.occupied[k][w], 0);
    assert_null(q.near);
    assert_null(q.far);
    assert_null(aexec__tq_pop_due(&q, AEXEC_INSTANT_MAX));
    printf("  removed %d timers from the near heap, %d from the wheel, %d from the far heap\n",
           near, wheel, far);
}

#else
/* No wheel in this build: its white-box tests skip (ctest registers every
 * test this file names, whatever the configuration). */
#define WHEEL_ONLY(name)           \
    static void name(void **state) \
    {                              \
        (void)state;               \
        skip();                    \
    }
WHEEL_ONLY(queue_matches_the_model_at_1_ghz)
WHEEL_ONLY(queue_matches_the_model_at_32768_hz)
WHEEL_ONLY(queue_fires_equal_deadlines_in_arming_order_from_every_part)
WHEEL_ONLY(a_slot_beyond_the_sort_limit_fires_in_order)
WHEEL_ONLY(a_refill_drains_every_reached_slot_into_one_path)
WHEEL_ONLY(a_refill_stops_taking_slots_at_the_sort_limit)
WHEEL_ONLY(a_lone_distant_timer_does_not_move_the_wheel_before_it_is_due)
WHEEL_ONLY(removing_from_every_place_leaves_an_empty_queue)
#endif /* AEXEC_CONFIG_TIMER_WHEEL_LEVELS > 0 */

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(heap_matches_a_sorted_model_over_random_operations),
        cmocka_unit_test(equal_deadlines_come_out_in_insertion_order),
        cmocka_unit_test(removing_every_node_leaves_an_empty_heap),
        cmocka_unit_test(slot_sort_orders_every_count),
        cmocka_unit_test(a_sorted_path_takes_inserts_removes_and_pops_in_order),
        cmocka_unit_test(queue_matches_the_model_at_1_ghz),
        cmocka_unit_test(queue_matches_the_model_at_32768_hz),
        cmocka_unit_test(queue_fires_equal_deadlines_in_arming_order_from_every_part),
        cmocka_unit_test(a_slot_beyond_the_sort_limit_fires_in_order),
        cmocka_unit_test(a_refill_drains_every_reached_slot_into_one_path),
        cmocka_unit_test(a_refill_stops_taking_slots_at_the_sort_limit),
        cmocka_unit_test(a_lone_distant_timer_does_not_move_the_wheel_before_it_is_due),
        cmocka_unit_test(removing_from_every_place_leaves_an_empty_queue),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
