/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * aexec_panic: a handler pointer rather than a weak symbol, because weak
 * definitions in static archives resolve by link order, which a kernel's
 * Makefile should not have to get right.
 */
#include <stddef.h>

#include "aexec/error.h"

static aexec_panic_handler panic_handler;

aexec_panic_handler aexec_set_panic_handler(aexec_panic_handler handler)
{
    aexec_panic_handler old = panic_handler;
    panic_handler = handler;
    return old;
}

aexec_panic_handler aexec_get_panic_handler(void)
{
    return panic_handler;
}

_Noreturn void aexec_panic(const char *msg, const char *file, int line)
{
    if (panic_handler != NULL)
        panic_handler(msg, file, line);
    /* A trap, not a spin: a debugger stops right at the failed assert. */
    __builtin_trap();
}

_Noreturn void aexec__assert_failed(const char *msg)
{
    aexec_panic(msg, "?", 0);
}
