/*
 * A busy "service" for bench/attach: a loop of small requests (read 64
 * bytes from /dev/zero, write them to /dev/null, one getppid), and every
 * 64 requests an openat/close of a config file.  It writes its request
 * count into the file argv[1] (8 bytes, pwrite) every 10 ms so that a
 * harness can read its throughput without disturbing it, and runs for
 * argv[2] seconds.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int zero = open("/dev/zero", O_RDONLY);
	int null = open("/dev/null", O_WRONLY);
	if (out < 0 || zero < 0 || null < 0)
		return 1;
	double seconds = atof(argv[2]);
	struct timespec start, now, last;
	clock_gettime(CLOCK_MONOTONIC, &start);
	last = start;
	uint64_t requests = 0;
	char buf[64];
	for (;;) {
		if (read(zero, buf, sizeof(buf)) < 0 || write(null, buf, sizeof(buf)) < 0)
			return 1;
		syscall(SYS_getppid);
		if (++requests % 64 == 0) {
			int fd = open("/etc/hostname", O_RDONLY);
			if (fd >= 0)
				close(fd);
			clock_gettime(CLOCK_MONOTONIC, &now);
			double el = (double)(now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
			if (el > seconds)
				break;
			if ((now.tv_sec - last.tv_sec) * 1000000000L + (now.tv_nsec - last.tv_nsec) > 10000000L) {
				if (pwrite(out, &requests, sizeof(requests), 0) < 0)
					return 1;
				last = now;
			}
		}
	}
	return 0;
}
