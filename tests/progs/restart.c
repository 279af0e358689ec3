/*
 * A sleep the kernel resumes with restart_syscall (tests/e2e/test_longtail_d.py):
 *   restart [MS]
 * forks a child, then sleeps MS milliseconds (1500 by default) with
 * clock_nanosleep.  The child exits once it sees its parent in that call
 * (/proc/PPID/syscall), and its SIGCHLD (ignored by default, but queued
 * for a traced process) interrupts the sleep with ERESTART_RESTARTBLOCK:
 * the kernel resumes it as restart_syscall.  A tracer attaching during the
 * sleep does the same.  Then it reaps the child.  It prints its pid first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int parent_sleeping(pid_t pp)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pp);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1;
	long nr = -1;
	int n = fscanf(f, "%ld", &nr);
	fclose(f);
	return n == 1 && nr == SYS_clock_nanosleep;
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 1500;
	printf("%d\n", (int)getpid());
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		pid_t pp = getppid();
		struct timespec tick = { 0, 1000000 };
		for (int i = 0; i < 10000 && !parent_sleeping(pp); i++)
			nanosleep(&tick, NULL);
		_exit(0);
	}
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	clock_nanosleep(CLOCK_REALTIME, 0, &ts, NULL);
	waitpid(p, NULL, 0);
	return 0;
}
