/*
 * preader [LIFETIME_S]: prints its pid, then calls pread64 on a file it
 * opened at start, about every 0.5 ms, and nothing else, until LIFETIME_S
 * (default 30) seconds have passed.  A target whose every call is outside
 * -e trace=openat: a tracer should do no work for it beyond the stops.
 */
#include "common.h"

int main(int argc, char **argv)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	double end = now_sec() + lifetime_arg(argc, argv, 1);
	char buf[64];
	printf("%d\n", (int)getpid());
	fflush(stdout);
	while (now_sec() < end) {
		if (pread(fd, buf, sizeof(buf), 0) < 0)
			return 1;
		/* a busy wait on the vDSO clock: no other call */
		double until = now_sec() + 0.0005;
		while (now_sec() < until)
			;
	}
	return 0;
}
