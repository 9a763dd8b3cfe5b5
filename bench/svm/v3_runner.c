/* v3_runner IMAGE NAME [--marks]: runs a guest image under v3vee.ko with
 * the module's own ioctls (no tool in between, so the figures compare with
 * kvm_runner): creates the VM, connects to its com1 stream, launches it,
 * copies its output to stdout until it stops, frees it. Prints
 * "first_byte_us=N" (V3_VM_LAUNCH to the first byte on com1) on stderr;
 * with --marks also "mark_S_us=N" and "mark_E_us=N", when the first 'S' and
 * 'E' bytes arrived (bench/time's PIT guest). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <uapi/v3vee.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	struct v3_create_guest create;
	struct v3_stream_connect connect;
	struct v3_vm_info info;
	double start, first = 0, mark_s = 0, mark_e = 0;
	int marks;
	char path[64], buffer[4096];
	int control, vm, stream, index;
	FILE *image;
	long size;
	void *bytes;

	marks = argc == 4 && !strcmp(argv[3], "--marks");
	if (argc != 3 && !marks) {
		fprintf(stderr, "usage: v3_runner IMAGE NAME [--marks]\n");
		return 2;
	}
	image = fopen(argv[1], "rb");
	if (!image) {
		perror(argv[1]);
		return 1;
	}
	fseek(image, 0, SEEK_END);
	size = ftell(image);
	rewind(image);
	bytes = malloc(size);
	if (!bytes || fread(bytes, 1, size, image) != (size_t)size) {
		perror("reading the image");
		return 1;
	}
	fclose(image);

	control = open("/dev/v3vee", O_RDWR | O_CLOEXEC);
	if (control < 0) {
		perror("/dev/v3vee");
		return 1;
	}
	memset(&create, 0, sizeof(create));
	create.image = (uintptr_t)bytes;
	create.image_size = size;
	snprintf(create.name, sizeof(create.name), "%s", argv[2]);
	index = ioctl(control, V3_CREATE_GUEST, &create);
	if (index < 0) {
		fprintf(stderr, "V3_CREATE_GUEST: %s: %s\n", strerror(errno), create.error);
		return 1;
	}
	snprintf(path, sizeof(path), "/dev/v3-vm%d", index);
	vm = open(path, O_RDWR | O_CLOEXEC);
	memset(&connect, 0, sizeof(connect));
	strcpy(connect.name, "com1");
	stream = vm < 0 ? -1 : ioctl(vm, V3_VM_STREAM_CONNECT, &connect);
	if (stream < 0) {
		perror("connecting to com1");
		return 1;
	}
	start = now_us();
	if (ioctl(vm, V3_VM_LAUNCH) < 0) {
		perror("V3_VM_LAUNCH");
		return 1;
	}
	for (;;) {
		struct pollfd p = { stream, POLLIN, 0 };
		int ready = poll(&p, 1, 100);

		if (ready > 0) {
			ssize_t n = read(stream, buffer, sizeof(buffer));

			if (n > 0) {
				double t = now_us();

				if (!first)
					first = t;
				if (marks && !mark_s && memchr(buffer, 'S', n))
					mark_s = t;
				if (marks && !mark_e && memchr(buffer, 'E', n))
					mark_e = t;
				fwrite(buffer, 1, n, stdout);
			}
			continue;
		}
		if (ioctl(vm, V3_VM_INFO, &info) < 0 || info.state >= V3_STATE_STOPPED)
			break;
	}
	fflush(stdout);
	fprintf(stderr, "first_byte_us=%.0f\n", first ? first - start : -1.0);
	if (marks)
		fprintf(stderr, "mark_S_us=%.0f\nmark_E_us=%.0f\n", mark_s ? mark_s - start : -1.0,
			mark_e ? mark_e - start : -1.0);
	close(stream);
	close(vm);
	ioctl(control, V3_FREE_GUEST, (unsigned long)index);
	return 0;
}
