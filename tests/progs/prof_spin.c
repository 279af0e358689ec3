/*
 * The library example's target (examples/profile_hot.c, tests/e2e/
 * test_library.py): one function, spin_here, holds the CPU for SECS
 * seconds of wall time, so it is the hottest function of any profile.
 *
 *   prof_spin SECS
 */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) static void spin_here(double secs)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (unsigned long i = 0; i < 10000000; i++)
			sink += i;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
}

int main(int argc, char **argv)
{
	spin_here(argc > 1 ? atof(argv[1]) : 5.0);
	return 0;
}
