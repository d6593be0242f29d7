/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "expect_panic.h"

#include "aexec/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static jmp_buf panic_jump;
static char panic_msg[256];

static void record_and_leave(const char *msg, const char *file, int line)
{
    (void)file;
    (void)line;
    strncpy(panic_msg, msg, sizeof panic_msg - 1);
    longjmp(panic_jump, 1);
}

const char *expect_panic_catch(void (*fn)(void *arg), void *arg)
{
    aexec_panic_handler old = aexec_set_panic_handler(record_and_leave);
    panic_msg[0] = '\0';
    if (setjmp(panic_jump) == 0) {
        fn(arg);
        aexec_set_panic_handler(old);
        return NULL;
    }
    aexec_set_panic_handler(old);
    return panic_msg;
}

const char *test_expect_panic(void (*fn)(void *arg), void *arg)
{
    const char *msg = expect_panic_catch(fn, arg);
    if (msg == NULL)
        fail_msg("expected an assert, and none tripped");
    return msg;
}
