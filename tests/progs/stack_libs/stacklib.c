/* A shared library of the stack tests' own (tests/progs/stack_main.c):
 * its call comes from a known line, marked STACK:<call>. */
#include <unistd.h>

__attribute__((noinline)) int stacklib_call(int x)
{
	int r = getpgrp();   /* STACK:getpgrp */
	return r + x;
}
