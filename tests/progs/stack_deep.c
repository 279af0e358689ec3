/*
 * Call sites whose system call is made deep in the C library, for
 * tests/e2e/test_stack_bpf.py: fprintf() to an unbuffered stream reaches
 * write(2) through libc frames that hold kilobytes of stack (vfprintf's
 * buffer), so the caller's return address lies far above the stack pointer
 * at the call; the two sites' stacks near sp look alike.  Every call is on
 * a line marked DEEP:<name>.
 *
 *   stack_deep N [SECS]   N rounds of (site one, site two, shallow write),
 *                         then sleep SECS (keeps the process alive)
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static FILE *out;
/* one format, one argument: nothing near sp tells the sites apart */
static const char *fmt = "line %d\n";

__attribute__((noinline)) static void site_one(int i)
{
	fprintf(out, fmt, i);   /* DEEP:one */
}

__attribute__((noinline)) static void site_two(int i)
{
	fprintf(out, fmt, i);   /* DEEP:two */
}

__attribute__((noinline)) static void shallow(void)
{
	if (write(fileno(out), "s\n", 2) != 2)   /* DEEP:shallow */
		exit(3);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	int secs = argc > 2 ? atoi(argv[2]) : 0;
	out = fopen("/dev/null", "w");
	if (!out)
		return 2;
	setvbuf(out, NULL, _IONBF, 0);
	for (int i = 0; i < n; i++) {
		site_one(i);
		site_two(i);
		shallow();
	}
	if (secs > 0)
		sleep((unsigned)secs);
	return 0;
}
