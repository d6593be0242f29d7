/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "test_port.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static void tp_pend(void *ctx)
{
    test_port *p = ctx;
    p->pends++;
}

static void tp_idle(void *ctx)
{
    test_port *p = ctx;
    p->idles++;
    if (p->on_idle == NULL)
        fail_msg("test port: the executor went idle with nothing that could wake it");
    p->on_idle(p, p->on_idle_arg);
}

static aexec_cs_state tp_cs_enter(void *ctx)
{
    test_port *p = ctx;
    assert_int_equal(p->cs_depth, 0); /* sections must not nest */
    p->cs_depth++;
    p->cs_entries++;
    return 0x5a;
}

static void tp_cs_exit(void *ctx, aexec_cs_state saved)
{
    test_port *p = ctx;
    assert_int_equal(saved, 0x5a);
    assert_int_equal(p->cs_depth, 1);
    p->cs_depth--;
}

static uint64_t tp_now(void *ctx)
{
    test_port *p = ctx;
    return p->now;
}

static void tp_set_alarm(void *ctx, uint64_t at)
{
    test_port *p = ctx;
    p->alarm = at;
    p->alarms_set++;
}

const aexec_port test_port_ops = {
    .pend = tp_pend,
    .idle = tp_idle,
    .cs_enter = tp_cs_enter,
    .cs_exit = tp_cs_exit,
    .now = tp_now,
    .set_alarm = tp_set_alarm,
};

void test_port_init(test_port *port, aexec_executor *ex, uint64_t tick_hz)
{
    *port = (test_port){.alarm = AEXEC_ALARM_NONE};
    assert_int_equal(aexec_executor_init(ex, &test_port_ops, port, tick_hz), 0);
}

void test_port_jump_to_alarm(test_port *port, void *arg)
{
    (void)arg;
    if (port->alarm == AEXEC_ALARM_NONE)
        fail_msg("test port: idle with no alarm set and nothing else to wake the executor");
    if (port->alarm > port->now)
        port->now = port->alarm;
}
