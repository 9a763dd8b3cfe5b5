// SPDX-License-Identifier: GPL-2.0
/* Who may do what through the module's devices. The device nodes' mode is
 * the first gate (0600 root, or 0660 with the group of gid=: see
 * v3_node_devnode in control_device.c); these in-kernel checks hold even
 * when a node was made world-writable:
 *
 * - creating a VM (which may map granted host memory) and reserving guest
 *   memory need CAP_SYS_ADMIN or membership of the group gid=N;
 * - a VM records its creator's effective uid, and only that user or a
 *   CAP_SYS_ADMIN caller may launch, pause, continue, stop, free it or
 *   connect to its streams; the group may read its state;
 * - /proc/v3vee/ is readable by root only (0400), or by the group (0440)
 *   when gid= is set. */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/uidgid.h>

#include "access.h"

static int v3_access_gid = -1;
module_param_named(gid, v3_access_gid, int, 0444);
MODULE_PARM_DESC(gid, "group whose members may create and run VMs without CAP_SYS_ADMIN "
		      "(-1: none; set the device nodes' group to the same with udev)");

bool v3_access_group(kgid_t *group)
{
	kgid_t gid;

	if (v3_access_gid < 0)
		return false;
	gid = make_kgid(&init_user_ns, v3_access_gid);
	if (!gid_valid(gid))
		return false;
	if (group)
		*group = gid;
	return true;
}

bool v3_may_manage_vms(void)
{
	kgid_t group;

	if (capable(CAP_SYS_ADMIN))
		return true;
	return v3_access_group(&group) && in_group_p(group);
}

bool v3_may_control_vm(kuid_t creator)
{
	return uid_eq(current_euid(), creator) || capable(CAP_SYS_ADMIN);
}
