/*
 * Built as a 32-bit static program (-m32 -static, see the Makefile): an
 * ia32 process, whose calls have i386 numbers (close is 6, not 3).  scry
 * must name and decode them with the i386 table, as strace does
 * (tests/e2e/test_ia32.py).
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(void)
{
	int fd = open("/dev/null", O_RDONLY);
	int fd2 = dup(fd);
	close(fd2);
	lseek(fd, 0, SEEK_CUR);           /* i386's _llseek: no x86_64 twin */
	close(fd);
	close(fd);                        /* EBADF */
	write(1, "ia32\n", 5);
	syscall(SYS_getpid);
	return 0;
}
