/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * How the core calls its optional parts (internal): the end-of-batch
 * return of finished pool slots (pool.c; noting a finished slot is inline
 * in pool.h) and a finished task's joiners (task_handle.c). The executor
 * calls them through pointers that those parts install when first used,
 * not by name, so that a program that never initializes a pool or waits on
 * a join links neither file (and, with --gc-sections, none of their
 * functions). A weak symbol would do it with no pointer, but weak
 * definitions in static archives resolve by link order and not every
 * kernel toolchain treats them alike (panic.c chose a pointer for the same
 * reason). Optimizing for size, noting a finished slot is a hook too.
 *
 * Each pointer goes once from NULL to its one value and never back, so
 * every store of it writes that value (atomic, relaxed: a second hart may
 * store it at the same time), and the executor calls it only after an
 * acquire that follows the store: a pool's slots finish, and the batch's
 * end flushes them, after their spawn, which comes after aexec_pool_init()
 * installed the pool hook; JOINED, which the finish reads with an
 * acquiring CAS, is set by a releasing read-modify-write (or inside the
 * critical section) after the join installed its hook.
 */
#ifndef AEXEC_SRC_HOOKS_H
#define AEXEC_SRC_HOOKS_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/executor.h"
#include "aexec/task.h"
#include "inline.h"

typedef void aexec__pools_flush_fn(aexec_executor *ex);
typedef void aexec__pool_finished_fn(aexec_executor *ex, aexec_task *t);
typedef void aexec__task_joined_fn(aexec_executor *ex, const aexec_task *t, uint32_t gen,
                                   int32_t result);

/* Installed by aexec_pool_init(): aexec__pools_flush (pool.h). */
extern _Atomic(aexec__pools_flush_fn *) aexec__pools_flush_hook;
#if !AEXEC__FAST_PATHS
/* Installed by aexec_pool_init() too, optimizing for size: aexec__pool_slot_finished (pool.h). */
extern _Atomic(aexec__pool_finished_fn *) aexec__pool_finished_hook;
#endif
/* Installed by a join before it sets JOINED: aexec__task_joined (task_handle.h). */
extern _Atomic(aexec__task_joined_fn *) aexec__task_joined_hook;

/* Installs `fn` as `hook`: a store even when it is there already (pools and joins start seldom). */
#define AEXEC__HOOK_INSTALL(hook, fn) atomic_store_explicit(&(hook), (fn), memory_order_relaxed)

/* The hook in `hook`, which has been installed (see above). */
#define AEXEC__HOOK(hook) atomic_load_explicit(&(hook), memory_order_relaxed)

#endif /* AEXEC_SRC_HOOKS_H */
