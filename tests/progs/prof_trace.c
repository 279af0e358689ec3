/*
 * The target of scry --profile (tests/e2e/test_profile_trace.py): calls
 * the e2e test can find in the trace, between stretches of CPU burnt in
 * one known function, so that the samples fall between the calls.
 *
 *   each round: burn_hot() spins through a fixed amount of work (about
 *   20 ms), then getppid() (the marker call), round after round
 *
 * usage: prof_trace PROGRESS|- ROUNDS|0 [LIFETIME_SECONDS]
 * Prints its pid, then runs ROUNDS rounds (0: until the lifetime ends),
 * counting them in PROGRESS, and exits 0.  Built -O2 without frame pointers (Makefile's prof_% rule).
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static volatile uint64_t sink;

/* A fixed amount of work (about 20 ms here), with no system call in it:
 * a thread CPU clock would be one (clock_gettime is not in the vDSO for
 * thread clocks), and under ptrace each would stop. */
__attribute__((noinline, noclone)) static void burn_hot(long n)
{
	uint64_t x = sink;
	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005ull + (uint64_t)i;
	sink = x;
}

int main(int argc, char **argv)
{
	int progress = progress_open(argc > 1 ? argv[1] : "-");
	long rounds = argc > 2 ? atol(argv[2]) : 50;
	double life = lifetime_arg(argc, argv, 3);
	printf("%d\n", (int)getpid());
	fflush(stdout);
	double t0 = now_sec();
	for (long i = 0; (!rounds || i < rounds) && now_sec() - t0 < life; i++) {
		burn_hot(20000000L);
		getppid();
		progress_write(progress, i + 1);
	}
	return 0;
}
