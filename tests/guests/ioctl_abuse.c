/* ioctl_abuse: runs inside the sandbox and feeds v3vee.ko's ioctls the
 * arguments a careless or hostile program would: null and wild pointers,
 * unterminated strings, absurd sizes, unknown commands, random words. Every
 * call must fail with the expected errno (or any errno for the random ones)
 * and the kernel must stay healthy. Prints one line per failed expectation
 * and "ioctl_abuse: N checks, M failed". */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uapi/v3vee.h>

static int checks, failures;

static void expect(const char *what, long rc, int expected_errno)
{
	int e = errno;

	checks++;
	if (rc >= 0 || e != expected_errno) {
		failures++;
		printf("FAIL %s: rc=%ld errno=%d (%s), expected errno %d (%s)\n", what, rc,
		       rc < 0 ? e : 0, rc < 0 ? strerror(e) : "-", expected_errno,
		       strerror(expected_errno));
	}
}

int main(int argc, char **argv)
{
	void *unmapped = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int control = open("/dev/v3vee", O_RDWR);
	struct v3_create_guest create;
	struct v3_add_memory add;
	int i;

	if (control < 0 || argc != 2) {
		fprintf(stderr, "usage: ioctl_abuse VALID_IMAGE (with v3vee loaded)\n");
		return 2;
	}

	/* The control device. */
	expect("unknown command", ioctl(control, _IO(V3_IOCTL_MAGIC, 0x3f)), ENOTTY);
	expect("foreign magic", ioctl(control, _IO('T', 1)), ENOTTY);
	expect("HOST_INFO null", ioctl(control, V3_HOST_INFO, NULL), EFAULT);
	expect("HOST_INFO unmapped", ioctl(control, V3_HOST_INFO, unmapped), EFAULT);
	expect("ADD_MEMORY null", ioctl(control, V3_ADD_MEMORY, NULL), EFAULT);
	memset(&add, 0, sizeof(add));
	expect("ADD_MEMORY zero", ioctl(control, V3_ADD_MEMORY, &add), EINVAL);
	add.bytes = 1ULL << 50;
	expect("ADD_MEMORY 1 PB", ioctl(control, V3_ADD_MEMORY, &add), EINVAL);
	expect("RELEASE_MEMORY null", ioctl(control, V3_RELEASE_MEMORY, NULL), EFAULT);
	expect("RELEASE_MEMORY unmapped", ioctl(control, V3_RELEASE_MEMORY, unmapped), EFAULT);
	expect("FREE_GUEST out of range", ioctl(control, V3_FREE_GUEST, 100000UL), EINVAL);
	expect("FREE_GUEST missing", ioctl(control, V3_FREE_GUEST, 5UL), ENOENT);

	expect("CREATE null", ioctl(control, V3_CREATE_GUEST, NULL), EFAULT);
	expect("CREATE unmapped args", ioctl(control, V3_CREATE_GUEST, unmapped), EFAULT);
	memset(&create, 0, sizeof(create));
	strcpy(create.name, "abuse");
	create.image_size = 0;
	expect("CREATE empty image", ioctl(control, V3_CREATE_GUEST, &create), EINVAL);
	create.image_size = 1ULL << 40;
	expect("CREATE 1 TB image", ioctl(control, V3_CREATE_GUEST, &create), EINVAL);
	create.image_size = 4096;
	create.image = 0;
	expect("CREATE null image", ioctl(control, V3_CREATE_GUEST, &create), EFAULT);
	create.image = (uintptr_t)unmapped;
	expect("CREATE unmapped image", ioctl(control, V3_CREATE_GUEST, &create), EFAULT);
	create.image = (uintptr_t)create.name;
	create.image_size = sizeof(create.name);
	expect("CREATE garbage image", ioctl(control, V3_CREATE_GUEST, &create), EINVAL);
	memset(create.name, 'a', sizeof(create.name)); /* no NUL */
	expect("CREATE unterminated name", ioctl(control, V3_CREATE_GUEST, &create), EINVAL);
	strcpy(create.name, "../etc");
	expect("CREATE name with slash", ioctl(control, V3_CREATE_GUEST, &create), EINVAL);

	/* A real VM, then its device's ioctls. */
	{
		FILE *f = fopen(argv[1], "rb");
		static char image[1 << 20];
		size_t size = f ? fread(image, 1, sizeof(image), f) : 0;
		char path[32];
		int index, vm;

		memset(&create, 0, sizeof(create));
		strcpy(create.name, "abuse");
		create.image = (uintptr_t)image;
		create.image_size = size;
		index = ioctl(control, V3_CREATE_GUEST, &create);
		if (index < 0) {
			printf("FAIL creating the valid VM: %s (%s)\n", strerror(errno), create.error);
			return 1;
		}
		snprintf(path, sizeof(path), "/dev/v3-vm%d", index);
		vm = open(path, O_RDWR);
		expect("VM unknown command", ioctl(vm, _IO(V3_IOCTL_MAGIC, 0x7f)), ENOTTY);
		expect("VM_INFO null", ioctl(vm, V3_VM_INFO, NULL), EFAULT);
		expect("VM_INFO unmapped", ioctl(vm, V3_VM_INFO, unmapped), EFAULT);
		expect("STREAM_CONNECT null", ioctl(vm, V3_VM_STREAM_CONNECT, NULL), EFAULT);
		{
			struct v3_stream_connect c;

			memset(&c, 'x', sizeof(c)); /* unterminated */
			expect("STREAM_CONNECT unterminated", ioctl(vm, V3_VM_STREAM_CONNECT, &c),
			       ENOENT);
		}
		expect("PAUSE before launch", ioctl(vm, V3_VM_PAUSE), EINVAL);
		expect("CONTINUE before launch", ioctl(vm, V3_VM_CONTINUE), EINVAL);
		expect("STOP before launch", ioctl(vm, V3_VM_STOP), EINVAL);
		/* Control commands sent to a VM device are unknown there. */
		expect("HOST_INFO on a VM", ioctl(vm, V3_HOST_INFO, NULL), ENOTTY);

		/* Random words: any refusal is fine, the kernel must survive. */
		srand(1234);
		for (i = 0; i < 2000; i++) {
			unsigned long cmd = ((unsigned long)rand() << 16) ^ rand();
			unsigned long arg = ((unsigned long)rand() << 32) ^ rand();

			if (i % 2)
				cmd = _IOC(rand() % 4, V3_IOCTL_MAGIC, rand() % 0x80, rand() % 4096);
			if (cmd == V3_VM_LAUNCH || cmd == V3_VM_STOP || cmd == V3_VM_PAUSE ||
			    cmd == V3_VM_CONTINUE || cmd == V3_FREE_GUEST || cmd == V3_ADD_MEMORY)
				continue;
			ioctl(i % 3 ? vm : control, cmd, arg);
		}
		close(vm);
		checks++;
		if (ioctl(control, V3_FREE_GUEST, (unsigned long)index) != 0) {
			failures++;
			printf("FAIL freeing the VM: %s\n", strerror(errno));
		}
		expect("FREE again", ioctl(control, V3_FREE_GUEST, (unsigned long)index), ENOENT);
	}
	printf("ioctl_abuse: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
