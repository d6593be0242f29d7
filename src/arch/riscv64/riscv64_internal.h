/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Shared between the RISC-V backend's files; not part of the public API. */
#ifndef AEXEC_RISCV64_INTERNAL_H
#define AEXEC_RISCV64_INTERNAL_H

#include "aexec/arch/riscv64.h"

#define AEXEC__SSTATUS_SIE 0x2ul
#define AEXEC__SIP_SSIP 0x2ul

/* The probe's result; aexec__riscv_probed() runs aexec_riscv_init(0) first if nobody did. */
const aexec_riscv_platform *aexec__riscv_probed(void);

/* Sstc (sstc.c): whether stimecmp can be read here without a trap, and the write. */
int aexec__riscv_stimecmp_usable(void);
void aexec__riscv_write_stimecmp(uint64_t at);

/* The port's idle hook (idle.c), which dispatches on the hart's aexec_riscv_idle. */
void aexec__riscv_idle(void *ctx);

#endif /* AEXEC_RISCV64_INTERNAL_H */
