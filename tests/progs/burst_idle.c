/*
 * burst_idle PROGRESS_FILE N [LIFETIME_S]: prints its pid, waits for a line
 * on stdin, makes N getppid() calls in a burst, writes N to PROGRESS_FILE,
 * then sleeps in one call for LIFETIME_S (default 30) seconds and exits 0.
 *
 * For the bpf backend's batched wakeups: every line of a burst must reach
 * the output while the target makes no more calls, and at a detach.
 */
#include <sys/syscall.h>

#include "common.h"

int main(int argc, char **argv)
{
	int fd = progress_open(argc > 1 ? argv[1] : NULL);
	long n = argc > 2 ? atol(argv[2]) : 1000;
	double life = lifetime_arg(argc, argv, 3);
	char go[16];

	printf("%d\n", (int)getpid());
	fflush(stdout);
	if (read(0, go, sizeof(go)) <= 0)
		return 1;
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	progress_write(fd, n);
	sleep_ms((long)(life * 1000));
	return 0;
}
