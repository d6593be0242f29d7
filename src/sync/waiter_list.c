/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The waiter-list functions that every primitive shares (waiter_list.h):
 * the cancel path always, and the list operations too when the compiler
 * optimizes for size, where the header declares them instead of inlining.
 */
#define AEXEC__WAITER_LIST_DEFINE 1
#include "waiter_list.h"

#if AEXEC_CONFIG_ASSERT
const char aexec__waiter_queued_msg[sizeof AEXEC__WAITER_QUEUED_TEXT] = AEXEC__WAITER_QUEUED_TEXT;
#endif

int aexec__waiter_cancel(const aexec_cs *cs, aexec_waiter **head, aexec_waiter **tail,
                         aexec_waiter *w)
{
    aexec_cs_state s = aexec__cs_enter(cs);
    int done = w->status == 0;
    if (w->linked)
        aexec__waiters_unlink(head, tail, w);
    w->status = AEXEC__W_IDLE;
    aexec__cs_exit(cs, s);
    return done;
}
