/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Misuse tests: run a call that must trip an AEXEC_ASSERT and look at the
 * message. The handler installed for the call records the message and
 * longjmps back out of the library, which is fine for a test: the object
 * that tripped the assert is not used again. The previous handler is back
 * in place when either function returns.
 */
#ifndef AEXEC_TEST_EXPECT_PANIC_H
#define AEXEC_TEST_EXPECT_PANIC_H

/*
 * Runs fn(arg) and returns the message of the AEXEC_ASSERT it tripped (a
 * static buffer, valid until the next call), or NULL if fn returned. Needs
 * no test framework (the fuzz targets use it).
 */
const char *expect_panic_catch(void (*fn)(void *arg), void *arg);

/* expect_panic_catch() for a CMocka test: fails the test if fn returns. */
const char *test_expect_panic(void (*fn)(void *arg), void *arg);

#endif /* AEXEC_TEST_EXPECT_PANIC_H */
