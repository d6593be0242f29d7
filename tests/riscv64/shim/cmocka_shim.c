/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The runner behind shim/cmocka.h. One test at a time on the boot hart: a
 * failing assert, fail() or an AEXEC_ASSERT that trips inside the library
 * prints its reason and longjmps back here; the test's line then says FAIL
 * and the group goes on. The library is left as the failed test left it,
 * which is fine because every test's setup initializes what it uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include "aexec/aexec.h"
#include "cmocka.h"
#include "guest.h"

enum { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_SKIP };

static jmp_buf leave_test;

/* The reason goes on a line of its own, above the test's FAIL line. */
static void begin_failure_line(const char *file, int line)
{
    printf("  %s:%d: ", file, line);
}

_Noreturn void _shim_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    begin_failure_line(file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    longjmp(leave_test, OUTCOME_FAIL);
}

_Noreturn void _shim_skip(const char *file, int line)
{
    (void)file;
    (void)line;
    longjmp(leave_test, OUTCOME_SKIP);
}

void _shim_int(LargestIntegralType a, LargestIntegralType b, int want_equal, const char *expr,
               const char *file, int line)
{
    if ((a == b) != want_equal)
        _shim_fail(file, line, "%s: %llu (0x%llx) vs %llu (0x%llx)", expr, (unsigned long long)a,
                   (unsigned long long)a, (unsigned long long)b, (unsigned long long)b);
}

void _shim_ptr(const void *a, const void *b, int want_equal, const char *expr, const char *file,
               int line)
{
    if ((a == b) != want_equal)
        _shim_fail(file, line, "%s: %p vs %p", expr, a, b);
}

void _shim_true(int value, int want, const char *expr, const char *file, int line)
{
    if (value != want)
        _shim_fail(file, line, "%s is %s", expr, value ? "true" : "false");
}

void _shim_memory(const void *a, const void *b, size_t size, const char *expr, const char *file,
                  int line)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < size; i++) {
        if (x[i] != y[i])
            _shim_fail(file, line, "%s: byte %u differs (0x%02x vs 0x%02x)", expr, (unsigned)i,
                       x[i], y[i]);
    }
}

/* An AEXEC_ASSERT the test did not expect (test_expect_panic installs its
 * own handler around the calls that should trip one). */
static void unexpected_panic(const char *msg, const char *file, int line)
{
    _shim_fail(file, line, "AEXEC_ASSERT tripped: %s", msg);
}

void cmocka_set_test_filter(const char *pattern)
{
    (void)pattern;
}

/* setjmp's frame holds nothing that the test may change: only the outcome
 * comes back, through longjmp's value. */
static int run_fixture(CMFixtureFunction fn, void **state)
{
    int outcome = setjmp(leave_test);
    if (outcome != 0)
        return outcome;
    if (fn(state) != 0) {
        begin_failure_line("fixture", 0);
        printf("returned non-zero\n");
        return OUTCOME_FAIL;
    }
    return OUTCOME_PASS;
}

static int run_body(CMUnitTestFunction fn, void **state)
{
    int outcome = setjmp(leave_test);
    if (outcome != 0)
        return outcome;
    fn(state);
    return OUTCOME_PASS;
}

static int run_one(const struct CMUnitTest *t)
{
    void *state = t->initial_state;
    aexec_panic_handler old = aexec_set_panic_handler(unexpected_panic);
    int outcome = t->setup_func ? run_fixture(t->setup_func, &state) : OUTCOME_PASS;
    if (outcome == OUTCOME_PASS)
        outcome = run_body(t->test_func, &state);
    if (t->teardown_func) {
        int down = run_fixture(t->teardown_func, &state);
        if (outcome == OUTCOME_PASS)
            outcome = down;
    }
    aexec_set_panic_handler(old);
    return outcome;
}

int _cmocka_run_group_tests(const char *group, const struct CMUnitTest *tests, size_t count,
                            CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
    void *group_state = NULL;
    int failed = 0;
    if (group_setup && run_fixture(group_setup, &group_state) != OUTCOME_PASS) {
        for (size_t i = 0; i < count; i++)
            guest_report(group, tests[i].name, 0);
        return (int)count;
    }
    for (size_t i = 0; i < count; i++) {
        int outcome = run_one(&tests[i]);
        if (outcome == OUTCOME_SKIP)
            guest_report_skip(group, tests[i].name);
        else
            guest_report(group, tests[i].name, outcome == OUTCOME_PASS);
        failed += outcome == OUTCOME_FAIL;
    }
    if (group_teardown && run_fixture(group_teardown, &group_state) != OUTCOME_PASS)
        failed++;
    return failed;
}
