/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A program whose view of aexec_executor differs from the library's: this
 * file is compiled with another AEXEC_CONFIG_CACHE_LINE than the library
 * (tests/executor/CMakeLists.txt), so its executor has another size and
 * other offsets. Its init must trip the layout assert before the library
 * writes a byte of the caller's executor; the host backend's init as well.
 * (Every other test's init is the check passing.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

/* The library's own value may come on the command line too: this one wins. */
#undef AEXEC_CONFIG_CACHE_LINE
#define AEXEC_CONFIG_CACHE_LINE TEST_LAYOUT_CACHE_LINE

#include "aexec/aexec.h"
#include "aexec/arch/host.h"
#include "expect_panic.h"

static void pend(void *ctx)
{
    (void)ctx;
}

static const aexec_port port = {.pend = pend};

/* The caller's executor, between two guards, all filled with one byte. */
static struct {
    unsigned char before[64];
    aexec_executor ex;
    unsigned char after[4096];
} mem;

static void init_mismatched(void *arg)
{
    (void)arg;
    (void)aexec_executor_init(&mem.ex, &port, NULL, 0);
}

/* Every byte of the `size` bytes at `p` is still `fill`. */
static void assert_filled(const void *p, size_t size, unsigned char fill)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < size; i++)
        assert_int_equal(b[i], fill);
}

/* Runs `init` on storage filled with `fill`: the layout assert, no write. */
static void assert_refused(void (*init)(void *arg), unsigned char fill)
{
    const char *msg = test_expect_panic(init, NULL);
    assert_non_null(strstr(msg, "other AEXEC_CONFIG_*"));
    assert_filled(&mem, sizeof mem, fill);
}

static void mismatched_init_asserts_and_writes_nothing(void **state)
{
    (void)state;
    memset(&mem, 0xa5, sizeof mem);
    assert_refused(init_mismatched, 0xa5);
}

static aexec_host host;

static void host_init_mismatched(void *arg)
{
    (void)arg;
    (void)aexec_host_executor_init(&mem.ex, &host);
}

/* The backend's init checks too, before it creates a pthread object. */
static void mismatched_host_init_asserts_and_writes_nothing(void **state)
{
    (void)state;
    memset(&mem, 0x5a, sizeof mem);
    memset(&host, 0x5a, sizeof host);
    assert_refused(host_init_mismatched, 0x5a);
    assert_filled(&host, sizeof host, 0x5a);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mismatched_init_asserts_and_writes_nothing),
        cmocka_unit_test(mismatched_host_init_asserts_and_writes_nothing),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
