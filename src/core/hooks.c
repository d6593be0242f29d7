/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The hook pointers of hooks.h, apart from the executor and from the parts
 * that install them, so that referring to a pointer pulls neither those
 * parts nor anything else into a link. Static storage starts them at NULL.
 */
#include "hooks.h"

_Atomic(aexec__pools_flush_fn *) aexec__pools_flush_hook;
#if !AEXEC__FAST_PATHS
_Atomic(aexec__pool_finished_fn *) aexec__pool_finished_hook;
#endif
_Atomic(aexec__task_joined_fn *) aexec__task_joined_hook;
