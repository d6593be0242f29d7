/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A hint to the core that this is a spin-wait loop (internal). */
#ifndef AEXEC_SRC_CPU_RELAX_H
#define AEXEC_SRC_CPU_RELAX_H

static inline void aexec__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    /* RISC-V's Zihintpause "pause" is not in every -march; a compiler
     * barrier keeps the loop re-reading memory. */
    __asm__ __volatile__("" ::: "memory");
#endif
}

#endif /* AEXEC_SRC_CPU_RELAX_H */
