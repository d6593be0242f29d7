/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* libaexec: the umbrella header. Backends have their own: aexec/arch/host.h. */
#ifndef AEXEC_AEXEC_H
#define AEXEC_AEXEC_H

#include "aexec/co.h"
#include "aexec/error.h"
#include "aexec/executor.h"
#include "aexec/port.h"
#include "aexec/stats.h"
#include "aexec/sync.h"
#include "aexec/task.h"
#include "aexec/time.h"
#include "aexec/waker.h"

#endif /* AEXEC_AEXEC_H */
