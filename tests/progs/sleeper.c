/*
 * sleeper PROGRESS_FILE [LIFETIME_S]: prints its pid, then every 50 ms sleeps
 * and rewrites a counter in PROGRESS_FILE; exits 0 after LIFETIME_S
 * (default 30) seconds.
 */
#include "common.h"

int main(int argc, char **argv)
{
	int fd = progress_open(argc > 1 ? argv[1] : NULL);
	double end = now_sec() + lifetime_arg(argc, argv, 2);
	long n = 0;

	printf("%d\n", (int)getpid());
	fflush(stdout);
	progress_write(fd, n);
	while (now_sec() < end) {
		sleep_ms(50);
		progress_write(fd, ++n);
	}
	return 0;
}
