/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "aexec/error.h"

const char *aexec_strerror(int err)
{
    switch (err) {
    case AEXEC_OK: return "OK: success";
    case AEXEC_EINVAL: return "EINVAL: invalid argument";
    case AEXEC_EBUSY: return "EBUSY: storage still in use";
    case AEXEC_EFULL: return "EFULL: no free slot";
    case AEXEC_EEMPTY: return "EEMPTY: nothing to take";
    case AEXEC_ECLOSED: return "ECLOSED: closed";
    case AEXEC_ETIMEDOUT: return "ETIMEDOUT: deadline passed";
    case AEXEC_ECANCELED: return "ECANCELED: cancelled";
    case AEXEC_ESTALE: return "ESTALE: handle names a finished task";
    case AEXEC_ENOTSUP: return "ENOTSUP: executor lacks the hook this needs";
    default: return "unknown error";
    }
}
