/*
 * Calls from known lines for the unwinder's tests (tests/unit/test_unwind.c):
 * each traced call is on a line marked STACK:<call>, in a function that is
 * not inlined, reached through a known chain of callers.  Built several
 * ways by the Makefile (PIE and not, with and without -g, stripped) and
 * linked with build/progs/libstacklib.so; dlopens libstackplugin.so.
 *
 *   stack_main [exec PATH]     (with exec: execs PATH at the end)
 *   stack_main unlink          (deletes its own executable first)
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int stacklib_call(int x);

volatile int sink;

__attribute__((noinline)) static void inner_static(void)
{
	sink += getppid();   /* STACK:getppid */
}

__attribute__((noinline)) void outer_global(void)
{
	inner_static();
	sink++;
}

/* Inlined twice over: the call is on inl_leaf's line, inlined into
 * inl_mid, inlined into inl_outer (a physical frame). */
static inline __attribute__((always_inline)) void inl_leaf(void)
{
	sink += getpgid(0);   /* STACK:getpgid */
}

static inline __attribute__((always_inline)) void inl_mid(void)
{
	inl_leaf();   /* STACK:inl_leaf */
	sink++;
}

__attribute__((noinline)) static void inl_outer(void)
{
	inl_mid();   /* STACK:inl_mid */
	sink++;
}

__attribute__((noinline)) static void *thread_fn(void *arg)
{
	sink += (int)umask(022);   /* STACK:umask */
	return arg;
}

__attribute__((noinline)) static void call_plugin(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 64);
	if (n <= 0)
		exit(3);
	path[n] = '\0';
	char *slash = strrchr(path, '/');
	strcpy(slash + 1, "libstackplugin.so");
	void *h = dlopen(path, RTLD_NOW);
	if (!h)
		exit(4);
	int (*fn)(int) = (int (*)(int))dlsym(h, "stackplugin_call");
	if (!fn)
		exit(5);
	sink += fn(1);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "unlink")) {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			return 7;
		self[n] = '\0';
		if (unlink(self) != 0)
			return 8;
	}
	outer_global();
	inl_outer();
	sink += stacklib_call(2);
	pthread_t th;
	if (pthread_create(&th, NULL, thread_fn, NULL) != 0)
		return 2;
	pthread_join(th, NULL);
	call_plugin();
	if (argc == 3 && !strcmp(argv[1], "exec")) {
		char *const nargv[] = { argv[2], NULL };
		execv(argv[2], nargv);
		return 6;
	}
	return 0;
}
