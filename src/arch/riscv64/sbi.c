/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * SBI: the calls the backend makes, chosen once by probing.
 *
 * SBI v0.2 and later firmware answers the BASE extension; each call then goes
 * through its extension (TIME, sPI, SRST, HSM) if probe_extension reports it,
 * else through the v0.1 "legacy" call, which OpenSBI still implements. A
 * v0.1-only firmware returns SBI_ERR_NOT_SUPPORTED for BASE itself: then
 * every call is legacy and no hart can be started.
 */
#include "riscv64_internal.h"

#define SBI_EXT_LEGACY_SET_TIMER 0x00ul
#define SBI_EXT_LEGACY_PUTCHAR 0x01ul
#define SBI_EXT_LEGACY_SEND_IPI 0x04ul
#define SBI_EXT_LEGACY_SHUTDOWN 0x08ul
#define SBI_EXT_BASE 0x10ul
#define SBI_EXT_TIME 0x54494d45ul /* "TIME" */
#define SBI_EXT_IPI 0x735049ul    /* "sPI" */
#define SBI_EXT_SRST 0x53525354ul /* "SRST" */
#define SBI_EXT_HSM 0x48534dul    /* "HSM" */

#define SBI_BASE_GET_SPEC_VERSION 0ul
#define SBI_BASE_GET_IMPL_ID 1ul
#define SBI_BASE_GET_IMPL_VERSION 2ul
#define SBI_BASE_PROBE_EXTENSION 3ul

#define SBI_ERR_NOT_SUPPORTED (-2l)

/* Legacy send_ipi takes a hart mask by pointer: this many words of it. */
#define LEGACY_MASK_WORDS 4u

struct sbiret {
    long error;
    unsigned long value;
};

static struct sbiret sbi_call(unsigned long eid, unsigned long fid, unsigned long a0,
                              unsigned long a1, unsigned long a2)
{
    register unsigned long r0 __asm__("a0") = a0;
    register unsigned long r1 __asm__("a1") = a1;
    register unsigned long r2 __asm__("a2") = a2;
    register unsigned long r6 __asm__("a6") = fid;
    register unsigned long r7 __asm__("a7") = eid;
    __asm__ __volatile__("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){(long)r0, r1};
}

/* A legacy call returns its error in a0 only; a1 is left as it was. */
static long sbi_legacy(unsigned long eid, unsigned long a0)
{
    return sbi_call(eid, 0, a0, 0, 0).error;
}

static aexec_riscv_platform platform;
/* 0: not probed; 1: a hart is probing; 2: `platform` is final. */
static _Atomic uint32_t probe_state;

static int has(uint32_t feature)
{
    return (aexec__riscv_probed()->features & feature) != 0;
}

/* Fills `platform` in place (a struct copy may become a memcpy call at -Os). */
static void probe(uint32_t flags)
{
    aexec_riscv_platform *p = &platform;
    p->spec_major = 0;
    p->spec_minor = 1;
    struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
    if (r.error == 0) {
        p->features |= AEXEC_RISCV_HAS_BASE;
        p->spec_major = (uint32_t)(r.value >> 24) & 0x7fu;
        p->spec_minor = (uint32_t)r.value & 0xffffffu;
        p->impl_id = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0).value;
        p->impl_version = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0).value;
        static const struct {
            unsigned long eid;
            uint32_t feature;
        } ext[] = {{SBI_EXT_TIME, AEXEC_RISCV_HAS_TIME},
                   {SBI_EXT_IPI, AEXEC_RISCV_HAS_IPI},
                   {SBI_EXT_SRST, AEXEC_RISCV_HAS_SRST},
                   {SBI_EXT_HSM, AEXEC_RISCV_HAS_HSM}};
        for (unsigned i = 0; i < sizeof ext / sizeof ext[0]; i++) {
            r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, ext[i].eid, 0, 0);
            if (r.error == 0 && r.value != 0)
                p->features |= ext[i].feature;
        }
    }
    /* Forced legacy keeps HSM: there is no legacy way to start a hart. */
    if (flags & AEXEC_RISCV_LEGACY_SBI)
        p->features &= ~(AEXEC_RISCV_HAS_TIME | AEXEC_RISCV_HAS_IPI | AEXEC_RISCV_HAS_SRST);
    if (!(flags & AEXEC_RISCV_NO_SSTC) && aexec__riscv_stimecmp_usable())
        p->features |= AEXEC_RISCV_HAS_SSTC;
}

int aexec_riscv_init(uint32_t flags)
{
    uint32_t expect = 0;
    if (atomic_compare_exchange_strong_explicit(&probe_state, &expect, 1u, memory_order_acquire,
                                                memory_order_acquire)) {
        probe(flags);
        atomic_store_explicit(&probe_state, 2u, memory_order_release);
        return 0;
    }
    /* Someone probed first (or is probing): its flags stand. */
    while (atomic_load_explicit(&probe_state, memory_order_acquire) != 2u) {
    }
    return 0;
}

const aexec_riscv_platform *aexec__riscv_probed(void)
{
    if (atomic_load_explicit(&probe_state, memory_order_acquire) != 2u)
        aexec_riscv_init(0);
    return &platform;
}

const aexec_riscv_platform *aexec_riscv_platform_info(void)
{
    return aexec__riscv_probed();
}

void aexec_riscv_sbi_set_timer(uint64_t at)
{
    if (has(AEXEC_RISCV_HAS_TIME))
        sbi_call(SBI_EXT_TIME, 0, (unsigned long)at, 0, 0);
    else
        sbi_legacy(SBI_EXT_LEGACY_SET_TIMER, (unsigned long)at);
}

long aexec_riscv_sbi_send_ipi(unsigned long hartid)
{
    const unsigned long bits = 8u * sizeof(unsigned long);
    if (has(AEXEC_RISCV_HAS_IPI))
        return sbi_call(SBI_EXT_IPI, 0, 1ul << (hartid % bits), hartid / bits * bits, 0).error;
    /* The legacy mask is a bit vector in memory, starting at hart 0. */
    if (hartid >= LEGACY_MASK_WORDS * bits)
        return SBI_ERR_NOT_SUPPORTED;
    unsigned long mask[LEGACY_MASK_WORDS];
    for (unsigned i = 0; i < LEGACY_MASK_WORDS; i++)
        mask[i] = i == hartid / bits ? 1ul << (hartid % bits) : 0;
    return sbi_legacy(SBI_EXT_LEGACY_SEND_IPI, (unsigned long)mask);
}

void aexec_riscv_sbi_putchar(int c)
{
    sbi_legacy(SBI_EXT_LEGACY_PUTCHAR, (unsigned long)c);
}

/*
 * In .data, not .bss: a hart may read its slot in the boot entry, and
 * nothing about the boot hart's .bss clearing should decide what it sees.
 */
__attribute__((section(
    ".data"))) struct aexec_riscv_hart_request aexec_riscv_hart_requests[AEXEC_RISCV_MAX_HARTS];

long aexec_riscv_sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque)
{
    if (!has(AEXEC_RISCV_HAS_HSM))
        return SBI_ERR_NOT_SUPPORTED;
    struct aexec_riscv_hart_request *req =
        hartid < AEXEC_RISCV_MAX_HARTS ? &aexec_riscv_hart_requests[hartid] : 0;
    if (req) {
        req->opaque = opaque;
        req->entry = start;
        /* The firmware releases the hart after this: it must see both words. */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    long err = sbi_call(SBI_EXT_HSM, 0, hartid, start, opaque).error;
    if (err != 0 && req)
        req->entry = 0; /* not started: nothing for a later arrival to take */
    return err;
}

_Noreturn void aexec_riscv_sbi_shutdown(void)
{
    if (has(AEXEC_RISCV_HAS_SRST))
        sbi_call(SBI_EXT_SRST, 0, 0 /* shutdown */, 0 /* no reason */, 0);
    sbi_legacy(SBI_EXT_LEGACY_SHUTDOWN, 0);
    for (;;)
        __asm__ __volatile__("wfi");
}
