/* storm: a storm of cheap system calls, the worst case for a tracer.
 *
 *   storm [N]   N iterations (default 100000) of write(/dev/null, 1 byte)
 *               followed by getppid(): 2*N calls in all.
 *
 * getppid goes through syscall(2) so that no libc ever caches it. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("storm: open /dev/null");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		if (write(fd, "x", 1) != 1) {
			perror("storm: write");
			return 1;
		}
		syscall(SYS_getppid);
	}
	close(fd);
	return 0;
}
