/* bench_console: the text console benchmark's guest (CGA_VIDEO +
 * CURSES_CONSOLE + KEYBOARD). In a loop it writes its TSC as 16 hex digits
 * at the start of screen row 0 (the viewer compares it with its own clock),
 * and polls the 8042: a key's make code is written as two hex digits at
 * row 1, column 0, with a count of keys at columns 3-6 (the viewer times
 * key-to-screen round trips); Space also scrolls rows 2-24 up by one with
 * memmove and fills row 24 with a new letter, so every one of those rows
 * changes (the viewer counts the bytes of that update). */
#include "../../tests/guests/common.inc"
    .code16
    .text

start:
    setup_segments
    init_com1
    mov $0xb800, %ax
    mov %ax, %es
    xor %di, %di
    mov $0x0720, %ax
    mov $2000, %cx
    cld
    rep stosw
    /* Rows 2-24: each a different letter, so a scroll changes all of them. */
    mov $2, %bx
1:  mov %bx, %ax
    mov $160, %cx
    mul %cx
    mov %ax, %di
    mov %bl, %al
    add $'A', %al
    mov $0x17, %ah
    mov $80, %cx
    rep stosw
    inc %bx
    cmp $25, %bx
    jb 1b
    xor %bp, %bp                /* keys seen */
    mov $'a', %bl               /* the next letter to scroll in */
    mov $ready, %si
    call puts

main_loop:
    rdtsc                       /* %edx:%eax */
    xor %di, %di
    mov %edx, %esi
    call put_hex32
    mov %eax, %esi
    call put_hex32
    mov $0x64, %dx
    in %dx, %al
    test $0x01, %al
    jz main_loop
    mov $0x60, %dx
    in %dx, %al
    test $0x80, %al
    jnz main_loop                    /* breaks and prefixes */
    mov %al, %cl
    movzx %al, %esi
    shl $24, %esi
    mov $160, %di
    call put_hex8
    inc %bp
    movzx %bp, %esi
    shl $16, %esi
    mov $166, %di
    call put_hex8
    call put_hex8
    cmp $0x39, %cl
    jne main_loop
    /* Scroll rows 3-24 to 2-23 (memmove within the text buffer). */
    push %ds
    mov %es, %ax
    mov %ax, %ds
    mov $320, %di
    mov $480, %si
    mov $(22 * 80), %cx
    rep movsw
    pop %ds
    mov $(24 * 160), %di
    mov %bl, %al
    mov $0x1e, %ah
    mov $80, %cx
    rep stosw
    inc %bl
    cmp $'z', %bl
    jbe main_loop
    mov $'a', %bl
    jmp main_loop

/* Writes the top byte of %esi as two hex digits at %es:%di and shifts
 * %esi left by 8. Clobbers %ax. */
put_hex8:
    push %cx
    mov $2, %cx
    jmp 2f
/* Writes %esi as eight hex digits at %es:%di. Clobbers %ax, %esi. */
put_hex32:
    push %cx
    mov $8, %cx
2:  rol $4, %esi
    mov %si, %ax
    and $0x0f, %ax
    cmp $10, %al
    jb 3f
    add $('a' - '0' - 10), %al
3:  add $'0', %al
    mov $0x07, %ah
    stosw
    loop 2b
    pop %cx
    ret

    define_puts
ready:
    .asciz "bench_console ready\r\n"

    reset_vector start
