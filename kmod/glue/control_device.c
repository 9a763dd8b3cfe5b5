// SPDX-License-Identifier: GPL-2.0
/* /dev/v3vee: the global control device, a character device of the module's
 * own class "v3vee". Minor 0 is the control device; later minors are the
 * per-VM devices /dev/v3-vmN. */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include <v3/vmm.h>

#include <uapi/v3vee.h>
#include "access.h"
#include "guests.h"
#include "v3vee_glue.h"

#define V3_MAX_MINORS (V3_MAX_GUESTS + 1) /* control device + the VMs */

static dev_t v3_devt;
static struct class *v3_class;
static struct cdev v3_control_cdev;
static struct device *v3_control_dev;

/* Owner-only: whoever can open these can run code in ring 0's VMM. With
 * gid= the module's group may open them too (its members still pass the
 * checks of access.c for each operation). A device type rather than the
 * class provides this because only a type's devnode can set the group. */
static char *v3_node_devnode(struct device *dev, umode_t *mode, kuid_t *uid, kgid_t *gid)
{
	kgid_t group;

	if (mode)
		*mode = 0600;
	if (v3_access_group(&group)) {
		if (mode)
			*mode = 0660;
		if (gid)
			*gid = group;
	}
	return NULL;
}

static const struct device_type v3_node_type = {
	.name = "v3vee",
	.devnode = v3_node_devnode,
};

static void v3_node_release(struct device *dev)
{
	kfree(dev);
}

/* device_create() with the module's device type: /dev/NAME for devt.
 * Removed with device_destroy(class, devt) like any class device. */
struct device *v3_node_create(struct class *class, dev_t devt, const char *name)
{
	struct device *dev;
	int rc;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	device_initialize(dev);
	dev->devt = devt;
	dev->class = class;
	dev->type = &v3_node_type;
	dev->release = v3_node_release;
	rc = dev_set_name(dev, "%s", name);
	if (!rc)
		rc = device_add(dev);
	if (rc) {
		put_device(dev);
		return ERR_PTR(rc);
	}
	return dev;
}

static long v3_ioctl_host_info(void __user *arg)
{
	struct v3_host_info out;
	struct v3_hw_info hw;
	int rc;

	BUILD_BUG_ON(V3_HW_SVM != V3_FEATURE_SVM);
	BUILD_BUG_ON(V3_HW_NESTED_PAGING != V3_FEATURE_NESTED_PAGING);
	BUILD_BUG_ON(V3_HW_NRIP_SAVE != V3_FEATURE_NRIP_SAVE);
	BUILD_BUG_ON(V3_HW_VMCB_CLEAN != V3_FEATURE_VMCB_CLEAN);
	BUILD_BUG_ON(V3_HW_DECODE_ASSISTS != V3_FEATURE_DECODE_ASSISTS);

	memset(&out, 0, sizeof(out));
	rc = v3_get_hw_info(&hw);
	if (rc)
		return rc;
	out.abi_version = V3_ABI_VERSION;
	out.features = hw.features; /* same bits, checked above */
	out.svm_revision = hw.svm_revision;
	out.num_asids = hw.num_asids;
	out.cpus_possible = hw.cpus_possible;
	out.cpus_enabled = hw.cpus_enabled;
	out.num_guests = v3_guest_count();
	out.max_guests = V3_MAX_GUESTS;
	v3_pool_stats(&out.guest_memory_total, &out.guest_memory_free);
	v3_core_memory_stats(&out.core_allocations, &out.core_pages);
	strscpy(out.module_version, V3VEE_MODULE_VERSION, sizeof(out.module_version));
	strscpy(out.kernel_release, utsname()->release, sizeof(out.kernel_release));
	return copy_to_user(arg, &out, sizeof(out)) ? -EFAULT : 0;
}

static long v3_ioctl_add_memory(struct v3_add_memory __user *uarg)
{
	struct v3_add_memory args;
	int rc;

	if (!v3_may_manage_vms())
		return -EPERM; /* guest memory is host memory taken from everyone */
	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.bytes == 0 || args.bytes > (1ULL << 40))
		return -EINVAL;
	rc = v3_pool_add(args.bytes, &args.added, &args.host_available, &args.host_floor);
	if (copy_to_user(uarg, &args, sizeof(args)))
		return -EFAULT;
	return args.added ? 0 : rc;
}

static long v3_ioctl_release_memory(struct v3_release_memory __user *uarg)
{
	struct v3_release_memory args;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	args.released = v3_pool_release(args.bytes);
	return copy_to_user(uarg, &args, sizeof(args)) ? -EFAULT : 0;
}

static long v3_control_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case V3_HOST_INFO:
		return v3_ioctl_host_info((void __user *)arg);
	case V3_CREATE_GUEST:
		return v3_guest_create((void __user *)arg);
	case V3_FREE_GUEST:
		return v3_guest_free(arg);
	case V3_ADD_MEMORY:
		return v3_ioctl_add_memory((void __user *)arg);
	case V3_RELEASE_MEMORY:
		return v3_ioctl_release_memory((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations v3_control_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = v3_control_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

int v3_control_device_create(void)
{
	int rc;

	rc = alloc_chrdev_region(&v3_devt, 0, V3_MAX_MINORS, "v3vee");
	if (rc) {
		pr_err("v3vee: cannot allocate device numbers (%d)\n", rc);
		return rc;
	}
	v3_class = class_create(THIS_MODULE, "v3vee");
	if (IS_ERR(v3_class)) {
		rc = PTR_ERR(v3_class);
		pr_err("v3vee: cannot create device class (%d)\n", rc);
		goto fail_region;
	}

	cdev_init(&v3_control_cdev, &v3_control_fops);
	v3_control_cdev.owner = THIS_MODULE;
	rc = cdev_add(&v3_control_cdev, MKDEV(MAJOR(v3_devt), 0), 1);
	if (rc) {
		pr_err("v3vee: cannot add the control device (%d)\n", rc);
		goto fail_class;
	}
	v3_control_dev = v3_node_create(v3_class, MKDEV(MAJOR(v3_devt), 0), "v3vee");
	if (IS_ERR(v3_control_dev)) {
		rc = PTR_ERR(v3_control_dev);
		pr_err("v3vee: cannot create /dev/v3vee (%d)\n", rc);
		goto fail_cdev;
	}
	v3_guests_init(v3_devt, v3_class);
	return 0;

fail_cdev:
	cdev_del(&v3_control_cdev);
fail_class:
	class_destroy(v3_class);
fail_region:
	unregister_chrdev_region(v3_devt, V3_MAX_MINORS);
	return rc;
}

void v3_control_device_destroy(void)
{
	v3_guests_exit();
	device_destroy(v3_class, MKDEV(MAJOR(v3_devt), 0));
	cdev_del(&v3_control_cdev);
	class_destroy(v3_class);
	unregister_chrdev_region(v3_devt, V3_MAX_MINORS);
}
