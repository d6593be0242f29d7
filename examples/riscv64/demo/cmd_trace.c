/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * trace: dumps the trace rings (trace_ring.h) over the console, then starts
 * them afresh; `trace clear` only starts afresh. The dump is line-oriented
 * text that scripts/trace-json turns into the host recorder's JSON
 * (docs/tracing.md, "On QEMU"):
 *
 *   trace: begin libaexec 1 timebase HZ tracks N skipped S
 *   trace: track T events E dropped D name NAME     (one per hart: T is its index)
 *   trace: task 0xADDR NAME                         (each named task)
 *   T TICKS KIND 0xOBJ ARG [CTX]                    (one per event, each hart's oldest first)
 *   trace: end E events
 *
 * KIND is sp wk pb pe ie ix ta tc tx te (spawn, wake, poll begin/end, idle
 * enter/exit, timer arm/cancel/expire, task end); CTX, on wakes only, is
 * t (task context), i (an interrupt handler) or h (another hart's task).
 * The console is held for the whole dump (no ticker line lands inside it)
 * and recording is paused meanwhile: the dump's own wakes and polls are
 * counted in the next dump's `skipped`, not recorded.
 */
#include "shell.h"
#include "trace_ring.h"

#if AEXEC_CONFIG_TRACE

static const char kind_code[][3] = {"sp", "wk", "pb", "pe", "ie", "ix", "ta", "tc", "tx", "te"};
static const char ctx_code[] = {'t', 'i', 'h'};

static struct {
    aexec_mutex_lock lk;
    int locking, locked, paused, clear;
    unsigned h, i;
    uint32_t at, total;
} tr;

static void out_hex(struct console_out *o, uint64_t v)
{
    char tmp[16];
    int i = 0;
    do {
        tmp[i++] = "0123456789abcdef"[v & 0xfu];
        v >>= 4;
    } while (v != 0);
    out_str(o, "0x");
    while (i > 0)
        out_bytes(o, &tmp[--i], 1);
}

static void out_event(struct console_out *o, unsigned h, const struct trace_event *e)
{
    out_u64(o, h);
    out_str(o, " ");
    out_u64(o, e->ticks);
    out_str(o, " ");
    out_str(o, kind_code[e->kind]);
    out_str(o, " ");
    out_hex(o, e->obj);
    out_str(o, " ");
    if (e->kind == TRACE_TASK_END && (int64_t)e->arg < 0) {
        out_str(o, "-");
        out_u64(o, 0u - e->arg);
    } else {
        out_u64(o, e->arg);
    }
    if (e->kind == TRACE_WAKE) {
        out_str(o, " ");
        out_bytes(o, &ctx_code[e->ctx], 1);
    }
    out_nl(o);
}

static aexec_poll trace_poll(struct shell_call *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    tr.clear = c->argc == 2 && shell_word_is(c->argv[1], "clear");
    if (c->argc > 1 && !tr.clear) {
        out_str(&c->out, "usage: trace [clear]");
        out_nl(&c->out);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
        AEXEC_CO_RETURN();
    }
    aexec_mutex_lock_init(&tr.lk, &console_lock);
    tr.locking = 1;
    AEXEC_AWAIT(aexec_mutex_lock_poll(&tr.lk, cx));
    tr.locking = 0;
    tr.locked = 1;
    tr.paused = 1;
    if (trace_ring_pause() != 0) {
        out_str(&c->out, "trace: a hook is still recording after 1 s; nothing dumped");
        out_nl(&c->out);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
    } else if (tr.clear) {
        (void)trace_ring_take_skipped();
        trace_ring_clear();
        out_str(&c->out, "trace: cleared");
        out_nl(&c->out);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
    } else {
        out_str(&c->out, "trace: begin libaexec 1 timebase ");
        out_u64(&c->out, timebase_hz);
        out_str(&c->out, " tracks ");
        out_u64(&c->out, DEMO_HARTS);
        out_str(&c->out, " skipped ");
        out_u64(&c->out, trace_ring_take_skipped());
        out_nl(&c->out);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
        tr.total = 0;
        for (tr.h = 0; tr.h < DEMO_HARTS; tr.h++) {
            tr.total += trace_ring_count(tr.h);
            out_str(&c->out, "trace: track ");
            out_u64(&c->out, tr.h);
            out_str(&c->out, " events ");
            out_u64(&c->out, trace_ring_count(tr.h));
            out_str(&c->out, " dropped ");
            out_u64(&c->out, trace_ring_dropped(tr.h));
            out_str(&c->out, " name hart ");
            out_u64(&c->out, harts[tr.h].hartid);
            out_nl(&c->out);
            AEXEC_AWAIT(out_send_poll(&c->out, cx));
        }
        for (tr.i = 0; tr.i < demo_ntasks; tr.i++) {
            out_str(&c->out, "trace: task ");
            out_hex(&c->out, (uintptr_t)&demo_tasks[tr.i]->task);
            out_str(&c->out, " ");
            out_str(&c->out, demo_tasks[tr.i]->name);
            out_nl(&c->out);
            AEXEC_AWAIT(out_send_poll(&c->out, cx));
        }
        /* Several events to a write: a line is at most 70 bytes. */
        for (tr.h = 0; tr.h < DEMO_HARTS; tr.h++) {
            for (tr.at = 0; tr.at < trace_ring_count(tr.h);) {
                while (tr.at < trace_ring_count(tr.h) && c->out.len + 72u <= CONSOLE_LINE)
                    out_event(&c->out, tr.h, trace_ring_event(tr.h, tr.at++));
                AEXEC_AWAIT(out_send_poll(&c->out, cx));
            }
        }
        out_str(&c->out, "trace: end ");
        out_u64(&c->out, tr.total);
        out_str(&c->out, " events");
        out_nl(&c->out);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
        trace_ring_clear();
    }
    trace_ring_resume();
    tr.paused = 0;
    tr.locked = 0;
    aexec_mutex_unlock(&console_lock);
    AEXEC_CO_FINALLY;
    (void)out_send_cancel(&c->out);
    if (tr.paused)
        trace_ring_resume();
    tr.paused = 0;
    /* A lock that completed and was unlocked is not cancelled: its cancel
     * would report the old grant. */
    if (tr.locking && aexec_mutex_lock_cancel(&tr.lk))
        tr.locked = 1;
    if (tr.locked)
        aexec_mutex_unlock(&console_lock);
    tr.locking = tr.locked = 0;
    AEXEC_CO_END;
}

#else /* a kernel without the hooks has nothing to dump, and says so */

static aexec_poll trace_poll(struct shell_call *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    out_str(&c->out, "trace: this kernel's libaexec is built without AEXEC_TRACE "
                     "(boot aexec_demo_kernel_traced.elf)");
    out_nl(&c->out);
    AEXEC_AWAIT(out_send_poll(&c->out, cx));
    AEXEC_CO_FINALLY;
    (void)out_send_cancel(&c->out);
    AEXEC_CO_END;
}

#endif

const struct shell_cmd cmd_trace = {.name = "trace",
                                    .help =
                                        "trace [clear]: dump the trace rings, then restart them",
                                    .poll = trace_poll};
