/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The hosted backend (POSIX threads): a pender and an idle built on a mutex
 * and a condition variable, and a CLOCK_MONOTONIC time driver at 1 GHz
 * (one tick per nanosecond). The one public header that needs POSIX.
 *
 * Wakes are safe from any thread. A wake costs a system call only when the
 * executor is really asleep: while it runs, or spins briefly before sleeping,
 * wakes reach it through the run queue alone, and a wake of the task the
 * spinning executor watches only through that task's state word.
 */
#ifndef AEXEC_ARCH_HOST_H
#define AEXEC_ARCH_HOST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "aexec/executor.h"

/* The host backend's state behind one executor's port hooks. */
typedef struct aexec_host {
    /* private: the library's state; use the functions below. */
    pthread_mutex_t mu;
    pthread_cond_t cv;         /* waits against CLOCK_MONOTONIC */
    _Atomic uint32_t pended;   /* a pend is owed to the next idle() */
    _Atomic uint32_t sleeping; /* idle() is in, or entering, its condvar wait */
    uint64_t alarm;            /* the executor's next deadline, in ns; executor thread only */
    uint64_t slack;            /* idle wakes on multiples of this many ns; executor thread only */
    atomic_flag cs;            /* the port's critical section: a spinlock */
} aexec_host;

/*
 * Checks aexec_run() makes before it sleeps (of its queue and of the task it
 * watches), with a CPU pause between two. How long that is depends on the
 * pause: about 60 us on the AMD EPYC (Zen) build machine, whose pause takes
 * 27 ns; a few microseconds on cores whose pause takes a few cycles.
 */
#define AEXEC_HOST_DEFAULT_SPIN 2000u

/*
 * Initializes `host` and `ex` as a host executor: pender and idle on a
 * condvar, a spinlock as the critical section, time from CLOCK_MONOTONIC at tick_hz =
 * 1,000,000,000, spin AEXEC_HOST_DEFAULT_SPIN. Installs a panic handler that prints to stderr and
 * aborts, unless a handler is already set. One thread, before use. Returns 0, or AEXEC_EINVAL if a
 * pointer is NULL or a pthread object could not be created.
 */
int aexec_host_executor_init(aexec_executor *ex, aexec_host *host);

/* As aexec_executor_init(): the call checks the caller's layout first (AEXEC__LAYOUT). */
#define aexec_host_executor_init(ex, host)                  \
    (aexec__layout_check(AEXEC__LAYOUT) != 0 ? AEXEC_EINVAL \
                                             : (aexec_host_executor_init)((ex), (host)))

/*
 * Timer slack: the idle wait ends at the first multiple of `ns` (counted on
 * CLOCK_MONOTONIC from its origin) at or after the executor's alarm, instead
 * of at the alarm itself, so every timer due up to that point fires on the
 * same wake-up. A timer then fires up to `ns` late, plus the operating
 * system's own wake-up delay (Linux gives every timed wait 50 us of slack by
 * default), and never early; wakes and aexec_executor_stop() still end the
 * wait at once. Because the grid is shared, executors with the same slack
 * wake together. 0 (the default) or 1: the wait ends at the alarm. The
 * executor's thread, between its polls or before aexec_run(); takes effect at
 * its next sleep. Returns 0, or AEXEC_EINVAL if `host` is NULL.
 */
int aexec_host_set_timer_slack(aexec_host *host, uint64_t ns);

/* Releases the mutex and condvar. After the executor's last use; one thread. */
void aexec_host_destroy(aexec_host *host);

/* CLOCK_MONOTONIC in nanoseconds: the host executor's now(). Any thread. */
uint64_t aexec_host_now_ns(void);

#endif /* AEXEC_ARCH_HOST_H */
