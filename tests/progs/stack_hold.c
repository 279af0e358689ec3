/*
 * A target for stacks under the bpf backend (tests/unit/test_stack_bpf.c),
 * which unwinds each call after the fact from the process's maps: this one
 * stays alive until told.  It reads one byte from stdin (the tracer is
 * ready), makes its calls from lines marked STACK:<call>, then reads stdin
 * to its end (the tracer has seen them) and exits.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

volatile int sink;

__attribute__((noinline)) static void hold_inner(void)
{
	sink += getppid();   /* STACK:getppid */
}

__attribute__((noinline)) void hold_outer(void)
{
	hold_inner();
	sink++;
}

__attribute__((noinline)) static void hold_umask(void)
{
	sink += (int)umask(022);   /* STACK:umask */
}

int main(void)
{
	char c;

	if (read(0, &c, 1) != 1)
		return 2;
	hold_outer();
	hold_umask();
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
