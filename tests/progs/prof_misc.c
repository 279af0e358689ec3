/*
 * Targets for scry profile's bad-input tests (tests/e2e/test_profile_more.py).
 *
 *   prof_misc churn N      starts and joins N threads, 8 at a time, each
 *                          spinning ~1 ms in churn_work; exits 0
 *   prof_misc exec SECS PROG  spins SECS/2 in before_exec, then execs PROG
 *                          (another binary: prof_split) as "PROG - SECS/2"
 *   prof_misc vdso SECS    calls clock_gettime in a loop for SECS (the vDSO:
 *                          no system call, the leaf is the vDSO's function)
 * Each prints its pid first.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void *churn_work(void *arg)
{
	for (unsigned long i = 0; i < 1000000; i++)
		sink += i;
	return arg;
}

__attribute__((noinline)) static void before_exec(double secs)
{
	double end = now() + secs;
	while (now() < end)
		for (int i = 0; i < 10000; i++)
			sink += (unsigned long)i;
}

__attribute__((noinline)) static void vdso_loop(double secs)
{
	struct timespec ts;
	double end = now() + secs;
	for (;;) {
		for (int i = 0; i < 1000; i++) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			sink += (unsigned long)ts.tv_nsec;
		}
		if (now() >= end)
			break;
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: prof_misc churn N | exec SECS PROG | vdso SECS\n");
		return 2;
	}
	printf("%d\n", (int)getpid());
	fflush(stdout);
	double v = atof(argv[2]);
	if (!strcmp(argv[1], "churn")) {
		int n = atoi(argv[2]);
		for (int i = 0; i < n; i += 8) {
			pthread_t t[8];
			int k = 0;
			for (; k < 8 && i + k < n; k++)
				if (pthread_create(&t[k], NULL, churn_work, NULL))
					break;
			for (int j = 0; j < k; j++)
				pthread_join(t[j], NULL);
		}
		return 0;
	}
	if (!strcmp(argv[1], "exec")) {
		before_exec(v / 2);
		char secs[32];
		snprintf(secs, sizeof(secs), "%g", v / 2);
		if (argc > 3)
			execl(argv[3], argv[3], "-", secs, (char *)NULL);
		perror("exec");
		return 1;
	}
	if (!strcmp(argv[1], "vdso")) {
		vdso_loop(v);
		return 0;
	}
	return 2;
}
