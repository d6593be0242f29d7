/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* PLACEHOLDER until the time module lands: no timer can be armed yet. */
#include "../core/executor_internal.h"

uint64_t aexec__timers_expire(aexec_executor *ex)
{
    (void)ex;
    return AEXEC_ALARM_NONE;
}
