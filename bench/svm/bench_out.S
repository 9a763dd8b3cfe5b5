/* 100,000 OUT exits to port 0x70, the CMOS index register: an in-kernel
 * device (NVRAM) under v3vee, a userspace device under the KVM runner, as a
 * QEMU device would be. */
.macro LOOP_BODY
    mov $0x0f, %al
    out %al, $0x70
.endm
.macro LABEL_STRING
    .asciz "out_cycles="
.endm
#include "bench_loop.inc"
