/*
 * Built without -g (no line information), for tests/progs/stack_mid.c: a
 * frame of half a KiB between a system call and the caller whose line
 * --source names, so that the caller's return address lies past the
 * kernel's short call-site window (SCRY_TRACE_SITE_SHORT) and within the
 * whole one.
 */
#include <unistd.h>

__attribute__((noinline)) int stackpad_getppid(int tag)
{
	volatile char pad[512];

	pad[0] = (char)tag;
	pad[511] = (char)tag;
	return (int)getppid() + pad[0] - pad[511];
}
