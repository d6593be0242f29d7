/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The signal: a value and a full flag under the critical section (so a
 * send and a take never tear), plus a waker slot for the one waiting task.
 */
#include "aexec/sync.h"
#include "waiter_list.h"

void aexec_signal_init(aexec_signal *sig, const aexec_cs *cs)
{
    aexec__cs_copy(&sig->cs, cs);
    sig->value = 0;
    sig->full = 0;
    aexec_waker_slot_init(&sig->slot, &sig->cs);
}

void aexec_signal_send(aexec_signal *sig, uintptr_t value)
{
    aexec_cs_state s = aexec__cs_enter(&sig->cs);
    sig->value = value;
    sig->full = 1;
    aexec__cs_exit(&sig->cs, s);
    aexec_waker_slot_wake(&sig->slot);
}

int aexec_signal_try_take(aexec_signal *sig, uintptr_t *value)
{
    aexec_cs_state s = aexec__cs_enter(&sig->cs);
    int got = sig->full != 0;
    if (got) {
        *value = sig->value;
        sig->full = 0;
    }
    aexec__cs_exit(&sig->cs, s);
    return got;
}

aexec_poll aexec_signal_wait_poll(aexec_signal *sig, aexec_cx *cx, uintptr_t *value)
{
    if (aexec_signal_try_take(sig, value))
        return AEXEC_READY;
    /* Register, then look again: a send between the two is seen by one of them. */
    aexec_waker_slot_register(&sig->slot, cx);
    if (aexec_signal_try_take(sig, value)) {
        (void)aexec_waker_slot_cancel(&sig->slot, cx->task);
        return AEXEC_READY;
    }
    return AEXEC_PENDING;
}

int aexec_signal_wait_cancel(aexec_signal *sig, aexec_cx *cx)
{
    (void)aexec_waker_slot_cancel(&sig->slot, cx->task);
    return 0; /* only a READY poll takes the value: one sent meanwhile stays for the next */
}
