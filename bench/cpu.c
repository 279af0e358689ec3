/* cpu: a CPU-bound loop with no system calls inside it.  A tracer that
 * stops only at system calls should cost about nothing here; this workload
 * measures the fixed cost of starting and ending a trace.
 *
 *   cpu [N]   N iterations (default 200000000) of a xorshift step. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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
	return 0;
}
