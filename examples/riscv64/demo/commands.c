/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The shell's command table: one line per command, each defined in its cmd_<topic>.c. */
#include "shell.h"

extern const struct shell_cmd cmd_help, cmd_uptime, cmd_tasks, cmd_irqs, cmd_echo, cmd_sleep,
    cmd_poweroff;
extern const struct shell_cmd cmd_bench, cmd_loop, cmd_ploop;
extern const struct shell_cmd cmd_read, cmd_write, cmd_blk;
extern const struct shell_cmd cmd_trace;

const struct shell_cmd *const shell_commands[] = {
    &cmd_help,  &cmd_uptime,   &cmd_tasks, &cmd_irqs,  &cmd_echo, &cmd_sleep, &cmd_bench, &cmd_loop,
    &cmd_ploop, &cmd_poweroff, &cmd_read,  &cmd_write, &cmd_blk,  &cmd_trace, NULL,
};
