/* files: file-heavy work.  Creates a temporary directory with K small
 * files, then R times opens, fstats, reads and closes each of them, then
 * removes everything.
 *
 *   files [K [R]]   defaults K=2000, R=3
 *
 * The directory is made under $SCRY_BENCH_DIR if set, else /dev/shm when it
 * exists (tmpfs: a disk journal would add noise unrelated to tracing), else
 * /tmp. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[4096];

static void choose_dir(void)
{
	const char *base = getenv("SCRY_BENCH_DIR");
	struct stat st;
	if (!base || !*base)
		base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
				       access("/dev/shm", W_OK) == 0
			       ? "/dev/shm"
			       : "/tmp";
	snprintf(dir, sizeof dir, "%s/scry-bench-files-XXXXXX", base);
}

static int make_files(long k)
{
	char path[4200], body[64];
	for (long i = 0; i < k; i++) {
		snprintf(path, sizeof path, "%s/f%05ld.txt", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			perror("files: create");
			return -1;
		}
		int len = snprintf(body, sizeof body, "file %ld: some small content\n", i);
		if (write(fd, body, len) != len) {
			perror("files: write");
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static int read_files(long k)
{
	char path[4200], buf[4096];
	struct stat st;
	for (long i = 0; i < k; i++) {
		snprintf(path, sizeof path, "%s/f%05ld.txt", dir, i);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror("files: open");
			return -1;
		}
		if (fstat(fd, &st) < 0 || read(fd, buf, sizeof buf) != st.st_size) {
			perror("files: fstat/read");
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static void remove_files(long k)
{
	char path[4200];
	for (long i = 0; i < k; i++) {
		snprintf(path, sizeof path, "%s/f%05ld.txt", dir, i);
		unlink(path);
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	long k = argc > 1 ? atol(argv[1]) : 2000;
	long r = argc > 2 ? atol(argv[2]) : 3;
	int rc = 0;
	choose_dir();
	if (!mkdtemp(dir)) {
		perror("files: mkdtemp");
		return 1;
	}
	if (make_files(k) < 0)
		rc = 1;
	for (long i = 0; !rc && i < r; i++)
		if (read_files(k) < 0)
			rc = 1;
	remove_files(k);
	return rc;
}
