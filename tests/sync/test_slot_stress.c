/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The lock-free waker slot and the signal under cross-thread pressure (run
 * under TSan by the tsan flavour). A thread publishes a counter and wakes; a
 * task registers, then reads. A lost wake leaves the task asleep with the
 * last value unseen: the run never ends and ctest's timeout fails the test.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"

#define UPDATES 500000u

static aexec_executor ex;
static aexec_host host;
static aexec_cs cs;

/* ---- waker slot ------------------------------------------------------------ */

static aexec_waker_slot slot;
static _Atomic uint32_t counter;

struct watcher {
    aexec_task task;
    uint32_t seen, polls, early;
};

static aexec_poll watcher_poll(aexec_task *t, aexec_cx *cx)
{
    struct watcher *w = AEXEC_CONTAINER_OF(t, struct watcher, task);
    w->polls++;
    /* Register first, then look: a wake after the registration is caught,
     * and one before it is kept by the slot. */
    w->early += (uint32_t)aexec_waker_slot_register(&slot, cx);
    uint32_t now = atomic_load_explicit(&counter, memory_order_acquire);
    assert_true(now >= w->seen);
    w->seen = now;
    if (now == UPDATES) {
        aexec_waker_slot_cancel(&slot, t);
        return AEXEC_READY;
    }
    return AEXEC_PENDING;
}

static void *bump_and_wake(void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < UPDATES; i++) {
        atomic_fetch_add_explicit(&counter, 1u, memory_order_release);
        aexec_waker_slot_wake(&slot);
    }
    return NULL;
}

static void a_waker_slot_loses_no_wake_to_another_thread(void **state)
{
    (void)state;
    static struct watcher w;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    aexec_waker_slot_init(&slot, &cs);
    atomic_store(&counter, 0);
    assert_int_equal(aexec_spawn(&ex, &w.task, watcher_poll), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, bump_and_wake, NULL), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    pthread_join(th, NULL);
    assert_int_equal(w.seen, UPDATES);
    printf("  %u wakes through the slot, %u polls (%u found an early wake kept)\n", UPDATES,
           w.polls, w.early);
    aexec_host_destroy(&host);
}

/* ---- signal ---------------------------------------------------------------- */

static aexec_signal sig;

struct reader {
    aexec_task task;
    aexec_co co;
    uintptr_t value, last;
    uint32_t reads;
};

static aexec_poll reader_poll(aexec_task *t, aexec_cx *cx)
{
    struct reader *r = AEXEC_CONTAINER_OF(t, struct reader, task);
    AEXEC_CO_BEGIN(&r->co, cx);
    while (r->last != UPDATES) {
        AEXEC_AWAIT(aexec_signal_wait_poll(&sig, cx, &r->value));
        assert_true(r->value > r->last); /* latest wins, never goes back */
        r->last = r->value;
        r->reads++;
    }
    AEXEC_CO_FINALLY;
    aexec_signal_wait_cancel(&sig, cx);
    AEXEC_CO_END;
}

static void *send_values(void *arg)
{
    (void)arg;
    for (uintptr_t v = 1; v <= UPDATES; v++)
        aexec_signal_send(&sig, v);
    return NULL;
}

static void a_signal_from_another_thread_delivers_the_last_value(void **state)
{
    (void)state;
    static struct reader r;
    assert_int_equal(aexec_host_executor_init(&ex, &host), 0);
    assert_int_equal(aexec_executor_cs(&ex, &cs), 0);
    aexec_signal_init(&sig, &cs);
    assert_int_equal(aexec_spawn(&ex, &r.task, reader_poll), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, send_values, NULL), 0);
    assert_int_equal(aexec_run(&ex), AEXEC_RUN_DONE);
    pthread_join(th, NULL);
    assert_int_equal(r.last, UPDATES);
    printf("  %u values sent, %u read, the last one always among them\n", UPDATES, r.reads);
    aexec_host_destroy(&host);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_waker_slot_loses_no_wake_to_another_thread),
        cmocka_unit_test(a_signal_from_another_thread_delivers_the_last_value),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
