/*
 * Call sites half a KiB up the stack, for tests/e2e/test_stack_bpf.py: each
 * getppid() is made by stackpad_getppid() (libstackpad.so, no line
 * information, a 512-byte frame), called from a line marked MID:<name>.
 * The kernel's short call-site key cannot see those lines; the whole
 * window's key can.
 *
 *   stack_mid N    N rounds of (mid_a, mid_b), then exit
 */
#include <stdlib.h>

int stackpad_getppid(int tag);

volatile int sink;

__attribute__((noinline)) static void mid_a(int i)
{
	sink += stackpad_getppid(i);   /* MID:a */
}

__attribute__((noinline)) static void mid_b(int i)
{
	sink += stackpad_getppid(i);   /* MID:b */
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;

	for (int i = 0; i < n; i++) {
		mid_a(i);
		mid_b(i);
	}
	return 0;
}
