/*
 * stress_groupkill [MICROS]: two threads make threads and processes without
 * pause; after MICROS microseconds (default 2000) the main thread kills its
 * own process group, made at start so that it holds only this program and
 * its children.  Threads and processes die while being created, before or
 * around their first ptrace stop, in any order with their creator's clone
 * event: once, a thread made while its group was being killed stayed at its
 * first stop with the group's SIGKILL pending, and scry waited for its
 * creator's event forever (tests/stress/test_storms.py GroupKilledWhileCloning).
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

static void *maker(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_t t;
		if (pthread_create(&t, NULL, sleeper, NULL) == 0)
			pthread_detach(t);
		if (fork() == 0) {
			pause();
			_exit(0);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long us = argc > 1 ? atol(argv[1]) : 2000;
	pthread_t t[2];

	if (setpgid(0, 0) < 0)
		return 2;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, maker, NULL);
	usleep((useconds_t)us);
	kill(0, SIGKILL);
	pause();
	return 0;
}
