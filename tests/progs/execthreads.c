/*
 * execthreads PROGRESS_FILE [LIFETIME_S]: a process whose non-leader thread
 * execs the program again, over and over.  Each generation starts a few
 * idle threads and one more that calls execve(/proc/self/exe) at once, so
 * an attach almost always meets an exec in progress (the exec holds the
 * target's cred_guard_mutex, which PTRACE_SEIZE needs, and waits for the
 * tracer to reap the threads it kills).  The pid stays the same across the
 * execs (the exec'ing thread takes the leader's).  Prints "pid P" in the
 * first generation; PROGRESS_FILE holds the generation count.  The last
 * generation exits 0 after LIFETIME_S (default 30) seconds in all.
 */
#include "common.h"
#include <pthread.h>

#define NIDLE 32

static char **args;

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		sleep_ms(1000);
	return NULL;
}

static void *execer(void *arg)
{
	(void)arg;
	sleep_ms(2);
	execv("/proc/self/exe", args);
	perror("execthreads: execv");
	_exit(2);
}

int main(int argc, char **argv)
{
	/* argv: PROGRESS [LIFETIME] [END GENERATION] (the last two from a previous generation) */
	double end = argc > 3 ? atof(argv[3]) : now_sec() + lifetime_arg(argc, argv, 2);
	long gen = argc > 4 ? atol(argv[4]) : 0;
	if (gen == 0) {
		printf("pid %d\n", (int)getpid());
		fflush(stdout);
	}
	int fd = progress_open(argc > 1 ? argv[1] : NULL);
	progress_write(fd, gen);
	if (fd >= 0)
		close(fd);
	if (now_sec() >= end)
		return 0;
	char endbuf[32], genbuf[32];
	snprintf(endbuf, sizeof(endbuf), "%.6f", end);
	snprintf(genbuf, sizeof(genbuf), "%ld", gen + 1);
	char *next[] = { argv[0], argc > 1 ? argv[1] : "-", "0", endbuf, genbuf, NULL };
	args = next;
	pthread_t th;
	for (int i = 0; i < NIDLE; i++)
		if (pthread_create(&th, NULL, idle, NULL) != 0)
			return 2;
	if (pthread_create(&th, NULL, execer, NULL) != 0)
		return 2;
	for (;;)
		sleep_ms(1000);
}
