/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Statistics without tracing: per task its polls, the ticks its polls took
 * and its wakes; per executor its idle and busy ticks, the most tasks ready
 * at once, and its timers. A build option: AEXEC_CONFIG_STATS (CMake
 * AEXEC_STATS). With it off, every function below still exists, changes
 * nothing and returns AEXEC_ENOTSUP (or prints one line saying so), so a
 * caller compiles unchanged against either build.
 *
 * Where the per-task counters live: not in the task header, which stays 32
 * bytes on 64-bit targets (task.h). The caller gives the executor a table of
 * records (aexec_stats_init), and tracks the tasks it wants counted
 * (aexec_stats_track, at spawn or later, with a name). The table is an
 * open-addressed hash on the task's address. A tracked task carries a bit
 * in its state word (kept across respawns of the same storage, and given
 * back by aexec_spawn to storage initialized anew), so the executor tells
 * an untracked poll or wake from a tracked one with the test its hot path
 * makes anyway, and only a tracked one looks up its record (one or two
 * probes). The table, not a record in front of the header, because a
 * pool's slots are laid out by the caller.
 *
 * Ticks are the time driver's (port->now); an executor without one counts
 * polls and wakes only. Busy time is the time since the counters started
 * less the time inside port->idle(), as a CPU-load figure is: it costs no
 * clock read per batch. An executor driven by aexec_executor_poll() sleeps
 * outside the library, so for it "busy" is the whole elapsed time. Wakes are counted with a 32-bit
 * atomic add, since they come from any context: a stats build needs lock-free atomics (not
 * AEXEC_CONFIG_RUNQUEUE_CS).
 */
#ifndef AEXEC_STATS_H
#define AEXEC_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#include "aexec/task.h"
#include "aexec/timer_queue.h"

/*
 * 1 in a library built with statistics (CMake AEXEC_STATS), else 0. By
 * default 1 on a hosted target (aexec/timer_queue.h), unless the run queue
 * goes through the critical section; 0 on bare metal.
 */
#ifndef AEXEC_CONFIG_STATS
#if AEXEC__HOSTED_TARGET && !(defined(AEXEC_CONFIG_RUNQUEUE_CS) && AEXEC_CONFIG_RUNQUEUE_CS)
#define AEXEC_CONFIG_STATS 1
#else
#define AEXEC_CONFIG_STATS 0
#endif
#endif

/* One entry of an executor's statistics table. */
typedef struct aexec_task_stats {
    /* private: the library's state; read it with aexec_stats_read_task(). */
    _Atomic uintptr_t task; /* the tracked task, 0 for a free entry */
    const char *name;
    const char *waiting;
    uint32_t polls;
    _Atomic uint32_t wakes;
    uint64_t poll_ticks;
} aexec_task_stats;

/* A snapshot of one task's counters. */
typedef struct aexec_task_counts {
    const char *name;    /* as given to aexec_stats_track / aexec_stats_set_name, or NULL */
    const char *waiting; /* what its last pending poll said it waits for, or NULL */
    uint32_t polls;      /* polls since tracking began or the last reset */
    uint32_t wakes;      /* wake calls on it (coalesced ones too), any context */
    uint64_t poll_ticks; /* time-driver ticks spent inside its poll function */
} aexec_task_counts;

/* A snapshot of an executor's counters. */
typedef struct aexec_executor_counts {
    uint64_t idle_ticks;  /* ticks inside port->idle() */
    uint64_t busy_ticks;  /* ticks since the counters started, less idle_ticks */
    uint32_t idles;       /* port->idle() calls */
    uint32_t batches;     /* batches that polled at least one task */
    uint32_t ready_high;  /* the most tasks one batch found ready (run queue, FIFO, list) */
    uint32_t timers;      /* timers armed now */
    uint32_t timers_high; /* the most timers armed at once */
    uint32_t tracked;     /* tasks in the table */
} aexec_executor_counts;

/*
 * Gives `ex` a table of `count` records (a power of two, at least 2; at most
 * count - 1 tasks can be tracked, so a lookup always ends) and starts the
 * executor's counters from zero. The table must outlive the executor. The
 * executor's thread, before any other context can wake its tasks (a waker
 * reads the table's size without a lock). Returns AEXEC_OK,
 * AEXEC_EINVAL (NULL, or count not a power of two), AEXEC_ENOTSUP (stats
 * build off).
 */
int aexec_stats_init(aexec_executor *ex, aexec_task_stats *table, uint32_t count);

/*
 * Counts `task` from now on, under `name` (may be NULL; the string must
 * outlive the table). Tracking a tracked task renames it. The executor's
 * thread. Returns AEXEC_OK, AEXEC_EINVAL, AEXEC_EFULL (table full, or no
 * table), AEXEC_ENOTSUP.
 */
int aexec_stats_track(aexec_executor *ex, aexec_task *task, const char *name);

/*
 * What the task being polled through `cx` waits for, shown by
 * aexec_stats_print until it is next set ("uart rx", "timer 10 ms"); NULL
 * clears it. From the task's poll; a no-op for an untracked task or with
 * stats off.
 */
void aexec_stats_set_waiting(aexec_cx *cx, const char *why);

/*
 * Copies the counters of `task` into *out. The executor's thread. Returns
 * AEXEC_OK, AEXEC_EINVAL (task not tracked), AEXEC_ENOTSUP.
 */
int aexec_stats_read_task(const aexec_executor *ex, const aexec_task *task, aexec_task_counts *out);

/* Copies the executor's counters into *out. The executor's thread. AEXEC_OK or AEXEC_ENOTSUP. */
int aexec_stats_read_executor(const aexec_executor *ex, aexec_executor_counts *out);

/*
 * Zeroes every counter (tracked tasks stay tracked, with their names; the
 * timers' high-water mark restarts at the timers armed now). The
 * executor's thread. AEXEC_OK or AEXEC_ENOTSUP.
 */
int aexec_stats_reset(aexec_executor *ex);

/* Receives one line of text (no newline) from aexec_stats_print. */
typedef void (*aexec_print_fn)(void *arg, const char *line);

/*
 * Prints a table of the tracked tasks (name, polls, wakes, poll ticks, what
 * it waits for, or "(finished)") and two lines of executor counters through
 * `print`, one call per line of at most 127 characters; with stats off, one
 * line saying so. Only a task's "waiting for" text can be cut to fit; the
 * counters always come out whole. The library has no libc: the caller's
 * function writes the text (printf, a UART). The executor's thread.
 * Returns nothing.
 */
void aexec_stats_print(const aexec_executor *ex, aexec_print_fn print, void *arg);

#endif /* AEXEC_STATS_H */
