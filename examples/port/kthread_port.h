/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A worked port: the executor run by a kernel thread (docs/porting.md). */
#ifndef KTHREAD_PORT_H
#define KTHREAD_PORT_H

#include "aexec/aexec.h"
#include "kernel_api.h"

struct kx_executor {
    aexec_executor ex;
    struct kspinlock lock; /* guards `pended`, and is what ksleep releases */
    int pended;
    struct ktimer alarm;
    struct kspinlock cs_lock; /* the critical section of sync objects */
};

/* Initializes the executor and its port. Before the kernel thread starts. Returns 0 or AEXEC_E*. */
int kx_executor_init(struct kx_executor *k);
/* The kernel thread's body: runs the executor until every task finished. */
int kx_executor_thread(struct kx_executor *k);

#endif /* KTHREAD_PORT_H */
