/*
 * rated RATE SECONDS [COUNTFILE]: a service making RATE cheap system calls
 * (getppid) a second, in a batch every millisecond, for SECONDS; for
 * bench/top.  COUNTFILE gets the number of calls made (8 bytes, pwrite)
 * every 10 ms.  Prints its pid on the first line.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	double rate = atof(argv[1]), seconds = atof(argv[2]);
	int out = argc > 3 ? open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
	printf("%d\n", (int)getpid());
	fflush(stdout);
	double start = now(), last = start;
	uint64_t calls = 0;
	for (;;) {
		double t = now();
		if (t - start >= seconds)
			break;
		/* catch up to where the rate says we should be */
		uint64_t due = (uint64_t)((t - start) * rate);
		while (calls < due) {
			syscall(SYS_getppid);
			calls++;
		}
		if (out >= 0 && t - last >= 0.01) {
			if (pwrite(out, &calls, sizeof(calls), 0) != sizeof(calls))
				return 1;
			last = t;
		}
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	return 0;
}
