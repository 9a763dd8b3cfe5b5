/* spin: loops forever printing a counter every 2^20 iterations; it never
 * exits by itself (for pause, continue, stop and concurrency tests). */
#include "common.inc"
    .code16
    .text
start:
    setup_segments
    init_com1
    mov $message, %si
    call puts
    xor %di, %di
outer:
    mov $16, %bp
1:  xor %cx, %cx
2:  loop 2b
    dec %bp
    jnz 1b
    inc %di
    mov $beat, %si
    call puts
    mov %di, %ax
    call print_decimal
    mov $newline, %si
    call puts
    jmp outer

    define_puts
    define_print_decimal
message: .asciz "spin: running\r\n"
beat: .asciz "beat "
newline: .asciz "\r\n"

    reset_vector start
