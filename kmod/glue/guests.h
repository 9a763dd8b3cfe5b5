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

struct v3_guest {
	struct kref ref;     /* the table holds one; each open file holds one */
	int index;           /* N of /dev/v3-vmN */
	char name[V3_NAME_MAX];
	struct v3_vm *vm;    /* the core's VM */
	void *image;         /* vmalloc'd copy of the image; the VM points into it */
	struct mutex lock;   /* serialises lifecycle operations */
	struct cdev cdev;
	struct device *dev;
	struct list_head streams;
	spinlock_t streams_lock;
	bool removed;        /* freed from the table; only open files keep it */
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

/* streams.c */
long v3_stream_connect(struct v3_guest *guest, struct v3_stream_connect __user *arg);
void v3_streams_release(struct v3_guest *guest);
void *v3_host_stream_open(void *host_vm, const char *name);
unsigned long v3_host_stream_write(void *stream, const unsigned char *data, unsigned long size);
unsigned long v3_host_stream_read(void *stream, unsigned char *data, unsigned long size);
void v3_host_stream_close(void *stream);

#endif
