// SPDX-License-Identifier: GPL-2.0
/* /proc/v3vee: v3-guests lists "NAME /dev/v3-vmN" per created VM, the format
 * the original Palacios GUI reads; v3-status has one line of details per VM
 * (state, cores, memory, uptime, exits, reason). */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "access.h"
#include "guests.h"
#include "v3vee_glue.h"

static struct proc_dir_entry *v3_proc_dir;

static int v3_guests_proc_show(struct seq_file *s, void *unused)
{
	v3_guests_show(s);
	return 0;
}

static int v3_status_proc_show(struct seq_file *s, void *unused)
{
	v3_guests_show_status(s);
	return 0;
}

int v3_procfs_create(void)
{
	struct proc_dir_entry *guests, *status;
	kgid_t group;
	umode_t mode;

	v3_proc_dir = proc_mkdir("v3vee", NULL);
	if (!v3_proc_dir) {
		pr_err("v3vee: cannot create /proc/v3vee\n");
		return -ENOMEM;
	}
	/* VM names, states and error reasons are the group's business only. */
	mode = v3_access_group(&group) ? 0440 : 0400;
	guests = proc_create_single("v3-guests", mode, v3_proc_dir, v3_guests_proc_show);
	status = proc_create_single("v3-status", mode, v3_proc_dir, v3_status_proc_show);
	if (!guests || !status) {
		pr_err("v3vee: cannot create the files in /proc/v3vee\n");
		proc_remove(v3_proc_dir);
		v3_proc_dir = NULL;
		return -ENOMEM;
	}
	if (mode == 0440) {
		proc_set_user(guests, GLOBAL_ROOT_UID, group);
		proc_set_user(status, GLOBAL_ROOT_UID, group);
		proc_set_user(v3_proc_dir, GLOBAL_ROOT_UID, group);
	}
	return 0;
}

void v3_procfs_destroy(void)
{
	proc_remove(v3_proc_dir);
	v3_proc_dir = NULL;
}
