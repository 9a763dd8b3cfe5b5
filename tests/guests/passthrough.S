/* passthrough: reads and writes the host memory its <memmap> region maps at
 * guest physical 0xC0000. The host puts "HOST" at the region's first dword
 * before launch; the guest checks it, writes "GUES" into the second dword
 * for the host to read back, and exits with status 0 when it saw the host's
 * value, 1 otherwise. */
#include "common.inc"
    .set REGION_SEGMENT, 0xc000
    .code16
    .text
start:
    setup_segments
    init_com1
    mov $REGION_SEGMENT, %ax
    mov %ax, %es
    movl %es:0x00, %eax
    movl $0x53455547, %es:0x04 /* "GUES" */
    cmpl $0x54534f48, %eax     /* "HOST" */
    jne failed
    mov $seen, %si
    call puts
    exit_with 0
failed:
    mov $unseen, %si
    call puts
    exit_with 1

    define_puts
seen: .asciz "passthrough: read the host's value\r\n"
unseen: .asciz "passthrough: the host's value is not there\r\n"

    reset_vector start
