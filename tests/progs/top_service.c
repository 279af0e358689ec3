/*
 * top_service PROGRESS LIFETIME [TAG]: the service that tests/e2e/test_top.py
 * watches with `scry top`.  TAG (any word) is only there so that the test
 * finds this process, and no other, by its command line.
 *
 * Two threads:
 *   "blocked_reader" reads a pipe nobody writes: blocked in read(2) for
 *                    the whole lifetime (the thread scry top must show with
 *                    a growing time in read);
 *   main ("looper")  loops: getppid(), a failing openat() (ENOENT: the errors
 *                    pane), a progress write, a 2 ms nanosleep.
 */
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "common.h"

static int pipefd[2];

static void *reader(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "blocked_reader");
	char c;
	for (;;)
		if (read(pipefd[0], &c, 1) <= 0)
			sleep_ms(10);
	return NULL;
}

int main(int argc, char **argv)
{
	double lifetime = lifetime_arg(argc, argv, 2);
	int prog = progress_open(argc > 1 ? argv[1] : NULL);
	if (pipe(pipefd) < 0)
		return 2;
	pthread_t th;
	if (pthread_create(&th, NULL, reader, NULL) != 0)
		return 2;
	prctl(PR_SET_NAME, "looper");
	printf("%d\n", (int)getpid());
	fflush(stdout);
	double end = now_sec() + lifetime;
	long n = 0;
	while (now_sec() < end) {
		syscall(SYS_getppid);
		int fd = open("/nonexistent/top_service", O_RDONLY);
		if (fd >= 0)
			close(fd);
		progress_write(prog, ++n);
		sleep_ms(2);
	}
	return 0;
}
