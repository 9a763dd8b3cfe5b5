// SPDX-License-Identifier: GPL-2.0
/* V3_CREATE_GUEST's intake of the user's image, bounded so that no local
 * user can push the host into its OOM killer through it:
 *  - the 64-byte header and the directory are copied and checked by the
 *    core first, so garbage and lying headers cost no large allocation;
 *  - an image that would leave the host below the memory floor (the same
 *    floor V3_ADD_MEMORY keeps, module parameter min_host_free_mb) is
 *    refused with -ENOMEM and one line in the log;
 *  - the buffer is charged to the caller's memory cgroup (__GFP_ACCOUNT) and
 *    allocated with __GFP_RETRY_MAYFAIL, which fails instead of invoking the
 *    OOM killer;
 *  - at most V3_CONCURRENT_CREATES creates copy and build at once.
 * The core validates the complete copy again in v3_create_vm: userspace may
 * change its buffer between the copies, so the early checks only refuse
 * early, they are never what makes the copy safe to use. */
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/semaphore.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <v3/vmm.h>

#include "guests.h"
#include "v3vee_glue.h"

#define V3_CONCURRENT_CREATES 2
#define V3_COPY_CHUNK (1UL << 20)

static struct semaphore v3_create_slots;
/* Serialises the affordability check with the allocation it permits, so
 * two creates cannot both be admitted against the same free memory. */
static DEFINE_MUTEX(v3_image_alloc_lock);

void v3_image_intake_init(void)
{
	sema_init(&v3_create_slots, V3_CONCURRENT_CREATES);
}

int v3_create_slot_get(void)
{
	return down_interruptible(&v3_create_slots) ? -EINTR : 0;
}

void v3_create_slot_put(void)
{
	up(&v3_create_slots);
}

/* Copies the header and the directory and lets the core check them. */
static int v3_image_check_front(const u8 __user *uimage, u64 size, char *error, size_t error_size)
{
	u8 header[V3_IMAGE_HEADER_SIZE] = { 0 };
	unsigned long long directory_offset;
	unsigned long directory_size;
	void *directory;
	int rc;

	if (copy_from_user(header, uimage, min_t(u64, size, sizeof(header)))) {
		snprintf(error, error_size,
			 "cannot read the image's header from the caller's memory (bad image pointer)");
		return -EFAULT;
	}
	rc = v3_check_image_header(header, size, &directory_offset, &directory_size, error,
				   error_size);
	if (rc)
		return rc;
	/* At most 256 entries of 96 bytes (checked by the core). */
	directory = kmalloc(directory_size ? directory_size : 1, GFP_KERNEL_ACCOUNT);
	if (!directory)
		return -ENOMEM;
	if (copy_from_user(directory, uimage + directory_offset, directory_size)) {
		snprintf(error, error_size,
			 "cannot read the image's directory at offset %llu from the caller's memory (the buffer is shorter than image_size?)",
			 directory_offset);
		rc = -EFAULT;
	} else
		rc = v3_check_image_directory(header, directory, size, error, error_size);
	kfree(directory);
	return rc;
}

static void *v3_image_alloc(u64 size, char *error, size_t error_size)
{
	u64 available, floor = v3_host_floor_bytes();
	void *image = NULL;

	mutex_lock(&v3_image_alloc_lock);
	available = (u64)si_mem_available() << PAGE_SHIFT;
	if (size > available || available - size < floor) {
		snprintf(error, error_size,
			 "the image is %llu MB but the host has %llu MB available and keeps %llu MB free (v3vee parameter min_host_free_mb); use a smaller image or free host memory",
			 DIV_ROUND_UP(size, 1ULL << 20), available >> 20, floor >> 20);
		pr_warn("v3vee: refused a %llu MB image from %s[%d]: the host has %llu MB available and keeps %llu MB free\n",
			DIV_ROUND_UP(size, 1ULL << 20), current->comm, task_pid_nr(current),
			available >> 20, floor >> 20);
	} else {
		image = kvmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
		if (!image) {
			snprintf(error, error_size,
				 "the host could not allocate %llu MB for the image (or the caller's memory cgroup limit was reached)",
				 DIV_ROUND_UP(size, 1ULL << 20));
			pr_warn("v3vee: could not allocate a %llu MB image for %s[%d]\n",
				DIV_ROUND_UP(size, 1ULL << 20), current->comm,
				task_pid_nr(current));
		}
	}
	mutex_unlock(&v3_image_alloc_lock);
	return image;
}

/* In chunks, so a large image neither hogs the CPU nor ignores kill -9. */
static int v3_image_copy_chunks(u8 *image, const u8 __user *uimage, u64 size)
{
	u64 done = 0;

	while (done < size) {
		unsigned long n = min_t(u64, size - done, V3_COPY_CHUNK);

		if (fatal_signal_pending(current))
			return -EINTR;
		if (copy_from_user(image + done, uimage + done, n))
			return -EFAULT;
		done += n;
		cond_resched();
	}
	return 0;
}

int v3_image_copy_from_user(const void __user *uimage, u64 size, void **image_out, char *error,
			    size_t error_size)
{
	void *image;
	int rc;

	*image_out = NULL;
	rc = v3_image_check_front(uimage, size, error, error_size);
	if (rc)
		return rc;
	image = v3_image_alloc(size, error, error_size);
	if (!image)
		return -ENOMEM;
	rc = v3_image_copy_chunks(image, uimage, size);
	if (rc == -EFAULT)
		snprintf(error, error_size,
			 "cannot read all %llu bytes of the image from the caller's memory (the buffer is shorter than image_size?)",
			 size);
	if (rc) {
		kvfree(image);
		return rc;
	}
	*image_out = image;
	return 0;
}
