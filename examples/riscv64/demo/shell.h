/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The demo's shell: reads lines from the console UART with simple editing
 * (backspace, Ctrl-C, Ctrl-U), splits them into words and runs the command
 * named by the first word from a table.
 *
 * A command is one table entry (commands.c): a name, a line of help, and
 * an async function, run as a task of its own (the shell's "command" task)
 * with its continuation in struct shell_call, which the shell joins. While
 * it runs the shell goes on reading the console: Ctrl-C cancels the
 * command, and the rest of one typed-ahead line waits for the prompt. A
 * command may live in its own file cmd_<topic>.c, keep its state in
 * statics of that file (one command runs at a time), and write through
 * call->out. Adding one is a new file and one line in the table.
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
     * Runs the command: AEXEC_READY when it is done. Polled by the command
     * task; a Ctrl-C (or a cancel of the shell) cancels that task, and the
     * command gets one last poll with a cancelled cx (AEXEC_CO_BEGIN jumps
     * to its AEXEC_CO_FINALLY), where it releases what it holds. That poll
     * may be its first: FINALLY's cancels must be safe in every state.
     */
    aexec_poll (*poll)(struct shell_call *call, aexec_cx *cx);
    /* Nonzero for a command that reads the console itself (the echo
     * benchmarks): the shell then leaves every byte to it, Ctrl-C too. */
    int reads_console;
};

/* The table, NULL-terminated (commands.c). */
extern const struct shell_cmd *const shell_commands[];

/* True if the strings `a` and `b` are the same (the kernel has no libc). */
int shell_word_is(const char *a, const char *b);

/*
 * Parses argument i as a decimal number from `min` to `max` into *v, or
 * `fallback` when there is no argument i. Returns 0, or -1 after writing
 * why not ("sleep: 'abc' is not a number") into call->out.
 */
int shell_arg_u64(struct shell_call *call, int i, uint64_t fallback, uint64_t min, uint64_t max,
                  uint64_t *v);

/*
 * In a command's body: shell_arg_u64() into `var` (a uint64_t that
 * outlives the poll), or, when the argument is bad, sends the reason and
 * ends the command.
 */
#define SHELL_ARG(c, cx, i, fallback, min, max, var)                          \
    do {                                                                      \
        if (shell_arg_u64((c), (i), (fallback), (min), (max), &(var)) != 0) { \
            AEXEC_AWAIT(out_send_poll(&(c)->out, (cx)));                      \
            AEXEC_CO_RETURN();                                                \
        }                                                                     \
    } while (0)

struct shell {
    struct counted_task t;
    aexec_co co;
    struct uart16550_read rd;
    uint8_t ch;
    uint8_t last; /* the previous byte: "\r\n" ends one line, not two */
    uint8_t esc;  /* inside a terminal's escape sequence (an arrow key): ESC_* */
    char line[SHELL_LINE];
    size_t len;
    struct console_out out;
    const struct shell_cmd *cmd;
    struct shell_call call;
    /* The command running, as a task: joined, and cancelled by Ctrl-C. */
    struct counted_task cmd_task;
    aexec_handle cmd_handle;
    aexec_join join;
    aexec_select sel;
    int cmd_result;
    uint8_t listening;   /* reading the console while the command runs */
    uint8_t interrupted; /* Ctrl-C cancelled the command */
    /* Bytes typed while the command ran, up to the end of one line: the
     * shell edits them after the command, as if typed then. */
    uint8_t ahead[SHELL_LINE];
    size_t ahead_len, ahead_at;
};

/* The shell task's body (spawn it with demo_spawn). */
aexec_poll shell_poll(aexec_task *t, aexec_cx *cx);

#endif /* DEMO_SHELL_H */
