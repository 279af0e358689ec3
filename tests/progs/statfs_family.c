/*
 * statfs_family: the statfs family of calls, each made once by syscall(2)
 * so that the C library's choice of call does not matter: statfs, fstatfs
 * (found and not), and on x86_64 ustat (with and without a buffer) and
 * sysfs's three options and a bad one.  strace shows ustat's device as
 * makedev() and sysfs's arguments in hex; tests/e2e/test_decode.py
 * compares scry's lines with strace's.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct statfs sf;
	struct stat st;
	char name[256];
	/* struct ustat: glibc no longer has <ustat.h> */
	struct { long tfree; unsigned long tinode; char fname[6], fpack[6]; } u;
	int fd = open("/", O_RDONLY | O_DIRECTORY);

	if (fd < 0 || stat("/", &st))
		return 1;
	syscall(SYS_statfs, "/", &sf);
	syscall(SYS_statfs, "/no/such/dir", &sf);
	syscall(SYS_fstatfs, fd, &sf);
	syscall(SYS_fstatfs, -1, &sf);
#ifdef SYS_ustat
	syscall(SYS_ustat, (unsigned)st.st_dev, &u);
	syscall(SYS_ustat, (unsigned)st.st_dev, NULL);
#endif
#ifdef SYS_sysfs
	syscall(SYS_sysfs, 1, "proc");
	syscall(SYS_sysfs, 2, 0, name);
	syscall(SYS_sysfs, 3);
	syscall(SYS_sysfs, 7, 1, 2);
#endif
	(void)u;
	(void)name;
	close(fd);
	return 0;
}
