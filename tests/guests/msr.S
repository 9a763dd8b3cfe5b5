/* msr: a guest that probes the local APIC and EFER the way firmware and
 * Linux do, on a PC without an APIC. Prints
 *   apic=<CPUID 1 EDX bit 9> base=<APIC_BASE bits 15:8> off_gp=<#GPs after
 *   clearing the enable bit> on_gp=<after setting it> efer_gp=<after a
 *   reserved EFER bit> sce=<EFER.SCE read back after setting it>
 * #GP counts are cumulative; the handler skips the 2-byte RDMSR/WRMSR.
 * Exits with status 0. */
#include "common.inc"
    .code16
    .text
start:
    setup_segments
    init_com1
    install_gp_counter

    mov $apic, %si
    call puts
    mov $1, %eax
    cpuid
    shr $9, %edx
    and $1, %dl
    mov %dl, %al
    call print_hex8

    mov $base, %si           /* APIC_BASE: 0xfee00100 = BSP, disabled */
    call puts
    mov $0x1b, %ecx
    rdmsr
    mov %ah, %al
    call print_hex8

    mov $off_gp, %si         /* disabling an APIC that is off: accepted */
    call puts
    mov $0x1b, %ecx
    rdmsr
    and $0xfffff7ff, %eax
    wrmsr
    mov %es:GP_COUNT, %al
    call print_hex8

    mov $on_gp, %si          /* enabling an APIC that does not exist: #GP */
    call puts
    mov $0x1b, %ecx
    rdmsr
    or $0x800, %eax
    wrmsr
    mov %es:GP_COUNT, %al
    call print_hex8

    mov $efer_gp, %si        /* EFER bit 1 is reserved: #GP */
    call puts
    mov $0xc0000080, %ecx
    rdmsr
    or $0x2, %eax
    wrmsr
    mov %es:GP_COUNT, %al
    call print_hex8

    mov $sce, %si            /* EFER.SCE is writable and reads back */
    call puts
    mov $0xc0000080, %ecx
    rdmsr
    or $0x1, %eax
    wrmsr
    rdmsr
    and $1, %al
    call print_hex8
    mov $newline, %si
    call puts
    exit_with 0

    define_gp_counter

    define_puts
    define_print_hex8
apic: .asciz "apic="
base: .asciz " base="
off_gp: .asciz " off_gp="
on_gp: .asciz " on_gp="
efer_gp: .asciz " efer_gp="
sce: .asciz " sce="
newline: .asciz "\r\n"

    reset_vector start
