/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The core's read-modify-writes on words other contexts share (internal):
 * a task's state, the run queue's head, the executor's polling flag, a
 * pool's free-stack top. Two backends define the same functions, and the
 * build picks one here; nothing else in the core tests the configuration.
 *
 *   rmw_atomic.h  atomic instructions (the default)
 *   rmw_cs.h      a load and a store inside the executor's critical
 *                 section, for cores without atomic read-modify-write
 *                 (AEXEC_CONFIG_RUNQUEUE_CS=1; CMake: -DAEXEC_RUNQUEUE_CS=ON)
 *
 * Each also defines AEXEC__RMW_LOCK_FREE (1 or 0), for the two places where
 * the cheaper path depends on the backend: with atomics a plain load before
 * an RMW only costs a second trip for the cache line, and with the critical
 * section a plain store of a state would race the other contexts' RMWs; and
 * AEXEC__RMW_PUSH_PENDS, 1 where aexec__head_push() itself calls pend()
 * when it finds the head NULL (the critical section's, at -Os).
 */
#ifndef AEXEC_SRC_RMW_H
#define AEXEC_SRC_RMW_H

#ifndef AEXEC_CONFIG_RUNQUEUE_CS
#define AEXEC_CONFIG_RUNQUEUE_CS 0
#endif

#if AEXEC_CONFIG_RUNQUEUE_CS
#include "rmw_cs.h"
#else
#include "rmw_atomic.h"
#endif

#endif /* AEXEC_SRC_RMW_H */
