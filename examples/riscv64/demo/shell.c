/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "shell.h"

#define PROMPT "aexec> "
#define KEY_CTRL_C 0x03u
#define KEY_BS 0x08u
#define KEY_CTRL_U 0x15u
#define KEY_DEL 0x7fu
#define KEY_ESC 0x1bu

/* Where edit() is in an escape sequence: after ESC, or inside "ESC [" (CSI). */
#define ESC_NONE 0u
#define ESC_SEEN 1u
#define ESC_CSI 2u

int shell_arg_u64(struct shell_call *call, int i, uint64_t fallback, uint64_t min, uint64_t max,
                  uint64_t *v)
{
    if (i >= call->argc) {
        *v = fallback;
        return 0;
    }
    const char *arg = call->argv[i];
    const char *s = arg;
    uint64_t n = 0;
    int wide = 0; /* more than 64 bits: out of range, whatever max is */
    for (; *s >= '0' && *s <= '9'; s++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (n > (UINT64_MAX - d) / 10u)
            wide = 1;
        n = wide ? n : n * 10u + d;
    }
    int number = s != arg && *s == '\0';
    if (number && !wide && n >= min && n <= max) {
        *v = n;
        return 0;
    }
    out_str(&call->out, call->argv[0]);
    if (!number) {
        out_str(&call->out, ": '");
        out_str(&call->out, arg);
        out_str(&call->out, "' is not a number");
    } else {
        out_str(&call->out, ": ");
        out_str(&call->out, arg);
        out_str(&call->out, " is out of range (");
        out_u64(&call->out, min);
        out_str(&call->out, " to ");
        out_u64(&call->out, max);
        out_str(&call->out, ")");
    }
    out_nl(&call->out);
    return -1;
}

int shell_word_is(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* Splits the line in place. */
static void split(struct shell *sh)
{
    struct shell_call *c = &sh->call;
    c->argc = 0;
    char *p = sh->line;
    char *end = sh->line + sh->len;
    *end = '\0';
    while (p < end && c->argc < SHELL_MAX_ARGS) {
        while (p < end && *p == ' ')
            *p++ = '\0';
        if (p == end)
            break;
        c->argv[c->argc++] = p;
        while (p < end && *p != ' ')
            p++;
    }
}

static const struct shell_cmd *find(const char *name)
{
    for (size_t i = 0; shell_commands[i] != NULL; i++)
        if (shell_word_is(shell_commands[i]->name, name))
            return shell_commands[i];
    return NULL;
}

/*
 * One byte of line editing: the echo to send goes into sh->out. Returns 1
 * when the byte ended a line.
 */
static int edit(struct shell *sh, uint8_t c)
{
    /* An arrow or function key sends ESC [ ... or ESC O x: swallowed whole,
     * as the line has no cursor to move, rather than "[A" in the line. Both
     * end with a byte from 0x40 to 0x7e. */
    if (sh->esc == ESC_SEEN) {
        sh->esc = (c == '[' || c == 'O') ? ESC_CSI : ESC_NONE;
        return 0;
    }
    if (sh->esc == ESC_CSI) {
        if (c >= 0x40u && c <= 0x7eu)
            sh->esc = ESC_NONE;
        return 0;
    }
    if (c == KEY_ESC) {
        sh->esc = ESC_SEEN;
        return 0;
    }
    uint8_t last = sh->last;
    sh->last = c;
    if (c == '\r' || c == '\n') {
        if (c == '\n' && last == '\r')
            return 0; /* the second half of a "\r\n" */
        out_nl(&sh->out);
        return 1;
    }
    if (c == KEY_DEL || c == KEY_BS) {
        if (sh->len > 0) {
            sh->len--;
            out_str(&sh->out, "\b \b");
        }
    } else if (c == KEY_CTRL_U || c == KEY_CTRL_C) {
        while (sh->len > 0) {
            sh->len--;
            out_str(&sh->out, "\b \b");
        }
        if (c == KEY_CTRL_C) {
            out_str(&sh->out, "^C");
            out_nl(&sh->out);
            out_str(&sh->out, PROMPT);
        }
    } else if (c >= 0x20 && c < 0x7f && sh->len < SHELL_LINE - 1) {
        sh->line[sh->len++] = (char)c;
        out_bytes(&sh->out, &c, 1);
    }
    return 0;
}

/* The command task's body: the command the shell started. */
static aexec_poll command_poll(aexec_task *t, aexec_cx *cx)
{
    struct shell *sh = AEXEC_CONTAINER_OF(t, struct shell, cmd_task.task);
    return sh->cmd->poll(&sh->call, cx);
}

/*
 * A byte read while the command ran (sh->ch, if the read delivered one):
 * Ctrl-C cancels the command; any other byte is kept for the prompt, and
 * the end of a line (or a full buffer) stops the reading, so that what
 * follows stays in the driver for the next command, as it did before.
 */
static void take_ahead(struct shell *sh)
{
    if (sh->rd.done != 1u) /* a line error: no byte */
        return;
    uint8_t c = sh->ch;
    if (c == KEY_CTRL_C) {
        (void)aexec_task_cancel(sh->cmd_handle);
        sh->interrupted = 1;
        sh->listening = 0;
        return;
    }
    sh->ahead[sh->ahead_len++] = c;
    if (c == '\r' || c == '\n' || sh->ahead_len == sizeof sh->ahead)
        sh->listening = 0;
}

/*
 * Starts sh->cmd in the command task (the last command's has finished: it
 * was joined). Returns 0, or nonzero if the demo's task table is full.
 */
static int start_command(struct shell *sh)
{
    aexec_co_init(&sh->call.co);
    out_reset(&sh->call.out);
    if (demo_spawn(&sh->cmd_task, 1, "command", command_poll) != 0)
        return -1;
    sh->cmd_handle = aexec_task_handle(&sh->cmd_task.task);
    sh->listening = !sh->cmd->reads_console;
    sh->interrupted = 0;
    return 0;
}

aexec_poll shell_poll(aexec_task *t, aexec_cx *cx)
{
    struct shell *sh = AEXEC_CONTAINER_OF(t, struct shell, t.task);
    AEXEC_CO_BEGIN(&sh->co, cx);
    out_reset(&sh->out);
    out_str(&sh->out, "libaexec demo shell: this task runs on hart ");
    out_u64(&sh->out, harts[1].hartid);
    out_str(&sh->out, ", the UART interrupt on hart ");
    out_u64(&sh->out, harts[0].hartid);
    out_str(&sh->out, ". Type help; Ctrl-C ends a command.");
    out_nl(&sh->out);
    out_str(&sh->out, PROMPT);
    AEXEC_AWAIT(out_send_poll(&sh->out, cx));
    for (;;) {
        if (sh->ahead_at < sh->ahead_len) {
            /* What was typed while the last command ran. */
            sh->ch = sh->ahead[sh->ahead_at++];
            if (sh->ahead_at == sh->ahead_len)
                sh->ahead_at = sh->ahead_len = 0;
        } else {
            /* One byte at a time: what follows the line stays in the
             * driver for the command (an echo benchmark reads it raw). */
            uart16550_read_init(&sh->rd, &console, &sh->ch, 1);
            AEXEC_AWAIT(uart16550_read_poll(&sh->rd, cx));
            if (sh->rd.result == UART16550_ELINE) {
                out_str(&sh->out, "[line error ");
                out_u64(&sh->out, sh->rd.errors);
                out_str(&sh->out, "]");
                AEXEC_AWAIT(out_send_poll(&sh->out, cx));
                continue;
            }
        }
        if (!edit(sh, sh->ch)) {
            if (sh->out.len > 0)
                AEXEC_AWAIT(out_send_poll(&sh->out, cx));
            continue;
        }
        AEXEC_AWAIT(out_send_poll(&sh->out, cx));
        split(sh);
        sh->len = 0;
        sh->cmd = sh->call.argc > 0 ? find(sh->call.argv[0]) : NULL;
        if (sh->call.argc > 0 && sh->cmd == NULL) {
            out_str(&sh->out, "unknown command: ");
            out_str(&sh->out, sh->call.argv[0]);
            out_str(&sh->out, " (try help)");
            out_nl(&sh->out);
        } else if (sh->cmd != NULL && start_command(sh) != 0) {
            out_str(&sh->out, "shell: no room for the command's task");
            out_nl(&sh->out);
            sh->cmd = NULL;
        } else if (sh->cmd != NULL) {
            /* Join the command; meanwhile read the console, one byte per
             * round, until Ctrl-C or the end of a typed line. A byte that
             * arrives as the join completes is delivered by the read's
             * cancel (sel.done bit 1), never dropped. */
            for (;;) {
                aexec_join_init(&sh->join, sh->cmd_handle);
                if (!sh->listening) {
                    AEXEC_AWAIT_WITH_CANCEL(aexec_join_poll(&sh->join, cx, &sh->cmd_result),
                                            aexec_join_cancel(&sh->join));
                    break;
                }
                uart16550_read_init(&sh->rd, &console, &sh->ch, 1);
                AEXEC_AWAIT_SELECT2(&sh->sel, aexec_join_poll(&sh->join, cx, &sh->cmd_result),
                                    aexec_join_cancel(&sh->join), uart16550_read_poll(&sh->rd, cx),
                                    uart16550_read_cancel(&sh->rd));
                if (sh->sel.done & 2u)
                    take_ahead(sh);
                if (sh->sel.done & 1u)
                    break;
            }
            sh->cmd = NULL;
            if (sh->interrupted) {
                out_str(&sh->out, "^C");
                out_nl(&sh->out);
            }
        }
        out_str(&sh->out, PROMPT);
        AEXEC_AWAIT(out_send_poll(&sh->out, cx));
    }
    AEXEC_CO_FINALLY;
    /* The command's last poll, where it releases what it holds, comes in
     * its own task, after this one. */
    if (sh->cmd != NULL)
        (void)aexec_task_cancel(sh->cmd_handle);
    (void)aexec_join_cancel(&sh->join);
    (void)uart16550_read_cancel(&sh->rd);
    (void)out_send_cancel(&sh->out);
    AEXEC_CO_END;
}
