// SPDX-License-Identifier: GPL-2.0
/* Module entry and exit: bring up the VMM core on every CPU, then publish the
 * control device and the proc files; tear down in reverse order. */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

#include <v3/vmm.h>

#include "v3vee_glue.h"

static int __init v3vee_init(void)
{
	struct v3_hw_info info;
	int rc;

	/* The core checks for SVM, enables it on each CPU and logs why if not. */
	rc = v3_init(&v3_linux_host_services);
	if (rc) {
		pr_err("v3vee: not loaded (error %d)\n", rc);
		return rc;
	}

	rc = v3_control_device_create();
	if (rc)
		goto fail_core;
	rc = v3_procfs_create();
	if (rc)
		goto fail_device;

	v3_get_hw_info(&info);
	pr_info("v3vee: loaded, version %s, SVM enabled on %u CPU(s)\n", V3VEE_MODULE_VERSION,
		info.cpus_enabled);
	return 0;

fail_device:
	v3_control_device_destroy();
fail_core:
	v3_shutdown();
	return rc;
}

static void __exit v3vee_exit(void)
{
	v3_procfs_destroy();
	v3_control_device_destroy();
	v3_shutdown();
	v3_pool_release_all();
	pr_info("v3vee: unloaded\n");
}

module_init(v3vee_init);
module_exit(v3vee_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Palacios developers");
MODULE_DESCRIPTION("Palacios virtual machine monitor (AMD SVM)");
MODULE_VERSION(V3VEE_MODULE_VERSION);
