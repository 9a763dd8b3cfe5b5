// SPDX-License-Identifier: GPL-2.0
/* VMs on the Linux side: V3_CREATE_GUEST / V3_FREE_GUEST, one character
 * device /dev/v3-vmN per VM with the lifecycle ioctls, and the table behind
 * /proc/v3vee/v3-guests. Every argument from userspace is copied and checked
 * before use. */
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/mm.h>

#include <v3/vmm.h>

#include "access.h"
#include "guests.h"
#include "v3vee_glue.h"

static DEFINE_MUTEX(v3_guests_lock);
static struct v3_guest *v3_guests[V3_MAX_GUESTS];
static dev_t v3_guests_devt;
static struct class *v3_guests_class;

static void v3_guest_release(struct kref *ref)
{
	struct v3_guest *guest = container_of(ref, struct v3_guest, ref);

	if (guest->vm)
		v3_free_vm(guest->vm);
	v3_streams_release(guest);
	v3_console_release(guest);
	kvfree(guest->image);
	kfree(guest);
}

void v3_guest_get(struct v3_guest *guest)
{
	kref_get(&guest->ref);
}

void v3_guest_put(struct v3_guest *guest)
{
	kref_put(&guest->ref, v3_guest_release);
}

static bool v3_valid_name(const char *name)
{
	/* The one rule for names (uapi/v3vee_names.h); without a NUL in the
	 * buffer the length is V3_NAME_MAX, which the rule refuses. */
	return v3_name_problem(name, strnlen(name, V3_NAME_MAX)) == NULL;
}

bool v3_guest_is_dead(struct v3_guest *guest)
{
	bool dead;

	mutex_lock(&guest->lock);
	dead = guest->dead;
	mutex_unlock(&guest->lock);
	return dead;
}

/* Called with guest->lock held and the guest alive. */
static long v3_vm_ioctl_info(struct v3_guest *guest, struct v3_vm_info __user *arg)
{
	struct v3_vm_status status;
	struct v3_vm_info *info;
	long rc;

	BUILD_BUG_ON(V3_EXIT_REASONS != V3_EXIT_REASON_COUNT);
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	rc = v3_get_vm_status(guest->vm, &status);
	if (!rc) {
		memcpy(info->name, guest->name, sizeof(info->name));
		info->index = guest->index;
		info->state = status.state;
		info->exit_code = status.exit_code;
		info->num_cores = status.num_cores;
		info->memory_bytes = status.memory_bytes;
		info->uptime_ns = status.uptime_ns;
		info->exits_total = status.exits_total;
		memcpy(info->exits, status.exits, sizeof(info->exits));
		strscpy(info->reason, status.reason, sizeof(info->reason));
		rc = copy_to_user(arg, info, sizeof(*info)) ? -EFAULT : 0;
	}
	kfree(info);
	return rc;
}

static long v3_vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct v3_guest *guest = file->private_data;
	long rc;

	/* Reading a VM's state is for everyone allowed to manage VMs; acting
	 * on it (and its consoles) only for its creator or an administrator. */
	if (cmd == V3_VM_INFO ? !v3_may_manage_vms() && !v3_may_control_vm(guest->creator)
			      : !v3_may_control_vm(guest->creator))
		return -EPERM;
	if (cmd == V3_VM_STREAM_CONNECT)
		return v3_stream_connect(guest, (void __user *)arg);
	if (cmd == V3_VM_CONSOLE_CONNECT)
		return v3_console_connect(guest);

	if (mutex_lock_killable(&guest->lock))
		return -EINTR;
	if (guest->dead) {
		/* V3_FREE_GUEST ran while this file stayed open. */
		mutex_unlock(&guest->lock);
		return -ENODEV;
	}
	switch (cmd) {
	case V3_VM_INFO:
		rc = v3_vm_ioctl_info(guest, (void __user *)arg);
		break;
	case V3_VM_LAUNCH:
		rc = v3_launch_vm(guest->vm);
		break;
	case V3_VM_PAUSE:
		rc = v3_pause_vm(guest->vm);
		break;
	case V3_VM_CONTINUE:
		rc = v3_continue_vm(guest->vm);
		break;
	case V3_VM_STOP:
		rc = v3_stop_vm(guest->vm);
		break;
	case V3_VM_SAVE:
	case V3_VM_LOAD:
		rc = v3_vm_ioctl_checkpoint(guest, cmd, (void __user *)arg);
		break;
	default:
		rc = -ENOTTY;
		break;
	}
	mutex_unlock(&guest->lock);
	return rc;
}

/* The guest is found by the cdev the inode was opened through, not by the
 * minor alone: an inode of a freed VM (reopened through /proc/PID/fd, say)
 * must not reach the VM that took its index since. */
static int v3_vm_open(struct inode *inode, struct file *file)
{
	struct v3_guest *guest = NULL;
	int index = iminor(inode) - 1;

	if (index < 0 || index >= V3_MAX_GUESTS)
		return -ENODEV;
	mutex_lock(&v3_guests_lock);
	if (v3_guests[index] && v3_guests[index]->slot_state == V3_GUEST_LIVE &&
	    v3_guests[index]->cdev == inode->i_cdev) {
		guest = v3_guests[index];
		v3_guest_get(guest);
	}
	mutex_unlock(&v3_guests_lock);
	if (!guest)
		return -ENODEV;
	file->private_data = guest;
	return 0;
}

static int v3_vm_release(struct inode *inode, struct file *file)
{
	v3_guest_put(file->private_data);
	return 0;
}

static const struct file_operations v3_vm_fops = {
	.owner = THIS_MODULE,
	.open = v3_vm_open,
	.release = v3_vm_release,
	.unlocked_ioctl = v3_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Reserves a slot (BUILDING) for a VM named `name`; the index, or -EEXIST /
 * -ENOSPC with `error` filled in. A dying VM's name may be reused at once:
 * its device is named by index, not by name. */
static int v3_guest_reserve_slot(struct v3_guest *guest, char *error, size_t error_size)
{
	int index = -1, i;

	mutex_lock(&v3_guests_lock);
	for (i = 0; i < V3_MAX_GUESTS; i++) {
		struct v3_guest *other = v3_guests[i];

		if (other && other->slot_state != V3_GUEST_DYING &&
		    !strcmp(other->name, guest->name)) {
			mutex_unlock(&v3_guests_lock);
			snprintf(error, error_size, "a VM named '%s' already exists (/dev/v3-vm%d)",
				 guest->name, i);
			return -EEXIST;
		}
		if (!other && index < 0)
			index = i;
	}
	if (index < 0) {
		mutex_unlock(&v3_guests_lock);
		snprintf(error, error_size,
			 "the module holds %d VMs already (some may still be shutting down); free one first",
			 V3_MAX_GUESTS);
		return -ENOSPC;
	}
	guest->index = index;
	guest->slot_state = V3_GUEST_BUILDING;
	v3_guests[index] = guest;
	mutex_unlock(&v3_guests_lock);
	return index;
}

static void v3_guest_release_slot(int index)
{
	mutex_lock(&v3_guests_lock);
	v3_guests[index] = NULL;
	mutex_unlock(&v3_guests_lock);
}

/* /dev/v3-vmN for a built VM; on success the slot becomes LIVE. */
static int v3_guest_publish(struct v3_guest *guest)
{
	dev_t devt = MKDEV(MAJOR(v3_guests_devt), guest->index + 1);
	char node[16];
	int rc;

	guest->cdev = cdev_alloc();
	if (!guest->cdev)
		return -ENOMEM;
	guest->cdev->ops = &v3_vm_fops;
	guest->cdev->owner = THIS_MODULE;
	rc = cdev_add(guest->cdev, devt, 1);
	if (rc)
		goto fail_cdev;
	snprintf(node, sizeof(node), "v3-vm%d", guest->index);
	guest->dev = v3_node_create(v3_guests_class, devt, node);
	if (IS_ERR(guest->dev)) {
		rc = PTR_ERR(guest->dev);
		guest->dev = NULL;
		goto fail_cdev;
	}
	mutex_lock(&v3_guests_lock);
	guest->slot_state = V3_GUEST_LIVE;
	mutex_unlock(&v3_guests_lock);
	return 0;

fail_cdev:
	cdev_del(guest->cdev); /* drops the only reference: nobody opened it */
	guest->cdev = NULL;
	return rc;
}

long v3_guest_create(struct v3_create_guest __user *uarg)
{
	struct v3_create_guest *args;
	struct v3_guest *guest = NULL;
	int index, rc;

	args = kzalloc(sizeof(*args), GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	if (copy_from_user(args, uarg, sizeof(*args))) {
		kfree(args);
		return -EFAULT;
	}
	args->name[V3_NAME_MAX - 1] = 0;
	memset(args->error, 0, sizeof(args->error));
	if (!v3_may_manage_vms()) {
		kgid_t group;

		if (v3_access_group(&group))
			snprintf(args->error, sizeof(args->error),
				 "creating a VM needs CAP_SYS_ADMIN or membership of group %u (v3vee.ko gid=)",
				 from_kgid_munged(current_user_ns(), group));
		else
			snprintf(args->error, sizeof(args->error),
				 "creating a VM needs CAP_SYS_ADMIN (load v3vee.ko with gid=N to admit group N)");
		rc = -EPERM;
		goto report;
	}
	if (!v3_valid_name(args->name)) {
		snprintf(args->error, sizeof(args->error),
			 "the VM name must be 1-31 characters of A-Z a-z 0-9 _ . -");
		rc = -EINVAL;
		goto report;
	}
	if (args->image_size == 0 || args->image_size > V3_IMAGE_MAX) {
		snprintf(args->error, sizeof(args->error),
			 "the image is %llu bytes; it must be 1 byte to %llu MB",
			 args->image_size, V3_IMAGE_MAX >> 20);
		rc = -EINVAL;
		goto report;
	}

	/* Only a few creates copy and build at once, so a burst of calls
	 * cannot hold several maximal images in kernel memory together. */
	rc = v3_create_slot_get();
	if (rc)
		goto out;

	guest = kzalloc(sizeof(*guest), GFP_KERNEL_ACCOUNT);
	if (!guest) {
		rc = -ENOMEM;
		goto out_slot;
	}
	kref_init(&guest->ref);
	mutex_init(&guest->lock);
	INIT_LIST_HEAD(&guest->streams);
	spin_lock_init(&guest->streams_lock);
	memcpy(guest->name, args->name, V3_NAME_MAX);
	guest->creator = current_euid();

	/* The name and a free index first: refusing a duplicate costs no copy. */
	index = v3_guest_reserve_slot(guest, args->error, sizeof(args->error));
	if (index < 0) {
		rc = index;
		goto out_guest;
	}
	rc = v3_image_copy_from_user(u64_to_user_ptr(args->image), args->image_size, &guest->image,
				     args->error, sizeof(args->error));
	if (!rc)
		rc = v3_create_vm(guest->image, args->image_size, guest->name, guest, &guest->vm,
				  args->error, sizeof(args->error));
	if (!rc)
		rc = v3_guest_publish(guest);
	if (rc) {
		v3_guest_release_slot(index);
		goto out_guest;
	}
	v3_create_slot_put();
	kfree(args);
	return index;

out_guest:
	v3_guest_put(guest); /* frees the VM (if built), streams and image */
out_slot:
	v3_create_slot_put();
report:
	if (copy_to_user(uarg->error, args->error, sizeof(args->error)))
		rc = -EFAULT;
out:
	kfree(args);
	return rc;
}

/* Tears a VM down: marks it dead (open files get -ENODEV from now on),
 * stops its cores, wakes stream readers and writers, removes /dev/v3-vmN,
 * and only then gives the index back. The memory goes with the last
 * reference: the table's, dropped here, or the last open file's. */
static void v3_guest_remove(struct v3_guest *guest)
{
	mutex_lock(&guest->lock);
	guest->dead = true;
	v3_stop_vm(guest->vm); /* joins the core threads; -EINVAL if never launched */
	mutex_unlock(&guest->lock);
	v3_streams_mark_dead(guest);
	v3_console_mark_dead(guest);

	device_destroy(v3_guests_class, MKDEV(MAJOR(v3_guests_devt), guest->index + 1));
	cdev_del(guest->cdev); /* open files keep the cdev itself until they close */
	v3_guest_release_slot(guest->index);
	v3_guest_put(guest);
}

long v3_guest_free(unsigned long index)
{
	struct v3_guest *guest;

	if (index >= V3_MAX_GUESTS)
		return -EINVAL;
	mutex_lock(&v3_guests_lock);
	guest = v3_guests[index];
	if (!guest || guest->slot_state != V3_GUEST_LIVE) {
		mutex_unlock(&v3_guests_lock);
		return -ENOENT;
	}
	if (!v3_may_control_vm(guest->creator)) {
		mutex_unlock(&v3_guests_lock);
		return -EPERM;
	}
	guest->slot_state = V3_GUEST_DYING; /* a second free now gets -ENOENT */
	mutex_unlock(&v3_guests_lock);
	v3_guest_remove(guest);
	return 0;
}

unsigned int v3_guest_count(void)
{
	unsigned int count = 0;
	int i;

	mutex_lock(&v3_guests_lock);
	for (i = 0; i < V3_MAX_GUESTS; i++)
		count += v3_guests[i] && v3_guests[i]->slot_state == V3_GUEST_LIVE;
	mutex_unlock(&v3_guests_lock);
	return count;
}

void v3_guests_show(struct seq_file *s)
{
	int i;

	mutex_lock(&v3_guests_lock);
	for (i = 0; i < V3_MAX_GUESTS; i++)
		if (v3_guests[i] && v3_guests[i]->slot_state == V3_GUEST_LIVE)
			seq_printf(s, "%s /dev/v3-vm%d\n", v3_guests[i]->name, i);
	mutex_unlock(&v3_guests_lock);
}

void v3_guests_show_status(struct seq_file *s)
{
	struct v3_vm_status *status;
	int i;

	status = kmalloc(sizeof(*status), GFP_KERNEL);
	if (!status)
		return;
	seq_puts(s, "# name device state cores memory_mb uptime_ms exits reason\n");
	mutex_lock(&v3_guests_lock);
	for (i = 0; i < V3_MAX_GUESTS; i++) {
		struct v3_guest *guest = v3_guests[i];

		if (!guest || guest->slot_state != V3_GUEST_LIVE ||
		    v3_get_vm_status(guest->vm, status))
			continue;
		seq_printf(s, "%s /dev/v3-vm%d %s %u %llu %llu %llu %s\n", guest->name, i,
			   v3_vm_state_name(status->state),
			   status->num_cores, (unsigned long long)(status->memory_bytes >> 20),
			   (unsigned long long)(status->uptime_ns / 1000000),
			   (unsigned long long)status->exits_total,
			   status->reason[0] ? status->reason : "-");
	}
	mutex_unlock(&v3_guests_lock);
	kfree(status);
}

int v3_guests_init(dev_t devt, struct class *class)
{
	v3_guests_devt = devt;
	v3_guests_class = class;
	v3_image_intake_init();
	return 0;
}

/* At unload no file of ours is open (each holds a module reference), so
 * every VM left is LIVE and this drops its last reference. */
void v3_guests_exit(void)
{
	int i;

	for (i = 0; i < V3_MAX_GUESTS; i++)
		v3_guest_free(i);
}
