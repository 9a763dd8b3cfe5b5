/* hostile_create: several processes at once ask V3_CREATE_GUEST to take an
 * image as large as the module allows. Each image has a valid header and
 * directory (so the module cannot refuse it before allocating) and declares
 * MB megabytes, backed by untouched anonymous memory (the zero page: the
 * caller spends nothing). The module must either refuse up front (ENOMEM,
 * the host cannot afford it) or take it, find nothing to boot and refuse
 * (EINVAL); the host must not run out of memory either way.
 *   hostile_create MB PROCESSES
 * Prints "@create I ERRNO-NAME message" per process and
 * "hostile_create: A refused for memory, B refused as invalid, C other". */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uapi/v3vee.h>

/* CRC-32 as IMAGE-FORMAT.md defines it (zlib's). */
static uint32_t crc32(const uint8_t *data, size_t size)
{
	uint32_t crc = 0xFFFFFFFFu;
	size_t i;
	int bit;

	for (i = 0; i < size; i++) {
		crc ^= data[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
	}
	return crc ^ 0xFFFFFFFFu;
}

static void put32(uint8_t *at, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		at[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *at, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		at[i] = (uint8_t)(v >> (8 * i));
}

/* Header, then the XML at offset 64, no blobs; the rest stays zero. */
static void write_image(uint8_t *image, uint64_t size)
{
	static const char xml[] = "<vm class=\"PC\"><memory>16</memory></vm>";
	uint64_t xml_size = sizeof(xml) - 1;

	memcpy(image, "v3vee\0\0\0", 8);
	put32(image + 8, 1);   /* version */
	put32(image + 12, 64); /* header size */
	put64(image + 16, size);
	put64(image + 24, 64); /* XML offset */
	put64(image + 32, xml_size);
	put64(image + 40, 64); /* directory offset (no entries) */
	put32(image + 48, 0);  /* blob count */
	memcpy(image + 64, xml, xml_size);
	put32(image + 52, crc32(image + 64, xml_size));
	put32(image + 56, crc32(image, 0));
	put32(image + 60, crc32(image, 60));
}

/* Every child waits here until all are forked and their images written, so
 * the creates really overlap. */
static int start_line[2];

static int one(int id, uint64_t size)
{
	int control = open(V3_CONTROL_DEVICE, O_RDWR | O_CLOEXEC);
	uint8_t *image = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct v3_create_guest create;
	int rc, e;

	if (control < 0 || image == MAP_FAILED) {
		printf("@create %d SETUP %s\n", id, strerror(errno));
		return 3;
	}
	write_image(image, size);
	close(start_line[1]);
	{
		char go;

		if (read(start_line[0], &go, 1) < 0)
			return 3;
	}
	memset(&create, 0, sizeof(create));
	snprintf(create.name, sizeof(create.name), "hostile%d", id);
	create.image = (uintptr_t)image;
	create.image_size = size;
	rc = ioctl(control, V3_CREATE_GUEST, &create);
	e = errno;
	if (rc >= 0) {
		printf("@create %d CREATED /dev/v3-vm%d\n", id, rc);
		ioctl(control, V3_FREE_GUEST, (unsigned long)rc);
		return 2;
	}
	printf("@create %d %s %s\n", id, e == ENOMEM ? "ENOMEM" : e == EINVAL ? "EINVAL" : strerror(e),
	       create.error);
	fflush(stdout);
	return e == ENOMEM ? 0 : e == EINVAL ? 1 : 2;
}

int main(int argc, char **argv)
{
	int processes = argc > 2 ? atoi(argv[2]) : 0;
	uint64_t size = argc > 1 ? strtoull(argv[1], NULL, 10) << 20 : 0;
	int counts[4] = { 0 }, i, status;

	if (size < 4096 || size > V3_IMAGE_MAX || processes < 1 || processes > 32) {
		fprintf(stderr, "usage: hostile_create MB(1-512) PROCESSES(1-32)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(start_line) != 0)
		return 2;
	for (i = 0; i < processes; i++) {
		if (fork() == 0)
			_exit(one(i, size));
	}
	usleep(500 * 1000); /* let them write their headers */
	close(start_line[1]); /* end of file: every child's read returns */
	for (i = 0; i < processes; i++) {
		if (wait(&status) > 0 && WIFEXITED(status) && WEXITSTATUS(status) <= 3)
			counts[WEXITSTATUS(status)]++;
		else
			counts[2]++;
	}
	printf("hostile_create: %d refused for memory, %d refused as invalid, %d other\n",
	       counts[0], counts[1], counts[2] + counts[3]);
	return counts[2] + counts[3] ? 1 : 0;
}
