/* The user ABI of v3vee.ko: every ioctl number and argument struct lives here
 * and only here. Included by the kernel glue and by every userspace program
 * (libv3ctl, the v3 tools, the GUI). Layouts use fixed-width types and
 * explicit padding so 32- and 64-bit userspace agree. */
#ifndef V3VEE_UAPI_H
#define V3VEE_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define V3_ABI_VERSION 1

/* Device nodes and proc files the module creates. */
#define V3_CONTROL_DEVICE "/dev/v3vee"
#define V3_PROC_DIR "/proc/v3vee"
#define V3_PROC_GUESTS "/proc/v3vee/v3-guests" /* "NAME /dev/v3-vmN" per line */

#define V3_IOCTL_MAGIC 0xF3

/* Hardware features (v3_host_info.features). */
#define V3_FEATURE_SVM (1u << 0)
#define V3_FEATURE_NESTED_PAGING (1u << 1)
#define V3_FEATURE_NRIP_SAVE (1u << 2)
#define V3_FEATURE_VMCB_CLEAN (1u << 3)
#define V3_FEATURE_DECODE_ASSISTS (1u << 4)

/* V3_HOST_INFO on /dev/v3vee: what the module found and enabled. */
struct v3_host_info {
    __u32 abi_version;   /* V3_ABI_VERSION of the loaded module */
    __u32 features;      /* V3_FEATURE_* */
    __u32 svm_revision;  /* CPUID 0x8000000A EAX[7:0] */
    __u32 num_asids;     /* CPUID 0x8000000A EBX */
    __u32 cpus_possible; /* host CPU ids 0..cpus_possible-1 */
    __u32 cpus_enabled;  /* CPUs with SVM enabled by the module */
    __u32 num_guests;    /* VMs currently created */
    __u32 reserved0;
    char module_version[32]; /* NUL-terminated */
    char kernel_release[64]; /* the host's uname -r, NUL-terminated */
};

/* Global commands on /dev/v3vee use numbers 0x00-0x3f; per-VM commands on
 * /dev/v3-vmN use 0x40-0x7f (V3_CREATE_GUEST, V3_ADD_MEMORY, V3_VM_LAUNCH and
 * the rest are added here as they are implemented). */
#define V3_HOST_INFO _IOR(V3_IOCTL_MAGIC, 0x01, struct v3_host_info)

#endif /* V3VEE_UAPI_H */
