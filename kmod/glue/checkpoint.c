// SPDX-License-Identifier: GPL-2.0
/* V3_VM_SAVE / V3_VM_LOAD (uapi/v3vee_chkpt.h): the core's checkpoint stream
 * (v3_save_vm, v3_load_vm) carried to and from a file descriptor of the
 * caller with kernel_write/kernel_read, so the checkpoint's store is
 * whatever userspace opened: a file on this host, or a pipe or socket the
 * agent forwards to another host. Guest RAM goes straight between the
 * guest's pages and the descriptor; nothing is buffered here. */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <v3/vmm.h>

#include "guests.h"

struct v3_chkpt_stream {
	struct file *file;
	loff_t pos;
};

static long v3_chkpt_write(void *ctx, const void *data, unsigned long size)
{
	struct v3_chkpt_stream *s = ctx;

	while (size) {
		ssize_t n;

		if (fatal_signal_pending(current))
			return -EINTR;
		n = kernel_write(s->file, data, size, &s->pos);
		if (n < 0)
			return n;
		if (n == 0)
			return -EIO;
		data = (const u8 *)data + n;
		size -= n;
		cond_resched();
	}
	return 0;
}

static long v3_chkpt_read(void *ctx, void *data, unsigned long size)
{
	struct v3_chkpt_stream *s = ctx;

	if (fatal_signal_pending(current))
		return -EINTR;
	cond_resched();
	return kernel_read(s->file, data, size, &s->pos);
}

long v3_vm_ioctl_checkpoint(struct v3_guest *guest, unsigned int cmd,
			    struct v3_chkpt __user *arg)
{
	const bool save = cmd == V3_VM_SAVE;
	struct v3_chkpt_stream stream = {};
	struct v3_chkpt *req;
	unsigned long long done = 0;
	long rc;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	if (copy_from_user(req, arg, sizeof(*req))) {
		rc = -EFAULT;
		goto out;
	}
	memset(req->error, 0, sizeof(req->error));
	req->bytes = 0;
	if (req->flags) {
		strscpy(req->error, "flags must be 0", sizeof(req->error));
		rc = -EINVAL;
		goto reply;
	}
	stream.file = fget(req->fd);
	if (!stream.file) {
		strscpy(req->error, "the checkpoint's file descriptor is not open",
			sizeof(req->error));
		rc = -EBADF;
		goto reply;
	}
	if (!(stream.file->f_mode & (save ? FMODE_WRITE : FMODE_READ))) {
		strscpy(req->error,
			save ? "the checkpoint's file descriptor is not open for writing"
			     : "the checkpoint's file descriptor is not open for reading",
			sizeof(req->error));
		rc = -EBADF;
		goto put;
	}
	stream.pos = stream.file->f_pos;
	if (save)
		rc = v3_save_vm(guest->vm, v3_chkpt_write, &stream, &done, req->error,
				sizeof(req->error));
	else
		rc = v3_load_vm(guest->vm, v3_chkpt_read, &stream, &done, req->error,
				sizeof(req->error));
	if (!(stream.file->f_mode & FMODE_STREAM))
		stream.file->f_pos = stream.pos;
	req->bytes = done;
put:
	fput(stream.file);
reply:
	if (copy_to_user(arg, req, sizeof(*req)))
		rc = -EFAULT;
out:
	kfree(req);
	return rc;
}
