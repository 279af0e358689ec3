/*
 * Code mapped where a library was (issue 13: "processes that mmap and
 * munmap code"): dlopens library A, calls it (getsid from plugin_inner),
 * dlcloses it, dlopens library B (another file) and calls it again.  The
 * loader puts B where A was; the unwinder must then name B, not A.
 *
 *   stack_remap LIB_A LIB_B    (copies of build/progs/libstackplugin.so)
 * Prints "same" when B was mapped at A's address, "moved" when not.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>

static int call_once(const char *path, ElfW(Addr) *base)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return -1;
	int (*fn)(int) = (int (*)(int))dlsym(h, "stackplugin_call");
	struct link_map *lm = NULL;
	if (!fn || dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0)
		return -1;
	*base = lm->l_addr;
	int r = fn(1);
	return dlclose(h) == 0 ? r : -1;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	ElfW(Addr) a = 0, b = 0;
	if (call_once(argv[1], &a) < 0 || call_once(argv[2], &b) < 0)
		return 3;
	printf("%s\n", a == b ? "same" : "moved");
	return 0;
}
