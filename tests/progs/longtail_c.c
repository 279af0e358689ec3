/*
 * Issue 21's option remainders (tests/e2e/test_longtail_c.py): a memfd
 * (-y shows "</memfd:x>(deleted)"), a directory entry longer than -s
 * (getdents64's d_name is shown in full under -v).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: longtail_c DIR\n");
		return 2;
	}
	const char *dir = argv[1];

	int fd = memfd_create("x", 0);
	write(fd, "a", 1);
	close(fd);

	char path[4096];
	snprintf(path, sizeof(path), "%s/a_directory_entry_name_longer_than_the_limit", dir);
	int f = open(path, O_CREAT | O_WRONLY, 0600);
	close(f);
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	char buf[4096];
	syscall(SYS_getdents64, d, buf, sizeof(buf));
	close(d);

	return 0;
}
