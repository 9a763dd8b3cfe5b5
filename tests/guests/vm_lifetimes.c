/* vm_lifetimes: runs inside the sandbox and frees VMs while their files are
 * open, the sequences that used to crash the host (issue 18):
 *   vm-fd      create, open /dev/v3-vmN, launch, V3_FREE_GUEST, then use the
 *              old fd (every ioctl -ENODEV) and close it
 *   stream-fd  the same with a stream fd (com1) as the only file left open:
 *              read, write and poll answer -ENODEV / POLLERR, then close
 *   blocked    a child blocked in read() on the stream when the VM is freed
 *              wakes with -ENODEV
 *   console-fd a console fd (V3_VM_CONSOLE_CONNECT; IMAGE has a CGA_VIDEO
 *              and CURSES_CONSOLE) read to its first frame, with a child
 *              blocked in read() for the next, as the only files left when
 *              the VM is freed: the child wakes with -ENODEV, read and
 *              write answer -ENODEV, poll POLLERR|POLLHUP, then close
 *   reopen     /proc/self/fd/N of a freed VM does not reach the VM that took
 *              its index since
 *   churn P N  P processes each create and free N VMs (names unique per
 *              process), half of them freed while an fd is open
 * Prints "FAIL ..." per broken expectation and "vm_lifetimes MODE: N checks,
 * M failed"; exits 1 if any failed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uapi/v3vee.h>
#include <uapi/v3vee_console.h>

static int checks, failures;
static char *image;
static size_t image_size;

static void expect_errno(const char *what, long rc, int expected)
{
	int e = errno;

	checks++;
	if (rc >= 0 || e != expected) {
		failures++;
		printf("FAIL %s: rc=%ld errno=%d (%s), expected errno %d (%s)\n", what, rc,
		       rc < 0 ? e : 0, rc < 0 ? strerror(e) : "-", expected, strerror(expected));
	}
}

static void expect_ok(const char *what, long rc)
{
	int e = errno;

	checks++;
	if (rc < 0) {
		failures++;
		printf("FAIL %s: %s\n", what, strerror(e));
	}
}

static void load_image(const char *path)
{
	FILE *f = fopen(path, "rb");
	static char buffer[1 << 20];

	image_size = f ? fread(buffer, 1, sizeof(buffer), f) : 0;
	if (f)
		fclose(f);
	if (!image_size) {
		fprintf(stderr, "vm_lifetimes: cannot read the image '%s'\n", path);
		exit(2);
	}
	image = buffer;
}

static int create_vm(int control, const char *name)
{
	struct v3_create_guest create;
	int index;

	memset(&create, 0, sizeof(create));
	snprintf(create.name, sizeof(create.name), "%s", name);
	create.image = (uintptr_t)image;
	create.image_size = image_size;
	index = ioctl(control, V3_CREATE_GUEST, &create);
	if (index < 0)
		printf("FAIL creating %s: %s (%s)\n", name, strerror(errno), create.error);
	return index;
}

static int open_vm(int index)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/v3-vm%d", index);
	return open(path, O_RDWR | O_CLOEXEC);
}

static int connect_stream(int vm, const char *name)
{
	struct v3_stream_connect c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	return ioctl(vm, V3_VM_STREAM_CONNECT, &c);
}

static void every_vm_ioctl_refused(int vm, const char *when)
{
	struct v3_vm_info info;
	char what[96];
	int stream;

#define REFUSED(call, label)                                               \
	do {                                                               \
		snprintf(what, sizeof(what), "%s after free (%s)", label, when); \
		expect_errno(what, call, ENODEV);                          \
	} while (0)
	REFUSED(ioctl(vm, V3_VM_INFO, &info), "VM_INFO");
	REFUSED(ioctl(vm, V3_VM_LAUNCH), "LAUNCH");
	REFUSED(ioctl(vm, V3_VM_PAUSE), "PAUSE");
	REFUSED(ioctl(vm, V3_VM_CONTINUE), "CONTINUE");
	REFUSED(ioctl(vm, V3_VM_STOP), "STOP");
	/* A stream fd it wrongly returned is closed at once, so the VM fd
	 * stays the last file holding the VM, as in the crash of issue 18. */
	stream = connect_stream(vm, "com1");
	if (stream >= 0)
		close(stream);
	REFUSED(stream, "STREAM_CONNECT");
	stream = ioctl(vm, V3_VM_CONSOLE_CONNECT);
	if (stream >= 0)
		close(stream);
	REFUSED(stream, "CONSOLE_CONNECT");
#undef REFUSED
}

static void mode_vm_fd(int control)
{
	int index = create_vm(control, "lt-vmfd");
	int vm;

	if (index < 0)
		return;
	vm = open_vm(index);
	expect_ok("open the VM", vm);
	expect_ok("launch", ioctl(vm, V3_VM_LAUNCH));
	expect_ok("free while the VM fd is open", ioctl(control, V3_FREE_GUEST, (unsigned long)index));
	every_vm_ioctl_refused(vm, "VM fd");
	expect_errno("free again", ioctl(control, V3_FREE_GUEST, (unsigned long)index), ENOENT);
	expect_errno("open the freed VM's node", open_vm(index), ENOENT);
	expect_ok("close the old VM fd", close(vm));
}

static void mode_stream_fd(int control)
{
	int index = create_vm(control, "lt-stream");
	struct pollfd p;
	char byte = 'x';
	int vm, stream;

	if (index < 0)
		return;
	vm = open_vm(index);
	expect_ok("open the VM", vm);
	expect_ok("launch", ioctl(vm, V3_VM_LAUNCH));
	stream = connect_stream(vm, "com1");
	expect_ok("connect com1", stream);
	expect_ok("close the VM fd (the stream fd stays)", close(vm));
	expect_ok("free while the stream fd is open",
		  ioctl(control, V3_FREE_GUEST, (unsigned long)index));
	expect_errno("stream read after free", read(stream, &byte, 1), ENODEV);
	expect_errno("stream write after free", write(stream, &byte, 1), ENODEV);
	p.fd = stream;
	p.events = POLLIN | POLLOUT;
	p.revents = 0;
	checks++;
	if (poll(&p, 1, 1000) != 1 || !(p.revents & POLLERR)) {
		failures++;
		printf("FAIL stream poll after free: revents 0x%x, expected POLLERR\n", p.revents);
	}
	expect_ok("close the old stream fd", close(stream));
}

static void mode_blocked_reader(int control)
{
	int index = create_vm(control, "lt-blocked");
	int vm, stream, status = 0;
	pid_t child;

	if (index < 0)
		return;
	vm = open_vm(index);
	stream = connect_stream(vm, "com1");
	expect_ok("connect com1 (not launched: no output ever comes)", stream);
	child = fork();
	if (child == 0) {
		char byte;
		ssize_t n = read(stream, &byte, 1); /* blocks: the VM never runs */

		_exit(n < 0 && errno == ENODEV ? 0 : 1);
	}
	usleep(300 * 1000);
	expect_ok("free while a reader is blocked", ioctl(control, V3_FREE_GUEST, (unsigned long)index));
	alarm(10);
	checks++;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status)) {
		failures++;
		printf("FAIL the blocked reader did not wake with ENODEV (status 0x%x)\n", status);
	}
	alarm(0);
	every_vm_ioctl_refused(vm, "blocked reader");
	close(stream);
	close(vm);
}

/* Reads until a whole frame (a FRAME_END message) has arrived. */
static int read_first_frame(int console)
{
	static unsigned char buf[V3_CONSOLE_READ_MIN * 2];
	struct v3_console_msg m;
	ssize_t n;
	size_t at;

	for (;;) {
		n = read(console, buf, sizeof(buf));
		if (n <= 0)
			return -1;
		for (at = 0; at + sizeof(m) <= (size_t)n; at += sizeof(m) + m.length) {
			memcpy(&m, buf + at, sizeof(m));
			if (m.type == V3_CONSOLE_MSG_FRAME_END)
				return 0;
		}
	}
}

static void mode_console_fd(int control)
{
	int index = create_vm(control, "lt-console");
	unsigned char small[16], key = 0x1e;
	struct pollfd p;
	int vm, console, status = 0;
	pid_t child;

	if (index < 0)
		return;
	vm = open_vm(index);
	expect_ok("open the VM", vm);
	expect_ok("launch", ioctl(vm, V3_VM_LAUNCH));
	console = ioctl(vm, V3_VM_CONSOLE_CONNECT);
	expect_ok("connect the console", console);
	expect_ok("close the VM fd (the console fd stays)", close(vm));
	expect_errno("console read into a small buffer", read(console, small, sizeof(small)),
		     EINVAL);
	expect_ok("the first frame", read_first_frame(console));
	child = fork();
	if (child == 0) {
		static unsigned char buf[V3_CONSOLE_READ_MIN];
		ssize_t n;

		/* Updates the guest still makes are read; then it blocks. */
		do
			n = read(console, buf, sizeof(buf));
		while (n > 0);
		_exit(n < 0 && errno == ENODEV ? 0 : 1);
	}
	usleep(300 * 1000);
	expect_ok("free while the console fd is open and read",
		  ioctl(control, V3_FREE_GUEST, (unsigned long)index));
	alarm(10);
	checks++;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status)) {
		failures++;
		printf("FAIL the blocked console reader did not wake with ENODEV (status 0x%x)\n",
		       status);
	}
	alarm(0);
	{
		static unsigned char buf[V3_CONSOLE_READ_MIN];

		expect_errno("console read after free", read(console, buf, sizeof(buf)), ENODEV);
	}
	expect_errno("console write after free", write(console, &key, 1), ENODEV);
	p.fd = console;
	p.events = POLLIN | POLLOUT;
	p.revents = 0;
	checks++;
	if (poll(&p, 1, 1000) != 1 || (p.revents & (POLLERR | POLLHUP)) != (POLLERR | POLLHUP)) {
		failures++;
		printf("FAIL console poll after free: revents 0x%x, expected POLLERR|POLLHUP\n",
		       p.revents);
	}
	expect_ok("close the old console fd", close(console));
}

static void mode_reopen(int control)
{
	int first = create_vm(control, "lt-old");
	int vm, second, reopened;
	char path[64];

	if (first < 0)
		return;
	vm = open_vm(first);
	expect_ok("free the first VM", ioctl(control, V3_FREE_GUEST, (unsigned long)first));
	second = create_vm(control, "lt-new");
	checks++;
	if (second != first) {
		failures++;
		printf("FAIL the new VM got index %d, expected the freed %d\n", second, first);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", vm);
	reopened = open(path, O_RDWR);
	expect_errno("reopen the freed VM's fd through /proc", reopened, ENODEV);
	if (reopened >= 0)
		close(reopened);
	close(vm);
	if (second >= 0)
		expect_ok("free the new VM", ioctl(control, V3_FREE_GUEST, (unsigned long)second));
}

/* One churning process: create, sometimes open (and launch), free. */
static int churn_one(int id, int rounds)
{
	int control = open(V3_CONTROL_DEVICE, O_RDWR | O_CLOEXEC);
	int round, bad = 0;

	for (round = 0; round < rounds; round++) {
		struct v3_create_guest create;
		int index, vm = -1;

		memset(&create, 0, sizeof(create));
		snprintf(create.name, sizeof(create.name), "churn%d-%d", id, round);
		create.image = (uintptr_t)image;
		create.image_size = image_size;
		index = ioctl(control, V3_CREATE_GUEST, &create);
		if (index < 0) {
			/* Four processes share a small pool: running out is fine. */
			if (errno != ENOMEM && errno != ENOSPC) {
				printf("FAIL churn %d: create: %s (%s)\n", id, strerror(errno),
				       create.error);
				bad++;
			}
			continue;
		}
		if (round % 2) {
			vm = open_vm(index);
			if (vm >= 0 && round % 4 == 1)
				ioctl(vm, V3_VM_LAUNCH);
		}
		if (ioctl(control, V3_FREE_GUEST, (unsigned long)index) != 0) {
			printf("FAIL churn %d: free %d: %s\n", id, index, strerror(errno));
			bad++;
		}
		if (vm >= 0) {
			struct v3_vm_info info;

			if (ioctl(vm, V3_VM_INFO, &info) == 0 || errno != ENODEV) {
				printf("FAIL churn %d: VM_INFO on a freed VM's fd did not give ENODEV\n",
				       id);
				bad++;
			}
			close(vm);
		}
	}
	close(control);
	return bad ? 1 : 0;
}

static void mode_churn(int processes, int rounds)
{
	int i, status;
	pid_t pids[16];

	if (processes > 16)
		processes = 16;
	for (i = 0; i < processes; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(churn_one(i, rounds));
	}
	for (i = 0; i < processes; i++) {
		checks++;
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			failures++;
			printf("FAIL churn process %d ended with status 0x%x\n", i, status);
		}
	}
}

int main(int argc, char **argv)
{
	int control;

	if (argc < 3) {
		fprintf(stderr, "usage: vm_lifetimes vm-fd|stream-fd|blocked|console-fd|reopen|churn IMAGE "
				"[PROCESSES ROUNDS]\n");
		return 2;
	}
	load_image(argv[2]);
	control = open(V3_CONTROL_DEVICE, O_RDWR | O_CLOEXEC);
	if (control < 0) {
		fprintf(stderr, "vm_lifetimes: cannot open %s: %s\n", V3_CONTROL_DEVICE,
			strerror(errno));
		return 2;
	}
	if (!strcmp(argv[1], "vm-fd"))
		mode_vm_fd(control);
	else if (!strcmp(argv[1], "stream-fd"))
		mode_stream_fd(control);
	else if (!strcmp(argv[1], "blocked"))
		mode_blocked_reader(control);
	else if (!strcmp(argv[1], "console-fd"))
		mode_console_fd(control);
	else if (!strcmp(argv[1], "reopen"))
		mode_reopen(control);
	else if (!strcmp(argv[1], "churn"))
		mode_churn(argc > 3 ? atoi(argv[3]) : 4, argc > 4 ? atoi(argv[4]) : 25);
	else {
		fprintf(stderr, "vm_lifetimes: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	printf("vm_lifetimes %s: %d checks, %d failed\n", argv[1], checks, failures);
	return failures ? 1 : 0;
}
