/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The executor's attention word (internal): one bit for each thing that
 * makes a batch more than "take the local wake list, poll it". aexec_run()
 * tests the word and the stop flag as one value, and while both are 0 and
 * nothing was pushed, a batch is the list alone: no pool flush, no timer
 * expiry, no watch or FIFO to look at. A bit may stay set after its cause is
 * gone (it is cleared where the slow branch finds nothing to do for it); it
 * is never clear while its cause is there.
 *
 * The bits are the executor thread's own: each is set and cleared on that
 * thread, so the word is plain. Optimizing for size the run loop has no fast
 * branch to steer, so the setters and clearers are empty there and the word
 * stays 0.
 */
#ifndef AEXEC_SRC_ATTENTION_H
#define AEXEC_SRC_ATTENTION_H

#include "aexec/executor.h"
#include "inline.h"

#define AEXEC__ATTN_TIMERS 1u  /* the timer queue may hold a timer */
#define AEXEC__ATTN_WATCHED 2u /* ex->watched is set */
#define AEXEC__ATTN_FIFO 4u    /* the FIFO may hold a task */
#define AEXEC__ATTN_POOLS 8u   /* ex->done_pools lists slots to return */

/* Sets `bits` in ex->attn. The executor's thread. */
static inline void aexec__attn_set(aexec_executor *ex, uint32_t bits)
{
#if AEXEC__FAST_PATHS
    ex->attn |= bits;
#else
    (void)ex;
    (void)bits;
#endif
}

/* Clears `bits` in ex->attn, once their cause is gone. The executor's thread. */
static inline void aexec__attn_clear(aexec_executor *ex, uint32_t bits)
{
#if AEXEC__FAST_PATHS
    ex->attn &= ~bits;
#else
    (void)ex;
    (void)bits;
#endif
}

#endif /* AEXEC_SRC_ATTENTION_H */
