/* The module's table of VMs and what each one holds on the Linux side. */
#ifndef V3VEE_GUESTS_H
#define V3VEE_GUESTS_H

#include <linux/cdev.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>

#include <uapi/v3vee.h>

#define V3_MAX_GUESTS 127 /* minors 1..127; minor 0 is /dev/v3vee */

struct v3_vm;
struct v3_console;
struct v3_console_state;

/* Where a VM's slot in the table is; changed only under the table's lock. */
enum v3_guest_slot_state {
	V3_GUEST_BUILDING, /* the slot is reserved while V3_CREATE_GUEST builds it */
	V3_GUEST_LIVE,     /* listed, /dev/v3-vmN exists */
	V3_GUEST_DYING,    /* V3_FREE_GUEST is tearing the device down; the index
			    * is not handed out again until that has finished */
};

struct v3_guest {
	struct kref ref;     /* the table holds one; each open VM or stream file holds one */
	int index;           /* N of /dev/v3-vmN */
	char name[V3_NAME_MAX];
	struct v3_vm *vm;    /* the core's VM; valid until the last reference goes */
	void *image;         /* kvmalloc'd copy of the image, charged to the creator's
			      * memory cgroup; the VM points into it */
	enum v3_guest_slot_state slot_state; /* under the table's lock */
	struct mutex lock;   /* serialises lifecycle operations and guards `dead` */
	bool dead;           /* freed: operations on files still open get -ENODEV */
	/* Allocated on its own (cdev_alloc): an open file drops its reference
	 * on the cdev in __fput after our release ran, possibly after the guest
	 * is gone, so the cdev must not live inside the guest. */
	struct cdev *cdev;
	struct device *dev;
	struct list_head streams;
	spinlock_t streams_lock;
	struct v3_console *console; /* console.c; NULL without a CURSES_CONSOLE */
	kuid_t creator;      /* euid of V3_CREATE_GUEST's caller: who may control it */
};

int v3_guests_init(dev_t devt, struct class *class);
/* control_device.c: a device node of the module (mode 0600, or 0660 with
 * the group of gid=). */
struct device *v3_node_create(struct class *class, dev_t devt, const char *name);
void v3_guests_exit(void);

long v3_guest_create(struct v3_create_guest __user *arg);
long v3_guest_free(unsigned long index);
unsigned int v3_guest_count(void);
void v3_guests_show(struct seq_file *s);
/* /proc/v3vee/v3-status: one line of details per VM, after a # header. */
void v3_guests_show_status(struct seq_file *s);

void v3_guest_get(struct v3_guest *guest);
void v3_guest_put(struct v3_guest *guest);

/* image_intake.c: V3_CREATE_GUEST's bounded intake of the user's image. */
void v3_image_intake_init(void);
/* Waits (interruptibly) until fewer than V3_CONCURRENT_CREATES creates run. */
int v3_create_slot_get(void);
void v3_create_slot_put(void);
/* Checks the header and directory, refuses what the host cannot afford,
 * then copies the image into a buffer charged to the caller (kvfree it).
 * On failure `error` says why in one sentence. */
int v3_image_copy_from_user(const void __user *uimage, u64 size, void **image, char *error,
			    size_t error_size);

/* streams.c */
long v3_stream_connect(struct v3_guest *guest, struct v3_stream_connect __user *arg);
void v3_streams_release(struct v3_guest *guest);
/* The VM was freed: wake every reader and writer so they see -ENODEV. */
void v3_streams_mark_dead(struct v3_guest *guest);
bool v3_guest_is_dead(struct v3_guest *guest);
void *v3_host_stream_open(void *host_vm, const char *name);
unsigned long v3_host_stream_write(void *stream, const unsigned char *data, unsigned long size);
unsigned long v3_host_stream_read(void *stream, unsigned char *data, unsigned long size);
void v3_host_stream_close(void *stream);
void v3_host_stream_set_input_notify(void *stream, void (*fn)(void *arg), void *arg);

/* checkpoint.c: V3_VM_SAVE / V3_VM_LOAD, called with guest->lock held and
 * the guest alive. */
long v3_vm_ioctl_checkpoint(struct v3_guest *guest, unsigned int cmd,
			    struct v3_chkpt __user *arg);

/* console.c */
long v3_console_connect(struct v3_guest *guest);
void v3_console_release(struct v3_guest *guest);
/* The VM was freed: console readers and writers see -ENODEV. */
void v3_console_mark_dead(struct v3_guest *guest);
void *v3_host_console_open(void *host_vm);
void v3_host_console_update(void *console, const struct v3_console_state *state);
unsigned long v3_host_console_read_keys(void *console, unsigned char *codes, unsigned long size);
void v3_host_console_close(void *console);

#endif
