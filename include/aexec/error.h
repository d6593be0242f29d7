/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Error codes and the misuse assert.
 *
 * Functions that can fail return 0 or one of the negative codes below and leave
 * every object as it was. Misuse that a return value cannot report (a corrupted
 * header, a second consumer polling the same executor) trips AEXEC_ASSERT, which
 * calls aexec_panic(). Asserts are on by default; build with
 * -DAEXEC_CONFIG_ASSERT=0 to compile them out (AEXEC_CONFIG_ASSERT_WHERE,
 * below, chooses whether a panic reports the file and line).
 */
#ifndef AEXEC_ERROR_H
#define AEXEC_ERROR_H

#define AEXEC_OK 0           /* success */
#define AEXEC_EINVAL (-1)    /* an argument is NULL or out of range */
#define AEXEC_EBUSY (-2)     /* the storage is still in use */
#define AEXEC_EFULL (-3)     /* no free slot: a pool or a channel is full */
#define AEXEC_EEMPTY (-4)    /* nothing to take */
#define AEXEC_ECLOSED (-5)   /* the object was closed */
#define AEXEC_ETIMEDOUT (-6) /* a deadline passed first */
#define AEXEC_ECANCELED (-7) /* the operation or task was cancelled */
#define AEXEC_ESTALE (-8)    /* a handle names an earlier incarnation of a task */
#define AEXEC_ENOTSUP (-9)   /* the executor lacks a hook the call needs */

/*
 * A short English name for an error code ("EBUSY: storage still in use").
 * Any context. Returns a static string; unknown codes get "unknown error".
 */
const char *aexec_strerror(int err);

/*
 * Called when an assert fails; does not return. It calls the handler set by
 * aexec_set_panic_handler(), and traps (an illegal instruction: no libc
 * needed) if there is none or if the handler returns. Any context.
 */
_Noreturn void aexec_panic(const char *msg, const char *file, int line);

/* A panic handler: prints through the kernel's console, then halts or unwinds. */
typedef void (*aexec_panic_handler)(const char *msg, const char *file, int line);

/*
 * Sets the handler aexec_panic() calls (NULL: just trap) and returns the
 * previous one. Set it once at boot, before other contexts run. The host
 * backend installs one that prints to stderr and aborts, unless one is set.
 */
aexec_panic_handler aexec_set_panic_handler(aexec_panic_handler handler);

/* The handler aexec_panic() will call, or NULL. Any context. */
aexec_panic_handler aexec_get_panic_handler(void);

#ifndef AEXEC_CONFIG_ASSERT
#define AEXEC_CONFIG_ASSERT 1
#endif

/*
 * Whether a failed assert hands its file and line to the panic handler
 * (1), or file "?" and line 0 (0). The place costs every assert the
 * instructions that pass it and every object its file name; the message
 * names the function and the rule either way. 1 by default, 0 when the
 * compiler optimizes for size (-Os, -Oz), where the flash counts most
 * (docs/porting.md, "Footprint", has the bytes). Any build may set it.
 */
#ifndef AEXEC_CONFIG_ASSERT_WHERE
#if defined(__OPTIMIZE_SIZE__)
#define AEXEC_CONFIG_ASSERT_WHERE 0
#else
#define AEXEC_CONFIG_ASSERT_WHERE 1
#endif
#endif

/*
 * What a failed AEXEC_ASSERT calls when AEXEC_CONFIG_ASSERT_WHERE is 0:
 * aexec_panic(msg, "?", 0), so each assert sets up one argument. Not for
 * direct use. Any context; does not return.
 */
_Noreturn void aexec__assert_failed(const char *msg);

/* What a failed assert calls: with its place, or with its message only. */
#if AEXEC_CONFIG_ASSERT_WHERE
#define AEXEC__ASSERT_FAIL(msg) aexec_panic((msg), __FILE__, __LINE__)
#else
#define AEXEC__ASSERT_FAIL(msg) aexec__assert_failed(msg)
#endif

#if AEXEC_CONFIG_ASSERT
/* msg names the object and the rule it broke, e.g. "aexec_wake: task ...". */
#define AEXEC_ASSERT(cond, msg) ((cond) ? (void)0 : AEXEC__ASSERT_FAIL(msg))
#else
/* Neither is evaluated; both count as used, so a message built from a
 * parameter leaves no unused-parameter warning behind. */
#define AEXEC_ASSERT(cond, msg) ((void)sizeof(cond), (void)sizeof(msg))
#endif

#endif /* AEXEC_ERROR_H */
