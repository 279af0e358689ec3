/*
 * stress_nlexec PROGRESS LIFETIME_S: a process whose non-leader threads
 * exec, again and again, for the stress suite's attach test
 * (tests/stress/test_exec.py).
 *
 * Prints its pid.  Every generation writes its number to PROGRESS
 * (common.h), starts two threads that sleep, and one more that waits 5 to
 * 24 ms and then execs this program again from that (non-leader) thread:
 * the kernel kills the other threads and the exec'ing thread takes over
 * the process id.  The process keeps its pid, so an attach may land at
 * any moment of an exec.  After LIFETIME_S seconds (counted from the first
 * generation) it exits 0.
 */
#include "common.h"
#include <pthread.h>

static char *self_args[6];	/* argv for the exec, NULL-terminated */

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		sleep_ms(3);
	return NULL;
}

static void *execer(void *arg)
{
	sleep_ms(5 + (long)arg % 20);
	execv("/proc/self/exe", self_args);
	perror("execv");
	_exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: stress_nlexec PROGRESS LIFETIME_S\n");
		return 2;
	}
	/* argv[3], argv[4]: the generation and the end time, for the execs */
	long gen = argc > 3 ? atol(argv[3]) : 0;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	double now = ts.tv_sec + ts.tv_nsec / 1e9;
	double end = argc > 4 ? atof(argv[4]) : now + atof(argv[2]);
	if (gen == 0) {
		printf("%d\n", (int)getpid());
		fflush(stdout);
	}
	/* not progress_open(): no O_TRUNC, so a reader never sees it empty */
	int pfd = open(argv[1], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (pfd < 0) {
		perror(argv[1]);
		return 2;
	}
	progress_write(pfd, gen);
	if (now >= end)
		return 0;
	char genbuf[32], endbuf[64];
	snprintf(genbuf, sizeof(genbuf), "%ld", gen + 1);
	snprintf(endbuf, sizeof(endbuf), "%.3f", end);
	self_args[0] = argv[0];
	self_args[1] = argv[1];
	self_args[2] = argv[2];
	self_args[3] = genbuf;
	self_args[4] = endbuf;
	pthread_t th;
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th, NULL, sleeper, NULL))
			return 2;
	if (pthread_create(&th, NULL, execer, (void *)(gen * 7 + getpid())))
		return 2;
	for (;;)
		sleep_ms(3);
}
