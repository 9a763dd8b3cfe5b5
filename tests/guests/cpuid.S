/* cpuid: what the guest sees of the CPU and its MSRs. Prints
 *   vendor=<leaf 0 vendor> hv=<leaf 0x40000000 signature> hvbit=<1|0>
 *   svm=<0x80000001 ECX bit 2> efer_svme=<EFER bit 12> gp=<#GP count>
 * The #GP comes from RDMSR of an MSR that does not exist; the handler skips
 * the instruction. Exits with status 0. */
#include "common.inc"
    .code16
    .text
start:
    setup_segments
    init_com1
    install_gp_counter

    mov $vendor, %si
    call puts
    xor %eax, %eax
    cpuid
    push %ecx
    push %edx
    call print_chars4       /* EBX */
    pop %ebx
    call print_chars4       /* EDX */
    pop %ebx
    call print_chars4       /* ECX */

    mov $hv, %si
    call puts
    mov $0x40000000, %eax
    cpuid
    push %edx
    push %ecx
    call print_chars4
    pop %ebx
    call print_chars4
    pop %ebx
    call print_chars4

    mov $hvbit, %si
    call puts
    mov $1, %eax
    cpuid
    shr $31, %ecx
    mov %cl, %al
    call print_hex8

    mov $svm, %si
    call puts
    mov $0x80000001, %eax
    cpuid
    shr $2, %ecx
    and $1, %cl
    mov %cl, %al
    call print_hex8

    mov $efer, %si
    call puts
    mov $0xc0000080, %ecx
    rdmsr
    shr $12, %eax
    and $1, %al
    call print_hex8

    mov $0x12345678, %ecx   /* no such MSR: #GP, skipped by the handler */
    rdmsr

    mov $gp, %si
    call puts
    mov %es:GP_COUNT, %al
    call print_hex8
    mov $newline, %si
    call puts
    exit_with 0

    define_gp_counter

    define_puts
    define_print_hex8
    define_print_chars4
vendor: .asciz "vendor="
hv: .asciz " hv="
hvbit: .asciz " hvbit="
svm: .asciz " svm="
efer: .asciz " efer_svme="
gp: .asciz " gp="
newline: .asciz "\r\n"

    reset_vector start
