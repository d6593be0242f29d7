/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "shell.h"

#define PROMPT "aexec> "
#define KEY_CTRL_C 0x03u
#define KEY_BS 0x08u
#define KEY_CTRL_U 0x15u
#define KEY_DEL 0x7fu

uint64_t shell_arg_u64(const struct shell_call *call, int i, uint64_t fallback)
{
    if (i >= call->argc)
        return fallback;
    const char *s = call->argv[i];
    uint64_t v = 0;
    if (*s == '\0')
        return fallback;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9u) / 10u)
            return fallback;
        v = v * 10u + (uint64_t)(*s - '0');
    }
    return v;
}

static int streq(const char *a, const char *b)
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
        if (streq(shell_commands[i]->name, name))
            return shell_commands[i];
    return NULL;
}

/*
 * One byte of line editing: the echo to send goes into sh->out. Returns 1
 * when the byte ended a line.
 */
static int edit(struct shell *sh, uint8_t c)
{
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

aexec_poll shell_poll(aexec_task *t, aexec_cx *cx)
{
    struct shell *sh = AEXEC_CONTAINER_OF(t, struct shell, t.task);
    AEXEC_CO_BEGIN(&sh->co, cx);
    out_reset(&sh->out);
    out_str(&sh->out, "libaexec demo shell: this task runs on hart ");
    out_u64(&sh->out, harts[1].hartid);
    out_str(&sh->out, ", the UART interrupt on hart ");
    out_u64(&sh->out, harts[0].hartid);
    out_str(&sh->out, ". Type help.");
    out_nl(&sh->out);
    out_str(&sh->out, PROMPT);
    AEXEC_AWAIT(out_send_poll(&sh->out, cx));
    for (;;) {
        /* One byte at a time: what follows the line stays in the driver
         * for the command (an echo benchmark reads it raw). */
        uart16550_read_init(&sh->rd, &console, &sh->ch, 1);
        AEXEC_AWAIT(uart16550_read_poll(&sh->rd, cx));
        if (sh->rd.result == UART16550_ELINE) {
            out_str(&sh->out, "[line error ");
            out_u64(&sh->out, sh->rd.errors);
            out_str(&sh->out, "]");
            AEXEC_AWAIT(out_send_poll(&sh->out, cx));
            continue;
        }
        if (!edit(sh, sh->ch)) {
            if (sh->out.len > 0)
                AEXEC_AWAIT(out_send_poll(&sh->out, cx));
            continue;
        }
        AEXEC_AWAIT(out_send_poll(&sh->out, cx));
        split(sh);
        sh->len = 0;
        if (sh->call.argc > 0) {
            sh->cmd = find(sh->call.argv[0]);
            if (sh->cmd != NULL) {
                aexec_co_init(&sh->call.co);
                out_reset(&sh->call.out);
                AEXEC_AWAIT(sh->cmd->poll(&sh->call, cx));
                sh->cmd = NULL;
            } else {
                out_str(&sh->out, "unknown command: ");
                out_str(&sh->out, sh->call.argv[0]);
                out_str(&sh->out, " (try help)");
                out_nl(&sh->out);
            }
        }
        out_str(&sh->out, PROMPT);
        AEXEC_AWAIT(out_send_poll(&sh->out, cx));
    }
    AEXEC_CO_FINALLY;
    if (sh->cmd != NULL)
        (void)sh->cmd->poll(&sh->call, cx); /* its last poll: it releases */
    (void)uart16550_read_cancel(&sh->rd);
    (void)out_send_cancel(&sh->out);
    AEXEC_CO_END;
}
