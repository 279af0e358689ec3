/*
 * zombie MODE [LIFETIME_S]: a process that cannot be attached to.
 *   child: forks a child that exits at once and is never reaped; prints
 *          "pid C" (the zombie's pid).
 *   leader: the main thread exits (pthread_exit) while a second thread
 *          sleeps on; prints "pid P" (the process, whose leader is a zombie).
 * Either way the program ends after LIFETIME_S (default 30) seconds.
 */
#include "common.h"
#include <pthread.h>
#include <sys/wait.h>

static double end;

static void *sleeper(void *arg)
{
	(void)arg;
	while (now_sec() < end)
		sleep_ms(50);
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "child";
	end = now_sec() + lifetime_arg(argc, argv, 2);
	if (!strcmp(mode, "child")) {
		pid_t pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0)
			_exit(0);
		/* wait until it is a zombie, without reaping it */
		siginfo_t si;
		waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
		printf("pid %d\n", (int)pid);
		fflush(stdout);
		while (now_sec() < end)
			sleep_ms(50);
		return 0;
	}
	pthread_t th;
	if (pthread_create(&th, NULL, sleeper, NULL) != 0)
		return 2;
	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	pthread_exit(NULL);
}
