// SPDX-License-Identifier: GPL-2.0
/* /proc/v3vee: v3-guests lists "NAME /dev/v3-vmN" per created VM, the format
 * the original Palacios GUI reads; v3-status has one line of details per VM
 * (state, cores, memory, uptime, exits, reason). */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

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
	v3_proc_dir = proc_mkdir("v3vee", NULL);
	if (!v3_proc_dir) {
		pr_err("v3vee: cannot create /proc/v3vee\n");
		return -ENOMEM;
	}
	if (!proc_create_single("v3-guests", 0444, v3_proc_dir, v3_guests_proc_show) ||
	    !proc_create_single("v3-status", 0444, v3_proc_dir, v3_status_proc_show)) {
		pr_err("v3vee: cannot create the files in /proc/v3vee\n");
		proc_remove(v3_proc_dir);
		v3_proc_dir = NULL;
		return -ENOMEM;
	}
	return 0;
}

void v3_procfs_destroy(void)
{
	proc_remove(v3_proc_dir);
	v3_proc_dir = NULL;
}
