/* cpu: a CPU-bound loop with no system calls inside it.  A tracer that
 * stops only at system calls should cost about nothing here; this workload
 * measures the fixed cost of starting and ending a trace.
 *
 *   cpu [N]   N iterations (default 200000000) of a xorshift step.
 *
 * With CPU_TIME_TO=FILE in the environment it writes its own CPU time in
 * seconds (CLOCK_PROCESS_CPUTIME_ID, nanosecond resolution) to FILE at the
 * end: bench/profile measures slowdowns of a percent, which /usr/bin/time's
 * 10 ms steps cannot show on a two-second run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000000L;
	uint64_t x = 88172645463325252ULL, acc = 0;
	for (long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += x >> 60;
	}
	/* Printing the result keeps the compiler from removing the loop. */
	printf("%llu\n", (unsigned long long)acc);
	const char *to = getenv("CPU_TIME_TO");
	struct timespec ts;
	if (to && *to && clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0) {
		FILE *f = fopen(to, "w");
		if (!f || fprintf(f, "%.6f\n", ts.tv_sec + ts.tv_nsec / 1e9) < 0 || fclose(f) != 0) {
			perror(to);
			return 1;
		}
	}
	return 0;
}
