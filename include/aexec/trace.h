/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Trace hooks: a build option, AEXEC_CONFIG_TRACE (CMake AEXEC_TRACE), off by
 * default. Off, the library contains no trace code at all (the hook calls
 * are macros that expand to nothing). On, the library calls the functions
 * below at each event, and the application (or a recorder library it links,
 * such as examples/trace/trace_json.c) defines them: a kernel writes them into
 * a ring buffer, a host program into a file. Each hook runs inside the
 * library's own path, so it must be short and must not call back into the
 * executor it reports on.
 *
 * Every hook is called on the executor's thread, except aexec_trace_wake
 * with AEXEC_TRACE_FROM_OUTSIDE (any context: an ISR, another thread or
 * hart: the hook itself knows which, e.g. from its port's interrupt flag or
 * the thread id) and aexec_trace_spawn of aexec_spawn (the spawner's
 * context).
 */
#ifndef AEXEC_TRACE_H
#define AEXEC_TRACE_H

#include <stdint.h>

#include "aexec/task.h"

/* 1 in a library built with the trace hooks (CMake AEXEC_TRACE), else 0. */
#ifndef AEXEC_CONFIG_TRACE
#define AEXEC_CONFIG_TRACE 0
#endif

/* Where a wake came from (aexec_trace_wake's `from`). */
#define AEXEC_TRACE_FROM_TASK 0     /* a poll of a task of the same executor (`waker` is it) */
#define AEXEC_TRACE_FROM_EXECUTOR 1 /* the executor's thread outside a poll: a timer, a join */
#define AEXEC_TRACE_FROM_OUTSIDE 2  /* aexec_wake/aexec_notify: an ISR, another thread or hart */

struct aexec_timer;

#if AEXEC_CONFIG_TRACE

/* `task` was spawned on `ex` (its first poll is queued). */
void aexec_trace_spawn(const aexec_executor *ex, const aexec_task *task);

/* A wake of `task` from `from` (AEXEC_TRACE_FROM_*); `waker` is the polled task for FROM_TASK. */
void aexec_trace_wake(const aexec_executor *ex, const aexec_task *task, unsigned from,
                      const aexec_task *waker);

/* A poll of `task` begins. */
void aexec_trace_poll_begin(const aexec_executor *ex, const aexec_task *task);

/* The poll of `task` returned `r`. */
void aexec_trace_poll_end(const aexec_executor *ex, const aexec_task *task, aexec_poll r);

/* The executor is about to call port->idle(). */
void aexec_trace_idle_enter(const aexec_executor *ex);

/* port->idle() returned. */
void aexec_trace_idle_exit(const aexec_executor *ex);

/* `timer` was armed for `deadline` (ticks). */
void aexec_trace_timer_arm(const aexec_executor *ex, const struct aexec_timer *timer,
                           uint64_t deadline);

/* An armed `timer` was cancelled or re-armed. */
void aexec_trace_timer_cancel(const aexec_executor *ex, const struct aexec_timer *timer);

/* `timer` fired (its task is woken next, FROM_EXECUTOR). */
void aexec_trace_timer_expire(const aexec_executor *ex, const struct aexec_timer *timer);

/* `task` finished with `result` (after its last poll_end). */
void aexec_trace_task_end(const aexec_executor *ex, const aexec_task *task, int32_t result);

/* ---- the library's calls (internal): nothing at all when the option is off ---- */
#define AEXEC__TRACE(hook, ...) aexec_trace_##hook(__VA_ARGS__)
#else
#define AEXEC__TRACE(hook, ...) ((void)0)
#endif

#endif /* AEXEC_TRACE_H */
