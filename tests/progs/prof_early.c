/*
 * The target of scry --backend bpf --profile's launch test
 * (tests/e2e/test_profile_trace.py, BpfLaunchHeld): CPU in early() as the
 * first thing main does, about ITERATIONS x 1 ns (default 3,000,000: a few
 * ms), then one getppid() and the exit.  A sampler opened on the command
 * after it started misses early() (the command ran before it was open).
 *
 * usage: prof_early [ITERATIONS]
 * Built -O2 without frame pointers (Makefile's prof_% rule).
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static volatile uint64_t sink;

__attribute__((noinline, noclone)) static void early(long n)
{
	uint64_t x = sink;
	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005ull + (uint64_t)i;
	sink = x;
}

int main(int argc, char **argv)
{
	early(argc > 1 ? atol(argv[1]) : 3000000L);
	getppid();
	return 0;
}
