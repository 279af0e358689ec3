/*
 * busy PROGRESS_FILE [LIFETIME_S]: prints its pid, then burns CPU, calling
 * getppid about every 5 ms and rewriting a counter in PROGRESS_FILE about
 * every 50 ms; exits 0 after LIFETIME_S (default 30) seconds.
 */
#include "common.h"

int main(int argc, char **argv)
{
	int fd = progress_open(argc > 1 ? argv[1] : NULL);
	double start = now_sec(), end = start + lifetime_arg(argc, argv, 2);
	double next_call = start, next_progress = start;
	volatile unsigned long spin = 0;
	long n = 0;

	printf("%d\n", (int)getpid());
	fflush(stdout);
	progress_write(fd, n);
	for (;;) {
		for (int i = 0; i < 10000; i++)
			spin++;
		double t = now_sec();	/* vDSO: no system call */
		if (t >= end)
			break;
		if (t >= next_call) {
			getppid();
			next_call = t + 0.005;
		}
		if (t >= next_progress) {
			progress_write(fd, ++n);
			next_progress = t + 0.05;
		}
	}
	return 0;
}
