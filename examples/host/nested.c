/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A nested async function: read_line() is a future with its own
 * continuation, awaited by the task that owns it. The "device" is a string
 * that delivers one byte per poll, standing in for a UART's receive FIFO.
 */
#include <stdio.h>
#include <string.h>

#include "aexec/aexec.h"
#include "aexec/arch/host.h"

/* The device: one byte is ready per poll; the task is woken for the next. */
struct device {
    const char *data;
    size_t pos;
};

/* A nested future: state + its own continuation. */
struct read_line {
    aexec_co co;
    struct device *dev;
    char *buf;
    size_t cap, len;
};

static void read_line_init(struct read_line *rl, struct device *dev, char *buf, size_t cap)
{
    aexec_co_init(&rl->co); /* rewind: a nested future is reused per call */
    rl->dev = dev;
    rl->buf = buf;
    rl->cap = cap;
    rl->len = 0;
}

/* AEXEC_READY once a whole line (without '\n') is in rl->buf. */
static aexec_poll read_line_poll(struct read_line *rl, aexec_cx *cx)
{
    AEXEC_CO_BEGIN(&rl->co, cx);
    for (;;) {
        AEXEC_YIELD(); /* "wait for the next byte interrupt" */
        char c = rl->dev->data[rl->dev->pos++];
        if (c == '\n' || c == '\0' || rl->len + 1 == rl->cap)
            break;
        rl->buf[rl->len++] = c;
    }
    rl->buf[rl->len] = '\0';
    AEXEC_CO_END;
}

/* The task: awaits read_line() twice and reports. */
struct shell {
    aexec_task task;
    aexec_co co;
    struct read_line rl; /* the callee lives inside the caller */
    struct device *dev;
    char line[32];
    int lines;
};

static aexec_poll shell_poll(aexec_task *t, aexec_cx *cx)
{
    struct shell *self = AEXEC_CONTAINER_OF(t, struct shell, task);
    AEXEC_CO_BEGIN(&self->co, cx);
    while (self->lines < 2) {
        read_line_init(&self->rl, self->dev, self->line, sizeof self->line);
        AEXEC_AWAIT_NESTED(read_line_poll(&self->rl, cx)); /* a cancel unwinds it too */
        printf("line %d: \"%s\"\n", ++self->lines, self->line);
    }
    AEXEC_CO_FINALLY; /* runs on completion and if the task is cancelled */
    printf("shell: finished after %d lines\n", self->lines);
    AEXEC_CO_END;
}

int main(void)
{
    static aexec_executor ex;
    static aexec_host host;
    static struct device dev = {.data = "hello\nworld\n"};
    static struct shell sh = {.dev = &dev};
    aexec_host_executor_init(&ex, &host);
    aexec_spawn(&ex, &sh.task, shell_poll);
    int r = aexec_run(&ex);
    aexec_host_destroy(&host);
    return r == AEXEC_RUN_DONE && sh.lines == 2 && strcmp(sh.line, "world") == 0 ? 0 : 1;
}
