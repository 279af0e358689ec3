/*
 * Code made at run time, as a JIT makes it, for the unwinder's
 * /tmp/perf-PID.map support (tests/e2e/test_stack.py::Jit,
 * test_profile_more.py): the code is copied into an anonymous executable
 * mapping and named in /tmp/perf-PID.map, perf's convention ("START SIZE
 * NAME", hex), which the program removes before it exits.
 *
 *   jit_calls calls N    N getppid() calls made from jit_getppid
 *   jit_calls spin S     S seconds of CPU spent in jit_spin (a loop of
 *                        no calls), for a profiler
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* mov $110, %eax (getppid); syscall; ret */
static const unsigned char getppid_code[] = { 0xb8, 0x6e, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3 };
/* mov $0x1000000, %ecx; 1: dec %ecx; jnz 1b; ret */
static const unsigned char spin_code[] = { 0xb9, 0x00, 0x00, 0x00, 0x01, 0xff, 0xc9, 0x75, 0xfc, 0xc3 };

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	long n = atol(argv[2]);
	unsigned char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	memcpy(m, getppid_code, sizeof(getppid_code));
	memcpy(m + 64, spin_code, sizeof(spin_code));
	char path[64];
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	FILE *f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "%lx %zx jit_getppid\n%lx %zx jit_spin\n", (unsigned long)m, sizeof(getppid_code),
		(unsigned long)(m + 64), sizeof(spin_code));
	fclose(f);
	long (*jit_getppid)(void) = (long (*)(void))(void *)m;
	void (*jit_spin)(void) = (void (*)(void))(void *)(m + 64);
	if (!strcmp(argv[1], "calls")) {
		for (long i = 0; i < n; i++)
			if (jit_getppid() != (long)getppid())
				return 1;
	} else {
		struct timespec t0, t;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		do {
			jit_spin();
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
		} while (t.tv_sec - t0.tv_sec < n);
	}
	unlink(path);
	return 0;
}
