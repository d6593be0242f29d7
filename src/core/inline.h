/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The library's two inlining attributes (internal), defined once.
 *
 * AEXEC__ALWAYS_INLINE marks a helper of a hot path whose call would cost
 * as much as its body (the executor's poll loop, a local wake, a channel
 * operation); AEXEC__NOINLINE keeps a rare path out of its caller's
 * registers. AEXEC__COLD is AEXEC__NOINLINE for a path that is also laid
 * out away from the hot code, its callers' branches to it predicted not
 * taken (a channel operation that has to wait). They trade size for speed,
 * so when the compiler optimizes for size (-Os, -Oz: __OPTIMIZE_SIZE__) they
 * step back to plain `inline` and nothing, and the compiler's own size
 * heuristics decide. Compilers without GNU attributes get the same plain
 * forms.
 *
 * Use: `static AEXEC__ALWAYS_INLINE void f(void)`, `static AEXEC__NOINLINE void g(void)`.
 */
#ifndef AEXEC_SRC_INLINE_H
#define AEXEC_SRC_INLINE_H

#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
#define AEXEC__ALWAYS_INLINE inline __attribute__((always_inline))
#define AEXEC__NOINLINE __attribute__((noinline))
#define AEXEC__COLD __attribute__((noinline, cold))
#else
#define AEXEC__ALWAYS_INLINE inline
#define AEXEC__NOINLINE
#define AEXEC__COLD
#endif

/*
 * AEXEC__LIKELY(x): x, with the hint that it is usually true, for a hot
 * path whose common case the compiler would otherwise lay out as a jump;
 * plain x when optimizing for size, where the layout is the compiler's.
 */
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
#define AEXEC__LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define AEXEC__LIKELY(x) (x)
#endif

/*
 * 1 where a hot path may keep a second, specialised copy of a common case
 * beside its general code (the executor's poll of a plain local wake list
 * entry); 0 when optimizing for size, where the general code serves every
 * case.
 */
#if defined(__OPTIMIZE_SIZE__)
#define AEXEC__FAST_PATHS 0
#else
#define AEXEC__FAST_PATHS 1
#endif

/*
 * AEXEC_CONFIG_LOCAL_WAKES 1: a local wake (a task waking another of its
 * executor, a fired timer, a finished task's joins) takes the local wake
 * list or the FIFO, with no atomic read-modify-write, and the spinning
 * executor watches the task it answers (wake_list.h, fifo.h, watch.h).
 * 0: every wake and every launch goes through the run queue and a batch is
 * one pass over it, one queue and one loop, in less code and at the cost
 * of the read-modify-writes the list saves (docs/design.md, "One queue
 * when optimizing for size"). 1 by default, 0 when the compiler optimizes
 * for size. The library's sources alone read it (the executor's layout is
 * the same either way), so any build of the library may set it.
 */
#ifndef AEXEC_CONFIG_LOCAL_WAKES
#if defined(__OPTIMIZE_SIZE__)
#define AEXEC_CONFIG_LOCAL_WAKES 0
#else
#define AEXEC_CONFIG_LOCAL_WAKES 1
#endif
#endif
#define AEXEC__LOCAL_WAKES AEXEC_CONFIG_LOCAL_WAKES

#endif /* AEXEC_SRC_INLINE_H */
