/* ticks: the PIT at 100 Hz through the 8259A; the IRQ 0 handler counts, and
 * the main loop sleeps in HLT and prints "tick N" every 100 interrupts
 * (once a second of guest time). Exits with status 0 after TICK_SECONDS. */
#include "common.inc"
    .set TICK_SECONDS, 10
    .set COUNTER, 0x500 /* in segment 0 */
    .code16
    .text
start:
    setup_segments
    init_com1
    /* IVT entry 0x20 (IRQ 0 after remapping) -> F000:irq0 */
    xor %ax, %ax
    mov %ax, %es
    movw $irq0, %es:(0x20 * 4)
    movw $0xf000, %es:(0x20 * 4 + 2)
    movw $0, %es:COUNTER
    /* 8259A: ICW1-4 on both chips, vectors 0x20/0x28, only IRQ 0 unmasked. */
    mov $0x11, %al
    out %al, $0x20
    out %al, $0xa0
    mov $0x20, %al
    out %al, $0x21
    mov $0x28, %al
    out %al, $0xa1
    mov $0x04, %al
    out %al, $0x21
    mov $0x02, %al
    out %al, $0xa1
    mov $0x01, %al
    out %al, $0x21
    out %al, $0xa1
    mov $0xfe, %al
    out %al, $0x21
    mov $0xff, %al
    out %al, $0xa1
    /* 8254 channel 0, lobyte/hibyte, mode 2, count 11932 (100 Hz). */
    mov $0x34, %al
    out %al, $0x43
    mov $0x9c, %al
    out %al, $0x40
    mov $0x2e, %al
    out %al, $0x40
    mov $started, %si
    call puts
    xor %di, %di /* seconds printed so far */
    sti
wait:
    hlt
    mov %es:COUNTER, %ax
    xor %dx, %dx
    mov $100, %bx
    div %bx
    cmp %di, %ax
    je wait
    mov %ax, %di
    mov $tick, %si
    call puts
    mov %di, %ax
    call print_decimal
    mov $newline, %si
    call puts
    cmp $TICK_SECONDS, %di
    jb wait
    cli
    mov $done, %si
    call puts
    exit_with 0

irq0:
    push %ax
    push %ds
    xor %ax, %ax
    mov %ax, %ds
    incw (COUNTER)
    mov $0x20, %al
    out %al, $0x20 /* non-specific EOI */
    pop %ds
    pop %ax
    iret

    define_puts
    define_print_decimal
started: .asciz "ticks: PIT at 100 Hz\r\n"
tick: .asciz "tick "
newline: .asciz "\r\n"
done: .asciz "ticks: done\r\n"

    reset_vector start
