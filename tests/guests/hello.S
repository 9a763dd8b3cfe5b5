/* hello: prints a greeting on COM1 and exits with status 0. */
#include "common.inc"
    .code16
    .text
start:
    setup_segments
    init_com1
    mov $message, %si
    call puts
    exit_with 0

    define_puts
message:
    .asciz "Hello from a Palacios guest!\r\n"

    reset_vector start
