/*
 * The target of scry --profile's sampler-thread test
 * (tests/e2e/test_profile_trace.py, SamplerOffTheLoop): two threads of one
 * process, so that one is a clock for the other.
 *
 *   the main thread: getppid() again and again, with a little work between
 *     (under ptrace each call stops until the tracer has handled it)
 *   the spinner: CPU in spin() and no system call at all (it never stops),
 *     so the CPU samples of it count the time its sibling waits
 *
 * usage: prof_gap [LIFETIME_SECONDS]
 * Prints its pid, then runs for the lifetime (default 30 s) and exits 0.
 * Built -O2 without frame pointers (Makefile's prof_% rule).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "common.h"

static volatile uint64_t sink;
static volatile int done;

__attribute__((noinline, noclone)) static void spin(long n)
{
	uint64_t x = sink;
	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005ull + (uint64_t)i;
	sink = x;
}

static void *spinner(void *arg)
{
	(void)arg;
	while (!done)
		spin(100000L);
	return NULL;
}

int main(int argc, char **argv)
{
	double life = lifetime_arg(argc, argv, 1);
	pthread_t th;
	if (pthread_create(&th, NULL, spinner, NULL) != 0)
		return 2;
	printf("%d\n", (int)getpid());
	fflush(stdout);
	double t0 = now_sec();
	/* (vDSO clock: no system call but the marker) */
	while (now_sec() - t0 < life) {
		spin(20000L);
		getppid();
	}
	done = 1;
	pthread_join(th, NULL);
	return 0;
}
