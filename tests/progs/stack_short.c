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
 *   stack_short N vdso          the same, and then clock_gettime() of the
 *                               process's CPU clock from short_c, which
 *                               the vDSO answers with a system call made
 *                               from inside the vDSO
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

__attribute__((noinline)) static void short_c(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);   /* SHORT:clock_gettime */
	sink += (int)t.tv_nsec;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	const char *image = argc > 3 && !strcmp(argv[2], "exec") ? argv[3] : NULL;
	int vdso = argc > 2 && !strcmp(argv[2], "vdso");

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			short_a();
			short_b();
			if (vdso)
				short_c();
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
