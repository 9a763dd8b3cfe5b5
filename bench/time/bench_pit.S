/* PIT accuracy (issue 10, 8(c)): the 8254 at 1 kHz (mode 2, count 1193:
 * 1000.15 Hz) through the 8259A; the IRQ 0 handler counts and the main loop
 * sleeps in HLT between ticks. At the first tick it prints "S", after 1,000
 * more "E", then "tsc=<hex>" (the guest's TSC cycles between the two), and
 * exits through the test-exit port. The runners timestamp S and E on the
 * host: 1,000 ticks should take 0.99985 s of host time. */
#include "../../tests/guests/common.inc"
    .set TICKS, 1000
    .set COUNTER, 0x500 /* in segment 0 */
    .code16
    .text
start:
    setup_segments
    init_com1
    xor %ax, %ax
    mov %ax, %es
    movw $irq0, %es:(0x20 * 4)
    movw $0xf000, %es:(0x20 * 4 + 2)
    movw $0, %es:COUNTER
    /* 8259A: vectors 0x20/0x28, cascade on IRQ 2, only IRQ 0 unmasked. */
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
    /* 8254 channel 0, lobyte/hibyte, mode 2, count 1193 = 0x04a9. */
    mov $0x34, %al
    out %al, $0x43
    mov $0xa9, %al
    out %al, $0x40
    mov $0x04, %al
    out %al, $0x40
    sti
1:  hlt
    cmpw $1, %es:COUNTER
    jb 1b
    rdtsc
    mov %eax, %esi
    mov %edx, %edi
    mov $'S', %al
    call putc
2:  hlt
    cmpw $TICKS + 1, %es:COUNTER
    jb 2b
    rdtsc
    sub %esi, %eax
    sbb %edi, %edx
    push %eax
    push %edx
    mov $'E', %al
    call putc
    mov $label, %si
    call puts
    pop %ebx
    call print_hex32
    pop %ebx
    call print_hex32
    mov $newline, %si
    call puts
    cli
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

/* Sends %al on COM1 once the transmitter is empty. Clobbers %ah, %dx. */
putc:
    mov %al, %ah
1:  mov $COM1 + 5, %dx
    in %dx, %al
    test $0x20, %al
    jz 1b
    mov %ah, %al
    mov $COM1, %dx
    out %al, %dx
    ret

/* Prints %ebx as 8 hex digits. Clobbers %eax, %ebx, %cx, %dx. */
print_hex32:
    mov $8, %cx
2:  rol $4, %ebx
    mov %bl, %al
    and $0x0f, %al
    add $'0', %al
    cmp $'9', %al
    jbe 3f
    add $('a' - '9' - 1), %al
3:  call putc
    loop 2b
    ret

    define_puts
label: .asciz "\r\ntsc="
newline: .asciz "\r\n"

    reset_vector start
