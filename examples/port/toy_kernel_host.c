/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * kernel_api.h on pthreads, for the test: kernel threads are pthreads, one
 * mutex and condvar play the scheduler's sleep queue (as xv6's process lock
 * does), and one timer thread plays the timer interrupt.
 */
#include <errno.h>
#include <time.h>

#include "kernel_api.h"

static pthread_mutex_t sched_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sched_cv = PTHREAD_COND_INITIALIZER;

void kspin_lock(struct kspinlock *l)
{
    pthread_mutex_lock(&l->mu);
}

void kspin_unlock(struct kspinlock *l)
{
    pthread_mutex_unlock(&l->mu);
}

void ksleep(void *chan, struct kspinlock *l)
{
    (void)chan; /* one sleep queue: every wakeup wakes every sleeper, who re-check */
    pthread_mutex_lock(&sched_mu); /* before releasing l: no wakeup slips between */
    kspin_unlock(l);
    pthread_cond_wait(&sched_cv, &sched_mu);
    pthread_mutex_unlock(&sched_mu);
    kspin_lock(l);
}

void kwakeup(void *chan)
{
    (void)chan;
    pthread_mutex_lock(&sched_mu);
    pthread_cond_broadcast(&sched_cv);
    pthread_mutex_unlock(&sched_mu);
}

uint64_t kclock_hz(void)
{
    return 1000000000u;
}

uint64_t kclock_ticks(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The "timer interrupt": one thread serving every ktimer in turn is more than
 * the test needs; it serves one armed timer at a time. */
static pthread_mutex_t timer_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cv;
static pthread_once_t timer_once = PTHREAD_ONCE_INIT;
static struct ktimer *armed;

static void *timer_thread(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&timer_mu);
    for (;;) {
        if (armed == NULL) {
            pthread_cond_wait(&timer_cv, &timer_mu);
            continue;
        }
        uint64_t at = armed->at, now = kclock_ticks();
        if (now < at) {
            struct timespec ts = {(time_t)(at / 1000000000u), (long)(at % 1000000000u)};
            pthread_cond_timedwait(&timer_cv, &timer_mu, &ts);
            continue;
        }
        struct ktimer *t = armed;
        armed = NULL;
        t->at = 0;
        /* Read under the lock: ktimer_start may re-arm t once it is dropped. */
        void (*fn)(void *arg) = t->fn;
        void *arg = t->arg;
        pthread_mutex_unlock(&timer_mu);
        fn(arg);
        pthread_mutex_lock(&timer_mu);
    }
    return NULL;
}

static void timer_start_thread(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&timer_cv, &attr);
    pthread_t th;
    pthread_create(&th, NULL, timer_thread, NULL);
    pthread_detach(th);
}

void ktimer_start(struct ktimer *t, uint64_t at, void (*fn)(void *arg), void *arg)
{
    pthread_once(&timer_once, timer_start_thread);
    pthread_mutex_lock(&timer_mu);
    t->at = at;
    t->fn = fn;
    t->arg = arg;
    armed = t;
    pthread_cond_signal(&timer_cv);
    pthread_mutex_unlock(&timer_mu);
}

void ktimer_stop(struct ktimer *t)
{
    pthread_mutex_lock(&timer_mu);
    if (armed == t)
        armed = NULL;
    t->at = 0;
    pthread_mutex_unlock(&timer_mu);
}
