/* ioctl_stress: a syzkaller-style stress of v3vee.ko's user interface, run
 * inside the sandbox. Several processes, each with its own random seed, pick
 * random operations over every ioctl and every kind of file (the control
 * device, VM devices, stream fds), valid and invalid: creates with good,
 * truncated, corrupted and lying images, frees of VMs other processes hold
 * open, launches twice, stream connects, reads, writes and polls, closes in
 * the middle of it all, random command words. Any answer is acceptable
 * except an errno outside the set the module documents (and, of course, a
 * crash, which the sandbox test sees in dmesg).
 *   ioctl_stress IMAGE [PROCESSES [OPERATIONS [SECOND_IMAGE]]]
 * (IMAGE: a guest that ends by itself; SECOND_IMAGE: one that keeps running,
 * so frees and stops meet running cores.)
 * Prints a line per process ("worker I: N operations, M unexpected") and
 * "ioctl_stress: P processes, F with unexpected answers"; exits 1 if F > 0. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uapi/v3vee.h>

#define MAX_FDS 6
#define MAX_INDEX 10 /* VMs come and go in the low indices */

static char *image, *mutated, *second_image;
static size_t image_size, second_size;
static void *unmapped;

struct worker {
	int id;
	unsigned int seed;
	int control;
	int vms[MAX_FDS];     /* VM device fds, -1 when empty */
	int streams[MAX_FDS]; /* stream fds */
	long operations, unexpected;
};

static unsigned int next(struct worker *w)
{
	return rand_r(&w->seed);
}

static int pick(struct worker *w, int n)
{
	return (int)(next(w) % (unsigned int)n);
}

/* The errnos the module answers with; anything else is a finding. */
static int expected_errno(int e)
{
	switch (e) {
	case EINVAL: case EFAULT: case ENOENT: case ENODEV: case ENXIO: case EEXIST:
	case ENOSPC: case ENOMEM: case EBUSY: case ENOTTY: case EAGAIN: case EPIPE:
	case EINTR: case EBADF: case E2BIG: case EALREADY:
		return 1;
	default:
		return 0;
	}
}

static void account(struct worker *w, const char *what, long rc)
{
	int e = errno;

	w->operations++;
	if (rc < 0 && !expected_errno(e)) {
		w->unexpected++;
		printf("UNEXPECTED worker %d: %s: errno %d (%s)\n", w->id, what, e, strerror(e));
	}
}

/* An argument no valid pointer of ours can be: a small number (the first
 * page is never mapped) or the unmapped pages. A truly random word could
 * land in our own data and let the kernel overwrite it, failing the run
 * for a reason that is not the module's. */
static unsigned long wild_argument(struct worker *w)
{
	return pick(w, 2) ? (unsigned long)pick(w, 4096) : (unsigned long)unmapped + pick(w, 8192);
}

static int *slot(int *fds, struct worker *w)
{
	return &fds[pick(w, MAX_FDS)];
}

static void put_fd(int *fds, struct worker *w, int fd)
{
	int *s = slot(fds, w);

	if (*s >= 0)
		close(*s); /* close mid-run: whatever it was doing */
	*s = fd;
}

static void do_create(struct worker *w)
{
	struct v3_create_guest create;
	char name[16];

	memset(&create, 0, sizeof(create));
	snprintf(name, sizeof(name), "st%d", pick(w, 8)); /* shared names: EEXIST races */
	strcpy(create.name, name);
	create.image = (uintptr_t)image;
	create.image_size = image_size;
	switch (pick(w, 8)) {
	case 0: /* truncated */
		create.image_size = 1 + pick(w, (int)image_size - 1);
		break;
	case 1: /* a corrupted byte */
		memcpy(mutated, image, image_size);
		mutated[pick(w, (int)image_size)] ^= (char)(1 + pick(w, 255));
		create.image = (uintptr_t)mutated;
		break;
	case 2: /* claims more bytes than the buffer has */
		create.image_size = V3_IMAGE_MAX;
		break;
	case 3: /* wild pointers */
		create.image = pick(w, 2) ? (uintptr_t)unmapped : 0;
		break;
	case 4: /* a bad name */
		memset(create.name, 'n', sizeof(create.name));
		break;
	case 5: /* the second image (a guest that keeps running), if given */
		if (second_image) {
			create.image = (uintptr_t)second_image;
			create.image_size = second_size;
		}
		break;
	default:
		break;
	}
	account(w, "CREATE_GUEST", ioctl(w->control, V3_CREATE_GUEST, &create));
}

static void do_open_vm(struct worker *w)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/v3-vm%d", pick(w, MAX_INDEX));
	fd = open(path, O_RDWR | O_CLOEXEC);
	w->operations++;
	if (fd >= 0)
		put_fd(w->vms, w, fd);
}

static void do_vm_ioctl(struct worker *w)
{
	int vm = *slot(w->vms, w);
	struct v3_vm_info info;
	struct v3_stream_connect connect;
	int fd;

	if (vm < 0)
		return;
	switch (pick(w, 10)) {
	case 0:
		account(w, "LAUNCH", ioctl(vm, V3_VM_LAUNCH));
		account(w, "LAUNCH twice", ioctl(vm, V3_VM_LAUNCH));
		break;
	case 1:
		account(w, "PAUSE", ioctl(vm, V3_VM_PAUSE));
		break;
	case 2:
		account(w, "CONTINUE", ioctl(vm, V3_VM_CONTINUE));
		break;
	case 3:
		account(w, "STOP", ioctl(vm, V3_VM_STOP));
		break;
	case 4:
		account(w, "VM_INFO", ioctl(vm, V3_VM_INFO, &info));
		break;
	case 5:
		account(w, "VM_INFO bad pointer",
			ioctl(vm, V3_VM_INFO, pick(w, 2) ? unmapped : NULL));
		break;
	case 6:
	case 7:
		memset(&connect, 0, sizeof(connect));
		strcpy(connect.name, pick(w, 4) ? "com1" : "nosuch");
		fd = ioctl(vm, V3_VM_STREAM_CONNECT, &connect);
		account(w, "STREAM_CONNECT", fd);
		if (fd >= 0) {
			fcntl(fd, F_SETFL, O_NONBLOCK);
			put_fd(w->streams, w, fd);
		}
		break;
	case 8:
		account(w, "STREAM_CONNECT bad pointer",
			ioctl(vm, V3_VM_STREAM_CONNECT, pick(w, 2) ? unmapped : NULL));
		break;
	default: {
		unsigned long cmd = _IOC(pick(w, 4), V3_IOCTL_MAGIC, pick(w, 0x80), pick(w, 512));

		if (cmd == V3_VM_STREAM_CONNECT)
			break; /* would leak an fd we do not track */
		account(w, "random VM command", ioctl(vm, cmd, wild_argument(w)));
	}
	}
}

static void do_stream(struct worker *w)
{
	int stream = *slot(w->streams, w);
	char buffer[128];
	struct pollfd p;

	if (stream < 0)
		return;
	switch (pick(w, 4)) {
	case 0:
		account(w, "stream read", read(stream, buffer, sizeof(buffer)));
		break;
	case 1:
		memset(buffer, 'k', sizeof(buffer));
		account(w, "stream write", write(stream, buffer, 1 + pick(w, sizeof(buffer))));
		break;
	case 2:
		p.fd = stream;
		p.events = POLLIN | POLLOUT;
		account(w, "stream poll", poll(&p, 1, 0));
		break;
	default:
		account(w, "stream bad read", read(stream, unmapped, 64));
		break;
	}
}

static void do_control(struct worker *w)
{
	struct v3_host_info info;
	struct v3_add_memory add;
	struct v3_release_memory release;

	switch (pick(w, 6)) {
	case 0:
	case 1:
		account(w, "FREE_GUEST", ioctl(w->control, V3_FREE_GUEST,
					       (unsigned long)pick(w, MAX_INDEX)));
		break;
	case 2:
		account(w, "HOST_INFO", ioctl(w->control, V3_HOST_INFO, &info));
		break;
	case 3:
		memset(&add, 0, sizeof(add));
		add.bytes = 2ULL << 20;
		account(w, "ADD_MEMORY", ioctl(w->control, V3_ADD_MEMORY, &add));
		break;
	case 4:
		memset(&release, 0, sizeof(release));
		release.bytes = 2ULL << 20;
		account(w, "RELEASE_MEMORY", ioctl(w->control, V3_RELEASE_MEMORY, &release));
		break;
	default: {
		unsigned long cmd = _IOC(pick(w, 4), V3_IOCTL_MAGIC, pick(w, 0x40), pick(w, 512));

		/* Real commands with random arguments, but not those that
		 * would create (a VM, memory) without our bookkeeping. */
		if (cmd == V3_CREATE_GUEST || cmd == V3_ADD_MEMORY)
			break;
		account(w, "random control command", ioctl(w->control, cmd, wild_argument(w)));
	}
	}
}

static void close_all(struct worker *w)
{
	int i;

	for (i = 0; i < MAX_FDS; i++) {
		if (w->vms[i] >= 0)
			close(w->vms[i]);
		if (w->streams[i] >= 0)
			close(w->streams[i]);
		w->vms[i] = w->streams[i] = -1;
	}
}

static int run_worker(int id, long operations)
{
	struct worker w;
	long i;

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.seed = 0x5eed0000u + (unsigned int)id;
	w.control = open(V3_CONTROL_DEVICE, O_RDWR | O_CLOEXEC);
	for (i = 0; i < MAX_FDS; i++)
		w.vms[i] = w.streams[i] = -1;
	for (i = 0; i < operations; i++) {
		switch (pick(&w, 20)) {
		case 0: case 1: case 2:
			do_create(&w);
			break;
		case 3: case 4: case 5:
			do_open_vm(&w);
			break;
		case 6: case 7: case 8: case 9: case 10: case 11:
			do_vm_ioctl(&w);
			break;
		case 12: case 13: case 14:
			do_stream(&w);
			break;
		case 15: case 16: case 17:
			do_control(&w);
			break;
		case 18:
			close(*slot(pick(&w, 2) ? w.vms : w.streams, &w));
			/* the slot keeps the stale number: later calls get EBADF
			 * or hit whatever reused it, like a buggy program */
			break;
		default:
			if (pick(&w, 8) == 0)
				close_all(&w);
			break;
		}
	}
	close_all(&w);
	close(w.control);
	printf("worker %d: %ld operations, %ld unexpected\n", id, w.operations, w.unexpected);
	fflush(stdout);
	return w.unexpected ? 1 : 0;
}

int main(int argc, char **argv)
{
	int processes = argc > 2 ? atoi(argv[2]) : 4;
	long operations = argc > 3 ? atol(argv[3]) : 3000;
	static char buffer[1 << 20], copy[1 << 20], second[1 << 20];
	int i, status, failed = 0, control, freed = 0, freed_high = 0;
	struct v3_host_info host;
	FILE *f;

	if (argc < 2 || processes < 1 || processes > 32 || operations < 1) {
		fprintf(stderr, "usage: ioctl_stress IMAGE [PROCESSES [OPERATIONS [SECOND_IMAGE]]]\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	image_size = f ? fread(buffer, 1, sizeof(buffer), f) : 0;
	if (!image_size) {
		fprintf(stderr, "ioctl_stress: cannot read the image '%s'\n", argv[1]);
		return 2;
	}
	fclose(f);
	image = buffer;
	if (argc > 4) {
		f = fopen(argv[4], "rb");
		second_size = f ? fread(second, 1, sizeof(second), f) : 0;
		if (!second_size) {
			fprintf(stderr, "ioctl_stress: cannot read the image '%s'\n", argv[4]);
			return 2;
		}
		fclose(f);
		second_image = second;
	}
	mutated = copy;
	unmapped = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	for (i = 0; i < processes; i++) {
		if (fork() == 0)
			_exit(run_worker(i, operations));
	}
	for (i = 0; i < processes; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	/* Leave the module empty for the checks that follow: every index the
	 * module has, not only the low ones the workers pick. A create while
	 * six VMs live and four are still being torn down gets index 10 or
	 * more (an index is reused only once its device is gone). */
	control = open(V3_CONTROL_DEVICE, O_RDWR | O_CLOEXEC);
	memset(&host, 0, sizeof(host));
	if (ioctl(control, V3_HOST_INFO, &host) != 0 || host.max_guests == 0) {
		fprintf(stderr, "ioctl_stress: V3_HOST_INFO failed at the end: %s\n", strerror(errno));
		failed++;
	}
	for (i = 0; i < (int)host.max_guests; i++) {
		if (ioctl(control, V3_FREE_GUEST, (unsigned long)i) == 0) {
			freed++;
			if (i >= MAX_INDEX)
				freed_high++;
		}
	}
	close(control);
	printf("ioctl_stress: freed %d VMs at the end, %d of them at index %d or above\n", freed,
	       freed_high, MAX_INDEX);
	printf("ioctl_stress: %d processes, %d with unexpected answers\n", processes, failed);
	return failed ? 1 : 0;
}
