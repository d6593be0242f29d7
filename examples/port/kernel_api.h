/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The part of a kernel's own API that the worked port in kthread_port.c
 * builds on, with the semantics of a teaching kernel (xv6's sleep/wakeup).
 * toy_kernel_host.c implements it with pthreads, so the port is compiled and
 * run by a test.
 */
#ifndef KERNEL_API_H
#define KERNEL_API_H

#include <stdint.h>

#ifdef KERNEL_API_HOST
#include <pthread.h>
struct kspinlock {
    pthread_mutex_t mu;
};
#define KSPINLOCK_INIT            \
    {                             \
        PTHREAD_MUTEX_INITIALIZER \
    }
struct ktimer {
    uint64_t at; /* 0: not armed */
    void (*fn)(void *arg);
    void *arg;
};
#endif

/* Masks this hart's interrupts, then spins. Not recursive. */
void kspin_lock(struct kspinlock *l);
void kspin_unlock(struct kspinlock *l);

/*
 * Called holding `l`: releases it, sleeps until kwakeup(chan), takes it again.
 * A kwakeup that comes after the caller took `l` is not lost. May return
 * spuriously. The calling thread may resume on another hart.
 */
void ksleep(void *chan, struct kspinlock *l);
/* Wakes every thread in ksleep(chan). Any context, interrupts included. */
void kwakeup(void *chan);

/* The kernel's monotonic clock and its rate. Any context. */
uint64_t kclock_ticks(void);
uint64_t kclock_hz(void);

/* Calls fn(arg) once, in interrupt context, when kclock_ticks() >= at; a new start replaces it. */
void ktimer_start(struct ktimer *t, uint64_t at, void (*fn)(void *arg), void *arg);
void ktimer_stop(struct ktimer *t);

#endif /* KERNEL_API_H */
