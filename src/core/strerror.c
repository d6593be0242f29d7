/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "aexec/error.h"

/*
 * The texts, in the order of the codes (AEXEC_OK, then -1, -2, ...), each
 * ended by its NUL, and "unknown error" last: one string with no pointer
 * table, so the flash holds the characters and nothing else (a pointer per
 * code was 80 bytes on rv64, a switch's jump table as much again). The
 * walk to the n-th text is a few hundred byte loads at most, and nothing
 * calls this on a fast path.
 */
static const char texts[] = "OK: success\0"
                            "EINVAL: invalid argument\0"
                            "EBUSY: storage still in use\0"
                            "EFULL: no free slot\0"
                            "EEMPTY: nothing to take\0"
                            "ECLOSED: closed\0"
                            "ETIMEDOUT: deadline passed\0"
                            "ECANCELED: cancelled\0"
                            "ESTALE: handle names a finished task\0"
                            "ENOTSUP: executor lacks the hook this needs\0"
                            "unknown error";
#define CODES (1 - AEXEC_ENOTSUP) /* AEXEC_OK to AEXEC_ENOTSUP */

const char *aexec_strerror(int err)
{
    unsigned n = err <= 0 && err > -CODES ? (unsigned)-err : CODES;
    const char *p = texts;
    while (n > 0)
        if (*p++ == '\0')
            n--;
    return p;
}
