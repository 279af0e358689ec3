/*
 * latmix: one syscall with a known latency distribution, hot enough that
 * scry's bpf -c samples it, and a storm of calls that fail, for the
 * sampled-versus-exact test (tests/e2e/test_bpf_sampling.py).
 *
 *   latmix CYCLES   CYCLES times, 100 ppoll(NULL, 0, &t) calls in a fixed
 *                   order: 70 with t = 0 (return at once), 28 with
 *                   t = 20 µs, 2 with t = 300 µs (timer slack 1 ns, so a
 *                   sleep is its length plus the wake-up); then
 *                   100 * CYCLES close(-1), each failing with EBADF.
 *
 * So of ppoll's calls 70 % take microseconds, 28 % 20 µs or more, 2 %
 * 300 µs or more: p50 lies among the first, 20 % of the calls away from
 * the rank where the kind changes, p90 among the second, 8 % away from
 * either end.  The order repeats with period 100: a sampler that timed
 * every N-th call would see a biased slice of it.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long cycles = argc > 1 ? atol(argv[1]) : 100;

	if (prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) < 0)
		perror("latmix: PR_SET_TIMERSLACK");
	for (long c = 0; c < cycles; c++)
		for (int i = 0; i < 100; i++) {
			struct timespec t = { 0, i < 70 ? 0 : i < 98 ? 20000 : 300000 };

			if (syscall(SYS_ppoll, NULL, 0, &t, NULL, 8) < 0) {
				perror("latmix: ppoll");
				return 1;
			}
		}
	for (long i = 0; i < 100 * cycles; i++)
		syscall(SYS_close, -1);
	return 0;
}
