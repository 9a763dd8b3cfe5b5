/* 100,000 CPUID exits. */
.macro LOOP_BODY
    xor %eax, %eax
    cpuid
.endm
.macro LABEL_STRING
    .asciz "cpuid_cycles="
.endm
#include "bench_loop.inc"
