/*
 * calls: a fixed, known sequence of system calls, for the differential test
 * against strace and for checking how scry prints them:
 *
 *   openat(AT_FDCWD, "/nonexistent/scry-calls", O_RDONLY) = -1 ENOENT
 *   openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3
 *   read(3, ..., 4096) = N;  read(3, ..., 4096) = 0;  close(3) = 0
 *   getpid() = PID
 *   write(1, "calls done\n", 11) = 11
 *   exit_group(0)
 *
 * No stdio: its buffering would add calls that depend on what stdout is.
 */
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	char buf[4096];
	int fd;

	if (open("/nonexistent/scry-calls", O_RDONLY) >= 0)
		return 1;
	fd = open("/etc/hostname", O_RDONLY);
	if (fd >= 0) {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	syscall(SYS_getpid);	/* not cached by any libc */
	if (write(1, "calls done\n", 11) != 11)
		return 1;
	return 0;
}
