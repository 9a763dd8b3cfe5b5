// SPDX-License-Identifier: GPL-2.0
/* Named VM streams (CHAR_STREAM devices) on the Linux side. The core writes
 * guest output into a ring that never blocks it: when the ring is full the
 * oldest bytes give way (counted), so a console attached late still sees the
 * newest output. Userspace connects with V3_VM_STREAM_CONNECT and gets a file
 * descriptor: read() returns guest output (blocking unless O_NONBLOCK),
 * write() queues input for the guest and wakes its cores (which take it
 * on their next pass),
 * poll() works for both. A stream file keeps its VM's memory alive; once the
 * VM is freed every operation on it gets -ENODEV. */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "guests.h"

#define V3_STREAM_OUT_SIZE (64 * 1024)
#define V3_STREAM_IN_SIZE 4096

struct v3_stream {
	struct list_head link;
	struct v3_guest *guest;
	char name[V3_NAME_MAX];
	spinlock_t lock;
	u8 *out; /* guest -> host ring */
	size_t out_head, out_len;
	u64 out_dropped;
	u8 in[V3_STREAM_IN_SIZE]; /* host -> guest ring */
	size_t in_head, in_len;
	wait_queue_head_t wait;
	bool connected;   /* a user file is attached */
	bool core_closed; /* the VM no longer writes */
	bool vm_dead;     /* V3_FREE_GUEST ran: the file only waits to be closed */
	/* The core's "input arrived" callback: called under `lock`, so clearing
	 * it under the lock means it no longer runs. */
	void (*input_notify)(void *arg);
	void *input_notify_arg;
};

void *v3_host_stream_open(void *host_vm, const char *name)
{
	struct v3_guest *guest = host_vm;
	struct v3_stream *stream = kzalloc(sizeof(*stream), GFP_KERNEL);

	if (!stream)
		return NULL;
	stream->out = vmalloc(V3_STREAM_OUT_SIZE);
	if (!stream->out) {
		kfree(stream);
		return NULL;
	}
	stream->guest = guest;
	strscpy(stream->name, name, sizeof(stream->name));
	spin_lock_init(&stream->lock);
	init_waitqueue_head(&stream->wait);
	spin_lock(&guest->streams_lock);
	list_add_tail(&stream->link, &guest->streams);
	spin_unlock(&guest->streams_lock);
	return stream;
}

unsigned long v3_host_stream_write(void *handle, const unsigned char *data, unsigned long size)
{
	struct v3_stream *stream = handle;
	unsigned long i;
	unsigned long flags;

	spin_lock_irqsave(&stream->lock, flags);
	for (i = 0; i < size; i++) {
		size_t tail = (stream->out_head + stream->out_len) % V3_STREAM_OUT_SIZE;

		stream->out[tail] = data[i];
		if (stream->out_len == V3_STREAM_OUT_SIZE) {
			stream->out_head = (stream->out_head + 1) % V3_STREAM_OUT_SIZE;
			stream->out_dropped++;
		} else {
			stream->out_len++;
		}
	}
	spin_unlock_irqrestore(&stream->lock, flags);
	wake_up_interruptible(&stream->wait);
	return size;
}

unsigned long v3_host_stream_read(void *handle, unsigned char *data, unsigned long size)
{
	struct v3_stream *stream = handle;
	unsigned long n = 0;
	unsigned long flags;

	spin_lock_irqsave(&stream->lock, flags);
	while (n < size && stream->in_len) {
		data[n++] = stream->in[stream->in_head];
		stream->in_head = (stream->in_head + 1) % V3_STREAM_IN_SIZE;
		stream->in_len--;
	}
	spin_unlock_irqrestore(&stream->lock, flags);
	if (n)
		wake_up_interruptible(&stream->wait); /* writers waiting for room */
	return n;
}

void v3_host_stream_set_input_notify(void *handle, void (*fn)(void *arg), void *arg)
{
	struct v3_stream *stream = handle;
	unsigned long flags;

	spin_lock_irqsave(&stream->lock, flags);
	stream->input_notify = fn;
	stream->input_notify_arg = fn ? arg : NULL;
	spin_unlock_irqrestore(&stream->lock, flags);
}

void v3_host_stream_close(void *handle)
{
	struct v3_stream *stream = handle;
	unsigned long flags;

	spin_lock_irqsave(&stream->lock, flags);
	stream->core_closed = true;
	stream->input_notify = NULL;
	spin_unlock_irqrestore(&stream->lock, flags);
	wake_up_interruptible(&stream->wait);
}

void v3_streams_mark_dead(struct v3_guest *guest)
{
	struct v3_stream *stream;
	unsigned long flags;

	spin_lock(&guest->streams_lock);
	list_for_each_entry(stream, &guest->streams, link) {
		spin_lock_irqsave(&stream->lock, flags);
		stream->vm_dead = true;
		spin_unlock_irqrestore(&stream->lock, flags);
		wake_up_interruptible_all(&stream->wait);
	}
	spin_unlock(&guest->streams_lock);
}

/* Frees every stream of a guest; called when its last reference goes. */
void v3_streams_release(struct v3_guest *guest)
{
	struct v3_stream *stream, *next;

	list_for_each_entry_safe(stream, next, &guest->streams, link) {
		list_del(&stream->link);
		vfree(stream->out);
		kfree(stream);
	}
}

static ssize_t v3_stream_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	struct v3_stream *stream = file->private_data;
	u8 chunk[256];
	ssize_t done = 0;
	unsigned long flags;
	int rc;

	if (count == 0)
		return 0;
	for (;;) {
		spin_lock_irqsave(&stream->lock, flags);
		if (stream->vm_dead) {
			spin_unlock_irqrestore(&stream->lock, flags);
			return -ENODEV;
		}
		if (stream->out_len || stream->core_closed)
			break;
		spin_unlock_irqrestore(&stream->lock, flags);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		rc = wait_event_interruptible(stream->wait,
					      READ_ONCE(stream->out_len) ||
						      READ_ONCE(stream->core_closed) ||
						      READ_ONCE(stream->vm_dead));
		if (rc)
			return rc;
	}
	/* Lock held here. Copy out in chunks, dropping the lock for copy_to_user. */
	while (done < count && stream->out_len) {
		size_t n = min3(count - done, stream->out_len, sizeof(chunk));
		size_t i;

		for (i = 0; i < n; i++)
			chunk[i] = stream->out[(stream->out_head + i) % V3_STREAM_OUT_SIZE];
		stream->out_head = (stream->out_head + n) % V3_STREAM_OUT_SIZE;
		stream->out_len -= n;
		spin_unlock_irqrestore(&stream->lock, flags);
		if (copy_to_user(buf + done, chunk, n))
			return done ? done : -EFAULT;
		done += n;
		spin_lock_irqsave(&stream->lock, flags);
	}
	spin_unlock_irqrestore(&stream->lock, flags);
	return done; /* 0 means end of stream: the VM is gone */
}

static ssize_t v3_stream_write(struct file *file, const char __user *buf, size_t count,
			       loff_t *pos)
{
	struct v3_stream *stream = file->private_data;
	u8 chunk[256];
	size_t done = 0;
	unsigned long flags;
	bool dead;

	if (count == 0)
		return 0;
	while (done < count) {
		size_t n = min(count - done, sizeof(chunk));
		size_t i, room;

		spin_lock_irqsave(&stream->lock, flags);
		room = V3_STREAM_IN_SIZE - stream->in_len;
		dead = stream->vm_dead;
		spin_unlock_irqrestore(&stream->lock, flags);
		if (dead)
			return done ? done : -ENODEV;
		if (room == 0) {
			if (done || (file->f_flags & O_NONBLOCK))
				break;
			if (wait_event_interruptible(stream->wait,
						     READ_ONCE(stream->in_len) < V3_STREAM_IN_SIZE ||
							     READ_ONCE(stream->core_closed) ||
							     READ_ONCE(stream->vm_dead)))
				return -ERESTARTSYS;
			if (READ_ONCE(stream->vm_dead))
				continue; /* answered -ENODEV above */
			if (READ_ONCE(stream->core_closed))
				return -EPIPE;
			continue;
		}
		n = min(n, room);
		if (copy_from_user(chunk, buf + done, n))
			return done ? done : -EFAULT;
		spin_lock_irqsave(&stream->lock, flags);
		for (i = 0; i < n && stream->in_len < V3_STREAM_IN_SIZE; i++) {
			stream->in[(stream->in_head + stream->in_len) % V3_STREAM_IN_SIZE] = chunk[i];
			stream->in_len++;
		}
		/* Wake the VM's cores: a halted guest takes the input now, not at
		 * its next timer tick. */
		if (i && stream->input_notify)
			stream->input_notify(stream->input_notify_arg);
		spin_unlock_irqrestore(&stream->lock, flags);
		done += i;
	}
	return done ? done : -EAGAIN;
}

static __poll_t v3_stream_poll(struct file *file, struct poll_table_struct *wait)
{
	struct v3_stream *stream = file->private_data;
	__poll_t mask = 0;
	unsigned long flags;

	poll_wait(file, &stream->wait, wait);
	spin_lock_irqsave(&stream->lock, flags);
	if (stream->vm_dead) {
		spin_unlock_irqrestore(&stream->lock, flags);
		return EPOLLERR | EPOLLHUP;
	}
	if (stream->out_len)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (stream->in_len < V3_STREAM_IN_SIZE)
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (stream->core_closed)
		mask |= EPOLLHUP;
	spin_unlock_irqrestore(&stream->lock, flags);
	return mask;
}

static int v3_stream_release(struct inode *inode, struct file *file)
{
	struct v3_stream *stream = file->private_data;
	struct v3_guest *guest = stream->guest;
	unsigned long flags;

	spin_lock_irqsave(&stream->lock, flags);
	stream->connected = false;
	spin_unlock_irqrestore(&stream->lock, flags);
	v3_guest_put(guest);
	return 0;
}

static const struct file_operations v3_stream_fops = {
	.owner = THIS_MODULE,
	.read = v3_stream_read,
	.write = v3_stream_write,
	.poll = v3_stream_poll,
	.release = v3_stream_release,
	.llseek = noop_llseek,
};

long v3_stream_connect(struct v3_guest *guest, struct v3_stream_connect __user *uarg)
{
	struct v3_stream_connect args;
	struct v3_stream *stream, *found = NULL;
	unsigned long flags;
	int fd;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	args.name[V3_NAME_MAX - 1] = 0;
	if (v3_guest_is_dead(guest))
		return -ENODEV;
	spin_lock(&guest->streams_lock);
	list_for_each_entry(stream, &guest->streams, link) {
		if (!strcmp(stream->name, args.name)) {
			found = stream;
			break;
		}
	}
	spin_unlock(&guest->streams_lock);
	if (!found)
		return -ENOENT;
	spin_lock_irqsave(&found->lock, flags);
	if (found->connected) {
		spin_unlock_irqrestore(&found->lock, flags);
		return -EBUSY;
	}
	found->connected = true;
	spin_unlock_irqrestore(&found->lock, flags);

	v3_guest_get(guest); /* the stream file keeps the VM's memory alive */
	fd = anon_inode_getfd("v3-stream", &v3_stream_fops, found, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		spin_lock_irqsave(&found->lock, flags);
		found->connected = false;
		spin_unlock_irqrestore(&found->lock, flags);
		v3_guest_put(guest);
	}
	return fd;
}
