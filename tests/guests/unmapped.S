/* unmapped: prints a line, then writes to guest-physical 0x100000 (FFFF:0010
 * in real mode), just past the VM's 1 MB of RAM, where no device is either.
 * The nested page fault cannot be emulated: the VMM must stop this VM with
 * the address and the guest state in its reason (fail-stop). */
#include "common.inc"
    .code16
    .text
start:
    setup_segments
    init_com1
    mov $message, %si
    call puts
    mov $0xffff, %ax
    mov %ax, %es
    movb $0x5a, %es:0x10
    exit_with 1 /* not reached */

    define_puts
message: .asciz "unmapped: writing to 0x100000\r\n"

    reset_vector start
