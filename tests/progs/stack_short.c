/*
 * Short-lived processes for tests/e2e/test_stack_bpf.py (issue 13, the bpf
 * lifetime race): each child makes its calls from known lines (SHORT:<name>)
 * and is gone at once, usually long before scry's reader reaches its
 * calls, so the unwinder can no longer read its /proc/PID/maps then.
 *
 *   stack_short N               N children, one after the other: each
 *                               getppid() from short_a and umask() from
 *                               short_b, then _exit(0)
 *   stack_short N exec IMAGE    the same, then each child execs IMAGE
 *                               (tests/progs/stack_exec.c) instead of
 *                               exiting: its calls before the exec are
 *                               this image's (the execve too), those
 *                               after IMAGE's
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int sink;

__attribute__((noinline)) static void short_a(void)
{
	sink += getppid();   /* SHORT:getppid */
}

__attribute__((noinline)) static void short_b(void)
{
	sink += (int)umask(022);   /* SHORT:umask */
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	const char *image = argc > 3 && !strcmp(argv[2], "exec") ? argv[3] : NULL;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			short_a();
			short_b();
			if (image) {
				execl(image, image, (char *)NULL);   /* SHORT:execl */
				_exit(127);
			}
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	return 0;
}
