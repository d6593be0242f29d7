/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The demo's shell: reads lines from the console UART with simple editing
 * (backspace, Ctrl-C, Ctrl-U), splits them into words and runs the command
 * named by the first word from a table.
 *
 * A command is one table entry (commands.c): a name, a line of help, and
 * an async function, a nested future the shell awaits with the command's
 * own continuation in struct shell_call. A command may live in its own
 * file cmd_<topic>.c, keep its state in statics of that file (there is one
 * shell), and write through call->out. Adding one is a new file and one
 * line in the table.
 */
#ifndef DEMO_SHELL_H
#define DEMO_SHELL_H

#include <stddef.h>
#include <stdint.h>

#include "console.h"
#include "demo.h"

#define SHELL_LINE 128
#define SHELL_MAX_ARGS 8

struct shell_call {
    aexec_co co; /* the command's continuation: rewound before each run */
    int argc;
    char *argv[SHELL_MAX_ARGS];
    struct console_out out; /* the command's output line */
};

struct shell_cmd {
    const char *name;
    const char *help;
    /*
     * Runs the command: AEXEC_READY when it is done. Polled with the shell
     * task's cx; when the shell is cancelled the command gets one last
     * poll with a cancelled cx (AEXEC_CO_BEGIN jumps to its
     * AEXEC_CO_FINALLY), where it releases what it holds.
     */
    aexec_poll (*poll)(struct shell_call *call, aexec_cx *cx);
};

/* The table, NULL-terminated (commands.c). */
extern const struct shell_cmd *const shell_commands[];

/* Parses a decimal argument; `fallback` when absent or not a number. */
uint64_t shell_arg_u64(const struct shell_call *call, int i, uint64_t fallback);

struct shell {
    struct counted_task t;
    aexec_co co;
    struct uart16550_read rd;
    uint8_t ch;
    uint8_t last; /* the previous byte: "\r\n" ends one line, not two */
    char line[SHELL_LINE];
    size_t len;
    struct console_out out;
    const struct shell_cmd *cmd;
    struct shell_call call;
};

/* The shell task's body (spawn it with demo_spawn). */
aexec_poll shell_poll(aexec_task *t, aexec_cx *cx);

#endif /* DEMO_SHELL_H */
