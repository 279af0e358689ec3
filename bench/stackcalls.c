/*
 * bench/stack_bpf's workload: N write(2)s of one byte to /dev/null, a
 * third from each of three call sites a few frames deep, in -O2 code
 * without frame pointers (the build's flags), so that the unwinder needs
 * the CFI and each site is a distinct source line.
 *
 *	stackcalls N      (N = 0: only the start and the end)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int fd;

static __attribute__((noinline)) void site_a(void) { if (write(fd, "a", 1) != 1) exit(2); }
static __attribute__((noinline)) void site_b(void) { if (write(fd, "b", 1) != 1) exit(2); }
static __attribute__((noinline)) void site_c(void) { if (write(fd, "c", 1) != 1) exit(2); }

static __attribute__((noinline)) void level2(long i)
{
	volatile char frame[256];	/* some stack between the frames */

	frame[0] = (char)i;
	switch (i % 3) {
	case 0: site_a(); break;
	case 1: site_b(); break;
	default: site_c(); break;
	}
	__asm__ volatile("" : : "r"(frame) : "memory");
}

static __attribute__((noinline)) void level1(long n)
{
	for (long i = 0; i < n; i++)
		level2(i);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;

	fd = open("/dev/null", O_WRONLY);
	if (fd < 0)
		return 1;
	level1(n);
	return 0;
}
