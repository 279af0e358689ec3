/* A library that tests/progs/stack_main.c dlopens after its first traced
 * call: the unwinder must see the new mapping. */
#include <unistd.h>

__attribute__((noinline)) static int plugin_inner(int x)
{
	int r = (int)getsid(0);   /* STACK:getsid */
	return r + x;
}

int stackplugin_call(int x)
{
	return plugin_inner(x) + 1;
}
