// SPDX-License-Identifier: GPL-2.0
/* The text console of a VM (a CURSES_CONSOLE device) on the Linux side.
 * The core hands over the whole screen when it changes (console_update,
 * at most 50 times a second); userspace connects with
 * V3_VM_CONSOLE_CONNECT and reads the wire format of uapi/v3vee_console.h.
 * Each connection keeps a copy of what it last sent, so updates are the
 * difference between that copy and the current screen: a slow reader
 * skips intermediate states but never loses the screen, and several
 * connections each see every change. Writes queue set-1 scan codes that the
 * core takes as the keyboard has room. A console file keeps its VM's memory
 * alive; once the VM is freed, reads get -ENODEV and poll POLLERR|POLLHUP. */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <uapi/v3vee_console.h>
#include <v3/host.h>

#include "guests.h"

#define V3_CONSOLE_COLS 80
#define V3_CONSOLE_ROWS 25
#define V3_CONSOLE_CELL_BYTES (V3_CONSOLE_COLS * V3_CONSOLE_ROWS * 2)
#define V3_CONSOLE_KEYS 256

struct v3_console {
	struct v3_guest *guest;
	spinlock_t lock;
	struct v3_console_state state; /* state.cells unused: see cells */
	u8 cells[V3_CONSOLE_CELL_BYTES];
	bool have_screen; /* the core has handed over a screen */
	u8 keys[V3_CONSOLE_KEYS]; /* host -> guest scan codes */
	size_t keys_head, keys_len;
	wait_queue_head_t wait;
	bool core_closed; /* the VM no longer uses the console */
	bool vm_dead;
};

/* One open descriptor. */
struct v3_console_conn {
	struct v3_console *console;
	struct mutex read_lock; /* one reader builds into `out` at a time */
	bool mode_sent;
	bool cursor_sent;
	bool frame_open; /* something was sent since the last FRAME_END */
	u32 full_rows;   /* rows to send whole (bit per row): after MODE */
	unsigned short mode_flags; /* the MODE flags last sent */
	struct v3_console_state sent; /* the mode and cursor last sent */
	u8 sent_cells[V3_CONSOLE_CELL_BYTES];
	u8 out[V3_CONSOLE_READ_MIN * 2]; /* messages built under the lock */
};

void *v3_host_console_open(void *host_vm)
{
	struct v3_guest *guest = host_vm;
	struct v3_console *console;

	if (guest->console)
		return NULL; /* one per VM: the core's validation already says so */
	console = kzalloc(sizeof(*console), GFP_KERNEL);
	if (!console)
		return NULL;
	console->guest = guest;
	spin_lock_init(&console->lock);
	init_waitqueue_head(&console->wait);
	guest->console = console;
	return console;
}

void v3_host_console_update(void *handle, const struct v3_console_state *state)
{
	struct v3_console *console = handle;
	unsigned long flags;

	if (state->cols != V3_CONSOLE_COLS || state->rows != V3_CONSOLE_ROWS)
		return; /* only the CGA's 80x25 exists */
	spin_lock_irqsave(&console->lock, flags);
	memcpy(console->cells, state->cells, V3_CONSOLE_CELL_BYTES);
	console->state = *state;
	console->state.cells = NULL;
	console->have_screen = true;
	spin_unlock_irqrestore(&console->lock, flags);
	wake_up_interruptible(&console->wait);
}

unsigned long v3_host_console_read_keys(void *handle, unsigned char *codes, unsigned long size)
{
	struct v3_console *console = handle;
	unsigned long n = 0;
	unsigned long flags;

	spin_lock_irqsave(&console->lock, flags);
	while (n < size && console->keys_len) {
		codes[n++] = console->keys[console->keys_head];
		console->keys_head = (console->keys_head + 1) % V3_CONSOLE_KEYS;
		console->keys_len--;
	}
	spin_unlock_irqrestore(&console->lock, flags);
	if (n)
		wake_up_interruptible(&console->wait); /* writers waiting for room */
	return n;
}

void v3_host_console_close(void *handle)
{
	struct v3_console *console = handle;
	unsigned long flags;

	spin_lock_irqsave(&console->lock, flags);
	console->core_closed = true;
	spin_unlock_irqrestore(&console->lock, flags);
	wake_up_interruptible_all(&console->wait);
}

void v3_console_mark_dead(struct v3_guest *guest)
{
	struct v3_console *console = guest->console;
	unsigned long flags;

	if (!console)
		return;
	spin_lock_irqsave(&console->lock, flags);
	console->vm_dead = true;
	spin_unlock_irqrestore(&console->lock, flags);
	wake_up_interruptible_all(&console->wait);
}

/* Called when the guest's last reference goes, after the VM was freed. */
void v3_console_release(struct v3_guest *guest)
{
	kfree(guest->console);
	guest->console = NULL;
}

static bool v3_cursor_differs(const struct v3_console_state *a, const struct v3_console_state *b)
{
	return a->cursor_row != b->cursor_row || a->cursor_col != b->cursor_col ||
	       a->cursor_visible != b->cursor_visible || a->cursor_start != b->cursor_start ||
	       a->cursor_end != b->cursor_end || a->cell_height != b->cell_height;
}

/* The first and last differing column of `row`, or false when it is the same. */
static bool v3_row_run(const struct v3_console_conn *conn, unsigned int row, unsigned int *first,
		       unsigned int *last)
{
	const u8 *now = conn->console->cells + row * V3_CONSOLE_COLS * 2;
	const u8 *sent = conn->sent_cells + row * V3_CONSOLE_COLS * 2;
	int lo = 0, hi = V3_CONSOLE_COLS - 1;

	while (lo <= hi && !memcmp(now + lo * 2, sent + lo * 2, 2))
		lo++;
	if (lo > hi)
		return false;
	while (!memcmp(now + hi * 2, sent + hi * 2, 2))
		hi--;
	*first = lo;
	*last = hi;
	return true;
}

/* Whether a read would return something now. Console lock held. */
static bool v3_console_pending(const struct v3_console_conn *conn)
{
	const struct v3_console *console = conn->console;

	if (!console->have_screen)
		return false;
	return !conn->mode_sent || conn->frame_open || conn->full_rows ||
	       conn->mode_flags != console->state.flags ||
	       v3_cursor_differs(&console->state, &conn->sent) ||
	       memcmp(console->cells, conn->sent_cells, V3_CONSOLE_CELL_BYTES);
}

static bool v3_console_pending_unlocked(struct v3_console_conn *conn)
{
	unsigned long flags;
	bool pending;

	spin_lock_irqsave(&conn->console->lock, flags);
	pending = v3_console_pending(conn);
	spin_unlock_irqrestore(&conn->console->lock, flags);
	return pending;
}

static size_t v3_put_msg(u8 *out, size_t at, unsigned int type, const void *payload,
			 size_t length, const void *extra, size_t extra_length)
{
	struct v3_console_msg header = {
		.type = type,
		.length = length + extra_length,
	};

	memcpy(out + at, &header, sizeof(header));
	at += sizeof(header);
	if (length)
		memcpy(out + at, payload, length);
	at += length;
	if (extra_length)
		memcpy(out + at, extra, extra_length);
	return at + extra_length;
}

/* Builds as many whole messages as fit in `room` bytes into conn->out and
 * marks them sent. Console lock held. */
static size_t v3_console_build(struct v3_console_conn *conn, size_t room)
{
	struct v3_console *console = conn->console;
	const size_t header = sizeof(struct v3_console_msg);
	size_t at = 0;
	unsigned int row, first, last;

	if (conn->mode_sent && conn->mode_flags != console->state.flags)
		conn->mode_sent = false; /* the blink mode changed: MODE again */
	if (!conn->mode_sent) {
		struct v3_console_mode mode = {
			.cols = V3_CONSOLE_COLS,
			.rows = V3_CONSOLE_ROWS,
			.flags = console->state.flags,
		};

		if (at + header + sizeof(mode) > room)
			return at;
		at = v3_put_msg(conn->out, at, V3_CONSOLE_MSG_MODE, &mode, sizeof(mode), NULL, 0);
		/* MODE means every row and the cursor follow. */
		conn->full_rows = (1u << V3_CONSOLE_ROWS) - 1;
		conn->mode_sent = true;
		conn->cursor_sent = false;
		conn->mode_flags = console->state.flags;
		conn->frame_open = true;
	}
	for (row = 0; row < V3_CONSOLE_ROWS; row++) {
		struct v3_console_cells cells;
		size_t bytes;

		if (conn->full_rows & (1u << row)) {
			first = 0;
			last = V3_CONSOLE_COLS - 1;
		} else if (!v3_row_run(conn, row, &first, &last)) {
			continue;
		}
		cells.row = row;
		cells.col = first;
		cells.count = last - first + 1;
		cells.reserved = 0;
		bytes = cells.count * 2;
		if (at + header + sizeof(cells) + bytes > room)
			return at;
		at = v3_put_msg(conn->out, at, V3_CONSOLE_MSG_CELLS, &cells, sizeof(cells),
				console->cells + (row * V3_CONSOLE_COLS + first) * 2, bytes);
		memcpy(conn->sent_cells + (row * V3_CONSOLE_COLS + first) * 2,
		       console->cells + (row * V3_CONSOLE_COLS + first) * 2, bytes);
		conn->full_rows &= ~(1u << row);
		conn->frame_open = true;
	}
	if (!conn->cursor_sent || v3_cursor_differs(&console->state, &conn->sent)) {
		struct v3_console_cursor cursor = {
			.row = console->state.cursor_row,
			.col = console->state.cursor_col,
			.visible = console->state.cursor_visible,
			.start_line = console->state.cursor_start,
			.end_line = console->state.cursor_end,
			.cell_height = console->state.cell_height,
		};

		if (at + header + sizeof(cursor) > room)
			return at;
		at = v3_put_msg(conn->out, at, V3_CONSOLE_MSG_CURSOR, &cursor, sizeof(cursor), NULL,
				0);
		conn->sent = console->state;
		conn->cursor_sent = true;
		conn->frame_open = true;
	}
	if (conn->frame_open) {
		if (at + header > room)
			return at;
		at = v3_put_msg(conn->out, at, V3_CONSOLE_MSG_FRAME_END, NULL, 0, NULL, 0);
		conn->frame_open = false;
	}
	return at;
}

static ssize_t v3_console_read_locked(struct file *file, struct v3_console_conn *conn,
				      char __user *buf, size_t count);

static ssize_t v3_console_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	struct v3_console_conn *conn = file->private_data;
	ssize_t built;

	if (count < V3_CONSOLE_READ_MIN)
		return -EINVAL;
	if (mutex_lock_interruptible(&conn->read_lock))
		return -ERESTARTSYS;
	built = v3_console_read_locked(file, conn, buf, count);
	mutex_unlock(&conn->read_lock);
	return built;
}

static ssize_t v3_console_read_locked(struct file *file, struct v3_console_conn *conn,
				      char __user *buf, size_t count)
{
	struct v3_console *console = conn->console;
	unsigned long flags;
	size_t built;
	int rc;

	for (;;) {
		spin_lock_irqsave(&console->lock, flags);
		if (console->vm_dead) {
			spin_unlock_irqrestore(&console->lock, flags);
			return -ENODEV;
		}
		if (v3_console_pending(conn))
			break;
		if (console->core_closed) {
			spin_unlock_irqrestore(&console->lock, flags);
			return 0; /* the VM no longer shows a screen */
		}
		spin_unlock_irqrestore(&console->lock, flags);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		rc = wait_event_interruptible(console->wait,
					      v3_console_pending_unlocked(conn) ||
						      READ_ONCE(console->core_closed) ||
						      READ_ONCE(console->vm_dead));
		if (rc)
			return rc;
	}
	/* Lock held: build, then copy without it (conn->out is this file's). */
	built = v3_console_build(conn, min(count, sizeof(conn->out)));
	spin_unlock_irqrestore(&console->lock, flags);
	if (copy_to_user(buf, conn->out, built))
		return -EFAULT;
	return built;
}

static ssize_t v3_console_write(struct file *file, const char __user *buf, size_t count,
				loff_t *pos)
{
	struct v3_console_conn *conn = file->private_data;
	struct v3_console *console = conn->console;
	u8 chunk[V3_CONSOLE_KEYS];
	unsigned long flags;
	size_t n, i, room;

	if (count == 0)
		return 0;
	for (;;) {
		spin_lock_irqsave(&console->lock, flags);
		room = V3_CONSOLE_KEYS - console->keys_len;
		if (console->vm_dead) {
			spin_unlock_irqrestore(&console->lock, flags);
			return -ENODEV;
		}
		if (console->core_closed) {
			spin_unlock_irqrestore(&console->lock, flags);
			return -EPIPE;
		}
		spin_unlock_irqrestore(&console->lock, flags);
		if (room)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(console->wait,
					     READ_ONCE(console->keys_len) < V3_CONSOLE_KEYS ||
						     READ_ONCE(console->core_closed) ||
						     READ_ONCE(console->vm_dead)))
			return -ERESTARTSYS;
	}
	n = min(count, room);
	if (copy_from_user(chunk, buf, n))
		return -EFAULT;
	spin_lock_irqsave(&console->lock, flags);
	for (i = 0; i < n && console->keys_len < V3_CONSOLE_KEYS; i++) {
		console->keys[(console->keys_head + console->keys_len) % V3_CONSOLE_KEYS] = chunk[i];
		console->keys_len++;
	}
	spin_unlock_irqrestore(&console->lock, flags);
	return i;
}

static __poll_t v3_console_poll(struct file *file, struct poll_table_struct *wait)
{
	struct v3_console_conn *conn = file->private_data;
	struct v3_console *console = conn->console;
	__poll_t mask = 0;
	unsigned long flags;

	poll_wait(file, &console->wait, wait);
	spin_lock_irqsave(&console->lock, flags);
	if (console->vm_dead) {
		spin_unlock_irqrestore(&console->lock, flags);
		return EPOLLERR | EPOLLHUP;
	}
	if (v3_console_pending(conn))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (console->keys_len < V3_CONSOLE_KEYS)
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (console->core_closed)
		mask |= EPOLLHUP;
	spin_unlock_irqrestore(&console->lock, flags);
	return mask;
}

static int v3_console_file_release(struct inode *inode, struct file *file)
{
	struct v3_console_conn *conn = file->private_data;
	struct v3_guest *guest = conn->console->guest;

	kvfree(conn);
	v3_guest_put(guest); /* may free the console and the VM */
	return 0;
}

static const struct file_operations v3_console_fops = {
	.owner = THIS_MODULE,
	.read = v3_console_read,
	.write = v3_console_write,
	.poll = v3_console_poll,
	.release = v3_console_file_release,
	.llseek = noop_llseek,
};

long v3_console_connect(struct v3_guest *guest)
{
	struct v3_console_conn *conn;
	int fd;

	if (v3_guest_is_dead(guest))
		return -ENODEV;
	/* guest->console is set while the VM is built and stays until the
	 * guest's memory goes, which this open file holds off. */
	if (!guest->console)
		return -ENOENT;
	conn = kvzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return -ENOMEM;
	conn->console = guest->console;
	mutex_init(&conn->read_lock);
	v3_guest_get(guest); /* the console file keeps the VM's memory alive */
	fd = anon_inode_getfd("v3-console", &v3_console_fops, conn, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		kvfree(conn);
		v3_guest_put(guest);
	}
	return fd;
}
