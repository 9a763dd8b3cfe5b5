/* mmio: exercises the MMIO path (nested page fault -> instruction emulation
 * -> device) with the MMIO_TEST device at 0xD0000: reads its ID, writes and
 * reads back a scratch register with 32-, 16- and 8-bit moves, ORs, CMPs,
 * MOVZX/MOVSX and a REP STOSD into it, then exits through its EXIT register
 * with status 0 when every check held, 1 otherwise. */
#include "common.inc"
    .set MMIO_SEGMENT, 0xd000
    .code16
    .text
start:
    setup_segments
    init_com1
    mov $MMIO_SEGMENT, %ax
    mov %ax, %es
    xor %bp, %bp /* failures */

    movl %es:0x00, %eax          /* MOV r32, m32 */
    cmpl $0x4d4d3356, %eax
    je 1f
    inc %bp
1:  movl $0x12345678, %es:0x04   /* MOV m32, imm32 */
    movl %es:0x04, %ebx
    cmpl $0x12345678, %ebx
    je 1f
    inc %bp
1:  movw $0xbeef, %es:0x08       /* MOV m16, imm16 */
    orw $0x0010, %es:0x08         /* OR m16, imm16 */
    cmpw $0xbeff, %es:0x08        /* CMP m16, imm16 */
    je 1f
    inc %bp
1:  movb $0x80, %es:0x0c         /* MOV m8, imm8 */
    movzbl %es:0x0c, %ecx         /* MOVZX */
    cmpl $0x80, %ecx
    je 1f
    inc %bp
1:  movsbl %es:0x0c, %edx         /* MOVSX */
    cmpl $0xffffff80, %edx
    je 1f
    inc %bp
1:  xorl %eax, %eax
    mov $0x04, %di
    mov $3, %cx
    cld
    rep stosl                     /* REP STOSD into SCRATCH0..2 */
    movl %es:0x08, %eax
    testl %eax, %eax              /* cleared by the STOS */
    jz 1f
    inc %bp
1:  testl $0xffffffff, %es:0x14   /* TEST m32, imm32: ACCESSES is counting */
    jnz 1f
    inc %bp
1:  test %bp, %bp
    jnz failed
    mov $ok, %si
    call puts
    movl $0, %es:0x10             /* EXIT register, status 0 */
    jmp .
failed:
    mov $bad, %si
    call puts
    movl $1, %es:0x10
    jmp .

    define_puts
ok: .asciz "mmio: all checks passed\r\n"
bad: .asciz "mmio: a check failed\r\n"

    reset_vector start
