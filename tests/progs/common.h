/*
 * Helpers shared by the target programs of the end-to-end tests.
 *
 * A target that runs for a while reports progress by rewriting a fixed-width
 * counter at offset 0 of a file (one pwrite, so a reader never sees a torn
 * value), and gives up after a maximum lifetime so that no target can outlive
 * a test run, whatever happens to the test that started it.
 */
#ifndef SCRY_TEST_PROGS_COMMON_H
#define SCRY_TEST_PROGS_COMMON_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;	/* EINTR: a signal handler ran; sleep the rest */
}

/* Opens the progress file named by path ("-" or NULL: no progress file). */
static inline int progress_open(const char *path)
{
	if (!path || !strcmp(path, "-"))
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

static inline void progress_write(int fd, long n)
{
	char buf[32];
	if (fd < 0)
		return;
	int len = snprintf(buf, sizeof(buf), "%20ld\n", n);
	if (pwrite(fd, buf, len, 0) != len)
		_exit(3);
}

/* Lifetime in seconds from argv[i], default 30. */
static inline double lifetime_arg(int argc, char **argv, int i)
{
	return argc > i ? atof(argv[i]) : 30.0;
}

#endif
