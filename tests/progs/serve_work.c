/*
 * scry serve's workload of known counts (tests/e2e/test_serve.py):
 *
 *	serve_work N M [wait]
 *
 * makes exactly N openat calls that succeed (of /dev/null, each closed
 * again) and M that fail with ENOENT, through syscall(2) so that no libc
 * changes the count.  With "wait" it first prints "ready" and waits for a
 * line on stdin (so that a test can start counting it by pid), then prints
 * "done" and waits for end of input before it exits; without, it works and
 * exits.  Built static (Makefile): no loader opens anything before main.
 * Gives up after 60 s whatever happens.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0, m = argc > 2 ? atol(argv[2]) : 0;
	int wait = argc > 3 && !strcmp(argv[3], "wait");
	char line[64];

	alarm(60);
	if (wait) {
		printf("ready\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return 1;
	}
	for (long i = 0; i < n; i++) {
		long fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return 2;
		syscall(SYS_close, fd);
	}
	for (long i = 0; i < m; i++)
		if (syscall(SYS_openat, AT_FDCWD, "/nonexistent/scry-serve-test", O_RDONLY) >= 0)
			return 3;
	if (wait) {
		printf("done\n");
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin))
			;
	}
	return 0;
}
