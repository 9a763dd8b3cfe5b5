/* triple: prints a line, then loads an empty IDT and raises an exception:
 * the exception cannot be delivered, nor can #DF, so the CPU shuts down
 * (a triple fault). The VMM must stop this VM, and only this VM. */
#include "common.inc"
    .code16
    .text
start:
    setup_segments
    init_com1
    mov $message, %si
    call puts
    lidt empty_idt
    int3
    exit_with 1 /* not reached */

    define_puts
message: .asciz "triple: faulting now\r\n"
empty_idt:
    .word 0
    .long 0

    reset_vector start
