/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* help, uptime, tasks, irqs, echo, sleep, poweroff. */
#include "shell.h"

/* "hart 0 idle 99.1%, hart 1 idle 98.0%" since boot (hart ids; the boot hart first). */
static void out_idle_since_boot(struct console_out *o)
{
    uint64_t now = demo_now();
    for (unsigned h = 0; h < DEMO_HARTS; h++) {
        out_str(o, h == 0 ? "hart " : ", hart ");
        out_u64(o, harts[h].hartid);
        out_str(o, " idle ");
        out_fixed(o, 100u * demo_idle(h), now, 1);
        out_str(o, "%");
    }
}

/*
 * The commands that print a few lines and nothing else share one body: it
 * asks line(c, i) to format line i into c->out, sends it, and stops at the
 * first i for which line() formats nothing and returns 0.
 */
typedef int (*line_fn)(struct shell_call *c, unsigned i);

static unsigned line_at; /* the line being sent: one shell, one command at a time */

static aexec_poll lines_poll(struct shell_call *c, aexec_cx *cx, line_fn line)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    for (line_at = 0; line(c, line_at); line_at++)
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
    AEXEC_CO_FINALLY;
    (void)out_send_cancel(&c->out);
    AEXEC_CO_END;
}

/* One hart's interrupt counts. */
static int irqs_line(struct shell_call *c, unsigned i)
{
    if (i >= DEMO_HARTS)
        return 0;
    struct console_out *o = &c->out;
    const struct hart *h = &harts[i];
    out_str(o, "  hart ");
    out_u64(o, h->hartid);
    out_str(o, i == 0 ? " (boot): timer " : ": timer ");
    out_u64(o, atomic_load_explicit(&h->traps[0], memory_order_relaxed));
    out_str(o, ", software ");
    out_u64(o, atomic_load_explicit(&h->traps[1], memory_order_relaxed));
    out_str(o, ", external ");
    out_u64(o, atomic_load_explicit(&h->traps[2], memory_order_relaxed));
    out_str(o, "; wfi ");
    out_u64(o, atomic_load_explicit(&h->wfis, memory_order_relaxed));
    out_str(o, " times");
    out_nl(o);
    return 1;
}

/* One command's name and help. */
static int help_line(struct shell_call *c, unsigned i)
{
    if (shell_commands[i] == NULL)
        return 0;
    out_str(&c->out, "  ");
    out_padded(&c->out, shell_commands[i]->name, 10);
    out_str(&c->out, shell_commands[i]->help);
    out_nl(&c->out);
    return 1;
}

static int uptime_line(struct shell_call *c, unsigned i)
{
    if (i > 0)
        return 0;
    out_str(&c->out, "up ");
    out_fixed(&c->out, demo_now(), timebase_hz, 3);
    out_str(&c->out, " s (timebase ");
    out_u64(&c->out, timebase_hz);
    out_str(&c->out, " Hz), ");
    out_idle_since_boot(&c->out);
    out_nl(&c->out);
    return 1;
}

static int echo_line(struct shell_call *c, unsigned i)
{
    if (i > 0)
        return 0;
    for (int a = 1; a < c->argc; a++) {
        if (a > 1)
            out_str(&c->out, " ");
        out_str(&c->out, c->argv[a]);
    }
    out_nl(&c->out);
    return 1;
}

static aexec_poll irqs_poll(struct shell_call *c, aexec_cx *cx)
{
    return lines_poll(c, cx, irqs_line);
}

static aexec_poll help_poll(struct shell_call *c, aexec_cx *cx)
{
    return lines_poll(c, cx, help_line);
}

static aexec_poll uptime_poll(struct shell_call *c, aexec_cx *cx)
{
    return lines_poll(c, cx, uptime_line);
}

static aexec_poll echo_poll(struct shell_call *c, aexec_cx *cx)
{
    return lines_poll(c, cx, echo_line);
}

static struct {
    unsigned i;
    /* The library's table of this hart's tasks, printed into here first:
     * aexec_stats_print calls back synchronously, a console write awaits. */
    char lines[12][128]; /* the library's lines are at most 127 characters */
    unsigned n;
} tasks;

static void keep_stats_line(void *arg, const char *line)
{
    (void)arg;
    if (tasks.n >= sizeof tasks.lines / sizeof tasks.lines[0])
        return;
    char *d = tasks.lines[tasks.n++];
    size_t i = 0;
    for (; line[i] != '\0' && i + 1 < sizeof tasks.lines[0]; i++)
        d[i] = line[i];
    d[i] = '\0';
}

/* One task's line of `tasks`. */
static void out_task(struct console_out *o, const struct counted_task *t)
{
    out_str(o, "  ");
    out_padded(o, t->name, 10);
    out_u64(o, harts[t->hart].hartid);
    out_str(o, "     ");
    out_u64(o, atomic_load_explicit(&t->polls, memory_order_relaxed));
    out_nl(o);
}

static aexec_poll tasks_poll(struct shell_call *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    out_str(&c->out, "  task      hart  polls");
    out_nl(&c->out);
    AEXEC_AWAIT(out_send_poll(&c->out, cx));
    for (tasks.i = 0; tasks.i < demo_ntasks; tasks.i++) {
        out_task(&c->out, demo_tasks[tasks.i]);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
    }
    /* The library's statistics of the executor this shell runs on (the
     * other hart's are its own to read). */
    tasks.n = 0;
    aexec_stats_print(cx->executor, keep_stats_line, NULL);
    for (tasks.i = 0; tasks.i < tasks.n; tasks.i++) {
        out_str(&c->out, "  ");
        out_str(&c->out, tasks.lines[tasks.i]);
        out_nl(&c->out);
        AEXEC_AWAIT(out_send_poll(&c->out, cx));
    }
    AEXEC_CO_FINALLY;
    (void)out_send_cancel(&c->out);
    AEXEC_CO_END;
}

static struct {
    aexec_sleep s;
    uint64_t ms;
} sleep_;

#define SLEEP_MAX_MS 86400000u /* a day: Ctrl-C ends a sleep sooner */

static aexec_poll sleep_poll(struct shell_call *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    SHELL_ARG(c, cx, 1, 1000, 0, SLEEP_MAX_MS, sleep_.ms);
    aexec_sleep_for_init(&sleep_.s, aexec_ticks_from_ms(timebase_hz, sleep_.ms));
    AEXEC_AWAIT(aexec_sleep_poll(&sleep_.s, cx));
    AEXEC_CO_FINALLY;
    aexec_sleep_cancel(&sleep_.s);
    AEXEC_CO_END;
}

static struct {
    struct uart16550_flush fl;
} off;

static aexec_poll poweroff_poll(struct shell_call *c, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&c->co, cx);
    out_str(&c->out, "demo: powering off through SBI (");
    out_idle_since_boot(&c->out);
    out_str(&c->out, ")");
    out_nl(&c->out);
    AEXEC_AWAIT(out_send_poll(&c->out, cx));
    uart16550_flush_init(&off.fl, &console);
    AEXEC_AWAIT(uart16550_flush_poll(&off.fl, cx));
    aexec_riscv_sbi_shutdown();
    AEXEC_CO_FINALLY;
    (void)out_send_cancel(&c->out);
    (void)uart16550_flush_cancel(&off.fl);
    AEXEC_CO_END;
}

const struct shell_cmd cmd_help = {.name = "help", .help = "list the commands", .poll = help_poll};
const struct shell_cmd cmd_uptime = {
    .name = "uptime", .help = "time since boot and each hart's idle share", .poll = uptime_poll};
const struct shell_cmd cmd_tasks = {
    .name = "tasks", .help = "each task's hart and poll count", .poll = tasks_poll};
const struct shell_cmd cmd_irqs = {
    .name = "irqs", .help = "interrupts taken and wfi entered, per hart", .poll = irqs_poll};
const struct shell_cmd cmd_echo = {
    .name = "echo", .help = "echo WORDS: print the words", .poll = echo_poll};
const struct shell_cmd cmd_sleep = {
    .name = "sleep", .help = "sleep [MS]: wait, the other tasks running", .poll = sleep_poll};
const struct shell_cmd cmd_poweroff = {
    .name = "poweroff", .help = "flush the console and power off", .poll = poweroff_poll};
