/* Access checks of the module's devices (access.c). */
#ifndef V3VEE_ACCESS_H
#define V3VEE_ACCESS_H

#include <linux/types.h>
#include <linux/uidgid.h>

/* The group of module parameter gid=N, when one is set and valid. */
bool v3_access_group(kgid_t *group);
/* Create VMs and reserve guest memory: CAP_SYS_ADMIN or the group. */
bool v3_may_manage_vms(void);
/* Lifecycle of one VM: its creator or CAP_SYS_ADMIN. */
bool v3_may_control_vm(kuid_t creator);

#endif
