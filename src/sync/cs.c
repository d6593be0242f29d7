/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "aexec/error.h"
#include "aexec/sync.h"

int aexec_executor_cs(const aexec_executor *ex, aexec_cs *cs)
{
    if (ex == NULL || cs == NULL || ex->port->cs_enter == NULL || ex->port->cs_exit == NULL)
        return AEXEC_ENOTSUP;
    cs->enter = ex->port->cs_enter;
    cs->exit = ex->port->cs_exit;
    cs->ctx = ex->ctx;
    return AEXEC_OK;
}
