/* The text console's wire format: what a descriptor from
 * V3_VM_CONSOLE_CONNECT (v3vee.h) reads and accepts. The same bytes travel
 * unchanged through the agent, so the kernel, libv3ctl's decoder, the tools
 * and the window all read this one definition. Fixed-width little-endian
 * fields, no implicit padding.
 *
 * Reading: a sequence of messages, each a struct v3_console_msg header and
 * `length` payload bytes. A read returns whole messages only and returns at
 * least one when any is pending, provided the buffer holds
 * V3_CONSOLE_READ_MIN bytes (a smaller buffer gets EINVAL). poll() reports
 * POLLIN while updates are pending.
 *
 * What a connection sees: on connect, MODE, then CELLS for every row, then
 * CURSOR, then FRAME_END. After that, whenever the guest changes the screen,
 * CELLS for the changed runs, CURSOR if it moved or changed shape, and
 * FRAME_END. Updates are not queued per guest write: the console keeps a
 * dirty mark per row for each connection and sends the rows' current
 * contents, so a slow reader never loses the screen, it only skips
 * intermediate states. Between two FRAME_ENDs the viewer has a consistent
 * picture once it has applied everything up to the second one.
 *
 * Writing: PC keyboard scan codes, set 1, one byte each, exactly what an
 * 8042 with translation hands a PC (make code; break = make | 0x80; 0xE0
 * and 0xE1 prefixes as on hardware). They reach the guest through the
 * KEYBOARD device as IRQ 1. A write takes as many bytes as the keyboard's
 * queue has room for and returns that count (EAGAIN when it is full and the
 * descriptor is non-blocking).
 *
 * When the VM is freed, reads return ENODEV and poll() reports
 * POLLERR|POLLHUP, as for streams.
 *
 * Plain C without includes (unsigned char / unsigned short are 8 and 16
 * bits on every Linux ABI), so the freestanding core that produces the
 * messages includes it too. */
#ifndef V3VEE_CONSOLE_UAPI_H
#define V3VEE_CONSOLE_UAPI_H

#define V3_CONSOLE_READ_MIN 4096

/* Message types (v3_console_msg.type). */
#define V3_CONSOLE_MSG_MODE 1      /* struct v3_console_mode */
#define V3_CONSOLE_MSG_CELLS 2     /* struct v3_console_cells + count cells */
#define V3_CONSOLE_MSG_CURSOR 3    /* struct v3_console_cursor */
#define V3_CONSOLE_MSG_FRAME_END 4 /* no payload */

struct v3_console_msg {
    unsigned char type;     /* V3_CONSOLE_MSG_* */
    unsigned char reserved; /* 0 */
    unsigned short length;  /* payload bytes that follow this header */
};

/* MODE flags. */
#define V3_CONSOLE_BLINK (1u << 0) /* attribute bit 7 blinks (else: bright background) */

/* The screen's geometry; sent first and again whenever it changes (then
 * every row follows as CELLS). */
struct v3_console_mode {
    unsigned short cols;  /* 80 for CGA text */
    unsigned short rows;  /* 25 */
    unsigned short flags; /* V3_CONSOLE_* */
    unsigned short reserved;
};

/* One cell as in the CGA text buffer: the character (code page 437) and
 * its attribute (bits 0-3 foreground, 4-6 background, 7 blink or bright
 * background per V3_CONSOLE_BLINK). */
struct v3_console_cell {
    unsigned char ch;
    unsigned char attr;
};

/* `count` consecutive cells of one row starting at `col`; col + count <=
 * cols. The cells follow this struct in the payload. */
struct v3_console_cells {
    unsigned short row;
    unsigned short col;
    unsigned short count;
    unsigned short reserved;
};

/* The hardware cursor: position and shape (the CRTC's cursor start and end
 * scan lines, 0-31, in a character cell of `cell_height` lines). */
struct v3_console_cursor {
    unsigned short row;
    unsigned short col;
    unsigned char visible;
    unsigned char start_line;
    unsigned char end_line;
    unsigned char cell_height;
};

#endif /* V3VEE_CONSOLE_UAPI_H */
