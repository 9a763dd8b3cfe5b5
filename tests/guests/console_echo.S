/* console_echo: the text console's test guest (CGA_VIDEO + CURSES_CONSOLE).
 * Draws a coloured screen in the text buffer at 0xB8000, scrolls it by one
 * row through the CRTC start address (so buffer row 0, "SCROLLED AWAY", is
 * no longer shown and the title is screen row 0), puts the hardware cursor
 * at screen row 4, column 0, says "console_echo ready" on COM1, then
 * echoes keys: it polls the 8042 (0x64 bit 0, data at 0x60), turns set-1
 * make codes of letters, digits, space and Enter into characters (Shift
 * gives capitals) and writes them in yellow at the cursor, moving the
 * cursor as a terminal does. Esc ends the VM with status 0. */
#include "common.inc"
    .code16
    .text

.set SCREEN_ROW0, 80            /* the start address: buffer row 1 is shown first */
.set ECHO_ROW, 4                /* screen row where echoed keys start */

start:
    setup_segments
    init_com1
    mov $0xb800, %ax
    mov %ax, %es

    /* Clear the whole 32 KiB buffer to grey-on-black spaces. */
    xor %di, %di
    mov $0x0720, %ax
    mov $0x4000, %cx
    cld
    rep stosw

    /* Buffer row 0: shown only until the scroll below. */
    xor %di, %di
    mov $0x4f, %ah
    mov $gone, %si
    call put_string

    /* Buffer row 1 (screen row 0): the title, white on blue. */
    mov $160, %di
    mov $0x1f, %ah
    mov $title, %si
    call put_string

    /* Screen row 1: the 16 foreground colours on black, "0".."F". */
    mov $320, %di
    xor %bx, %bx
1:  mov hexdigits(%bx), %al
    mov %bl, %ah
    stosw
    inc %bx
    cmp $16, %bx
    jb 1b

    /* Screen row 2: the 8 background colours, blank cells. */
    mov $480, %di
    xor %bx, %bx
2:  mov %bl, %ah
    shl $4, %ah
    mov $' ', %al
    stosw
    inc %bx
    cmp $8, %bx
    jb 2b

    /* Scroll by one row: CRTC start address = 80 characters. */
    mov $0x3d4, %dx
    mov $0x0c, %al
    out %al, %dx
    inc %dx
    mov $(SCREEN_ROW0 >> 8), %al
    out %al, %dx
    dec %dx
    mov $0x0d, %al
    out %al, %dx
    inc %dx
    mov $(SCREEN_ROW0 & 0xff), %al
    out %al, %dx

    /* The cursor: screen row ECHO_ROW, column 0 (%bp counts characters
     * from the start of the buffer). */
    mov $(SCREEN_ROW0 + ECHO_ROW * 80), %bp
    call set_cursor

    mov $ready, %si
    call puts
    xor %bl, %bl                /* shift state */

poll:
    mov $0x64, %dx
    in %dx, %al
    test $0x01, %al
    jz poll
    mov $0x60, %dx
    in %dx, %al
    cmp $0x01, %al              /* Esc */
    je done
    cmp $0x2a, %al              /* left/right Shift make */
    je shift_down
    cmp $0x36, %al
    je shift_down
    cmp $0xaa, %al              /* left/right Shift break */
    je shift_up
    cmp $0xb6, %al
    je shift_up
    test $0x80, %al             /* other breaks, and E0/E1 prefixes */
    jnz poll
    cmp $0x1c, %al              /* Enter */
    je newline
    cmp $0x39, %al
    ja poll
    xor %ah, %ah
    mov %ax, %si
    mov keymap(%si), %al
    test %al, %al
    jz poll
    test %bl, %bl
    jz 3f
    cmp $'a', %al
    jb 3f
    cmp $'z', %al
    ja 3f
    sub $0x20, %al
3:  mov %bp, %di
    shl $1, %di
    mov $0x0e, %ah              /* yellow on black */
    stosw
    inc %bp
    call set_cursor
    jmp poll

shift_down:
    mov $1, %bl
    jmp poll
shift_up:
    xor %bl, %bl
    jmp poll

newline:
    /* Next row, column 0. */
    mov %bp, %ax
    sub $SCREEN_ROW0, %ax
    xor %dx, %dx
    mov $80, %cx
    div %cx
    inc %ax
    mul %cx
    add $SCREEN_ROW0, %ax
    mov %ax, %bp
    call set_cursor
    jmp poll

done:
    exit_with 0

/* CRTC cursor location (0x0E high, 0x0F low) := %bp. Clobbers %al, %dx. */
set_cursor:
    mov $0x3d4, %dx
    mov $0x0e, %al
    out %al, %dx
    inc %dx
    mov %bp, %ax
    mov %ah, %al
    out %al, %dx
    dec %dx
    mov $0x0f, %al
    out %al, %dx
    inc %dx
    mov %bp, %ax
    out %al, %dx
    ret

/* Writes the NUL-terminated string at %si with attribute %ah at %es:%di. */
put_string:
    lodsb
    test %al, %al
    jz 4f
    stosw
    jmp put_string
4:  ret

    define_puts

gone:
    .asciz "SCROLLED AWAY"
title:
    .asciz "Palacios console_echo: type, and the keys appear below"
ready:
    .asciz "console_echo ready\r\n"
hexdigits:
    .ascii "0123456789ABCDEF"
/* Set-1 make codes 0x00-0x39 to lower-case ASCII; 0 = not echoed. */
keymap:
    .byte 0, 0, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', 0, 0
    .byte 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', 0, 0, 'a', 's'
    .byte 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0, '\\', 'z', 'x', 'c', 'v'
    .byte 'b', 'n', 'm', ',', '.', '/', 0, '*', 0, ' '

    reset_vector start
