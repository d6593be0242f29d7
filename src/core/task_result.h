/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A finished task's result code (internal), and the seqlock through which
 * a late joiner reads it.
 *
 * The code lives in the header's `result` word, which the local wake list
 * uses as its link while the task is alive (task_state.h, I6.4: a task
 * finishes unlisted, so the word is free by then). The finish stores the
 * code before the CAS that clears SPAWNED, whose release publishes it. A
 * joiner that comes after the finish reads the code like a seqlock: state
 * (acquire), code, acquire fence, state again; the code counts only if the
 * generation did not change in between (task_handle.c). A new life takes
 * the word back only after its generation changed, behind a release fence
 * (I6.5), so a joiner whose read of the code saw that new life's write also
 * sees the new generation in its second read of the state.
 */
#ifndef AEXEC_SRC_TASK_RESULT_H
#define AEXEC_SRC_TASK_RESULT_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/task.h"

/*
 * The seqlock's two fences. ThreadSanitizer does not model fences, and GCC
 * refuses to compile them under it; what TSan checks (plain accesses that
 * race) this seqlock has none of, and on x86, where the sanitizers run, the
 * fences emit no instruction. So its builds leave them out.
 */
#if defined(__SANITIZE_THREAD__)
#define AEXEC__TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AEXEC__TSAN 1
#endif
#endif
#ifdef AEXEC__TSAN
#define aexec__result_fence_release() ((void)0)
#define aexec__result_fence_acquire() ((void)0)
#else
#define aexec__result_fence_release() atomic_thread_fence(memory_order_release)
#define aexec__result_fence_acquire() atomic_thread_fence(memory_order_acquire)
#endif

/*
 * Stores the code of a task that is finishing. The conversions are spelled
 * out because int32_t <-> uint32_t of a negative code is
 * implementation-defined one way.
 */
static inline void aexec__task_set_result(aexec_task *t, int32_t r)
{
    atomic_store_explicit(&t->result, (uint32_t)r, memory_order_relaxed);
}

/* The code in the word (meaningful only as the seqlock above says). */
static inline int32_t aexec__task_result(const aexec_task *t)
{
    uint32_t v = atomic_load_explicit(&t->result, memory_order_relaxed);
    return v <= 0x7FFFFFFFu ? (int32_t)v : -(int32_t)(~v) - 1;
}

#endif /* AEXEC_SRC_TASK_RESULT_H */
