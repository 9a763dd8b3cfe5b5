/* The text console benchmark's viewer, run inside the sandbox next to
 * v3vee.ko: connects to the bench_console guest's console with
 * V3_VM_CONSOLE_CONNECT and measures
 *   (a) guest write -> viewer: the guest writes its TSC into row 0 in a
 *       loop; for each frame, the viewer's TSC minus the guest's. The
 *       guest's TSC has its own origin (the VMM offsets it to start at 0),
 *       so the figures are relative to the smallest difference seen — the
 *       delay above the best case, which is what the 50 Hz screen poll adds;
 *   (b) key -> screen round trip: a scan code written to the console until
 *       the guest's echo of it arrives (absolute, CLOCK_MONOTONIC);
 *   (c) bytes per update for a full-screen scroll (Space makes the guest
 *       memmove rows 2-24), against a full redraw's size.
 * Prints figures; never fails on speed.
 *   console_bench /dev/v3-vmN TSC_KHZ SAMPLES */
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
#include <uapi/v3vee_console.h>

static unsigned char screen[25][80][2];
static unsigned long frame_bytes; /* bytes of the frame being read */
static unsigned long frame_rows;  /* CELLS messages in it */

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Reads one batch and applies it; returns the number of FRAME_ENDs seen,
 * -1 on error. Frame sizes go to *bytes / *rows for the last frame ended. */
static int read_frames(int fd, int timeout_ms, unsigned long *bytes, unsigned long *rows)
{
	static unsigned char buf[16384];
	struct pollfd p = {fd, POLLIN, 0};
	ssize_t n;
	size_t at = 0;
	int frames = 0;

	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return -1;
	while (at + sizeof(struct v3_console_msg) <= (size_t)n) {
		struct v3_console_msg m;

		memcpy(&m, buf + at, sizeof(m));
		frame_bytes += sizeof(m) + m.length;
		if (m.type == V3_CONSOLE_MSG_CELLS) {
			struct v3_console_cells c;

			memcpy(&c, buf + at + sizeof(m), sizeof(c));
			if (c.row < 25 && c.col + c.count <= 80)
				memcpy(screen[c.row][c.col], buf + at + sizeof(m) + sizeof(c),
				       c.count * 2u);
			frame_rows++;
		} else if (m.type == V3_CONSOLE_MSG_FRAME_END) {
			if (bytes)
				*bytes = frame_bytes;
			if (rows)
				*rows = frame_rows;
			frame_bytes = frame_rows = 0;
			frames++;
		}
		at += sizeof(m) + m.length;
	}
	return frames;
}

static uint64_t guest_tsc(void)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 16; i++) {
		unsigned char c = screen[0][i][0];

		v = v * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
	}
	return v;
}

static unsigned key_count(void)
{
	char text[5];
	int i;

	for (i = 0; i < 4; i++)
		text[i] = screen[1][3 + i][0];
	text[4] = 0;
	return (unsigned)strtoul(text, NULL, 16);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("%-44s n=%d min %.0f us, median %.0f us, p90 %.0f us, max %.0f us\n", what, n, v[0],
	       v[n / 2], v[(n * 9) / 10], v[n - 1]);
}

int main(int argc, char **argv)
{
	int vm, fd, i, samples;
	double khz, *latency, *round_trip, min_diff = 1e300;
	uint64_t *diffs;
	unsigned long bytes = 0, rows = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: console_bench /dev/v3-vmN TSC_KHZ SAMPLES\n");
		return 2;
	}
	khz = atof(argv[2]);
	samples = atoi(argv[3]);
	vm = open(argv[1], O_RDWR);
	if (vm < 0 || khz <= 0 || samples < 2) {
		perror(argv[1]);
		return 1;
	}
	fd = ioctl(vm, V3_VM_CONSOLE_CONNECT, 0);
	if (fd < 0) {
		perror("V3_VM_CONSOLE_CONNECT");
		return 1;
	}
	/* The full screen on connect: its size is a full redraw's. */
	while (read_frames(fd, 5000, &bytes, &rows) == 0)
		;
	printf("full redraw on connect: %lu bytes in %lu CELLS messages\n", bytes, rows);

	diffs = calloc(samples, sizeof(*diffs));
	latency = calloc(samples, sizeof(*latency));
	round_trip = calloc(samples, sizeof(*round_trip));
	for (i = 0; i < samples;) {
		int got = read_frames(fd, 5000, NULL, NULL);

		if (got < 0)
			return 1;
		if (got == 0)
			continue;
		diffs[i++] = rdtsc() - guest_tsc();
	}
	for (i = 0; i < samples; i++)
		if ((double)diffs[i] < min_diff)
			min_diff = (double)diffs[i];
	for (i = 0; i < samples; i++)
		latency[i] = ((double)diffs[i] - min_diff) * 1000.0 / khz;
	report("(a) guest write -> viewer, above best case", latency, samples);

	for (i = 0; i < samples; i++) {
		unsigned before = key_count();
		unsigned char key[2] = {0x1e, 0x9e}; /* 'a' */
		double start = now_us();

		if (write(fd, key, 2) != 2)
			return 1;
		while (key_count() == before)
			if (read_frames(fd, 5000, NULL, NULL) < 0)
				return 1;
		round_trip[i] = now_us() - start;
	}
	report("(b) key -> guest -> screen round trip", round_trip, samples);

	{
		unsigned char space[2] = {0x39, 0xb9};
		unsigned char last_row = screen[24][0][0];
		unsigned long total = 0, frames = 0;
		double start = now_us();

		if (write(fd, space, 2) != 2)
			return 1;
		/* The frames up to and including the one that shows the scroll. */
		while (screen[24][0][0] == last_row) {
			int got = read_frames(fd, 5000, &bytes, &rows);

			if (got < 0)
				return 1;
			if (got > 0) {
				total += bytes;
				frames++;
			}
		}
		printf("(c) full-screen scroll (rows 2-24 moved): last frame %lu bytes in %lu CELLS "
		       "messages (%lu frames, %lu bytes in all), shown after %.0f us\n",
		       bytes, rows, frames, total, now_us() - start);
	}
	return 0;
}
