// SPDX-License-Identifier: GPL-2.0
/* Host physical ranges the administrator granted to guests' <memmap>
 * passthrough regions: the module parameter passthrough=SIZE@START[,...]
 * (sizes and addresses take K/M/G suffixes, as memmap= does).
 *
 * A passthrough region gives a guest unmediated access to host physical
 * memory, so the image cannot be what decides which memory that is. Only
 * ranges listed here are mapped, and a range the kernel uses as System RAM
 * (which holds kernel text, data and every page it allocates) is refused
 * when granted and again whenever a VM asks for it. The intended grant is a
 * range the host's kernel command line set aside with memmap=SIZE$START.
 *
 * The parameter is root-only in sysfs (0600), and writing it needs
 * CAP_SYS_RAWIO, the capability that guards raw physical memory (/dev/mem).
 * Changing the grants does not unmap regions of VMs already created. */
#include <linux/capability.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "v3vee_glue.h"

#define V3_MAX_PASSTHROUGH_GRANTS 16

struct v3_passthrough_grant {
	u64 start;
	u64 size;
};

static DEFINE_MUTEX(v3_grants_lock);
static struct v3_passthrough_grant v3_grants[V3_MAX_PASSTHROUGH_GRANTS];
static unsigned int v3_grant_count;

static bool v3_range_is_system_ram(u64 start, u64 size)
{
	return region_intersects(start, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	       REGION_DISJOINT;
}

/* One "SIZE@START" item into *grant, or a negative errno after logging
 * what is wrong with it. */
static int v3_parse_grant(char *item, struct v3_passthrough_grant *grant)
{
	char *at, *end;

	grant->size = memparse(item, &at);
	if (at == item || *at != '@') {
		pr_err("v3vee: passthrough=: '%s' is not SIZE@START (e.g. 16M@0x40000000)\n",
		       item);
		return -EINVAL;
	}
	grant->start = memparse(at + 1, &end);
	if (end == at + 1 || *end) {
		pr_err("v3vee: passthrough=: '%s' is not SIZE@START (e.g. 16M@0x40000000)\n",
		       item);
		return -EINVAL;
	}
	if (grant->size == 0 || !PAGE_ALIGNED(grant->size) || !PAGE_ALIGNED(grant->start) ||
	    grant->start + grant->size < grant->start) {
		pr_err("v3vee: passthrough=: '%s' must be a non-empty, page-aligned range below 2^64\n",
		       item);
		return -EINVAL;
	}
	if (v3_range_is_system_ram(grant->start, grant->size)) {
		pr_err("v3vee: passthrough=: 0x%llx-0x%llx is System RAM the host's kernel uses; "
		       "grant only a range reserved with memmap=SIZE$START on the kernel command line\n",
		       grant->start, grant->start + grant->size - 1);
		return -EINVAL;
	}
	return 0;
}

/* Replaces every grant, or none when any item is wrong. */
static int v3_grants_set(const char *value, const struct kernel_param *kp)
{
	struct v3_passthrough_grant parsed[V3_MAX_PASSTHROUGH_GRANTS];
	unsigned int count = 0, i;
	char *copy, *cursor, *item;
	int rc = 0;

	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	copy = kstrdup(value, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cursor = strim(copy);
	while ((item = strsep(&cursor, ",")) != NULL) {
		if (!*item)
			continue;
		if (count == V3_MAX_PASSTHROUGH_GRANTS) {
			pr_err("v3vee: passthrough=: more than %d ranges\n",
			       V3_MAX_PASSTHROUGH_GRANTS);
			rc = -EINVAL;
			break;
		}
		rc = v3_parse_grant(item, &parsed[count]);
		if (rc)
			break;
		count++;
	}
	kfree(copy);
	if (rc)
		return rc;

	mutex_lock(&v3_grants_lock);
	memcpy(v3_grants, parsed, count * sizeof(parsed[0]));
	v3_grant_count = count;
	mutex_unlock(&v3_grants_lock);
	for (i = 0; i < count; i++)
		pr_info("v3vee: passthrough granted: host physical 0x%llx-0x%llx\n", parsed[i].start,
			parsed[i].start + parsed[i].size - 1);
	return 0;
}

static int v3_grants_get(char *buffer, const struct kernel_param *kp)
{
	unsigned int i;
	int len = 0;

	mutex_lock(&v3_grants_lock);
	for (i = 0; i < v3_grant_count; i++)
		len += scnprintf(buffer + len, PAGE_SIZE - len, "%s0x%llx@0x%llx", i ? "," : "",
				 v3_grants[i].size, v3_grants[i].start);
	mutex_unlock(&v3_grants_lock);
	len += scnprintf(buffer + len, PAGE_SIZE - len, "\n");
	return len;
}

static const struct kernel_param_ops v3_grants_ops = {
	.set = v3_grants_set,
	.get = v3_grants_get,
};

module_param_cb(passthrough, &v3_grants_ops, NULL, 0600);
MODULE_PARM_DESC(passthrough,
		 "host physical ranges guests may map through <memmap>: SIZE@START[,...], "
		 "reserved with memmap= (never System RAM)");

/* The host service the core asks before mapping a passthrough region. The
 * System RAM check is repeated because memory hotplug can change the map
 * after the grant was made. */
int v3_passthrough_allowed(v3_paddr_t start, v3_u64 size)
{
	bool granted = false;
	unsigned int i;

	if (size == 0 || start + size < start)
		return -EINVAL;
	if (v3_range_is_system_ram(start, size))
		return -EBUSY;
	mutex_lock(&v3_grants_lock);
	for (i = 0; i < v3_grant_count && !granted; i++)
		granted = start >= v3_grants[i].start && size <= v3_grants[i].size &&
			  start - v3_grants[i].start <= v3_grants[i].size - size;
	mutex_unlock(&v3_grants_lock);
	return granted ? 0 : -EPERM;
}
