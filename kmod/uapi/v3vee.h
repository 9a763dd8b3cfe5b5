/* The user ABI of v3vee.ko: every ioctl number and argument struct lives here
 * and only here. Included by the kernel glue and by every userspace program
 * (libv3ctl, the v3 tools, the GUI). Layouts use fixed-width types and
 * explicit padding so 32- and 64-bit userspace agree. */
#ifndef V3VEE_UAPI_H
#define V3VEE_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#include "v3vee_chkpt.h"
#include "v3vee_console.h"
#include "v3vee_lifecycle.h"
#include "v3vee_names.h"

#define V3_ABI_VERSION 2

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
    __u32 max_guests;    /* how many VMs the module can hold */
    __u64 guest_memory_total; /* bytes reserved for guests (V3_ADD_MEMORY) */
    __u64 guest_memory_free;  /* of those, not used by any VM */
    __u64 core_allocations;   /* the VMM core's live heap allocations */
    __u64 core_pages;         /* the VMM core's live pages (VMCBs, tables, ...) */
    char module_version[32]; /* NUL-terminated */
    char kernel_release[64]; /* the host's uname -r, NUL-terminated */
};

/* V3_ADD_MEMORY: reserve `bytes` (rounded up to 2 MB blocks) for guest RAM.
 * The module never leaves the host less than `host_floor` bytes of available
 * memory (module parameter min_host_free_mb): a request that would is
 * refused with ENOMEM and nothing reserved. */
struct v3_add_memory {
    __u64 bytes;
    __u64 added;          /* out: bytes actually reserved (less when the host ran out) */
    __u64 host_available; /* out: the host's available memory when asked */
    __u64 host_floor;     /* out: what the module keeps free for the host */
};

/* V3_RELEASE_MEMORY: give up to `bytes` (0: all) of the reserved memory that
 * no VM uses back to the host. */
struct v3_release_memory {
    __u64 bytes;
    __u64 released; /* out */
};

#define V3_NAME_MAX 32 /* VM and stream names, including the NUL */
#define V3_ERROR_MAX 256
#define V3_IMAGE_MAX (512ULL << 20) /* largest image V3_CREATE_GUEST accepts */

/* V3_CREATE_GUEST: the ioctl's return value is the new VM's index N
 * (/dev/v3-vmN). On failure `error` says why in one sentence. */
struct v3_create_guest {
    __u64 image;      /* user pointer to the image built by build_vm */
    __u64 image_size; /* bytes, at most V3_IMAGE_MAX */
    char name[V3_NAME_MAX]; /* [A-Za-z0-9_.-], 1-31 characters, unique */
    char error[V3_ERROR_MAX]; /* out */
};

/* VM states (v3_vm_info.state) and the operations each allows:
 * v3vee_lifecycle.h (included above). */

/* Exit reasons (v3_vm_info.exits[]), in this order. */
#define V3_EXIT_IO 0
#define V3_EXIT_MMIO 1
#define V3_EXIT_CPUID 2
#define V3_EXIT_MSR 3
#define V3_EXIT_HLT 4
#define V3_EXIT_INTERRUPT 5
#define V3_EXIT_INTERRUPT_WINDOW 6
#define V3_EXIT_EXCEPTION 7
#define V3_EXIT_SHUTDOWN 8
#define V3_EXIT_OTHER 9
#define V3_EXIT_REASON_COUNT 10

/* V3_VM_INFO on /dev/v3-vmN. */
struct v3_vm_info {
    char name[V3_NAME_MAX];
    __u32 index;     /* N of /dev/v3-vmN */
    __u32 state;     /* V3_STATE_* (v3vee_lifecycle.h) */
    __u32 exit_code; /* status the guest wrote to its test-exit device */
    __u32 num_cores;
    __u64 memory_bytes;
    __u64 uptime_ns;
    __u64 exits_total;
    __u64 exits[V3_EXIT_REASON_COUNT];
    char reason[V3_ERROR_MAX]; /* why it stopped or failed */
};

/* V3_VM_STREAM_CONNECT: returns a file descriptor for the named stream
 * (read: guest output; write: input to the guest; poll supported). */
struct v3_stream_connect {
    char name[V3_NAME_MAX];
};

/* Global commands on /dev/v3vee use numbers 0x00-0x3f; per-VM commands on
 * /dev/v3-vmN use 0x40-0x7f. */
#define V3_HOST_INFO _IOR(V3_IOCTL_MAGIC, 0x01, struct v3_host_info)
#define V3_CREATE_GUEST _IOWR(V3_IOCTL_MAGIC, 0x02, struct v3_create_guest)
#define V3_FREE_GUEST _IO(V3_IOCTL_MAGIC, 0x03) /* argument: the VM index */
#define V3_ADD_MEMORY _IOWR(V3_IOCTL_MAGIC, 0x04, struct v3_add_memory)
#define V3_RELEASE_MEMORY _IOWR(V3_IOCTL_MAGIC, 0x05, struct v3_release_memory)

#define V3_VM_LAUNCH _IO(V3_IOCTL_MAGIC, 0x40)
#define V3_VM_PAUSE _IO(V3_IOCTL_MAGIC, 0x41)
#define V3_VM_CONTINUE _IO(V3_IOCTL_MAGIC, 0x42)
#define V3_VM_STOP _IO(V3_IOCTL_MAGIC, 0x43)
#define V3_VM_STREAM_CONNECT _IOW(V3_IOCTL_MAGIC, 0x44, struct v3_stream_connect)
#define V3_VM_INFO _IOR(V3_IOCTL_MAGIC, 0x45, struct v3_vm_info)
/* V3_VM_CONSOLE_CONNECT: returns a file descriptor for the VM's text console
 * (a CGA_VIDEO device with a CURSES_CONSOLE frontend); ENOENT when the VM has
 * none. Its wire format: v3vee_console.h. Several may be open at once. */
#define V3_VM_CONSOLE_CONNECT _IO(V3_IOCTL_MAGIC, 0x46)
/* Checkpoints through a file descriptor: v3vee_chkpt.h. */
#define V3_VM_SAVE _IOWR(V3_IOCTL_MAGIC, 0x4A, struct v3_chkpt)
#define V3_VM_LOAD _IOWR(V3_IOCTL_MAGIC, 0x4B, struct v3_chkpt)

#endif /* V3VEE_UAPI_H */
