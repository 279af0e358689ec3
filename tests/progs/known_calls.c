/*
 * Makes known numbers of calls, for exact counts in statistics tests:
 *   known_calls N M K [C]
 * N getppid, M openat that fail with ENOENT, K nanosleep of 10 ms, in this
 * process and, with C, in each of C forked children (which the parent waits
 * for with wait4).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void work(long n, long m, long k)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	for (long i = 0; i < m; i++)
		syscall(SYS_openat, AT_FDCWD, "/nonexistent/scry-known", O_RDONLY);
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	for (long i = 0; i < k; i++)
		syscall(SYS_nanosleep, &ts, NULL);
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	long n = atol(argv[1]), m = atol(argv[2]), k = atol(argv[3]);
	long c = argc > 4 ? atol(argv[4]) : 0;
	for (long i = 0; i < c; i++) {
		pid_t p = fork();
		if (p == 0) {
			work(n, m, k);
			_exit(0);
		}
	}
	work(n, m, k);
	for (long i = 0; i < c; i++)
		wait(NULL);
	return 0;
}
