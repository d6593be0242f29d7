/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A freestanding stand-in for <cmocka.h>, so the host's behaviour tests run
 * unchanged inside an S-mode test kernel. It covers the subset those files
 * use: unit tests with setup/teardown, group runs, the integer, pointer,
 * boolean and memory asserts, fail() and skip(). A failing assert prints
 * where and why, then longjmps back to the runner, which goes on with the
 * next test; the runner prints one line per test.
 *
 * Not covered (the host tests that need them stay on the host): mocks
 * (will_return, expect_*), string asserts, signal handling, and the test
 * filter (accepted and ignored: the kernel runs every test).
 */
#ifndef AEXEC_TESTS_RISCV64_SHIM_CMOCKA_H
#define AEXEC_TESTS_RISCV64_SHIM_CMOCKA_H

#include <stddef.h>
#include <stdint.h>

typedef uintmax_t LargestIntegralType;
typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f)     \
    {                           \
#f, f, NULL, NULL, NULL \
    }
#define cmocka_unit_test_setup(f, setup) \
    {                                    \
#f, f, setup, NULL, NULL         \
    }
#define cmocka_unit_test_teardown(f, teardown) \
    {                                          \
#f, f, NULL, teardown, NULL            \
    }
#define cmocka_unit_test_setup_teardown(f, setup, teardown) \
    {                                                       \
#f, f, setup, teardown, NULL                        \
    }
#define cmocka_unit_test_prestate(f, state) \
    {                                       \
#f, f, NULL, NULL, state            \
    }
#define cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, state) \
    {                                                                       \
#f, f, setup, teardown, state                                       \
    }

/* Runs every test of `tests`; returns how many failed. The group is named
 * after the file that runs it. */
#define cmocka_run_group_tests(tests, group_setup, group_teardown)                            \
    _cmocka_run_group_tests(__FILE__, tests, sizeof(tests) / sizeof((tests)[0]), group_setup, \
                            group_teardown)
#define cmocka_run_group_tests_name(name, tests, group_setup, group_teardown)             \
    _cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof((tests)[0]), group_setup, \
                            group_teardown)

int _cmocka_run_group_tests(const char *group, const struct CMUnitTest *tests, size_t count,
                            CMFixtureFunction group_setup, CMFixtureFunction group_teardown);
void cmocka_set_test_filter(const char *pattern);

/* ---- asserts: each records the first failure and leaves the test --------- */

_Noreturn void _shim_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void _shim_skip(const char *file, int line);
void _shim_int(LargestIntegralType a, LargestIntegralType b, int want_equal, const char *expr,
               const char *file, int line);
void _shim_ptr(const void *a, const void *b, int want_equal, const char *expr, const char *file,
               int line);
void _shim_true(int value, int want, const char *expr, const char *file, int line);
void _shim_memory(const void *a, const void *b, size_t size, const char *expr, const char *file,
                  int line);

#define assert_true(c) _shim_true(!!(c), 1, #c, __FILE__, __LINE__)
#define assert_false(c) _shim_true(!!(c), 0, #c, __FILE__, __LINE__)
#define assert_int_equal(a, b)                                                               \
    _shim_int((LargestIntegralType)(a), (LargestIntegralType)(b), 1, #a " == " #b, __FILE__, \
              __LINE__)
#define assert_int_not_equal(a, b)                                                           \
    _shim_int((LargestIntegralType)(a), (LargestIntegralType)(b), 0, #a " != " #b, __FILE__, \
              __LINE__)
#define assert_ptr_equal(a, b) \
    _shim_ptr((const void *)(a), (const void *)(b), 1, #a " == " #b, __FILE__, __LINE__)
#define assert_ptr_not_equal(a, b) \
    _shim_ptr((const void *)(a), (const void *)(b), 0, #a " != " #b, __FILE__, __LINE__)
#define assert_null(p) _shim_ptr((const void *)(p), NULL, 1, #p " == NULL", __FILE__, __LINE__)
#define assert_non_null(p) _shim_ptr((const void *)(p), NULL, 0, #p " != NULL", __FILE__, __LINE__)
#define assert_memory_equal(a, b, size) \
    _shim_memory((a), (b), (size), "memory " #a " == " #b, __FILE__, __LINE__)
#define fail() _shim_fail(__FILE__, __LINE__, "fail()")
#define fail_msg(...) _shim_fail(__FILE__, __LINE__, __VA_ARGS__)
#define skip() _shim_skip(__FILE__, __LINE__)

#endif /* AEXEC_TESTS_RISCV64_SHIM_CMOCKA_H */
