/* The image tests/progs/stack_main.c execs into: its call must be named
 * from this file (the unwinder dropped the old image's modules). */
#include <unistd.h>

__attribute__((noinline)) static int after_exec(void)
{
	return (int)getuid();   /* STACK:getuid */
}

int main(void)
{
	return after_exec() < 0;
}
