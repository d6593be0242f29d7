/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The hosted backend: condvar pender and idle, CLOCK_MONOTONIC time driver.
 *
 * No wake is lost: pend() sets `pended` before it looks at `sleeping`, and
 * idle() sets `sleeping` before it looks at `pended` (both sequentially
 * consistent), so at least one of them sees the other; the signal is sent
 * under the mutex, so it cannot slip between idle's check and its wait.
 * A wake that never calls pend() is one the executor takes itself: a push
 * onto a queue it has not yet declared asleep (run_queue.h), or a wake of
 * the task it watches, which it stops watching before it declares sleep
 * (task_state.h, I7).
 */
/* NOLINTNEXTLINE(bugprone-reserved-identifier,cert-*): the feature macro POSIX asks for */
#define _POSIX_C_SOURCE 200809L
#include "aexec/arch/host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "aexec/error.h"
#include "timer_slack.h"

uint64_t aexec_host_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t host_now(void *ctx)
{
    (void)ctx;
    return aexec_host_now_ns();
}

static void host_set_alarm(void *ctx, uint64_t at)
{
    aexec_host *h = ctx;
    h->alarm = at;
}

static void host_pend(void *ctx)
{
    aexec_host *h = ctx;
    atomic_store_explicit(&h->pended, 1u, memory_order_seq_cst);
    if (atomic_load_explicit(&h->sleeping, memory_order_seq_cst)) {
        pthread_mutex_lock(&h->mu);
        pthread_cond_signal(&h->cv);
        pthread_mutex_unlock(&h->mu);
    }
}

static void host_idle(void *ctx)
{
    aexec_host *h = ctx;
    if (atomic_exchange_explicit(&h->pended, 0u, memory_order_acquire))
        return;
    /* Before the loop: a spurious return from the wait sleeps again to the
     * same grid point. */
    uint64_t wake = aexec__host_slack_wake(h->alarm, h->slack);
    pthread_mutex_lock(&h->mu);
    atomic_store_explicit(&h->sleeping, 1u, memory_order_seq_cst);
    while (!atomic_load_explicit(&h->pended, memory_order_seq_cst)) {
        if (wake == AEXEC_ALARM_NONE) {
            pthread_cond_wait(&h->cv, &h->mu);
            continue;
        }
        if (aexec_host_now_ns() >= wake)
            break;
        struct timespec at;
        at.tv_sec = (time_t)(wake / 1000000000u);
        at.tv_nsec = (long)(wake % 1000000000u);
        if (pthread_cond_timedwait(&h->cv, &h->mu, &at) == ETIMEDOUT)
            break;
    }
    atomic_store_explicit(&h->sleeping, 0u, memory_order_relaxed);
    pthread_mutex_unlock(&h->mu);
    /* The executor looks at its queue next, so a pend that came in while we
     * woke is accounted for; later ones set the flag again. */
    atomic_store_explicit(&h->pended, 0u, memory_order_relaxed);
}

/*
 * The critical section: one spinlock per host executor, held for a few
 * instructions (a list splice, a state update), so spinning beats a mutex
 * that could put the holder to sleep.
 */
static aexec_cs_state host_cs_enter(void *ctx)
{
    aexec_host *h = ctx;
    while (atomic_flag_test_and_set_explicit(&h->cs, memory_order_acquire)) {
#if defined(__x86_64__) || defined(__i386__)
        __asm__ __volatile__("pause");
#endif
    }
    return 0;
}

static void host_cs_exit(void *ctx, aexec_cs_state saved)
{
    aexec_host *h = ctx;
    (void)saved;
    atomic_flag_clear_explicit(&h->cs, memory_order_release);
}

static const aexec_port host_port = {
    .pend = host_pend,
    .idle = host_idle,
    .cs_enter = host_cs_enter,
    .cs_exit = host_cs_exit,
    .now = host_now,
    .set_alarm = host_set_alarm,
};

static void host_panic(const char *msg, const char *file, int line)
{
    (void)fprintf(stderr, "aexec panic: %s (%s:%d)\n", msg, file, line);
    abort();
}

int(aexec_host_executor_init)(aexec_executor *ex, aexec_host *host)
{
    if (ex == NULL || host == NULL)
        return AEXEC_EINVAL;
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return AEXEC_EINVAL;
    int err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (err == 0)
        err = pthread_cond_init(&host->cv, &attr);
    pthread_condattr_destroy(&attr);
    if (err != 0)
        return AEXEC_EINVAL;
    if (pthread_mutex_init(&host->mu, NULL) != 0) {
        pthread_cond_destroy(&host->cv);
        return AEXEC_EINVAL;
    }
    atomic_flag_clear(&host->cs);
    atomic_init(&host->pended, 0u);
    atomic_init(&host->sleeping, 0u);
    host->alarm = AEXEC_ALARM_NONE;
    host->slack = 0;
    if (aexec_get_panic_handler() == NULL)
        aexec_set_panic_handler(host_panic);
    int r = aexec_executor_init(ex, &host_port, host, 1000000000u);
    if (r == 0)
        aexec_executor_set_spin(ex, AEXEC_HOST_DEFAULT_SPIN);
    return r;
}

int aexec_host_set_timer_slack(aexec_host *host, uint64_t ns)
{
    if (host == NULL)
        return AEXEC_EINVAL;
    host->slack = ns;
    return 0;
}

void aexec_host_destroy(aexec_host *host)
{
    pthread_cond_destroy(&host->cv);
    pthread_mutex_destroy(&host->mu);
}
