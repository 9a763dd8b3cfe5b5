/* kvm_runner ROM [--pit]: runs a test-guest ROM (tests/guests, bench/svm) under
 * kvm_amd, the minimal way a VMM on KVM does: 16 MB of RAM, the ROM ending
 * at 1 MB, the CPU at F000:FFF0. Port I/O exits to this program, as to a
 * QEMU device: COM1 output is printed, the line status register says the
 * transmitter is always empty, port 0x501 ends the run. Prints
 * "first_byte_us=N" (first KVM_RUN to the first COM1 byte) on stderr.
 * --pit gives the VM KVM's in-kernel 8259A and 8254 (KVM_CREATE_IRQCHIP,
 * KVM_CREATE_PIT2; HLT then waits in the kernel) and prints "mark_S_us=N"
 * and "mark_E_us=N" when the first 'S' and 'E' bytes arrive on COM1. */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define RAM (16u << 20)

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	double start, first = 0, mark_s = 0, mark_e = 0;
	int pit;
	long rom_size, run_size;
	int kvm, vm, vcpu;
	uint8_t *ram;
	FILE *rom;

	pit = argc == 3 && !strcmp(argv[2], "--pit");
	if (argc != 2 && !pit) {
		fprintf(stderr, "usage: kvm_runner ROM [--pit]\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap");
	rom = fopen(argv[1], "rb");
	if (!rom)
		die(argv[1]);
	fseek(rom, 0, SEEK_END);
	rom_size = ftell(rom);
	rewind(rom);
	if (rom_size <= 0 || rom_size > 0x100000 ||
	    fread(ram + 0x100000 - rom_size, 1, rom_size, rom) != (size_t)rom_size)
		die("reading the ROM");
	fclose(rom);
	memset(&region, 0, sizeof(region));
	region.memory_size = RAM;
	region.userspace_addr = (uintptr_t)ram;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	if (pit) {
		struct kvm_pit_config pit_config;

		memset(&pit_config, 0, sizeof(pit_config));
		if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
			die("KVM_CREATE_IRQCHIP");
		if (ioctl(vm, KVM_CREATE_PIT2, &pit_config) < 0)
			die("KVM_CREATE_PIT2");
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.selector = 0xf000; /* as v3vee: CS base 0xF0000, not the 4 GB alias */
	sregs.cs.base = 0xf0000;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0xfff0;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");

	start = now_us();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "kvm_runner: unexpected exit %u\n", run->exit_reason);
			return 1;
		}
		uint8_t *data = (uint8_t *)run + run->io.data_offset;

		if (run->io.direction == KVM_EXIT_IO_OUT) {
			if (run->io.port == 0x3f8) {
				double t = now_us();

				if (!first)
					first = t;
				if (pit && !mark_s && data[0] == 'S')
					mark_s = t;
				if (pit && !mark_e && data[0] == 'E')
					mark_e = t;
				fwrite(data, 1, run->io.size * run->io.count, stdout);
			} else if (run->io.port == 0x501) {
				break;
			}
		} else {
			memset(data, run->io.port == 0x3fd ? 0x60 : 0xff, run->io.size * run->io.count);
		}
	}
	fflush(stdout);
	fprintf(stderr, "first_byte_us=%.0f\n", first ? first - start : -1.0);
	if (pit)
		fprintf(stderr, "mark_S_us=%.0f\nmark_E_us=%.0f\n", mark_s ? mark_s - start : -1.0,
			mark_e ? mark_e - start : -1.0);
	return 0;
}
