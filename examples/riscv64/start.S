/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * S-mode entry: the firmware jumps here with a0 = hart id, a1 = device tree.
 * SBI with HSM enters one hart and the kernel starts the others; firmware
 * without HSM enters every hart at once, so the first to swap the lottery
 * word boots and the others park in wfi (the kernel runs on one hart).
 *
 * A hart that loses the lottery may also be one the kernel started through
 * HSM that the firmware sent here instead of to the entry it was given
 * (OpenSBI 1.1 can, for a hart that had not reached its HSM wait): if
 * aexec_riscv_sbi_hart_start() left a request for this hart id, the hart
 * takes it and goes there with a0 = hart id, a1 = the requested argument.
 * The lottery word lives in .data, so clearing .bss never reopens it.
 */
    .section .text.entry, "ax"
    .globl _start
_start:
    la t0, boot_lottery
    li t1, 1
    amoswap.w t1, t1, (t0)
    bnez t1, 5f
    mv s0, a0
    mv s1, a1
    la sp, __stack_top
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  mv a0, s0
    mv a1, s1
    call kmain
3:  wfi
    j 3b
5:  li t1, 8                /* AEXEC_RISCV_MAX_HARTS */
    bgeu a0, t1, 8f
    la t0, aexec_riscv_hart_requests
    slli t1, a0, 4
    add t0, t0, t1
    amoswap.d.aq t2, zero, (t0)
    beqz t2, 8f
    ld a1, 8(t0)
    jr t2
8:  csrw sie, zero
6:  wfi
    j 6b

/* Secondary harts, started through SBI HSM: a0 = hart id, a1 = its stack top. */
    .globl _start_secondary
_start_secondary:
    mv sp, a1
    call kmain_secondary
4:  wfi
    j 4b

/* A one-hart kernel need not define kmain_secondary: a hart started anyway parks. */
    .weak kmain_secondary
kmain_secondary:
    csrw sie, zero
7:  wfi
    j 7b

/* The trap vector: save the caller-saved registers, call trap_handler(scause), sret. */
    .text
    .balign 4
    .globl trap_entry
trap_entry:
    addi sp, sp, -144
    sd ra, 0(sp)
    sd t0, 8(sp)
    sd t1, 16(sp)
    sd t2, 24(sp)
    sd t3, 32(sp)
    sd t4, 40(sp)
    sd t5, 48(sp)
    sd t6, 56(sp)
    sd a0, 64(sp)
    sd a1, 72(sp)
    sd a2, 80(sp)
    sd a3, 88(sp)
    sd a4, 96(sp)
    sd a5, 104(sp)
    sd a6, 112(sp)
    sd a7, 120(sp)
    csrr a0, scause
    call trap_handler
    ld ra, 0(sp)
    ld t0, 8(sp)
    ld t1, 16(sp)
    ld t2, 24(sp)
    ld t3, 32(sp)
    ld t4, 40(sp)
    ld t5, 48(sp)
    ld t6, 56(sp)
    ld a0, 64(sp)
    ld a1, 72(sp)
    ld a2, 80(sp)
    ld a3, 88(sp)
    ld a4, 96(sp)
    ld a5, 104(sp)
    ld a6, 112(sp)
    ld a7, 120(sp)
    addi sp, sp, 144
    sret

    .data
    .balign 4
boot_lottery:
    .word 0
