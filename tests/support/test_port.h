/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A deterministic port for tests: no threads, no clock. pend() and idle()
 * count their calls; the critical section is a counter that checks nesting;
 * time stands still until the test moves it (test_port_advance), and
 * set_alarm() records what the executor asked for.
 */
#ifndef AEXEC_TEST_PORT_H
#define AEXEC_TEST_PORT_H

#include <stdint.h>

#include "aexec/executor.h"

typedef struct test_port {
    uint32_t pends;      /* pend() calls */
    uint32_t idles;      /* idle() calls */
    uint32_t cs_depth;   /* > 0 inside the critical section */
    uint32_t cs_entries; /* cs_enter() calls */
    uint64_t now;        /* the time driver's clock, in ticks */
    uint64_t alarm;      /* the last set_alarm() value */
    uint32_t alarms_set; /* set_alarm() calls */
    /* Called by idle(), e.g. to advance time or wake a task as an "interrupt"
     * would; without one, idle() fails the test (nothing could ever wake the
     * executor: a deadlock). */
    void (*on_idle)(struct test_port *port, void *arg);
    void *on_idle_arg;
} test_port;

/* Initializes `port` and `ex` with the test hooks at `tick_hz` ticks per second. */
void test_port_init(test_port *port, aexec_executor *ex, uint64_t tick_hz);

/*
 * An on_idle for timer tests: virtual time jumps straight to the alarm the
 * executor set (the sleep "took" no real time); fails the test when no alarm
 * is set, since then nothing could wake the executor.
 */
void test_port_jump_to_alarm(test_port *port, void *arg);

/* The hooks themselves, for tests that build their own aexec_port. */
extern const aexec_port test_port_ops;

#endif /* AEXEC_TEST_PORT_H */
